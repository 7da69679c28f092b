// SPEC §5 and §7 (train): history[0] is the initial loss, history[k] the loss after k updates,
// early stopping on |history[k] − history[k−1]| < tolerance, onStep after every update, purity.
import { describe, expect, it } from "vitest";
import {
  adam, momentum, projectToBall, projected, type Real, sgd, square, sub, sum, add, Tensor, tensor, toArray, train,
  type StepInfo,
} from "../../../src/index.ts";
import {
  expectClose, expectDeepFrozen, expectThrows, expectTreeClose, snapshot, SPEC_ATOL, SPEC_RTOL,
} from "../../support/approx.ts";
import { l2, leafNumbers } from "../../support/reference.ts";

// L(θ) = ‖w − c‖² + (b − d)², θ0 = { w: [1, −2], b: 3 }, c = [0.5, 0.5], d = 1.
// sgd(lr): every error shrinks by (1 − 2lr) per step, so L_k = (1 − 2lr)^{2k} · L_0.
type P = { readonly w: Tensor; readonly b: number };
const c = tensor([0.5, 0.5]);
const loss = (p: P): Real => add(sum(square(sub(p.w, c))), square(sub(p.b, 1)));
const theta0: P = { w: tensor([1, -2]), b: 3 };
const L0 = 0.25 + 6.25 + 4;
const thetaAt = (lr: number, k: number) => {
  const f = (1 - 2 * lr) ** k;
  return { w: [0.5 + f * 0.5, 0.5 + f * -2.5], b: 1 + f * 2 };
};

describe("train({ loss, params, optimizer, steps })", () => {
  it("returns history of length steps + 1 with history[0] the initial loss and history[k] the loss after k updates", () => {
    const r = train({ loss, params: theta0, optimizer: sgd(0.1), steps: 10 });
    expect(r.history).toHaveLength(11);
    r.history.forEach((h, k) => expectClose(h, L0 * 0.64 ** k, 1e-12, SPEC_ATOL));
  });

  it("returns the params after the last update, the number of updates, and converged false", () => {
    const r = train({ loss, params: theta0, optimizer: sgd(0.1), steps: 10 });
    expectTreeClose(r.params, thetaAt(0.1, 10), 1e-12, SPEC_ATOL);
    expect(r.params.w).toBeInstanceOf(Tensor);
    expect(typeof r.params.b).toBe("number");
    expect(r.steps).toBe(10);
    expect(r.converged).toBe(false);
  });

  it("the history holds plain numbers", () => {
    const r = train({ loss, params: theta0, optimizer: sgd(0.1), steps: 3 });
    for (const h of r.history) expect(typeof h).toBe("number");
  });

  it("with steps = 0 makes no update: history is [initial loss] and params are the given values", () => {
    const r = train({ loss, params: theta0, optimizer: sgd(0.1), steps: 0 });
    expect(r.history).toHaveLength(1);
    expectClose(r.history[0], L0, SPEC_RTOL, SPEC_ATOL);
    expect(r.steps).toBe(0);
    expectTreeClose(r.params, { w: [1, -2], b: 3 }, SPEC_RTOL, SPEC_ATOL);
  });

  it("with momentum matches a plain heavy-ball iteration", () => {
    const lr = 0.05;
    const beta = 0.9;
    let t = [1, -2, 3];
    const target = [0.5, 0.5, 1];
    let v = [0, 0, 0];
    const expected = [L0];
    for (let k = 0; k < 20; k++) {
      const g = t.map((x, i) => 2 * (x - target[i]));
      v = v.map((vi, i) => beta * vi + g[i]);
      t = t.map((x, i) => x - lr * v[i]);
      expected.push(t.reduce((a, x, i) => a + (x - target[i]) ** 2, 0));
    }
    const r = train({ loss, params: theta0, optimizer: momentum(lr, beta), steps: 20 });
    r.history.forEach((h, k) => expectClose(h, expected[k], 1e-10, 1e-14));
    expectTreeClose(r.params, { w: [t[0], t[1]], b: t[2] }, 1e-10, SPEC_ATOL);
  });

  it("with a projected optimizer keeps every iterate inside the ball", () => {
    const far = (p: P): Real => add(sum(square(sub(p.w, tensor([10, 10])))), square(sub(p.b, 10)));
    const seen: number[] = [];
    const r = train({
      loss: far, params: { w: tensor([0, 0]), b: 0 }, optimizer: projected(sgd(0.1), projectToBall(1)), steps: 30,
      onStep: ({ params }) => void seen.push(l2(leafNumbers(params))),
    });
    expect(seen).toHaveLength(30);
    for (const n of seen) expect(n).toBeLessThanOrEqual(1 + 1e-12);
    // the constrained minimiser is the point of the unit sphere towards (10, 10, 10)
    expectTreeClose(r.params, { w: [1 / Math.sqrt(3), 1 / Math.sqrt(3)], b: 1 / Math.sqrt(3) }, 1e-9, SPEC_ATOL);
  });

  it("with adam lowers the loss of a tree of tensors and numbers", () => {
    const r = train({ loss, params: theta0, optimizer: adam(0.1), steps: 200 });
    expect(r.history[200]).toBeLessThan(1e-3 * r.history[0]);
  });
});

