// Every transform of the contract, against closed forms, and their nesting in every mix.
import { describe, expect, it } from "vitest";
import {
  add, cos, derivative, exp, grad, hessian, hvp, jacfwd, jacrev, jvp, log, mul, type Real, sin, square, stopGradient,
  sub, sum, valueAndGrad, vjp,
} from "../../../src/index.ts";
import { expectClose, expectTreeClose, isDeeplyFrozen } from "../../support/approx.ts";

// f(x, y) = x²·y + sin(x·y): ∂f/∂x = 2xy + y·cos(xy), ∂f/∂y = x² + x·cos(xy)
const f = (p: readonly Real[]): Real => add(mul(square(p[0]), p[1]), sin(mul(p[0], p[1])));
const df = ([x, y]: number[]) => [2 * x * y + y * Math.cos(x * y), x * x + x * Math.cos(x * y)];
// Hessian: fxx = 2y − y² sin(xy), fxy = 2x + cos(xy) − xy sin(xy), fyy = −x² sin(xy)
const hf = ([x, y]: number[]) => [
  [2 * y - y * y * Math.sin(x * y), 2 * x + Math.cos(x * y) - x * y * Math.sin(x * y)],
  [2 * x + Math.cos(x * y) - x * y * Math.sin(x * y), -x * x * Math.sin(x * y)],
];
// g: R³ → R²
const g = (v: readonly Real[]): Real[] => [mul(v[0], exp(v[1])), sub(square(v[2]), mul(v[0], v[1]))];
const jg = ([a, b, c]: number[]) => [[Math.exp(b), a * Math.exp(b), 0], [-b, -a, 2 * c]];

describe("derivative", () => {
  it("is f' for f: Real → Real", () => {
    expectClose(derivative((x) => mul(x, sin(x)))(2), Math.sin(2) + 2 * Math.cos(2));
  });
  it("is 0 for a constant function", () => {
    expect(derivative(() => 5)(2)).toBe(0);
  });
  it("rejects an argument that is not a Real", () => {
    expect(() => derivative((x) => x)([1] as unknown as number)).toThrow(TypeError);
  });
});

describe("jvp", () => {
  it("returns [f(x), J·v] for trees", () => {
    const result = jvp((p: { a: Real; b: readonly Real[] }) => ({ s: mul(p.a, sum(p.b)), c: [cos(p.a)] }), { a: 2, b: [1, 3] }, { a: 1, b: [0.5, -1] });
    const [y, t] = result;
    expectTreeClose(y, { s: 8, c: [Math.cos(2)] });
    // ∂s = (b₁+b₂)·da + a·(db₁+db₂) = 4·1 + 2·(−0.5); ∂c = −sin a · da
    expectTreeClose(t, { s: 4 - 1, c: [-Math.sin(2)] });
    expect(isDeeplyFrozen(result)).toBe(true);
  });
  it("gives the Jacobian times v", () => {
    const x = [0.5, -0.3, 2];
    const v = [1, 2, -1];
    const [, t] = jvp(g, x, v);
    const J = jg(x);
    expectTreeClose(t, J.map((row) => row.reduce((s, jij, j) => s + jij * v[j], 0)));
  });
  it("rejects a tangent whose structure differs, naming the first path", () => {
    expect(() => jvp(f, [1, 2], [1] as unknown as number[])).toThrow(TypeError);
    expect(() => jvp((p: { a: readonly Real[] }) => p.a[0], { a: [1, 2] }, { a: [1, "x"] } as unknown as { a: number[] })).toThrow(/a\[1\]/);
    expect(() => jvp((p: { a: Real }) => p.a, { a: 1 }, { b: 1 } as unknown as { a: number })).toThrow(/\ba\b.*missing/);
  });
});

