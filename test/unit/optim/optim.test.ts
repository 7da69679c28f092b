// Optimizers: one and two steps against optax's update formulas written out by hand, descent on a
// convex quadratic, purity (inputs unchanged, outputs frozen), projected steps, and errors.
import { describe, expect, it } from "vitest";
import {
  adadelta, adam, add, grad, momentum, mul, type Optimizer, projected, projectToBall, type Real, sgd, sub, sum, tensor,
} from "../../../src/index.ts";
import { expectTreeClose, isDeeplyFrozen } from "../../support/approx.ts";
import { flat, G1, G2, g1, params, twoSteps, θ0 } from "../../support/two-steps.ts";

describe("sgd", () => {
  it("steps θ − lr·g on every leaf", () => {
    const [p1, p2] = twoSteps(sgd(0.1));
    expectTreeClose(p1, θ0.map((x, i) => x - 0.1 * G1[i]));
    expectTreeClose(p2, θ0.map((x, i) => x - 0.1 * G1[i] - 0.1 * G2[i]));
  });
});

describe("momentum", () => {
  it("keeps v ← β·v + g and steps θ − lr·v", () => {
    const [lr, beta] = [0.1, 0.8];
    const [p1, p2] = twoSteps(momentum(lr, beta));
    const v1 = G1;
    const v2 = G2.map((g, i) => beta * v1[i] + g);
    expectTreeClose(p1, θ0.map((x, i) => x - lr * v1[i]));
    expectTreeClose(p2, p1.map((x, i) => x - lr * v2[i]));
  });
  it("defaults to β = 0.9", () => {
    const [, p2] = twoSteps(momentum(0.1));
    const [, q2] = twoSteps(momentum(0.1, 0.9));
    expect(p2).toEqual(q2);
  });
});

describe("adam", () => {
  it("steps −lr·m̂/(√v̂ + ε) with bias-corrected moments (optax's formula)", () => {
    const [lr, b1, b2, eps] = [0.05, 0.8, 0.9, 1e-3];
    const [p1, p2] = twoSteps(adam(lr, b1, b2, eps));
    const m1 = G1.map((g) => (1 - b1) * g);
    const v1 = G1.map((g) => (1 - b2) * g * g);
    const step1 = m1.map((m, i) => (lr * (m / (1 - b1))) / (Math.sqrt(v1[i] / (1 - b2)) + eps));
    expectTreeClose(p1, θ0.map((x, i) => x - step1[i]), 1e-14);
    const m2 = G2.map((g, i) => b1 * m1[i] + (1 - b1) * g);
    const v2 = G2.map((g, i) => b2 * v1[i] + (1 - b2) * g * g);
    const step2 = m2.map((m, i) => (lr * (m / (1 - b1 ** 2))) / (Math.sqrt(v2[i] / (1 - b2 ** 2)) + eps));
    expectTreeClose(p2, p1.map((x, i) => x - step2[i]), 1e-14);
  });
  it("defaults to lr 1e-3, β₁ 0.9, β₂ 0.999, ε 1e-8: a first step of lr·g/(|g| + ε)", () => {
    const [p1] = twoSteps(adam());
    expectTreeClose(p1, θ0.map((x, i) => x - (1e-3 * G1[i]) / (Math.abs(G1[i]) + 1e-8)), 1e-14);
  });
  it("counts its updates in the state", () => {
    const opt = adam(0.1);
    const [, s1] = opt.update(g1, opt.init(params), params);
    expect(s1.count).toBe(1);
  });
});

describe("adadelta", () => {
  it("follows Zeiler's Algorithm 1: Δ = √(E[Δ²] + ε)/√(E[g²] + ε)·g, then E[Δ²] accumulates Δ²", () => {
    const [rho, eps, lr] = [0.9, 1e-4, 1];
    const [p1, p2] = twoSteps(adadelta(rho, eps, lr));
    const eg1 = G1.map((g) => (1 - rho) * g * g);
    const d1 = G1.map((g, i) => (Math.sqrt(0 + eps) / Math.sqrt(eg1[i] + eps)) * g);
    const ed1 = d1.map((d) => (1 - rho) * d * d);
    expectTreeClose(p1, θ0.map((x, i) => x - lr * d1[i]), 1e-14);
    const eg2 = G2.map((g, i) => rho * eg1[i] + (1 - rho) * g * g);
    const d2 = G2.map((g, i) => (Math.sqrt(ed1[i] + eps) / Math.sqrt(eg2[i] + eps)) * g);
    expectTreeClose(p2, p1.map((x, i) => x - lr * d2[i]), 1e-14);
  });
  it("defaults to ρ 0.95, ε 1e-6, lr 1", () => {
    const [p1] = twoSteps(adadelta());
    expectTreeClose(p1, θ0.map((x, i) => x - (Math.sqrt(1e-6) / Math.sqrt(0.05 * G1[i] ** 2 + 1e-6)) * G1[i]), 1e-14);
  });
});

