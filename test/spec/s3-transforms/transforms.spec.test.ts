// SPEC §1–3, §7: values, scalar operations and every transform on scalars, arrays and records;
// nesting to high order, perturbation confusion, stopGradient, custom rules, stack safety, sharing.
import { describe, expect, it } from "vitest";
import {
  abs, add, cos, customJvp, customVjp, derivative, div, dot, dual, exp, grad, hessian, hvp, jacfwd, jacrev, jvp,
  log, max, min, mul, neg, pow, primal, type Real, relu, sigmoid, sin, softplus, sqrt, square, stopGradient, sub,
  sum, tan, tangent, tanh, valueAndGrad, vjp,
} from "../../../src/index.ts";
import { expectClose, expectDeepFrozen, expectTreeClose, SPEC_ATOL, SPEC_RTOL } from "../../support/approx.ts";
import { fd, sigmoidRef } from "../../support/reference.ts";

type U = (x: Real) => Real;
const unary: [string, U, (x: number) => number, (x: number) => number, (x: number) => number, number[]][] = [
  ["neg", neg, (x) => -x, () => -1, () => 0, [-1.3, 0.4, 2]],
  ["exp", exp, Math.exp, Math.exp, Math.exp, [-1.3, 0.4, 2]],
  ["log", log, Math.log, (x) => 1 / x, (x) => -1 / (x * x), [0.3, 1, 2.7]],
  ["sin", sin, Math.sin, Math.cos, (x) => -Math.sin(x), [-1.3, 0.4, 2]],
  ["cos", cos, Math.cos, (x) => -Math.sin(x), (x) => -Math.cos(x), [-1.3, 0.4, 2]],
  ["tan", tan, Math.tan, (x) => 1 / Math.cos(x) ** 2, (x) => (2 * Math.tan(x)) / Math.cos(x) ** 2, [-1.3, 0.4, 1]],
  ["tanh", tanh, Math.tanh, (x) => 1 - Math.tanh(x) ** 2, (x) => -2 * Math.tanh(x) * (1 - Math.tanh(x) ** 2), [-1.3, 0.4, 2]],
  [
    "sigmoid", sigmoid, sigmoidRef, (x) => sigmoidRef(x) * (1 - sigmoidRef(x)),
    (x) => sigmoidRef(x) * (1 - sigmoidRef(x)) * (1 - 2 * sigmoidRef(x)), [-1.3, 0.4, 2],
  ],
  ["relu", relu, (x) => Math.max(0, x), (x) => (x > 0 ? 1 : 0), () => 0, [-1.3, 0.4, 2]],
  ["softplus", softplus, (x) => Math.log1p(Math.exp(x)), sigmoidRef, (x) => sigmoidRef(x) * (1 - sigmoidRef(x)), [-1.3, 0.4, 2]],
  ["sqrt", sqrt, Math.sqrt, (x) => 0.5 / Math.sqrt(x), (x) => -0.25 * x ** -1.5, [0.3, 1, 2.7]],
  ["square", square, (x) => x * x, (x) => 2 * x, () => 2, [-1.3, 0.4, 2]],
  ["abs", abs, Math.abs, (x) => Math.sign(x), () => 0, [-1.3, 0.4, 2]],
];

type B = (a: Real, b: Real) => Real;
const binary: [string, B, (a: number, b: number) => number, (a: number, b: number) => number, (a: number, b: number) => number, [number, number][]][] = [
  ["add", add, (a, b) => a + b, () => 1, () => 1, [[1, 2], [-3, 0.5]]],
  ["sub", sub, (a, b) => a - b, () => 1, () => -1, [[1, 2], [-3, 0.5]]],
  ["mul", mul, (a, b) => a * b, (_a, b) => b, (a) => a, [[1, 2], [-3, 0.5]]],
  ["div", div, (a, b) => a / b, (_a, b) => 1 / b, (a, b) => -a / (b * b), [[1, 2], [-3, 0.5]]],
  ["pow", pow, Math.pow, (a, b) => b * a ** (b - 1), (a, b) => a ** b * Math.log(a), [[1.5, 2], [2, -0.5], [0.7, 3.2]]],
  ["max", max, Math.max, (a, b) => (a >= b ? 1 : 0), (a, b) => (a >= b ? 0 : 1), [[1, 2], [3, -1], [2, 2]]],
  ["min", min, Math.min, (a, b) => (a <= b ? 1 : 0), (a, b) => (a <= b ? 0 : 1), [[1, 2], [3, -1], [2, 2]]],
];

