// Custom rules: each replaces its mode's rule at every nesting level, leaves the other mode to
// differentiate the function itself, and a rule written with nabla's ops differentiates again.
import { describe, expect, it } from "vitest";
import {
  add, customJvp, customVjp, derivative, exp, grad, hessian, hvp, jacfwd, jacrev, jvp, log, mul, type Real, sin,
  square, sub, valueAndGrad, vjp, cos, div,
} from "../../../src/index.ts";
import { expectClose } from "../../support/approx.ts";

// log(1 + eˣ), whose naive derivative overflows for large x; the rule gives σ(x) stably.
const naive = (x: Real) => log(add(1, exp(x)));
const sigmoidOf = (x: Real) => div(1, add(1, exp(mul(-1, x))));

describe("customJvp", () => {
  // A deliberately scaled rule makes it visible which rule ran.
  const scaled = customJvp(sin, (x: Real, v: Real) => [sin(x), mul(3, mul(cos(x), v))] as const);

  it("is used by forward mode (derivative, jvp, jacfwd)", () => {
    expectClose(derivative(scaled)(0.5), 3 * Math.cos(0.5));
    expectClose(jvp(scaled, 0.5, 2)[1], 6 * Math.cos(0.5));
    expectClose(jacfwd((v) => [scaled(v[0])])([0.5])[0][0], 3 * Math.cos(0.5));
  });
  it("leaves reverse mode to differentiate the function itself", () => {
    expectClose(grad(scaled)(0.5), Math.cos(0.5));
    expectClose(vjp(scaled, 0.5)[1](1), Math.cos(0.5));
  });
  it("returns the function's value on plain numbers", () => {
    expect(scaled(0.5)).toBe(Math.sin(0.5));
  });
  it("fixes an overflowing derivative", () => {
    const softplus = customJvp(naive, (x: Real, v: Real) => [naive(x), mul(sigmoidOf(x), v)] as const);
    expect(derivative(naive)(800)).toBeNaN(); // ∞/∞
    expect(derivative(softplus)(800)).toBe(1);
  });
  it("applies at every forward level, and a rule written with nabla's ops differentiates again", () => {
    // second derivative through the rule: d/dx [3 cos x] = −3 sin x
    expectClose(derivative(derivative(scaled))(0.5), -3 * Math.sin(0.5), 1e-13);
    // the rule's tangent carries the outer level, so forward-over-reverse of the rule is consistent
    expectClose(derivative((a) => derivative((x) => scaled(mul(a, x)))(1))(0.5), 3 * (Math.cos(0.5) - 0.5 * Math.sin(0.5)), 1e-13);
  });
  it("works on trees", () => {
    type P = { a: Real; b: Real };
    const f = customJvp<P, Real[]>(
      (p) => [mul(p.a, p.b)],
      (p, t) => [[mul(p.a, p.b)], [add(mul(t.a, p.b), mul(p.a, t.b))]],
    );
    expect(jvp(f, { a: 2, b: 3 }, { a: 1, b: 1 })[1]).toEqual([5]);
  });
  it("a rule that closes over a value being differentiated is an error, not a wrong number", () => {
    const run = () =>
      derivative((a) => {
        const g = customJvp(sin, (x: Real, v: Real) => [sin(x), mul(a, v)] as const);
        return g(a);
      })(1);
    expect(run).toThrow(/closes over/);
  });
});

describe("customVjp", () => {
  const scaled = customVjp(sin, (x: Real) => [sin(x), (u: Real) => mul(5, mul(cos(x), u))] as const);

  it("is used by reverse mode (grad, valueAndGrad, vjp, jacrev)", () => {
    expectClose(grad(scaled)(0.5), 5 * Math.cos(0.5));
    expectClose(valueAndGrad(scaled)(0.5)[1], 5 * Math.cos(0.5));
    expectClose(vjp(scaled, 0.5)[1](2), 10 * Math.cos(0.5));
    expectClose(jacrev((v) => [scaled(v[0])])([0.5])[0][0], 5 * Math.cos(0.5));
  });
  it("leaves forward mode to differentiate the function itself", () => {
    expectClose(derivative(scaled)(0.5), Math.cos(0.5));
  });
  it("applies at every reverse level; its pullback, written with nabla's ops, differentiates again", () => {
    // grad∘grad: d/dx [5 cos x] = −5 sin x
    expectClose(grad(grad(scaled))(0.5), -5 * Math.sin(0.5), 1e-13);
    // hessian and hvp are forward over reverse: the rule's pullback is differentiated forward
    expectClose(hessian((v) => scaled(v[0]))([0.5])[0][0], -5 * Math.sin(0.5), 1e-13);
    expectClose(hvp(scaled)(0.5, 2), -10 * Math.sin(0.5), 1e-13);
  });
  it("handles several inputs and outputs, and inputs not on the tape", () => {
    // y = [a·b, a + b] with the exact rule
    const f = customVjp<readonly Real[], readonly Real[]>(
      (p) => [mul(p[0], p[1]), add(p[0], p[1])],
      (p) => [[mul(p[0], p[1]), add(p[0], p[1])], (u) => [add(mul(u[0], p[1]), u[1]), add(mul(u[0], p[0]), u[1])]],
    );
    expect(jacrev(f)([2, 3])).toEqual([[3, 2], [1, 1]]);
    // only the first argument is differentiated: the second is a constant
    expect(grad((a: Real) => f([a, 3])[0])(2)).toBe(3);
    // an output the result does not use gets a zero cotangent
    expect(grad((p: readonly Real[]) => f(p)[1])([2, 3])).toEqual([1, 1]);
  });
  it("a pullback returning the wrong structure is a TypeError naming the path", () => {
    const bad = customVjp<readonly Real[], Real>(
      (p) => mul(p[0], p[1]),
      (p) => [mul(p[0], p[1]), (u) => [u]],
    );
    expect(() => grad(bad)([1, 2])).toThrow(TypeError);
  });
  it("a rule that closes over a value being differentiated is an error", () => {
    const run = () =>
      grad((a: Real) => {
        const g = customVjp(sin, (x: Real) => [mul(a, sin(x)), (u: Real) => u] as const);
        return g(a);
      })(1);
    expect(run).toThrow(/closes over/);
  });
  it("the rule's forward value is what the function returns", () => {
    const [y] = vjp(scaled, 0.5);
    expect(y).toBe(Math.sin(0.5));
    expect(sub(scaled(1), Math.sin(1))).toBe(0);
    expect(square(scaled(0))).toBe(0);
  });
});