// f(θ) = ½θᵀQθ − cᵀθ with Q symmetric positive definite: convex, minimum at Q⁻¹c.
const Q = [[3, 1], [1, 2]];
const c = [1, -1];
const quadratic = (t: readonly Real[]): Real =>
  sub(mul(0.5, sum(t.map((ti, i) => mul(ti, add(mul(Q[i][0], t[0]), mul(Q[i][1], t[1])))))), add(mul(c[0], t[0]), mul(c[1], t[1])));
// Q⁻¹c = [[2, −1], [−1, 3]]/5 · [1, −1] = [3/5, −4/5]; f there = −½cᵀQ⁻¹c = −7/10
const fMin = -0.7;

describe.each([
  ["sgd(0.1)", sgd(0.1), 200, 1e-9],
  ["momentum(0.05)", momentum(0.05), 300, 1e-9],
  ["adam(0.05)", adam(0.05), 1000, 1e-6],
  ["adadelta()", adadelta(), 2000, Infinity],
] as const)("%s on a convex quadratic", (_name, opt, steps, gap) => {
  it("decreases the loss, to the minimum when the step size allows", () => {
    let theta: readonly Real[] = [2, 2];
    let state = (opt as Optimizer<unknown>).init(theta);
    const start = quadratic(theta) as number;
    for (let k = 0; k < steps; k++) [theta, state] = (opt as Optimizer<unknown>).update(grad(quadratic)(theta), state, theta);
    const end = quadratic(theta) as number;
    expect(end).toBeLessThan(start);
    if (Number.isFinite(gap)) expect(end - fMin).toBeLessThan(gap);
  });
});

describe("purity", () => {
  it.each([
    ["sgd", sgd(0.1)],
    ["momentum", momentum(0.1)],
    ["adam", adam(0.1)],
    ["adadelta", adadelta()],
    ["projected", projected(adam(0.1), projectToBall(1))],
  ] as const)("%s changes nothing it is given and returns frozen params and state", (_name, opt) => {
    const p = { a: [1, 2], b: { c: 3 } };
    const g = { a: [0.5, -1], b: { c: 2 } };
    const o = opt as Optimizer<unknown>;
    const s = o.init(p);
    expect(isDeeplyFrozen(s)).toBe(true);
    const pair = o.update(g, s, p);
    expect(isDeeplyFrozen(pair)).toBe(true);
    expect(p).toEqual({ a: [1, 2], b: { c: 3 } });
    expect(g).toEqual({ a: [0.5, -1], b: { c: 2 } });
    expect(Object.isFrozen(p) || Object.isFrozen(g)).toBe(false);
    // the same inputs give the same outputs
    expect(o.update(g, s, p)).toEqual(pair);
  });
});

describe("projected", () => {
  it("projects after every step (projected gradient descent), and keeps the optimizer's state", () => {
    const opt = projected(sgd(0.1), projectToBall(1));
    let theta: readonly Real[] = [0.1, 0.1];
    let state = opt.init(theta);
    for (let k = 0; k < 100; k++) {
      [theta, state] = opt.update(grad(quadratic)(theta), state, theta);
      expect(Math.hypot(theta[0] as number, theta[1] as number)).toBeLessThanOrEqual(1);
    }
    // the unconstrained minimum [0.6, −0.8] has norm 1 exactly, so the constraint is just active
    expectTreeClose(theta, [0.6, -0.8], 1e-6, 1e-6);
    expect(state).toEqual(sgd(0.1).init(theta));
  });
  it("matches the optimizer followed by the projection", () => {
    const inner = momentum(0.5);
    const project = projectToBall(0.5);
    const s = inner.init(params);
    const [p1, s1] = inner.update(g1, s, params);
    const [q1, t1] = projected(inner, project).update(g1, s, params);
    expect(flat(q1)).toEqual(flat(project(p1)));
    expect(t1).toEqual(s1);
  });
});

describe("errors", () => {
  it("a gradient of another structure or shape is a TypeError naming the first path that differs", () => {
    const opt = adam(0.1);
    const s = opt.init(params);
    expect(() => opt.update({ a: 1, w: tensor([1, 2]) }, s, params)).toThrow(/gradient at w.*\[2,2\]/);
    expect(() => sgd(0.1).update({ a: [1, "x"] } as never, {}, { a: [1, 2] })).toThrow(/a\[1\]/);
    expect(() => sgd(0.1).update({ b: 1 } as never, {}, { a: 1 })).toThrow(TypeError);
  });
  it("a bad params tree is a TypeError naming the path", () => {
    expect(() => sgd(0.1).init({ w: [1, null] } as never)).toThrow(/w\[1\]/);
  });
  it("hyperparameters out of range are RangeErrors", () => {
    expect(() => sgd(Number.NaN)).toThrow(RangeError);
    expect(() => sgd(-1)).toThrow(RangeError);
    expect(() => momentum(0.1, 1.5)).toThrow(RangeError);
    expect(() => adam(0.1, 1)).toThrow(RangeError);
    expect(() => adam(0.1, 0.9, -0.1)).toThrow(RangeError);
    expect(() => adadelta(1.2)).toThrow(RangeError);
  });
});