describe("values: primal, dual, tangent", () => {
  it("primal of a plain number is the number", () => {
    expect(primal(3.5)).toBe(3.5);
  });

  it("sin(dual(2, 1)) is dual(sin 2, cos 2)", () => {
    const d = sin(dual(2, 1));
    expectClose(primal(d), Math.sin(2), 1e-15, SPEC_ATOL);
    expectClose(tangent(d), Math.cos(2), 1e-15, SPEC_ATOL);
  });

  it("scalar operations map duals to duals with the chain rule", () => {
    const d = mul(exp(dual(0.5, 2)), 3);
    expectClose(primal(d), 3 * Math.exp(0.5), 1e-15, SPEC_ATOL);
    expectClose(tangent(d), 6 * Math.exp(0.5), 1e-15, SPEC_ATOL);
    const e = add(dual(2, 5), 1);
    expect(primal(e)).toBe(3);
    expect(tangent(e)).toBe(5);
    expect(tangent(dual(4, -1.5))).toBe(-1.5);
  });

  it("a user-held dual can be differentiated through by an enclosing transform", () => {
    // tangent(sin(dual(x, 1))) = cos x, so its derivative is −sin x
    expectClose(grad((x: Real) => tangent(sin(dual(x, 1))))(0.5), -Math.sin(0.5), 1e-15, SPEC_ATOL);
    expectClose(derivative((x: Real) => tangent(sin(dual(x, 1))))(0.5), -Math.sin(0.5), 1e-15, SPEC_ATOL);
  });

  it("a user-held dual is not confused with a transform's own perturbation", () => {
    // d/dx [x · dual(3, 1)] = dual(3, 1)
    const r = derivative((x: Real) => mul(x, dual(3, 1)))(2);
    expect(primal(r)).toBe(3);
    expect(tangent(r)).toBe(1);
  });

  it("primal reads the value inside a transform (for control flow)", () => {
    const seen: number[] = [];
    const g = grad((x: Real) => {
      seen.push(primal(x));
      return primal(x) > 0 ? mul(x, x) : neg(x);
    })(3);
    expect(seen).toEqual([3]);
    expect(g).toBe(6);
    expect(grad((x: Real) => (primal(x) > 0 ? mul(x, x) : neg(x)))(-2)).toBe(-1);
    expect(derivative((x: Real) => (primal(x) > 0 ? mul(x, x) : neg(x)))(-2)).toBe(-1);
  });
});

describe("scalar operations on plain numbers", () => {
  for (const [name, op, ref, , , xs] of unary) {
    it(`${name} of a plain number is a plain number with the right value`, () => {
      for (const x of xs) {
        const y = op(x);
        expect(typeof y).toBe("number");
        expectClose(y, ref(x), 1e-14, 1e-15);
      }
    });
  }
  for (const [name, op, ref, , , ps] of binary) {
    it(`${name} of plain numbers is a plain number with the right value`, () => {
      for (const [a, b] of ps) {
        const y = op(a, b);
        expect(typeof y).toBe("number");
        expectClose(y, ref(a, b), 1e-14, 1e-15);
      }
    });
  }
  it("sum and dot of plain number arrays are plain numbers", () => {
    expect(sum([1, 2, 3])).toBe(6);
    expect(dot([1, 2, 3], [4, 5, 6])).toBe(32);
    expect(dot([], [])).toBe(0);
  });

  it("softplus and sigmoid are accurate for large |x|", () => {
    expectClose(softplus(800), 800, 1e-15, SPEC_ATOL);
    expectClose(softplus(-800), 0, 0, 1e-300);
    expect(Number.isFinite(softplus(800))).toBe(true);
    expectClose(sigmoid(-800), 0, 0, 1e-300);
    expect(sigmoid(800)).toBe(1);
    expect(sigmoid(-800)).not.toBeNaN();
  });
});

describe("first derivatives of every scalar operation in both modes", () => {
  for (const [name, op, , d1, , xs] of unary) {
    it(`derivative(${name}) and grad(${name}) are ${name}' at several points`, () => {
      for (const x of xs) {
        expectClose(derivative(op)(x), d1(x), 1e-12, 1e-14);
        expectClose(grad(op)(x), d1(x), 1e-12, 1e-14);
        const [y, t] = jvp(op, x, 1);
        expectClose(y, op(x) as number, 1e-15, SPEC_ATOL);
        expectClose(t, d1(x), 1e-12, 1e-14);
        const [, pb] = vjp(op, x);
        expectClose(pb(2), 2 * d1(x), 1e-12, 1e-14);
      }
    });
  }
  for (const [name, op, , da, db, ps] of binary) {
    it(`grad and jvp of ${name} give both partial derivatives`, () => {
      for (const [a, b] of ps) {
        const g = grad(([p, q]: readonly [Real, Real]) => op(p, q))([a, b]);
        expectTreeClose(g, [da(a, b), db(a, b)], 1e-12, 1e-14);
        const [, t] = jvp(([p, q]: readonly [Real, Real]) => op(p, q), [a, b], [1, 10]);
        expectClose(t, da(a, b) + 10 * db(a, b), 1e-12, 1e-14);
      }
    });
  }
  it("grad of sum and dot", () => {
    expectTreeClose(grad((xs: readonly Real[]) => sum(xs))([1, 2, 3]), [1, 1, 1], SPEC_RTOL, SPEC_ATOL);
    expectTreeClose(grad((xs: readonly Real[]) => dot(xs, [4, 5, 6]))([1, 2, 3]), [4, 5, 6], SPEC_RTOL, SPEC_ATOL);
    expectTreeClose(grad(([xs, ys]: readonly [readonly Real[], readonly Real[]]) => dot(xs, ys))([[1, 2], [3, 4]]), [[3, 4], [1, 2]], SPEC_RTOL, SPEC_ATOL);
    const [, t] = jvp((xs: readonly Real[]) => dot(xs, xs), [1, 2], [1, 1]);
    expectClose(t, 6, SPEC_RTOL, SPEC_ATOL);
  });
  it("derivatives agree with central finite differences of plain-JS references", () => {
    const f = (x: Real): Real => mul(sin(mul(x, x)), exp(div(1, add(1, square(x)))));
    const fRef = (x: number): number => Math.sin(x * x) * Math.exp(1 / (1 + x * x));
    for (const x of [-1.2, 0.3, 1.7]) {
      expectClose(derivative(f)(x), fd(fRef, x), 1e-7, 1e-9);
      expectClose(grad(f)(x), fd(fRef, x), 1e-7, 1e-9);
    }
  });
});