describe("vjp", () => {
  it("returns [f(x), pullback] with pullback(u) = Jᵀu shaped like x", () => {
    const x = [0.5, -0.3, 2];
    const [y, pullback] = vjp(g, x);
    expectTreeClose(y, [0.5 * Math.exp(-0.3), 4 + 0.15]);
    const u = [2, -1];
    const J = jg(x);
    expectTreeClose(pullback(u), [0, 1, 2].map((j) => J[0][j] * u[0] + J[1][j] * u[1]));
  });
  it("has a pullback that can be called many times, gives the same answer, and changes nothing", () => {
    const [, pullback] = vjp(g, [0.5, -0.3, 2]);
    const u = [1, 2];
    const first = pullback(u);
    const other = pullback([0, 1]);
    const again = pullback(u);
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
    expect(u).toEqual([1, 2]);
    expect(isDeeplyFrozen(first)).toBe(true);
    expect(Object.isFrozen(pullback)).toBe(true);
  });
  it("rejects a cotangent of the wrong structure, naming the first path", () => {
    const [, pullback] = vjp((p: { a: Real }) => ({ y: [p.a, p.a] }), { a: 1 });
    expect(() => pullback({ y: [1] } as unknown as { y: number[] })).toThrow(TypeError);
    expect(() => pullback({ y: [1] } as unknown as { y: number[] })).toThrow(/y/);
    expect(() => pullback({ y: [1, null] } as unknown as { y: number[] })).toThrow(/y\[1\]/);
  });
  it("gives zeros for inputs the result does not depend on", () => {
    const [, pullback] = vjp((p: readonly Real[]) => mul(p[0], 2), [1, 2]);
    expect(pullback(1)).toEqual([2, 0]);
  });
});

describe("grad and valueAndGrad", () => {
  it("grad is the gradient, shaped like the argument", () => {
    expectTreeClose(grad(f)([1.5, -0.5]), df([1.5, -0.5]));
  });
  it("valueAndGrad is [f(x), ∇f(x)], frozen", () => {
    const r = valueAndGrad(f)([1.5, -0.5]);
    expectClose(r[0], 1.5 ** 2 * -0.5 + Math.sin(-0.75));
    expectTreeClose(r[1], df([1.5, -0.5]));
    expect(isDeeplyFrozen(r)).toBe(true);
  });
  it("a non-scalar result is a TypeError that suggests jacrev or vjp", () => {
    expect(() => grad(((p: readonly Real[]) => p) as unknown as (p: readonly Real[]) => Real)([1, 2])).toThrow(TypeError);
    expect(() => grad(((p: readonly Real[]) => p) as unknown as (p: readonly Real[]) => Real)([1, 2])).toThrow(/jacrev|vjp/);
    expect(() => valueAndGrad(((p: readonly Real[]) => ({ p })) as unknown as (p: readonly Real[]) => Real)([1])).toThrow(TypeError);
  });
});

describe("jacfwd and jacrev", () => {
  it("both give J[i][j] = ∂yᵢ/∂xⱼ", () => {
    const x = [0.5, -0.3, 2];
    expectTreeClose(jacfwd(g)(x), jg(x));
    expectTreeClose(jacrev(g)(x), jg(x));
    expect(isDeeplyFrozen(jacfwd(g)(x))).toBe(true);
    expect(isDeeplyFrozen(jacrev(g)(x))).toBe(true);
  });
  it("reject an argument that is not a vector", () => {
    expect(() => jacfwd(g)(1 as unknown as number[])).toThrow(TypeError);
    expect(() => jacrev(g)({ a: 1 } as unknown as number[])).toThrow(TypeError);
  });
});

describe("hessian and hvp", () => {
  it("hessian matches the closed form and is symmetric", () => {
    const H = hessian(f)([0.7, 1.3]);
    expectTreeClose(H, hf([0.7, 1.3]), 1e-12);
    expect(H[0][1]).toBeCloseTo(H[1][0], 14);
  });
  it("hvp is H·v without forming H", () => {
    const v = [2, -1];
    const H = hf([0.7, 1.3]);
    expectTreeClose(hvp(f)([0.7, 1.3], v), [H[0][0] * v[0] + H[0][1] * v[1], H[1][0] * v[0] + H[1][1] * v[1]], 1e-12);
  });
  it("hvp works on trees", () => {
    // f(p) = a²·b → H = [[2b, 2a], [2a, 0]]
    const r = hvp((p: { a: Real; b: Real }) => mul(square(p.a), p.b))({ a: 3, b: 5 }, { a: 1, b: 1 });
    expect(r).toEqual({ a: 10 + 6, b: 6 });
  });
});

