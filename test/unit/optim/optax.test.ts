// adamw, rmsprop and adagrad against optax's update formulas written out by hand (optax/_src/alias.py
// and transform.py: scale_by_adam + add_decayed_weights, scale_by_rms, scale_by_rss); learning-rate
// schedules in every optimizer; purity, use inside transforms, and errors.
import { describe, expect, it } from "vitest";
import {
  adadelta, adagrad, adam, adamw, derivative, grad, linearSchedule, momentum, type Optimizer, piecewiseConstantSchedule,
  type Real, rmsprop, sgd, tensor, toArray, vmap,
} from "../../../src/index.ts";
import { expectClose, expectThrows, expectTreeClose, isDeeplyFrozen } from "../../support/approx.ts";
import { flat, G1, G2, g1, g2, type Params, params, twoSteps, θ0 } from "../../support/two-steps.ts";

describe("adamw", () => {
  it("steps −lr·(m̂/(√v̂ + ε) + wd·θ), the decay on the params before the step (optax.adamw)", () => {
    const [lr, b1, b2, eps, wd] = [0.05, 0.8, 0.9, 1e-3, 0.3];
    const [p1, p2] = twoSteps(adamw(lr, b1, b2, eps, wd));
    const m1 = G1.map((g) => (1 - b1) * g);
    const v1 = G1.map((g) => (1 - b2) * g * g);
    const u1 = m1.map((m, i) => m / (1 - b1) / (Math.sqrt(v1[i] / (1 - b2)) + eps));
    const θ1 = θ0.map((x, i) => x - lr * (u1[i] + wd * x));
    expectTreeClose(p1, θ1, 1e-14);
    const m2 = G2.map((g, i) => b1 * m1[i] + (1 - b1) * g);
    const v2 = G2.map((g, i) => b2 * v1[i] + (1 - b2) * g * g);
    const u2 = m2.map((m, i) => m / (1 - b1 ** 2) / (Math.sqrt(v2[i] / (1 - b2 ** 2)) + eps));
    expectTreeClose(p2, θ1.map((x, i) => x - lr * (u2[i] + wd * x)), 1e-14);
  });
  it("defaults to β₁ 0.9, β₂ 0.999, ε 1e-8, wd 1e-4; with wd = 0 it is adam", () => {
    const [p1] = twoSteps(adamw(0.01));
    expectTreeClose(p1, θ0.map((x, i) => x - 0.01 * (G1[i] / (Math.abs(G1[i]) + 1e-8) + 1e-4 * x)), 1e-14);
    expect(twoSteps(adamw(0.01, 0.9, 0.999, 1e-8, 0))).toEqual(twoSteps(adam(0.01)));
  });
  it("decays the weights even where the gradient is zero", () => {
    const opt = adamw(0.1, 0.9, 0.999, 1e-8, 0.5);
    const [p] = opt.update([0], opt.init([2]), [2]);
    expect(p[0]).toBeCloseTo(2 - 0.1 * 0.5 * 2, 15);
  });
});

describe("rmsprop", () => {
  it("keeps ν ← decay·ν + (1 − decay)·g² and steps −lr·g/√(ν + ε), ε inside the root (optax's default)", () => {
    const [lr, d, eps] = [0.01, 0.7, 1e-2];
    const [p1, p2] = twoSteps(rmsprop(lr, d, eps));
    const ν1 = G1.map((g) => (1 - d) * g * g);
    expectTreeClose(p1, θ0.map((x, i) => x - (lr * G1[i]) / Math.sqrt(ν1[i] + eps)), 1e-14);
    const ν2 = G2.map((g, i) => d * ν1[i] + (1 - d) * g * g);
    expectTreeClose(p2, p1.map((x, i) => x - (lr * G2[i]) / Math.sqrt(ν2[i] + eps)), 1e-14);
  });
  it("steps −lr·g/(√ν + ε) with { epsInSqrt: false } (PyTorch's placement)", () => {
    const [lr, d, eps] = [0.01, 0.7, 1e-2];
    const [p1] = twoSteps(rmsprop(lr, d, eps, { epsInSqrt: false }));
    expectTreeClose(p1, θ0.map((x, i) => x - (lr * G1[i]) / (Math.sqrt((1 - d) * G1[i] ** 2) + eps)), 1e-14);
  });
  it("defaults to decay 0.9, ε 1e-8", () => {
    const [p1] = twoSteps(rmsprop(0.001));
    expectTreeClose(p1, θ0.map((x, i) => x - (0.001 * G1[i]) / Math.sqrt(0.1 * G1[i] ** 2 + 1e-8)), 1e-14);
  });
});