describe("kinks and edges", () => {
  it("relu'(0) = 0 in both modes", () => {
    expect(grad(relu)(0)).toBe(0);
    expect(derivative(relu)(0)).toBe(0);
  });
  it("abs'(0) = 0 in both modes", () => {
    expect(grad(abs)(0)).toBe(0);
    expect(derivative(abs)(0)).toBe(0);
  });
  it("max(a, b) sends the gradient to a when a >= b (ties to a)", () => {
    expect(grad(([a, b]: readonly [Real, Real]) => max(a, b))([2, 2])).toEqual([1, 0]);
    expect(grad(([a, b]: readonly [Real, Real]) => max(a, b))([3, 2])).toEqual([1, 0]);
    expect(grad(([a, b]: readonly [Real, Real]) => max(a, b))([1, 2])).toEqual([0, 1]);
    expect(jvp(([a, b]: readonly [Real, Real]) => max(a, b), [2, 2], [1, 10])[1]).toBe(1);
    expect(derivative((x: Real) => max(x, 2))(2)).toBe(1);
    expect(derivative((x: Real) => max(2, x))(2)).toBe(0);
  });
  it("min(a, b) sends the gradient to a when a <= b (ties to a)", () => {
    expect(grad(([a, b]: readonly [Real, Real]) => min(a, b))([2, 2])).toEqual([1, 0]);
    expect(grad(([a, b]: readonly [Real, Real]) => min(a, b))([1, 2])).toEqual([1, 0]);
    expect(grad(([a, b]: readonly [Real, Real]) => min(a, b))([3, 2])).toEqual([0, 1]);
    expect(jvp(([a, b]: readonly [Real, Real]) => min(a, b), [2, 2], [1, 10])[1]).toBe(1);
    expect(derivative((x: Real) => min(2, x))(2)).toBe(0);
  });
  it("max(x, x) and min(x, x) have derivative 1", () => {
    expect(grad((x: Real) => max(x, x))(3)).toBe(1);
    expect(grad((x: Real) => min(x, x))(3)).toBe(1);
    expect(derivative((x: Real) => max(x, x))(3)).toBe(1);
  });
  it("pow: ∂/∂x = y·x^(y−1) and ∂/∂y = x^y·ln x, with ∂/∂y taken as 0 where x == 0", () => {
    expectTreeClose(grad(([x, y]: readonly [Real, Real]) => pow(x, y))([2, 3]), [12, 8 * Math.LN2], 1e-14, SPEC_ATOL);
    expectTreeClose(grad(([x, y]: readonly [Real, Real]) => pow(x, y))([0, 2]), [0, 0], SPEC_RTOL, SPEC_ATOL);
    expectTreeClose(grad(([x, y]: readonly [Real, Real]) => pow(x, y))([0, 3]), [0, 0], SPEC_RTOL, SPEC_ATOL);
    expect(jvp(([x, y]: readonly [Real, Real]) => pow(x, y), [0, 2], [0, 1])[1]).toBe(0);
    expect(derivative((y: Real) => pow(0, y))(2)).toBe(0);
    expect(grad((y: Real) => pow(0, y))(2)).toBe(0);
  });
  it("pow with a constant exponent differentiates at negative bases", () => {
    expectClose(grad((x: Real) => pow(x, 3))(-2), 12, SPEC_RTOL, SPEC_ATOL);
    expectClose(derivative((x: Real) => pow(x, 3))(-2), 12, SPEC_RTOL, SPEC_ATOL);
    expectClose(grad((x: Real) => pow(x, 2))(-3), -6, SPEC_RTOL, SPEC_ATOL);
  });
  it("pow(x, 0.5)'s ∂/∂x at 0 is +Infinity (y·x^(y−1), IEEE)", () => {
    expect(grad((x: Real) => pow(x, 0.5))(0)).toBe(Infinity);
    expect(derivative((x: Real) => pow(x, 0.5))(0)).toBe(Infinity);
  });
  it("second derivative of pow(x, 3) is 6x in every mix", () => {
    const f = (x: Real): Real => pow(x, 3);
    expectClose(grad(grad(f))(1.5), 9, 1e-12, SPEC_ATOL);
    expectClose(derivative(derivative(f))(1.5), 9, 1e-12, SPEC_ATOL);
    expectClose(derivative(grad(f))(1.5), 9, 1e-12, SPEC_ATOL);
    expectClose(grad(derivative(f))(1.5), 9, 1e-12, SPEC_ATOL);
  });
});

describe("IEEE propagation", () => {
  it("NaN and infinities propagate through values and derivatives without throwing", () => {
    expect(add(NaN, 1)).toBeNaN();
    expect(div(1, 0)).toBe(Infinity);
    expect(log(0)).toBe(-Infinity);
    expect(log(-1)).toBeNaN();
    expect(grad(log)(0)).toBe(Infinity);
    expect(grad(sqrt)(0)).toBe(Infinity);
    expect(derivative(sqrt)(0)).toBe(Infinity);
    expect(derivative(exp)(Infinity)).toBe(Infinity);
    expect(grad((x: Real) => mul(x, x))(NaN)).toBeNaN();
    expect(derivative((x: Real) => mul(x, NaN))(1)).toBeNaN();
    expect(grad(sin)(Infinity)).toBeNaN();
    const [v, g] = valueAndGrad((x: Real) => div(1, x))(0);
    expect(v).toBe(Infinity);
    expect(g).toBe(-Infinity);
  });
});