describe("stopGradient", () => {
  it("keeps the value and zeroes the derivative", () => {
    expect(stopGradient(3)).toBe(3);
    expect(derivative((x) => mul(x, stopGradient(x)))(3)).toBe(3);
    expect(grad((x: Real) => mul(x, stopGradient(x)))(3)).toBe(3);
  });
  it("blocks every level of a nested derivative", () => {
    // h(a) = d/dx [ stop(a·x)·x ] = stop(a·x)... evaluated as a plain number, so dh/da = 0
    expect(derivative((a) => grad((x: Real) => mul(stopGradient(mul(a, x)), x))(2))(3)).toBe(0);
    expect(grad((a: Real) => derivative((x) => mul(stopGradient(mul(a, x)), x))(2))(3)).toBe(0);
  });
  it("maps trees", () => {
    expect(grad((p: readonly Real[]) => sum(stopGradient(p) as Real[]))([1, 2])).toEqual([0, 0]);
  });
});

describe("nesting to any depth in any mix", () => {
  it("d³/dx³ e^(2x) = 8e^(2x) by forward, reverse and mixed towers", () => {
    const e2 = (x: Real) => exp(mul(2, x));
    const expected = 8 * Math.exp(1);
    expectClose(derivative(derivative(derivative(e2)))(0.5), expected, 1e-13);
    expectClose(grad(grad(grad(e2)))(0.5), expected, 1e-13);
    expectClose(grad(derivative(grad(e2)))(0.5), expected, 1e-13);
    expectClose(derivative(grad(derivative(e2)))(0.5), expected, 1e-13);
  });
  it("fourth order: d⁴/dx⁴ sin = sin, in every alternation", () => {
    expectClose(derivative(derivative(derivative(derivative(sin))))(0.9), Math.sin(0.9), 1e-13);
    expectClose(grad(grad(grad(grad(sin))))(0.9), Math.sin(0.9), 1e-13);
    expectClose(grad(derivative(grad(derivative(sin))))(0.9), Math.sin(0.9), 1e-13);
    expectClose(derivative(grad(derivative(grad(sin))))(0.9), Math.sin(0.9), 1e-13);
  });
  it("has no perturbation confusion", () => {
    // d/dx [x · d/dy (x + y)] at 1: the inner derivative is 1, so the result is 1, not 2
    expect(derivative((x) => mul(x, derivative((y) => add(x, y))(1)))(1)).toBe(1);
    expect(grad((x: Real) => mul(x, grad((y: Real) => add(x, y))(1)))(1)).toBe(1);
    expect(derivative((x) => mul(x, grad((y: Real) => add(x, y))(1)))(1)).toBe(1);
    expect(grad((x: Real) => mul(x, derivative((y) => add(x, y))(1)))(1)).toBe(1);
    // d/dx [ d/dy (x·y) ] = d/dx x = 1, and the inner derivative sees x as a constant
    expect(derivative((x) => derivative((y) => mul(x, y))(2))(3)).toBe(1);
  });
  it("jvp of vjp, and vjp of jvp, give second derivatives", () => {
    // f = sin(x)·y; the pullback at u = 1 is [cos x · y, sin x]; its derivative along (1, 0) is [−sin x · y, cos x]
    const fs = (p: readonly Real[]) => mul(sin(p[0]), p[1]);
    const [, t] = jvp((p: readonly Real[]) => vjp(fs, p)[1](1), [0.4, 2], [1, 0]);
    expectTreeClose(t, [-Math.sin(0.4) * 2, Math.cos(0.4)]);
    const [, pb] = vjp((p: readonly Real[]) => jvp(fs, p, [1, 0])[1], [0.4, 2]);
    expectTreeClose(pb(1), [-Math.sin(0.4) * 2, Math.cos(0.4)]);
  });
  it("hessian and jacobians of gradients agree with the closed form", () => {
    const x = [0.7, 1.3];
    expectTreeClose(jacfwd(grad(f))(x), hf(x), 1e-12);
    expectTreeClose(jacrev(grad(f))(x), hf(x), 1e-12);
    expectTreeClose(jacfwd((v) => jacrev((w) => [f(w)])(v)[0])(x), hf(x), 1e-12);
  });
  it("a transform inside another returns values that still carry the outer perturbation", () => {
    // d/da ∇ₓ(a·x²)|ₓ₌₃ = d/da (6a) = 6
    expect(derivative((a) => grad((x: Real) => mul(a, square(x)))(3))(7)).toBe(6);
    // d/da of the value returned by an inner valueAndGrad
    expect(derivative((a) => valueAndGrad((x: Real) => mul(a, log(x)))(Math.E)[0])(2)).toBeCloseTo(1, 15);
  });
});