describe("adagrad", () => {
  it("accumulates G ← G + g² from initialAccumulator and steps −lr·g/√(G + ε) (optax.scale_by_rss)", () => {
    const [lr, init, eps] = [0.3, 0.5, 1e-3];
    const [p1, p2] = twoSteps(adagrad(lr, init, eps));
    const s1 = G1.map((g) => init + g * g);
    expectTreeClose(p1, θ0.map((x, i) => x - (lr * G1[i]) / Math.sqrt(s1[i] + eps)), 1e-14);
    const s2 = G2.map((g, i) => s1[i] + g * g);
    expectTreeClose(p2, p1.map((x, i) => x - (lr * G2[i]) / Math.sqrt(s2[i] + eps)), 1e-14);
  });
  it("defaults to initialAccumulator 0.1, ε 1e-7", () => {
    const [p1] = twoSteps(adagrad(0.1));
    expectTreeClose(p1, θ0.map((x, i) => x - (0.1 * G1[i]) / Math.sqrt(0.1 + G1[i] ** 2 + 1e-7)), 1e-14);
  });
  it("makes no step where G is still 0 (optax's where(G > 0, rsqrt(G + ε), 0)), even for a gradient whose square underflows", () => {
    const opt = adagrad(1, 0, 1e-7);
    // (1e-170)² underflows to 0, so G stays 0; g/√ε would have moved θ by 3.2e-167
    const [p] = opt.update({ x: 1e-170, t: tensor([1e-170, 2]) }, opt.init({ x: 0, t: tensor([0, 0]) }), { x: 0, t: tensor([0, 0]) });
    expect(p.x).toBe(0);
    const [t0, t1] = toArray(p.t) as number[];
    expect(t0).toBe(0);
    expectClose(t1, -2 / Math.sqrt(4 + 1e-7), 1e-15);
  });
});