describe("transforms on trees", () => {
  it("grad of a function of a tuple returns a plain frozen array", () => {
    const g = grad(([x, y]: readonly [Real, Real]) => mul(x, sin(y)))([2, 0.5]);
    expect(Array.isArray(g)).toBe(true);
    expectTreeClose(g, [Math.sin(0.5), 2 * Math.cos(0.5)], 1e-14, SPEC_ATOL);
    expectDeepFrozen(g);
  });

  it("grad of a function of a nested record returns a plain frozen record of the same structure", () => {
    type P = { hidden: { w: readonly Real[]; b: Real }; out: Real };
    const f = (p: P): Real => mul(add(dot(p.hidden.w, p.hidden.w), p.hidden.b), p.out);
    const g = grad(f)({ hidden: { w: [1, 2], b: 3 }, out: 2 });
    expect(Object.getPrototypeOf(g)).toBe(Object.prototype);
    expectTreeClose(g, { hidden: { w: [4, 8], b: 2 }, out: 8 }, SPEC_RTOL, SPEC_ATOL);
    expectDeepFrozen(g);
  });

  it("grad of a constant function is zero with the input's structure", () => {
    expect(grad((_x: Real) => 5)(1)).toBe(0);
    expect(grad((_p: { a: Real; b: readonly Real[] }) => 5)({ a: 1, b: [2, 3] })).toEqual({ a: 0, b: [0, 0] });
    expect(derivative((_x: Real) => 5)(1)).toBe(0);
  });

  it("an unused leaf gets a zero gradient", () => {
    expect(grad((p: { a: Real; b: Real }) => mul(p.a, 3))({ a: 1, b: 2 })).toEqual({ a: 3, b: 0 });
  });

  it("valueAndGrad returns a frozen [value, gradient] pair of plain numbers", () => {
    const r = valueAndGrad((p: { x: Real; y: Real }) => mul(p.x, p.y))({ x: 3, y: 4 });
    expect(r[0]).toBe(12);
    expect(r[1]).toEqual({ x: 4, y: 3 });
    expect(r.length).toBe(2);
    expectDeepFrozen(r);
  });

  it("jvp returns [f(x), J·v] with the output's structure", () => {
    const r = jvp(([a, b]: readonly [Real, Real]) => ({ s: add(a, b), p: mul(a, b) }), [2, 3], [1, 0]);
    expectTreeClose(r[0], { s: 5, p: 6 }, SPEC_RTOL, SPEC_ATOL);
    expectTreeClose(r[1], { s: 1, p: 3 }, SPEC_RTOL, SPEC_ATOL);
    expectDeepFrozen(r);
  });

  it("vjp returns [f(x), pullback]; the pullback gives Jᵀ·u with x's structure, may be called many times, and never changes", () => {
    const f = (p: { a: Real; b: Real }): readonly Real[] => [mul(p.a, p.b), sin(p.a)];
    const r = vjp(f, { a: 2, b: 3 });
    expectDeepFrozen(r);
    const [y, pb] = r;
    expectTreeClose(y, [6, Math.sin(2)], 1e-15, SPEC_ATOL);
    const g1 = pb([1, 0]);
    const g2 = pb([0, 1]);
    const g3 = pb([1, 0]);
    const g4 = pb([2, 3]);
    expectTreeClose(g1, { a: 3, b: 2 }, SPEC_RTOL, SPEC_ATOL);
    expectTreeClose(g2, { a: Math.cos(2), b: 0 }, 1e-15, SPEC_ATOL);
    expectTreeClose(g3, { a: 3, b: 2 }, SPEC_RTOL, SPEC_ATOL);
    expectTreeClose(g4, { a: 6 + 3 * Math.cos(2), b: 4 }, 1e-14, SPEC_ATOL);
    expectDeepFrozen(g1);
    expectDeepFrozen(g4);
  });

  it("jacfwd and jacrev of f: Real[] → Real[] give number[][] with J[i][j] = ∂y_i/∂x_j", () => {
    const f = (x: readonly Real[]): readonly Real[] => [mul(x[0], x[1]), sin(x[0]), square(x[1])];
    const expected = [[3, 2], [Math.cos(2), 0], [0, 6]];
    for (const jac of [jacfwd, jacrev]) {
      const J = jac(f)([2, 3]);
      expect(Array.isArray(J)).toBe(true);
      expect(J.length).toBe(3);
      for (const row of J) {
        expect(Array.isArray(row)).toBe(true);
        expect(row.length).toBe(2);
      }
      expectTreeClose(J, expected, 1e-15, SPEC_ATOL);
      expectDeepFrozen(J);
    }
  });

  it("hessian of f: Real[] → Real gives a symmetric number[][]", () => {
    // f = x²y + y³: H = [[2y, 2x], [2x, 6y]]
    const H = hessian((v: readonly Real[]) => add(mul(mul(v[0], v[0]), v[1]), pow(v[1], 3)))([1.5, -2]);
    expectTreeClose(H, [[-4, 3], [3, -12]], 1e-12, SPEC_ATOL);
    expectDeepFrozen(H);
  });

  it("hvp computes H·v with x's structure", () => {
    const f = (p: { x: Real; y: Real }): Real => add(mul(mul(p.x, p.x), p.y), pow(p.y, 3));
    const r = hvp(f)({ x: 1.5, y: -2 }, { x: 1, y: 2 });
    expectTreeClose(r, { x: -4 + 6, y: 3 - 24 }, 1e-12, SPEC_ATOL);
    expectDeepFrozen(r);
  });

  it("transforms never change or freeze their inputs", () => {
    const x = { a: [1, 2], b: { c: 3 } };
    const v = { a: [1, 0], b: { c: 1 } };
    const f = (p: typeof x): Real => mul(sum(p.a), p.b.c);
    grad(f)(x);
    valueAndGrad(f)(x);
    jvp(f, x, v);
    vjp(f, x)[1](1);
    hvp(f)(x, v);
    const arr = [1, 2, 3];
    jacfwd((y: readonly Real[]) => y.map((t) => mul(t, t)))(arr);
    jacrev((y: readonly Real[]) => y.map((t) => mul(t, t)))(arr);
    hessian((y: readonly Real[]) => dot(y, y))(arr);
    expect(x).toEqual({ a: [1, 2], b: { c: 3 } });
    expect(v).toEqual({ a: [1, 0], b: { c: 1 } });
    expect(arr).toEqual([1, 2, 3]);
    expect(Object.isFrozen(x) || Object.isFrozen(x.a) || Object.isFrozen(arr)).toBe(false);
  });

  it("calling a transform twice with the same input gives the same output", () => {
    const f = (p: readonly Real[]): Real => mul(sin(p[0]), exp(p[1]));
    expect(grad(f)([1, 2])).toEqual(grad(f)([1, 2]));
  });
});

