// Each scalar op: its value and its first and second derivatives, in forward and reverse mode,
// against closed forms written here independently of the rule table.
import { describe, expect, it } from "vitest";
import * as nabla from "../../../src/index.ts";
import { abs, derivative, dot, grad, jacfwd, max, min, pow, type Real, relu, sqrt, sum } from "../../../src/index.ts";
import { expectClose } from "../../support/approx.ts";

const σ = (x: number) => 1 / (1 + Math.exp(-x));

/** op name → [value, first derivative, second derivative, points inside the domain]. */
const unary: Record<string, readonly [(x: number) => number, (x: number) => number, (x: number) => number, number[]]> = {
  neg: [(x) => -x, () => -1, () => 0, [-2, 0.5, 3]],
  exp: [Math.exp, Math.exp, Math.exp, [-1.5, 0, 0.7, 2]],
  log: [Math.log, (x) => 1 / x, (x) => -1 / (x * x), [0.1, 1, 2.5, 40]],
  sin: [Math.sin, Math.cos, (x) => -Math.sin(x), [-2, 0, 0.3, 4]],
  cos: [Math.cos, (x) => -Math.sin(x), (x) => -Math.cos(x), [-2, 0, 0.3, 4]],
  tan: [Math.tan, (x) => 1 / Math.cos(x) ** 2, (x) => (2 * Math.tan(x)) / Math.cos(x) ** 2, [-1, 0, 0.4, 1.2]],
  tanh: [Math.tanh, (x) => 1 - Math.tanh(x) ** 2, (x) => -2 * Math.tanh(x) * (1 - Math.tanh(x) ** 2), [-2, 0, 0.5, 3]],
  sigmoid: [σ, (x) => σ(x) * (1 - σ(x)), (x) => σ(x) * (1 - σ(x)) * (1 - 2 * σ(x)), [-3, 0, 0.4, 2]],
  relu: [(x) => (x > 0 ? x : 0), (x) => (x > 0 ? 1 : 0), () => 0, [-2, -0.5, 0.5, 3]],
  softplus: [(x) => Math.log(1 + Math.exp(x)), σ, (x) => σ(x) * (1 - σ(x)), [-3, 0, 0.5, 4]],
  sqrt: [Math.sqrt, (x) => 0.5 / Math.sqrt(x), (x) => -0.25 * x ** -1.5, [0.25, 1, 3, 100]],
  square: [(x) => x * x, (x) => 2 * x, () => 2, [-3, 0, 0.5, 2]],
  abs: [Math.abs, (x) => Math.sign(x), () => 0, [-2, -0.25, 0.5, 3]],
};

type Op1 = (x: Real) => Real;
const op1 = (name: string): Op1 => (nabla as unknown as Record<string, Op1>)[name];

describe.each(Object.entries(unary))("%s", (name, [f, df, d2f, points]) => {
  const op = op1(name);
  it.each(points)("has the closed-form value at %d, and returns a plain number on a plain number", (x) => {
    const y = op(x);
    expect(typeof y).toBe("number");
    expectClose(y, f(x), 1e-14);
  });
  it.each(points)("has the closed-form first derivative at %d in forward and reverse mode", (x) => {
    expectClose(derivative(op)(x), df(x), 1e-13);
    expectClose(grad(op)(x), df(x), 1e-13);
  });
  it.each(points)("has the closed-form second derivative at %d in all four mode pairs", (x) => {
    expectClose(derivative(derivative(op))(x), d2f(x), 1e-12, 1e-13);
    expectClose(grad(grad(op))(x), d2f(x), 1e-12, 1e-13);
    expectClose(derivative(grad(op))(x), d2f(x), 1e-12, 1e-13);
    expectClose(grad(derivative(op))(x), d2f(x), 1e-12, 1e-13);
  });
  it("rejects a value that is not a Real with a TypeError naming the op", () => {
    expect(() => op("1" as unknown as number)).toThrow(TypeError);
    expect(() => op("1" as unknown as number)).toThrow(name);
  });
});

/** op name → [value, ∂/∂a, ∂/∂b, points]. */
const binary: Record<string, readonly [(a: number, b: number) => number, (a: number, b: number) => number, (a: number, b: number) => number, [number, number][]]> = {
  add: [(a, b) => a + b, () => 1, () => 1, [[1, 2], [-3, 0.5]]],
  sub: [(a, b) => a - b, () => 1, () => -1, [[1, 2], [-3, 0.5]]],
  mul: [(a, b) => a * b, (_a, b) => b, (a) => a, [[1.5, 2], [-3, 0.5]]],
  div: [(a, b) => a / b, (_a, b) => 1 / b, (a, b) => -a / (b * b), [[1.5, 2], [-3, 0.5]]],
  pow: [(a, b) => a ** b, (a, b) => b * a ** (b - 1), (a, b) => a ** b * Math.log(a), [[1.5, 2], [2, -0.5], [0.3, 3.2]]],
  max: [Math.max, (a, b) => (a >= b ? 1 : 0), (a, b) => (a >= b ? 0 : 1), [[1, 2], [3, -1]]],
  min: [Math.min, (a, b) => (a <= b ? 1 : 0), (a, b) => (a <= b ? 0 : 1), [[1, 2], [3, -1]]],
};