describe("learning-rate schedules", () => {
  const lrAt = linearSchedule(0.5, 0.1, 4);
  it.each([
    ["sgd", (lr: number | ((k: number) => number)) => sgd(lr as never)],
    ["momentum(β = 0)", (lr: number | ((k: number) => number)) => momentum(lr, 0)],
    ["rmsprop", (lr: number | ((k: number) => number)) => rmsprop(lr, 0.9)],
    ["adagrad", (lr: number | ((k: number) => number)) => adagrad(lr)],
    ["adam", (lr: number | ((k: number) => number)) => adam(lr)],
    ["adamw", (lr: number | ((k: number) => number)) => adamw(lr)],
    ["adadelta", (lr: number | ((k: number) => number)) => adadelta(0.9, 1e-6, lr)],
  ] as const)("%s: update k uses lr(k), k counted in the frozen state from 0", (_name, make) => {
    // the same updates with a constant lr(k) each: the schedule must pick lr(k) for update k
    const scheduled = make(lrAt) as Optimizer<{ count?: number }>;
    let state = scheduled.init(params);
    expect(state.count).toBe(0);
    let p: Params = params;
    let q: Params = params;
    for (let k = 0; k < 6; k++) {
      const fixed = make(lrAt(k)) as Optimizer<unknown>;
      // the fixed-lr optimizer continues from the scheduled one's state, minus the count
      const { count: _c, ...rest } = state as Record<string, unknown>;
      const fixedState = "mu" in rest ? { ...rest, count: k } : rest;
      const [qk] = fixed.update(k % 2 ? g2 : g1, fixedState as never, q);
      [p, state] = scheduled.update(k % 2 ? g2 : g1, state, p);
      expect(flat(p)).toEqual(flat(qk));
      expect(state.count).toBe(k + 1);
      expect(isDeeplyFrozen(state)).toBe(true);
      q = p;
    }
  });
  it("a number keeps no count (sgd's state stays {}), as optax's constant learning rate", () => {
    expect(sgd(0.1).init(params)).toEqual({});
    expect("count" in momentum(0.1).init(params)).toBe(false);
  });
  it("a schedule whose value is not a finite number >= 0 is a RangeError at that update, naming the optimizer and step", () => {
    const opt = sgd((k: number) => (k < 1 ? 0.1 : -1));
    const [p, s] = opt.update([1], opt.init([0]), [0]);
    expectThrows(() => opt.update([1], s, p), RangeError, /^sgd: the learning-rate schedule gave -1 at step 1/);
    const nan = adam(() => Number.NaN);
    expectThrows(() => nan.update([1], nan.init([0]), [0]), RangeError, /^adam: .*NaN at step 0/);
  });
  it("piecewise constant decay through sgd: θ_k follows the scaled rates", () => {
    const opt = sgd(piecewiseConstantSchedule(1, { 2: 0.5 }));
    let [θ, s]: readonly [readonly Real[], unknown] = [[0], opt.init([0])];
    const expected = [-1, -2, -2.5, -3];
    for (const e of expected) {
      [θ, s] = opt.update([1], s as never, θ);
      expect(θ[0]).toBe(e);
    }
  });
  it("a state without its count is a TypeError naming the optimizer", () => {
    const opt = rmsprop(linearSchedule(1, 0, 3));
    expectThrows(() => opt.update([1], { nu: [0] } as never, [0]), TypeError, /^rmsprop.update: the state's count/);
  });
});

describe("purity and transforms", () => {
  it.each([
    ["adamw", adamw(0.1)],
    ["rmsprop", rmsprop(0.1)],
    ["adagrad", adagrad(0.1)],
    ["scheduled adam", adam(linearSchedule(0.1, 0, 5))],
  ] as const)("%s changes nothing it is given and returns frozen params and state", (_name, opt) => {
    const p = { a: [1, 2], b: { c: 3 }, t: tensor([1, -1]) };
    const g = { a: [0.5, -1], b: { c: 2 }, t: tensor([0.25, 4]) };
    const o = opt as Optimizer<unknown>;
    const s = o.init(p);
    expect(isDeeplyFrozen(s)).toBe(true);
    const pair = o.update(g, s, p);
    expect(isDeeplyFrozen(pair)).toBe(true);
    expect(p.a).toEqual([1, 2]);
    expect(Object.isFrozen(p) || Object.isFrozen(g)).toBe(false);
    expect(o.update(g, s, p)).toEqual(pair);
  });
  it("an update is differentiable: d/dθ of one rmsprop step on ½θ² is 1 − lr·ε/((1 − d)θ² + ε)^{3/2}", () => {
    // θ' = θ − lr·θ/√((1 − d)θ² + ε); the derivative by the quotient rule
    const [lr, d, eps] = [0.1, 0.5, 0.01];
    const opt = rmsprop(lr, d, eps);
    const step = (θ: Real): Real => opt.update([θ], opt.init([θ]), [θ])[0][0];
    for (const θ of [0.3, -1.2, 2]) {
      const closed = 1 - (lr * eps) / ((1 - d) * θ * θ + eps) ** 1.5;
      expectClose(grad(step)(θ), closed, 1e-12);
      expectClose(derivative(step)(θ), closed, 1e-12);
    }
  });
  it("adagrad's mask is decided per example under vmap", () => {
    const opt = adagrad(1, 0, 0);
    // one example with g = 0 (G = 0: no step) and one with g = 2 (a step of g/√(g²) = 1)
    const step = (g: Real): Real => opt.update([g], opt.init([1]), [1])[0][0];
    expect(toArray(vmap(step)(tensor([0, 2])))).toEqual([1, 0]);
  });
});

describe("errors", () => {
  it("hyperparameters out of range, or a learning rate that is neither a number nor a function, are RangeErrors naming the optimizer", () => {
    expectThrows(() => adamw(-1), RangeError, /^adamw: the learning rate/);
    expectThrows(() => adamw(0.1, 0.9, 0.999, 1e-8, -1), RangeError, /^adamw: the weight decay/);
    expectThrows(() => adamw(0.1, 1), RangeError, /^adamw: beta1/);
    expectThrows(() => rmsprop(0.1, 1), RangeError, /^rmsprop: decay/);
    expectThrows(() => rmsprop(0.1, 0.9, -1), RangeError, /^rmsprop: eps/);
    expectThrows(() => rmsprop(0.1, 0.9, 1e-8, { epsInSqrt: "yes" } as never), TypeError, /^rmsprop: options.epsInSqrt/);
    expectThrows(() => adagrad(0.1, -0.5), RangeError, /^adagrad: initialAccumulator/);
    expectThrows(() => adagrad(Number.POSITIVE_INFINITY), RangeError, /^adagrad: the learning rate/);
    expectThrows(() => sgd("0.1" as never), RangeError, /^sgd: the learning rate must be a number or a schedule/);
    expectThrows(() => momentum(null as never), RangeError, /^momentum: /);
  });
  it("a gradient of another structure is a TypeError naming the path", () => {
    const opt = adagrad(0.1);
    expectThrows(() => opt.update({ a: 1, w: tensor([1]) }, opt.init(params), params), TypeError, /^adagrad.update: the gradient at w/);
  });
});