describe("nesting", () => {
  it("perturbation confusion: derivative(x => x · derivative(y => x + y)(1))(1) is 1, not 2", () => {
    expect(derivative((x: Real) => mul(x, derivative((y: Real) => add(x, y))(1)))(1)).toBe(1);
  });

  it("perturbation confusion in reverse mode and mixed modes", () => {
    expect(grad((x: Real) => mul(x, grad((y: Real) => add(x, y))(1)))(1)).toBe(1);
    expect(grad((x: Real) => mul(x, derivative((y: Real) => add(x, y))(1)))(1)).toBe(1);
    expect(derivative((x: Real) => mul(x, grad((y: Real) => add(x, y))(1)))(1)).toBe(1);
    // d/dx [x · d/dy (x·y)] = d/dx x² = 2x
    expect(derivative((x: Real) => mul(x, derivative((y: Real) => mul(x, y))(1)))(3)).toBe(6);
    expect(grad((x: Real) => mul(x, grad((y: Real) => mul(x, y))(1)))(3)).toBe(6);
  });

  it("grad(grad(f)) and derivative(grad(f)) give the second derivative", () => {
    const f = (x: Real): Real => mul(sin(x), x);
    const f2 = (x: number): number => 2 * Math.cos(x) - x * Math.sin(x);
    expectClose(grad(grad(f))(0.7), f2(0.7), 1e-12, SPEC_ATOL);
    expectClose(derivative(grad(f))(0.7), f2(0.7), 1e-12, SPEC_ATOL);
    expectClose(grad(derivative(f))(0.7), f2(0.7), 1e-12, SPEC_ATOL);
    expectClose(derivative(derivative(f))(0.7), f2(0.7), 1e-12, SPEC_ATOL);
  });

  it("fourth-order derivatives in every mix: sin'''' = sin", () => {
    const x = 0.7;
    expectClose(derivative(derivative(derivative(derivative(sin))))(x), Math.sin(x), 1e-12, SPEC_ATOL);
    expectClose(grad(grad(grad(grad(sin))))(x), Math.sin(x), 1e-12, SPEC_ATOL);
    expectClose(derivative(grad(derivative(grad(sin))))(x), Math.sin(x), 1e-12, SPEC_ATOL);
    expectClose(grad(derivative(grad(derivative(sin))))(x), Math.sin(x), 1e-12, SPEC_ATOL);
  });

  it("fourth derivative of x⁵·exp(x) via nested grads matches the closed form", () => {
    const f = (x: Real): Real => mul(pow(x, 5), exp(x));
    // (x⁵eˣ)'''' = eˣ(x⁵ + 20x⁴ + 120x³ + 240x² + 120x)
    const ref = (x: number): number => Math.exp(x) * (x ** 5 + 20 * x ** 4 + 120 * x ** 3 + 240 * x ** 2 + 120 * x);
    expectClose(grad(grad(grad(grad(f))))(0.9), ref(0.9), 1e-10, SPEC_ATOL);
  });

  it("jvp of vjp gives the second derivative", () => {
    const f = (x: Real): Real => mul(sin(x), x);
    const [, t] = jvp((x: Real) => vjp(f, x)[1](1), 0.7, 1);
    expectClose(t, 2 * Math.cos(0.7) - 0.7 * Math.sin(0.7), 1e-12, SPEC_ATOL);
  });

  it("vjp of jvp gives the second derivative", () => {
    const f = (x: Real): Real => exp(mul(2, x));
    const [, pb] = vjp((x: Real) => jvp(f, x, 1)[1], 0.3);
    expectClose(pb(1), 4 * Math.exp(0.6), 1e-12, SPEC_ATOL);
  });

  it("hessian equals jacfwd of the gradient and jacrev of the gradient", () => {
    const f = (v: readonly Real[]): Real => mul(exp(v[0]), sin(v[1]));
    const x = [0.3, 1.1];
    const H = hessian(f)(x);
    const e0 = Math.exp(0.3);
    const expected = [[e0 * Math.sin(1.1), e0 * Math.cos(1.1)], [e0 * Math.cos(1.1), -e0 * Math.sin(1.1)]];
    expectTreeClose(H, expected, 1e-12, SPEC_ATOL);
    expectTreeClose(jacfwd((v: readonly Real[]) => grad(f)(v))(x), expected, 1e-12, SPEC_ATOL);
    expectTreeClose(jacrev((v: readonly Real[]) => grad(f)(v))(x), expected, 1e-12, SPEC_ATOL);
  });

  it("an inner jacfwd and hessian carry the outer perturbation", () => {
    // J = 2·s·v0 = 6s at v0 = 3 → d/ds = 6
    expectClose(derivative((s: Real) => jacfwd((v: readonly Real[]) => [mul(s, mul(v[0], v[0]))])([3])[0][0])(2), 6, SPEC_RTOL, SPEC_ATOL);
    expectClose(grad((s: Real) => jacrev((v: readonly Real[]) => [mul(s, mul(v[0], v[0]))])([3])[0][0])(2), 6, SPEC_RTOL, SPEC_ATOL);
    // H = 6·s·v0 = 12 s at v0 = 2 → d/ds = 12
    expectClose(derivative((s: Real) => hessian((v: readonly Real[]) => mul(s, pow(v[0], 3)))([2])[0][0])(1), 12, SPEC_RTOL, SPEC_ATOL);
  });

  it("an inner hvp and valueAndGrad carry the outer perturbation", () => {
    // hvp of s·x³ at x=2 along v=1: 6 s x = 12 s → d/ds = 12
    expectClose(derivative((s: Real) => hvp((x: Real) => mul(s, pow(x, 3)))(2, 1))(5), 12, SPEC_RTOL, SPEC_ATOL);
    // valueAndGrad of s·x²: value s·x², grad 2 s x, at x=3: 9s + 6s → d/ds = 15
    expectClose(grad((s: Real) => {
      const [v, g] = valueAndGrad((x: Real) => mul(s, mul(x, x)))(3);
      return add(v, g);
    })(2), 15, SPEC_RTOL, SPEC_ATOL);
  });

  it("hvp of a function of a record along a record", () => {
    const f = (p: { a: Real; b: Real }): Real => mul(exp(p.a), square(p.b));
    // H = [[e^a b², 2 e^a b], [2 e^a b, 2 e^a]]
    const a = 0.2;
    const b = 1.5;
    const e = Math.exp(a);
    const r = hvp(f)({ a, b }, { a: 1, b: -1 });
    expectTreeClose(r, { a: e * b * b - 2 * e * b, b: 2 * e * b - 2 * e }, 1e-12, SPEC_ATOL);
  });
});

