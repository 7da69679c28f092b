// Reverse mode's guarantees: linear time with sharing, stack safety on deep chains, no observable
// global state, and a clear error for a Real that escapes its transform.
import { describe, expect, it } from "vitest";
import {
  add, derivative, grad, hessian, jvp, mul, primal, type Real, sin, sqrt, square, valueAndGrad, vjp,
} from "../../../src/index.ts";
import { expectClose } from "../../support/approx.ts";

describe("stack safety", () => {
  it("differentiates a straight chain of 1,000,000 operations without a RangeError", () => {
    // x ← x·c, a million times: dy/dx = c^1e6
    const c = 1 + 1e-6;
    const g = grad((x: Real) => {
      let y = x;
      for (let i = 0; i < 1_000_000; i++) y = mul(y, c);
      return y;
    })(1);
    expectClose(g, c ** 1e6, 1e-9);
  });
  it("and second order through a 100,000-operation chain", () => {
    // y = sin∘…∘sin; checked against the same chain's forward-over-forward second derivative
    const chain = (x: Real) => {
      let y = x;
      for (let i = 0; i < 100_000; i++) y = sin(y);
      return y;
    };
    const d2 = grad(grad(chain))(0.3);
    expectClose(d2, derivative(derivative(chain))(0.3), 1e-9, 1e-15);
  });
});

describe("linear time with shared subexpressions", () => {
  it("x ← x·x 2,000 times, whose 2^2000 paths a tree walk would enumerate", () => {
    const g = grad((x: Real) => {
      let y = x;
      for (let i = 0; i < 2000; i++) y = mul(y, y);
      return y;
    })(1);
    expect(g).toBe(Infinity); // d/dx x^(2^2000) at 1 = 2^2000, beyond float64
  });
  it("x ← √(x·x) 2,000 times has derivative exactly 1", () => {
    const g = grad((x: Real) => {
      let y = x;
      for (let i = 0; i < 2000; i++) y = sqrt(mul(y, y));
      return y;
    })(1.5);
    expectClose(g, 1, 1e-12);
  });
});

describe("no observable global state", () => {
  it("two pullbacks used interleaved do not disturb each other", () => {
    const [, pa] = vjp((x: Real) => square(x), 3);
    const [, pb] = vjp((x: Real) => sin(x), 0.5);
    const [, pc] = vjp((x: Real) => mul(x, 10), 1);
    expect(pa(1)).toBe(6);
    expectClose(pb(1), Math.cos(0.5));
    expect(pa(2)).toBe(12);
    expect(pc(1)).toBe(10);
    expectClose(pb(2), 2 * Math.cos(0.5));
  });
  it("a gradient computed inside another's function leaves the outer one intact", () => {
    const g = grad((x: Real) => {
      const inner = grad((y: Real) => mul(y, y))(5); // 10, a plain number
      return mul(x, inner);
    })(2);
    expect(g).toBe(10);
  });
  it("gradients computed in sequence give the same answers as computed alone", () => {
    const f = (x: Real) => mul(sin(x), x);
    const alone = grad(f)(0.7);
    grad((x: Real) => square(x))(3);
    hessian((v) => mul(v[0], v[1]))([1, 2]);
    expect(grad(f)(0.7)).toBe(alone);
  });
});

describe("escaped Reals", () => {
  const transforms: [string, (keep: (x: Real) => void) => void][] = [
    ["grad", (keep) => grad((x: Real) => (keep(x), x))(1)],
    ["valueAndGrad", (keep) => valueAndGrad((x: Real) => (keep(x), x))(1)],
    ["vjp", (keep) => vjp((x: Real) => (keep(x), x), 1)],
    ["derivative", (keep) => derivative((x) => (keep(x), x))(1)],
    ["jvp", (keep) => jvp((x: Real) => (keep(x), x), 1, 1)],
  ];
  it.each(transforms)("a Real kept from %s throws an Error naming it when used later", (name, run) => {
    let kept: Real = 0;
    run((x) => (kept = x));
    expect(() => add(kept, 1)).toThrow(Error);
    expect(() => add(kept, 1)).toThrow(new RegExp(`inside ${name}`));
    expect(() => sin(kept)).toThrow(name);
    expect(() => grad((y: Real) => mul(y, kept))(2)).toThrow(name);
    expect(() => grad((y: Real) => y)(kept)).toThrow(name);
    expect(primal(kept)).toBe(1);
  });
  it("JavaScript's own arithmetic on a Real inside a transform is an error, not garbage", () => {
    expect(() => grad((x: Real) => (x as unknown as number) * 2)(1)).toThrow(TypeError);
    expect(() => derivative((x) => ((x as unknown as number) > 0 ? x : 0))(1)).toThrow(/primal/);
    expect(grad((x: Real) => (primal(x) > 0 ? x : 0))(1)).toBe(1);
  });
});