type Op2 = (a: Real, b: Real) => Real;
const op2 = (name: string): Op2 => (nabla as unknown as Record<string, Op2>)[name];

describe.each(Object.entries(binary))("%s", (name, [f, da, db, points]) => {
  const op = op2(name);
  it.each(points)("has the closed-form value and partials at (%d, %d) in both modes", (a, b) => {
    expectClose(op(a, b), f(a, b), 1e-14);
    const g = grad((p: readonly Real[]) => op(p[0], p[1]))([a, b]);
    expectClose(g[0], da(a, b), 1e-13);
    expectClose(g[1], db(a, b), 1e-13);
    const j = jacfwd((p) => [op(p[0], p[1])])([a, b]);
    expectClose(j[0][0], da(a, b), 1e-13);
    expectClose(j[0][1], db(a, b), 1e-13);
  });
  it("accepts a plain number on either side of a Real", () => {
    const [a, b] = points[0];
    expectClose(derivative((x) => op(x, b))(a), da(a, b), 1e-13);
    expectClose(derivative((x) => op(a, x))(b), db(a, b), 1e-13);
    expectClose(grad((x: Real) => op(x, b))(a), da(a, b), 1e-13);
    expectClose(grad((x: Real) => op(a, x))(b), db(a, b), 1e-13);
  });
});

describe("kinks follow the documented conventions", () => {
  it("relu'(0) = 0 and abs'(0) = 0 in both modes", () => {
    expect(derivative(relu)(0)).toBe(0);
    expect(grad(relu)(0)).toBe(0);
    expect(derivative(abs)(0)).toBe(0);
    expect(grad(abs)(0)).toBe(0);
  });
  it("max sends the gradient to a when a >= b, min when a <= b", () => {
    expect(grad((p: readonly Real[]) => max(p[0], p[1]))([2, 2])).toEqual([1, 0]);
    expect(grad((p: readonly Real[]) => min(p[0], p[1]))([2, 2])).toEqual([1, 0]);
    expect(jacfwd((p) => [max(p[0], p[1]), min(p[0], p[1])])([2, 2])).toEqual([[1, 0], [1, 0]]);
  });
  it("pow's partial in the exponent is 0 where the base is 0, and the base partial is y·x^(y−1)", () => {
    expect(grad((p: readonly Real[]) => pow(p[0], p[1]))([0, 2])).toEqual([0, 0]);
    expect(grad((p: readonly Real[]) => pow(p[0], p[1]))([0, 1])).toEqual([1, 0]);
    expect(jacfwd((p) => [pow(p[0], p[1])])([0, 3])).toEqual([[0, 0]]);
  });
});

describe("NaN and infinities propagate as IEEE arithmetic does", () => {
  it("outside a domain the value and the derivative are NaN", () => {
    expect(nabla.log(-1)).toBeNaN();
    expect(grad(sqrt)(-1)).toBeNaN();
    expect(derivative(sqrt)(-1)).toBeNaN();
    expect(grad((x: Real) => pow(x, 0.5))(-1)).toBeNaN();
  });
  it("at a pole the derivative is infinite", () => {
    expect(derivative(sqrt)(0)).toBe(Infinity);
    expect(grad(sqrt)(0)).toBe(Infinity);
    expect(grad(nabla.log)(0)).toBe(Infinity);
  });
  it("a NaN input gives NaN derivatives, and 0·∞ on the path is NaN", () => {
    expect(grad(nabla.sin)(NaN)).toBeNaN();
    expect(grad((x: Real) => nabla.mul(0, sqrt(x)))(0)).toBeNaN();
  });
  it("a NaN computed off the path to the result does not leak into the gradient", () => {
    const g = grad((x: Real) => {
      nabla.log(nabla.sub(x, 10)); // NaN partials, never used
      return nabla.mul(x, 3);
    })(2);
    expect(g).toBe(3);
  });
});

describe("sum and dot", () => {
  it("sum's gradient is all ones and dot's is the other vector", () => {
    expect(sum([1, 2, 3])).toBe(6);
    expect(grad((xs: readonly Real[]) => sum(xs))([1, 2, 3])).toEqual([1, 1, 1]);
    expect(dot([1, 2], [3, 4])).toBe(11);
    const g = grad((p: { x: readonly Real[]; y: readonly Real[] }) => dot(p.x, p.y))({ x: [1, 2], y: [3, 4] });
    expect(g).toEqual({ x: [3, 4], y: [1, 2] });
    expect(jacfwd((v) => [dot(v, v)])([1, 2, 3])).toEqual([[2, 4, 6]]);
  });
  it("dot of arrays of different lengths is a RangeError naming both", () => {
    expect(() => dot([1, 2], [1])).toThrow(RangeError);
    expect(() => dot([1, 2], [1])).toThrow(/\[2\].*\[1\]/);
  });
  it("second derivatives pass through sum and dot", () => {
    // f(x) = Σ xᵢ² via dot: H = 2I
    expect(nabla.hessian((v) => dot(v, v))([1, 2])).toEqual([[2, 0], [0, 2]]);
    expect(nabla.hessian((v) => sum([nabla.mul(v[0], v[1]), v[0]]))([3, 4])).toEqual([[0, 1], [1, 0]]);
  });
});