describe("stopGradient", () => {
  it("has the value of its argument and zero derivative", () => {
    expect(stopGradient(3)).toBe(3);
    expect(grad((x: Real) => mul(x, stopGradient(x)))(3)).toBe(3);
    expect(derivative((x: Real) => mul(x, stopGradient(x)))(3)).toBe(3);
    expect(grad((x: Real) => stopGradient(mul(x, x)))(3)).toBe(0);
  });

  it("blocks every level of a nested derivative", () => {
    // f = x²·sg(x): f' = 2x·sg(x), f'' = 2·sg(x) = 2x (the stop blocks every level), f''' = 0
    const f = (x: Real): Real => mul(mul(x, x), stopGradient(x));
    expectClose(grad(grad(f))(3), 6, SPEC_RTOL, SPEC_ATOL);
    expectClose(derivative(derivative(f))(3), 6, SPEC_RTOL, SPEC_ATOL);
    expectClose(derivative(grad(f))(3), 6, SPEC_RTOL, SPEC_ATOL);
    expectClose(grad(derivative(f))(3), 6, SPEC_RTOL, SPEC_ATOL);
    expectClose(grad(grad(grad(f)))(3), 0, SPEC_RTOL, SPEC_ATOL);
    const g = (x: Real): Real => stopGradient(pow(x, 4));
    expect(grad(grad(g))(2)).toBe(0);
    expect(derivative(derivative(g))(2)).toBe(0);
  });

  it("blocks an outer perturbation used inside an inner transform", () => {
    // d/ds grad_x [sg(s)·x²](1) = d/ds 2 sg(s) = 0
    expect(derivative((s: Real) => grad((x: Real) => mul(stopGradient(s), mul(x, x)))(1))(3)).toBe(0);
    expect(grad((s: Real) => grad((x: Real) => mul(stopGradient(s), mul(x, x)))(1))(3)).toBe(0);
  });

  it("applies to trees", () => {
    const g = grad((p: { a: Real; b: readonly Real[] }) => {
      const s = stopGradient(p);
      return add(mul(p.a, s.a), mul(s.b[0], p.b[1]));
    })({ a: 2, b: [3, 4] });
    expect(g).toEqual({ a: 2, b: [0, 3] });
  });
});

