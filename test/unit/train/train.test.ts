// train: the history's meaning (history[k] is the loss after k updates), early stopping, onStep,
// purity, and errors — on losses whose iterates have closed forms.
import { describe, expect, it } from "vitest";
import {
  adam, halfSquaredError, matmul, momentum, type Real, sgd, square, sum, type Tensor, tensor, toArray, train,
} from "../../../src/index.ts";
import { expectClose, expectTreeClose, isDeeplyFrozen } from "../../support/approx.ts";

// L(θ) = Σ θᵢ²: gradient descent gives θₖ = (1 − 2·lr)ᵏ·θ₀, so L(θₖ) = (1 − 2·lr)²ᵏ·L(θ₀)
const loss = (theta: readonly Real[]): Real => sum(theta.map(square));
const theta0 = [1, -2];
const lr = 0.1;
const ratio = 1 - 2 * lr;

describe("train", () => {
  it("records history[0] = L(θ₀) and history[k] = the loss after k updates, steps + 1 entries", () => {
    const r = train({ loss, params: theta0, optimizer: sgd(lr), steps: 20 });
    expect(r.history).toHaveLength(21);
    expect(r.steps).toBe(20);
    expect(r.converged).toBe(false);
    r.history.forEach((h, k) => expectClose(h, 5 * ratio ** (2 * k), 1e-13));
    expectTreeClose(r.params, theta0.map((t) => t * ratio ** 20), 1e-13);
  });
  it("stops early once the loss changes by less than the tolerance, and says it converged", () => {
    const tolerance = 1e-6;
    // |L_k − L_{k−1}| = 5·ρ^(2k−2)·(1 − ρ²): the first k where that falls below the tolerance
    let first = 1;
    while (5 * ratio ** (2 * first - 2) * (1 - ratio ** 2) >= tolerance) first++;
    const r = train({ loss, params: theta0, optimizer: sgd(lr), steps: 1000, tolerance });
    expect(r.converged).toBe(true);
    expect(r.steps).toBe(first);
    expect(r.history).toHaveLength(first + 1);
    expect(Math.abs(r.history[first] - r.history[first - 1])).toBeLessThan(tolerance);
    expect(Math.abs(r.history[first - 1] - r.history[first - 2])).toBeGreaterThanOrEqual(tolerance);
  });
  it("runs every step when the tolerance is never met", () => {
    const r = train({ loss, params: theta0, optimizer: sgd(lr), steps: 5, tolerance: 1e-300 });
    expect(r.steps).toBe(5);
    expect(r.converged).toBe(false);
  });
  it("calls onStep after every update with the step number, the loss and the params", () => {
    const seen: { step: number; loss: number; params: readonly Real[] }[] = [];
    const r = train({ loss, params: theta0, optimizer: sgd(lr), steps: 4, onStep: (info) => seen.push(info) });
    expect(seen.map((s) => s.step)).toEqual([1, 2, 3, 4]);
    seen.forEach((s) => {
      expect(s.loss).toBe(r.history[s.step]);
      expectTreeClose(s.params, theta0.map((t) => t * ratio ** s.step), 1e-13);
      expect(isDeeplyFrozen(s)).toBe(true);
    });
  });
  it("with zero steps returns the initial params and loss", () => {
    const r = train({ loss, params: theta0, optimizer: sgd(lr), steps: 0 });
    expect(r.history).toEqual([5]);
    expect(r.params).toEqual(theta0);
    expect(r.steps).toBe(0);
  });
  it("never changes its inputs, neither values nor frozenness, and returns a frozen result", () => {
    type P = { readonly w: readonly Real[]; readonly inner: { readonly b: Real } };
    const params = { w: [1, 2], inner: { b: 3 } };
    const options = { loss: (p: P): Real => sum([...p.w.map(square), square(p.inner.b)]), params: params as P, optimizer: momentum(0.1), steps: 10 };
    const r = train(options);
    expect(params).toEqual({ w: [1, 2], inner: { b: 3 } });
    expect(Object.isFrozen(params) || Object.isFrozen(params.w) || Object.isFrozen(options)).toBe(false);
    expect(isDeeplyFrozen(r)).toBe(true);
    // and it works on frozen inputs too, with the same result
    expect(train({ ...options, params: Object.freeze({ w: Object.freeze([1, 2]), inner: Object.freeze({ b: 3 }) }) })).toEqual(r);
  });
  it("fits a least-squares model with tensors and adam", () => {
    // y = X·w exactly for w = [2, −1], so the minimum of ½‖Xw − y‖² is 0 there
    const X = tensor([[1, 0], [0, 1], [1, 1], [2, -1]]);
    const y = tensor([2, -1, 1, 5]);
    const r = train({ loss: (w: Tensor): Real => halfSquaredError(matmul(X, w), y), params: tensor([0, 0]), optimizer: adam(0.05), steps: 2000 });
    expect(r.history[r.steps]).toBeLessThan(1e-10);
    expectTreeClose(toArray(r.params), [2, -1], 1e-5, 1e-5);
  });
  it("takes params typed as an interface (checked by tsc), and keeps their type", () => {
    interface Linear { readonly w: Tensor; readonly b: Real }
    const params: Linear = { w: tensor([1, -1]), b: 0.5 };
    const r = train({ loss: (p: Linear): Real => halfSquaredError(matmul(tensor([[1, 2]]), p.w), tensor([3])), params, optimizer: momentum(0.05), steps: 3 });
    const trained: Linear = r.params;
    expect(trained.b).toBe(0.5);
    expect(r.history[3]).toBeLessThan(r.history[0]);
  });
  it("rejects bad steps, tolerance, loss, optimizer and params", () => {
    const ok = { loss, params: theta0, optimizer: sgd(lr), steps: 1 };
    expect(() => train({ ...ok, steps: -1 })).toThrow(RangeError);
    expect(() => train({ ...ok, steps: 1.5 })).toThrow(RangeError);
    expect(() => train({ ...ok, tolerance: -1 })).toThrow(RangeError);
    expect(() => train({ ...ok, loss: 3 as never })).toThrow(TypeError);
    expect(() => train({ ...ok, optimizer: {} as never })).toThrow(TypeError);
    expect(() => train({ ...ok, params: [1, "x"] as never })).toThrow(/\[1\]/);
  });
});