describe("train's early stopping (tolerance)", () => {
  // sgd(0.1): history[k−1] − history[k] = L0 · 0.64^(k−1) · 0.36
  const firstBelow = (tol: number): number => {
    for (let k = 1; ; k++) if (Math.abs(L0 * 0.64 ** k - L0 * 0.64 ** (k - 1)) < tol) return k;
  };

  it("stops at the first k with |history[k] − history[k−1]| < tolerance and reports converged", () => {
    const tol = 0.01;
    const k = firstBelow(tol);
    const r = train({ loss, params: theta0, optimizer: sgd(0.1), steps: 100, tolerance: tol });
    expect(r.converged).toBe(true);
    expect(r.steps).toBe(k);
    expect(r.history).toHaveLength(k + 1);
    expect(Math.abs(r.history[k] - r.history[k - 1])).toBeLessThan(tol);
    expect(Math.abs(r.history[k - 1] - r.history[k - 2])).toBeGreaterThanOrEqual(tol);
    expectTreeClose(r.params, thetaAt(0.1, k), 1e-12, SPEC_ATOL);
  });

  it("runs every step and reports converged false when the tolerance is not reached", () => {
    const r = train({ loss, params: theta0, optimizer: sgd(0.1), steps: 5, tolerance: 1e-6 });
    expect(r.converged).toBe(false);
    expect(r.steps).toBe(5);
    expect(r.history).toHaveLength(6);
  });

  it("stops after one update when the loss does not change (already at the minimum)", () => {
    const r = train({ loss, params: { w: tensor([0.5, 0.5]), b: 1 }, optimizer: sgd(0.1), steps: 50, tolerance: 1e-12 });
    expect(r.converged).toBe(true);
    expect(r.steps).toBe(1);
    expect(r.history).toEqual([0, 0]);
  });

  it("with tolerance 0 never stops early, even when the loss is flat", () => {
    const r = train({ loss, params: { w: tensor([0.5, 0.5]), b: 1 }, optimizer: sgd(0.1), steps: 4, tolerance: 0 });
    expect(r.steps).toBe(4);
    expect(r.history).toHaveLength(5);
  });
});

describe("train's onStep", () => {
  it("is called after every update with step = k, loss = history[k] and the params after k updates", () => {
    const calls: StepInfo<P>[] = [];
    const r = train({ loss, params: theta0, optimizer: sgd(0.1), steps: 6, onStep: (info) => void calls.push(info) });
    expect(calls.map((c) => c.step)).toEqual([1, 2, 3, 4, 5, 6]);
    calls.forEach((info) => {
      expect(typeof info.loss).toBe("number");
      expect(info.loss).toBe(r.history[info.step]);
      expectTreeClose(info.params, thetaAt(0.1, info.step), 1e-12, SPEC_ATOL);
    });
  });

  it("is called once per update performed when training stops early", () => {
    let count = 0;
    const r = train({ loss, params: theta0, optimizer: sgd(0.1), steps: 100, tolerance: 0.01, onStep: () => void count++ });
    expect(count).toBe(r.steps);
  });

  it("is not called when steps = 0", () => {
    let count = 0;
    train({ loss, params: theta0, optimizer: sgd(0.1), steps: 0, onStep: () => void count++ });
    expect(count).toBe(0);
  });
});

describe("train is pure", () => {
  it("changes nothing it was given: params, options, and works on deeply frozen inputs", () => {
    const params = Object.freeze({ w: tensor([1, -2]), b: 3 });
    const options = Object.freeze({ loss, params, optimizer: adam(0.1), steps: 5 });
    const before = snapshot(params);
    const r = train(options);
    expect(snapshot(params)).toEqual(before);
    expect(options.params).toBe(params);
    expect(options.steps).toBe(5);
    expect(toArray(params.w)).toEqual([1, -2]);
    expect(r.history).toHaveLength(6);
  });

  it("gives the same result when called twice with the same options", () => {
    const a = train({ loss, params: theta0, optimizer: adam(0.1), steps: 7 });
    const b = train({ loss, params: theta0, optimizer: adam(0.1), steps: 7 });
    expect(a.history).toEqual(b.history);
    expect(leafNumbers(a.params)).toEqual(leafNumbers(b.params));
  });

  it("returns frozen params and a frozen history", () => {
    const r = train({ loss, params: theta0, optimizer: sgd(0.1), steps: 3 });
    expectDeepFrozen(r.params);
    expect(Object.isFrozen(r.history)).toBe(true);
  });

  it("rejects a params tree with a bad leaf with a TypeError naming its path", () => {
    expectThrows(
      () => train({ loss: () => 0, params: { layer: { w: [1, "x"] } } as never, optimizer: sgd(0.1), steps: 1 }),
      TypeError,
      "layer.w[1]",
    );
  });

  it("rejects a loss whose result is not a scalar with a TypeError (as grad does)", () => {
    expectThrows(() => train({ loss: (p: P) => [p.b] as unknown as Real, params: theta0, optimizer: sgd(0.1), steps: 1 }), TypeError);
  });
});