describe("custom rules", () => {
  it("customJvp replaces the forward rule; reverse mode differentiates f itself", () => {
    const f = customJvp((x: Real) => sin(x), (x: Real, v: Real) => [sin(x), mul(42, v)] as const);
    expect(f(1)).toBe(Math.sin(1));
    expect(derivative(f)(1)).toBe(42);
    expect(jvp(f, 1, 2)[1]).toBe(84);
    expectClose(grad(f)(1), Math.cos(1), 1e-15, SPEC_ATOL);
  });

  it("customVjp replaces the reverse rule; forward mode differentiates f itself", () => {
    const f = customVjp((x: Real) => sin(x), (x: Real) => [sin(x), (u: Real) => mul(u, 42)] as const);
    expect(f(1)).toBe(Math.sin(1));
    expect(grad(f)(1)).toBe(42);
    expect(vjp(f, 1)[1](2)).toBe(84);
    const [v, g] = valueAndGrad(f)(1);
    expectClose(v, Math.sin(1), 1e-15, SPEC_ATOL);
    expect(g).toBe(42);
    expectClose(derivative(f)(1), Math.cos(1), 1e-15, SPEC_ATOL);
  });

  it("customJvp applies at every nesting level, and a rule written with nabla's ops is differentiable", () => {
    // rule says f'(x) = 5x² (f itself is sin): f'' = 10x, f''' = 10
    const f = customJvp((x: Real) => sin(x), (x: Real, v: Real) => [sin(x), mul(mul(5, mul(x, x)), v)] as const);
    expectClose(derivative(f)(2), 20, SPEC_RTOL, SPEC_ATOL);
    expectClose(derivative(derivative(f))(2), 20, SPEC_RTOL, SPEC_ATOL);
    expectClose(derivative(derivative(derivative(f)))(2), 10, SPEC_RTOL, SPEC_ATOL);
    // perturbation carried by the inner derivative's result into an outer reverse pass
    expectClose(grad(derivative(f))(2), 20, SPEC_RTOL, SPEC_ATOL);
  });

  it("customVjp applies at every nesting level, and a rule written with nabla's ops is differentiable", () => {
    // rule says f'(x) = 5x² (f itself is sin): f'' = 10x
    const f = customVjp((x: Real) => sin(x), (x: Real) => [sin(x), (u: Real) => mul(u, mul(5, mul(x, x)))] as const);
    expectClose(grad(f)(2), 20, SPEC_RTOL, SPEC_ATOL);
    expectClose(grad(grad(f))(2), 20, SPEC_RTOL, SPEC_ATOL);
    expectClose(grad(grad(grad(f)))(2), 10, SPEC_RTOL, SPEC_ATOL);
    expectClose(derivative(grad(f))(2), 20, SPEC_RTOL, SPEC_ATOL);
  });

  it("custom rules work on trees", () => {
    const f = customVjp(
      (p: { a: Real; b: Real }) => mul(p.a, p.b),
      (p: { a: Real; b: Real }) => [mul(p.a, p.b), (u: Real) => ({ a: mul(u, 100), b: mul(u, 200) })] as const,
    );
    expect(grad(f)({ a: 2, b: 3 })).toEqual({ a: 100, b: 200 });
    const g = customJvp(
      ([a, b]: readonly [Real, Real]) => add(a, b),
      ([a, b]: readonly [Real, Real], [va, vb]: readonly [Real, Real]) => [add(a, b), add(mul(3, va), mul(4, vb))] as const,
    );
    expect(jvp(g, [1, 2], [1, 1])[1]).toBe(7);
  });

  it("a custom rule used inside an outer transform sees the outer perturbation", () => {
    // clip gradient trick: identity forward, pullback scales by 0.5
    const half = customVjp((x: Real) => x, (x: Real) => [x, (u: Real) => mul(u, 0.5)] as const);
    expect(grad((x: Real) => mul(half(x), 3))(1)).toBe(1.5);
    // d/ds of grad_x[half(s·x)] = d/ds (0.5·s) = 0.5
    expectClose(derivative((s: Real) => grad((x: Real) => half(mul(s, x)))(1))(2), 0.5, SPEC_RTOL, SPEC_ATOL);
  });
});

