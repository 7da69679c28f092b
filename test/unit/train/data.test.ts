// train with data (SPEC §5): update k uses the gradient of loss(params_k, data(k)) and history[k] is
// that loss, data called once per entry; and accuracy, the fraction of rows whose argmax is the label.
import { describe, expect, it } from "vitest";
import {
  accuracy, adam, halfSquaredError, key, matmul, permutation, type Real, sgd, square, sub, take, type Tensor, tensor, toArray, train,
} from "../../../src/index.ts";
import { expectClose, expectThrows, expectTreeClose, isDeeplyFrozen } from "../../support/approx.ts";

// L(θ, c) = (θ − c)² with c_k = data(k): sgd gives θ_{k+1} = θ_k − 2·lr·(θ_k − c_k), history[k] = (θ_k − c_k)²
const loss = (theta: Real, c: number): Real => square(sub(theta, c));
const target = (k: number): number => (k % 3) - 1;

describe("train with data", () => {
  it("uses data(k) for update k and for history[k], calling data once for each k = 0..steps in order", () => {
    const lr = 0.2;
    const calls: number[] = [];
    const r = train({ loss, params: 2 as Real, optimizer: sgd(lr), steps: 6, data: (k) => (calls.push(k), target(k)) });
    expect(calls).toEqual([0, 1, 2, 3, 4, 5, 6]);
    let θ = 2;
    const history: number[] = [];
    for (let k = 0; k < 6; k++) {
      history.push((θ - target(k)) ** 2);
      θ -= 2 * lr * (θ - target(k));
    }
    history.push((θ - target(6)) ** 2);
    expect(r.history).toHaveLength(7);
    r.history.forEach((h, k) => expectClose(h, history[k], 1e-14, 1e-15));
    expectClose(r.params, θ, 1e-14);
  });
  it("ends at the params after the last update (the last batch only evaluates the loss)", () => {
    const lr = 0.1;
    const r = train({ loss, params: 0 as Real, optimizer: sgd(lr), steps: 3, data: (k) => [5, -5, 1, 1000][k] });
    // θ₁ = 0 − 0.2·(0 − 5) = 1, θ₂ = 1 − 0.2·(1 + 5) = −0.2, θ₃ = −0.2 − 0.2·(−0.2 − 1) = 0.04
    expectClose(r.params, 0.04, 1e-14);
    expectClose(r.history[3], (0.04 - 1000) ** 2, 1e-14);
  });
  it("stops when consecutive entries differ by less than the tolerance, even though their batches differ", () => {
    // θ stays 0 under lr 0; the batches 1, −1, 1, 1 give losses 1, 1, 1, 1: the first pair already agrees
    const r = train({ loss, params: 0 as Real, optimizer: sgd(0), steps: 10, tolerance: 1e-12, data: (k) => (k % 2 ? -1 : 1) });
    expect(r.converged).toBe(true);
    expect(r.steps).toBe(1);
    const s = train({ loss, params: 0 as Real, optimizer: sgd(0), steps: 3, tolerance: 1e-12, data: (k) => k });
    expect(s.converged).toBe(false);
    expect(s.history).toEqual([0, 1, 4, 9]);
  });
  it("tells onStep the loss on the step's batch, and returns a frozen result without changing the batches", () => {
    const batches = [tensor([1, 2]), tensor([3, 4]), tensor([5, 6])];
    const seen: number[] = [];
    const r = train({
      loss: (w: Tensor, b: Tensor): Real => halfSquaredError(w, b),
      params: tensor([0, 0]),
      optimizer: sgd(0.5),
      steps: 2,
      data: (k) => batches[k],
      onStep: ({ step, loss: l }) => seen.push(step, l),
    });
    // ½‖w − b‖² with lr 0.5: w₁ = ½b₀ = [0.5, 1], w₂ = ½(w₁ + b₁) = [1.75, 2.5]
    expectTreeClose(r.params, [1.75, 2.5], 1e-15);
    expect(seen).toEqual([1, r.history[1], 2, r.history[2]]);
    expectClose(r.history[2], 0.5 * ((5 - 1.75) ** 2 + (6 - 2.5) ** 2), 1e-15);
    expect(toArray(batches[0])).toEqual([1, 2]);
    expect(isDeeplyFrozen(r)).toBe(true);
  });
  it("fits least squares from shuffled minibatches (permutation and take)", () => {
    // y = X·[2, −1] exactly: every minibatch has its minimum at the same w
    const X = tensor([[1, 0], [0, 1], [1, 1], [2, -1], [-1, 3], [0.5, 0.5]]);
    const y = matmul(X, tensor([2, -1]));
    const order = (k: number): Tensor => take(permutation(key(k), 6), [0, 1, 2]);
    const r = train({
      loss: (w: Tensor, rows: Tensor): Real => halfSquaredError(matmul(take(X, rows), w), take(y, rows)),
      params: tensor([0, 0]),
      optimizer: adam(0.05),
      steps: 1500,
      data: order,
    });
    expectTreeClose(r.params, [2, -1], 1e-6, 1e-6);
  });
  it("rejects data that is not a function", () => {
    expectThrows(() => train({ loss, params: 0 as Real, optimizer: sgd(0.1), steps: 1, data: 3 as never }), TypeError, /^train: data/);
  });
});

describe("accuracy", () => {
  const logits = tensor([[1, 2, 0], [0, 0, 5], [3, 1, 2], [0, 1, 0]]);
  it("is the fraction of rows whose argmax equals the index label", () => {
    // argmaxes 1, 2, 0, 1 against 1, 2, 1, 1
    expect(accuracy(logits, [1, 2, 1, 1])).toBe(0.75);
    expect(accuracy(logits, tensor([1, 2, 0, 1]))).toBe(1);
    expect(accuracy(logits, [0, 0, 1, 0])).toBe(0);
  });
  it("reads one-hot labels by their argmax", () => {
    expect(accuracy(logits, tensor([[0, 1, 0], [0, 0, 1], [0, 1, 0], [0, 1, 0]]))).toBe(0.75);
  });
  it("takes the first of tied logits, nested arrays, and gives NaN for no rows", () => {
    expect(accuracy([[1, 1, 0]], [0])).toBe(1);
    expect(accuracy([[1, 1, 0]], [1])).toBe(0);
    expect(accuracy(tensor([], [0, 3]), tensor([], [0]))).toBeNaN();
  });
  it("rejects shapes that do not fit, labels that are not class indices, and what is not numbers", () => {
    expectThrows(() => accuracy(tensor([1, 2]), [0]), RangeError, /^accuracy: the logits must have shape \[batch, classes\], got \[2\]/);
    expectThrows(() => accuracy(logits, [1, 2, 0]), RangeError, /^accuracy: labels of shape \[3\]/, "[4,3]");
    expectThrows(() => accuracy(logits, tensor([[0, 1], [1, 0], [0, 1], [1, 0]])), RangeError, "[4,2]");
    expectThrows(() => accuracy(logits, [1, 2, 3, 0]), RangeError, /label 3 at row 2/);
    expectThrows(() => accuracy(logits, [1, 2, 0.5, 0]), RangeError, /label 0.5/);
    expectThrows(() => accuracy("x" as never, [0]), TypeError, /^accuracy: the logits/);
    expectThrows(() => accuracy(logits, [1, "a", 0, 0] as never), TypeError, /^accuracy: the labels/);
  });
});