describe("stack safety, linearity, independence", () => {
  it("a straight chain of 1,000,000 operations differentiates without a RangeError", () => {
    const n = 1_000_000;
    const f = (x: Real): Real => {
      let y = x;
      for (let i = 0; i < n; i++) y = mul(y, 1.0000001);
      return y;
    };
    const g = grad(f)(1);
    expectClose(g, 1.0000001 ** n, 1e-9, SPEC_ATOL);
  }, 30_000);

  it("a chain of 1,000,000 operations through vjp's pullback is stack-safe", () => {
    const n = 1_000_000;
    const [, pb] = vjp((x: Real) => {
      let y = x;
      for (let i = 0; i < n; i++) y = add(y, 1);
      return y;
    }, 0);
    expect(pb(1)).toBe(1);
  }, 30_000);

  it("shared subexpressions are not re-walked: a 2⁶⁰-path DAG differentiates quickly", () => {
    const f = (x: Real): Real => {
      let y = x;
      for (let i = 0; i < 60; i++) y = mul(0.5, add(y, y));
      return y;
    };
    const t0 = Date.now();
    expect(grad(f)(3)).toBe(1);
    expect(derivative(f)(3)).toBe(1);
    expect(grad(grad((x: Real) => mul(f(x), f(x))))(3)).toBe(2);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it("cost is linear in the size of the computation (wide sharing)", () => {
    const run = (n: number): number => {
      const t0 = performance.now();
      grad((x: Real) => {
        let y = x;
        for (let i = 0; i < n; i++) y = add(mul(y, 0.5), mul(y, 0.5));
        return y;
      })(1);
      return performance.now() - t0;
    };
    run(20_000); // warm-up
    const small = Math.max(run(50_000), 1);
    const big = run(400_000);
    expect(big / small).toBeLessThan(40); // linear would be ~8
  }, 30_000);

  it("two pullbacks called interleaved do not disturb each other", () => {
    const [, pb1] = vjp((x: Real) => mul(x, x), 3);
    const [, pb2] = vjp((x: Real) => sin(x), 0.5);
    expect(pb1(1)).toBe(6);
    expectClose(pb2(1), Math.cos(0.5), 1e-15, SPEC_ATOL);
    expect(pb1(2)).toBe(12);
    expectClose(pb2(2), 2 * Math.cos(0.5), 1e-15, SPEC_ATOL);
    const [, pb3] = vjp((x: Real) => exp(x), 0);
    expect(pb1(1)).toBe(6);
    expect(pb3(1)).toBe(1);
  });

  it("a gradient computed inside another gradient's function does not disturb it", () => {
    const g = grad((x: Real) => {
      const inner = grad((y: Real) => mul(y, mul(y, y)))(2); // 12, a constant
      const other = valueAndGrad((y: Real) => sin(y))(0);
      return add(mul(x, inner), mul(x, other[1]));
    })(5);
    expect(g).toBe(13);
  });

  it("a pullback called inside another transform's function works and is constant there", () => {
    const [, pb] = vjp((x: Real) => mul(x, x), 3);
    expect(grad((s: Real) => mul(s, pb(1)))(2)).toBe(6);
    // the cotangent may carry the outer perturbation: pullback is linear in u
    expect(grad((s: Real) => pb(s))(2)).toBe(6);
    expect(derivative((s: Real) => pb(mul(s, s)))(2)).toBe(24);
  });

  it("interleaving through generators does not disturb either gradient", () => {
    function* steps(): Generator<number, void, unknown> {
      const a = grad((x: Real) => mul(x, x))(1);
      yield a;
      const b = grad((x: Real) => mul(x, mul(x, x)))(1);
      yield b;
    }
    const g1 = steps();
    const g2 = steps();
    const r = [g1.next().value, g2.next().value, g1.next().value, g2.next().value];
    expect(r).toEqual([2, 2, 3, 3]);
  });
});

describe("degenerate functions", () => {
  it("identity and constant functions have the obvious derivatives, as plain numbers", () => {
    expect(derivative((x: Real) => x)(2)).toBe(1);
    expect(grad((x: Real) => x)(2)).toBe(1);
    const [y, t] = jvp((_x: Real) => 7, 2, 1);
    expect(y).toBe(7);
    expect(t).toBe(0);
    const [y2, pb] = vjp((_x: { a: Real }) => 7, { a: 2 });
    expect(y2).toBe(7);
    expect(pb(1)).toEqual({ a: 0 });
    expect(hvp((x: Real) => mul(3, x))(2, 1)).toBe(0);
  });

  it("jacfwd and jacrev of the identity are the identity matrix; of a constant, zeros", () => {
    for (const jac of [jacfwd, jacrev]) {
      expect(jac((x: readonly Real[]) => x)([1, 2])).toEqual([[1, 0], [0, 1]]);
      expect(jac((_x: readonly Real[]) => [5, 6, 7])([1, 2])).toEqual([[0, 0], [0, 0], [0, 0]]);
    }
  });

  it("a function that returns its input record unchanged has an identity pullback", () => {
    const [y, pb] = vjp((p: { a: Real; b: readonly Real[] }) => p, { a: 1, b: [2, 3] });
    expect(y).toEqual({ a: 1, b: [2, 3] });
    expect(pb({ a: 4, b: [5, 6] })).toEqual({ a: 4, b: [5, 6] });
  });

  it("a jvp with a zero tangent gives zero tangents", () => {
    const [, t] = jvp((p: readonly Real[]) => [mul(p[0], p[1]), sin(p[0])], [2, 3], [0, 0]);
    expect(t).toEqual([0, 0]);
  });
});

describe("no observable global state after errors", () => {
  it("a function that throws inside grad leaves later gradients correct", () => {
    expect(() => grad((x: Real) => {
      mul(x, x);
      throw new Error("boom");
    })(1)).toThrow("boom");
    expect(grad((x: Real) => mul(x, x))(3)).toBe(6);
    expect(derivative((x: Real) => mul(x, x))(3)).toBe(6);
    expect(grad(grad((x: Real) => mul(x, mul(x, x))))(3)).toBe(18);
  });

  it("an inner transform that throws (and is caught) does not disturb the outer one", () => {
    const inner = (x: Real) => {
      try {
        grad((y: Real) => {
          mul(y, x);
          throw new Error("boom");
        })(2);
      } catch {
        /* swallowed */
      }
      return mul(x, mul(x, x));
    };
    expect(grad(inner)(2)).toBe(12);
    expect(derivative(inner)(2)).toBe(12);
    const inner2 = (x: Real) => {
      try {
        derivative((y: Real) => {
          mul(y, x);
          throw new Error("boom");
        })(2);
      } catch {
        /* swallowed */
      }
      return mul(x, x);
    };
    expect(grad(inner2)(3)).toBe(6);
    expect(derivative(inner2)(3)).toBe(6);
  });

  it("a Real leaked from a transform that threw is an escaped Real", () => {
    let leaked: Real = 0;
    expect(() => grad((x: Real) => {
      leaked = x;
      throw new Error("boom");
    })(1)).toThrow("boom");
    expect(() => add(leaked, 1)).toThrow(/grad/);
    expect(primal(leaked)).toBe(1);
  });
});

describe("more mixed nesting", () => {
  it("third order through hvp: d/ds hvp(x⁴)(s, 1) = 24 s", () => {
    expectClose(derivative((s: Real) => hvp((x: Real) => mul(x, mul(x, mul(x, x))))(s, 1))(2), 48, SPEC_RTOL, SPEC_ATOL);
    expectClose(grad((s: Real) => hvp((x: Real) => mul(x, mul(x, mul(x, x))))(s, 1))(2), 48, SPEC_RTOL, SPEC_ATOL);
  });

  it("jvp of hvp", () => {
    const [y, t] = jvp((s: Real) => hvp((x: Real) => exp(x))(s, 1), 0.5, 1);
    expectClose(y, Math.exp(0.5), 1e-14, SPEC_ATOL);
    expectClose(t, Math.exp(0.5), 1e-14, SPEC_ATOL);
  });

  it("grad of an expression using both the value and the pullback of an inner vjp", () => {
    // y = x², pb(1) = 2x: d/dx (x² + 2x) = 2x + 2
    expect(grad((x: Real) => {
      const [y, pb] = vjp((z: Real) => mul(z, z), x);
      return add(y, pb(1));
    })(3)).toBe(8);
  });

  it("hessian inside grad carries the outer perturbation", () => {
    // H[0][1] of s·v0²·v1 is 2·s·v0 → d/ds at v0 = 1 is 2
    expectClose(grad((s: Real) => hessian((v: readonly Real[]) => mul(s, mul(v[0], mul(v[0], v[1]))))([1, 2])[0][1])(3), 2, SPEC_RTOL, SPEC_ATOL);
  });
});
