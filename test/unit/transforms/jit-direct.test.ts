// jit's direct path: for a flat argument and result (a number, an array or a record of numbers) one
// generated function reads the argument, replays and builds the frozen result. Every way out of it
// (another structure, a leaf that is not a number, a kink on the other side) must give what the
// function gives, reading each getter once.
import { describe, expect, it } from "vitest";
import { add, grad, jit, mul, type Real, relu, sin, square, sum, type Tensor, tensor, toArray } from "../../../src/index.ts";
import { isDeeplyFrozen } from "../../support/approx.ts";

/** A function that counts its own runs (impure on purpose: the count says when jit recorded). */
function counted<X, Y>(f: (x: X) => Y): { readonly f: (x: X) => Y; readonly runs: () => number } {
  let n = 0;
  return { f: (x) => (n++, f(x)), runs: () => n };
}

type AB = { readonly a: Real; readonly b: Real };
const loss = (p: AB): Real => add(mul(p.a, sin(p.b)), square(p.a));
/** ∂/∂a = sin b + 2a, ∂/∂b = a·cos b. */
const expected = (a: number, b: number) => ({ a: Math.sin(b) + 2 * a, b: a * Math.cos(b) });

describe("jit's direct replay of flat structures", () => {
  it("replays a record without running the function, and its results are frozen records", () => {
    const c = counted(loss);
    const g = jit(grad(c.f));
    for (const [a, b] of [[1, 2], [0.5, -1], [3, 0.25]]) {
      const y = g({ a, b });
      expect(y).toEqual(expected(a, b));
      expect(Object.getPrototypeOf(y)).toBe(Object.prototype);
      expect(isDeeplyFrozen(y)).toBe(true);
    }
    expect(c.runs()).toBe(1);
  });

  it("numbers and arrays of numbers in and out", () => {
    const c = counted((x: Real) => [mul(x, x), sin(x)]);
    const f = jit(c.f);
    for (const x of [1, 2, -3]) expect(f(x)).toEqual([x * x, Math.sin(x)]);
    expect(isDeeplyFrozen(f(4))).toBe(true);
    const s = counted((xs: readonly Real[]) => sum([mul(xs[0], xs[1]), xs[2]]));
    const h = jit(s.f);
    expect([h([1, 2, 3]), h([2, 3, 4]), h([-1, 5, 0])]).toEqual([5, 10, -5]);
    expect(c.runs() + s.runs()).toBe(2);
  });

  it("a record with another key, or its keys in another order, is another structure", () => {
    const g = jit(grad((p: { readonly [k: string]: Real }) => mul(p.a!, p.b!)));
    expect(g({ a: 2, b: 3 })).toEqual({ a: 3, b: 2 });
    const more = g({ a: 2, b: 3, c: 7 });
    expect(more).toEqual({ a: 3, b: 2, c: 0 });
    const swapped = g({ b: 5, a: 4 });
    expect(Object.keys(swapped)).toEqual(["b", "a"]);
    expect(swapped).toEqual({ a: 5, b: 4 });
    expect(g({ a: 2, b: 3 })).toEqual({ a: 3, b: 2 });
  });

  it("a null-prototype record is a record; an instance of a class is a TypeError, as without jit", () => {
    const g = jit(grad(loss));
    g({ a: 1, b: 2 });
    const bare = Object.assign(Object.create(null) as AB, { a: 1, b: 2 });
    expect(g(bare)).toEqual(expected(1, 2));
    class Point {
      constructor(
        readonly a: number,
        readonly b: number,
      ) {}
    }
    expect(() => g(new Point(1, 2))).toThrow(TypeError);
  });

  it("a leaf that is not a plain number runs as written (a tensor) or is a TypeError naming its path", () => {
    const f = jit((p: { readonly a: Real | Tensor; readonly b: Real }) => mul(p.a, p.b));
    expect(f({ a: 2, b: 3 })).toBe(6);
    expect(toArray(f({ a: tensor([1, 2]), b: 3 }) as Tensor)).toEqual([3, 6]);
    expect(() => f({ a: "x" as unknown as number, b: 3 })).toThrow(/\ba\b/);
    expect(f({ a: 4, b: 3 })).toBe(12);
  });

  it("a kink on the other side records again, then both sides replay", () => {
    const c = counted((p: AB) => mul(relu(p.a), p.b));
    const g = jit(grad(c.f));
    expect(g({ a: 1, b: 2 })).toEqual({ a: 2, b: 1 });
    expect(g({ a: -1, b: 2 })).toEqual({ a: 0, b: 0 });
    expect(c.runs()).toBe(2);
    expect(g({ a: 3, b: 5 })).toEqual({ a: 5, b: 3 });
    expect(g({ a: -3, b: 5 })).toEqual({ a: 0, b: 0 });
    expect(c.runs()).toBe(2);
  });

  it("reads each getter once, on a replay and on a call that falls on the other side of a kink", () => {
    const g = jit(grad((p: AB) => mul(relu(p.a), p.b)));
    g({ a: 1, b: 2 });
    let reads = 0;
    const at = (a: number) => ({
      get a() {
        reads++;
        return a;
      },
      b: 2,
    });
    expect(g(at(3))).toEqual({ a: 2, b: 3 });
    expect(reads).toBe(1);
    expect(g(at(-3))).toEqual({ a: 0, b: 0 });
    expect(reads).toBe(2);
  });
});

describe("jit's direct replay and the prototype", () => {
  it("a key Object.prototype was given (enumerable) is not read as a leaf: the call takes the general path", () => {
    const g = jit(grad((p: { readonly [k: string]: Real }) => mul(p.a ?? 1, p.b ?? 1)));
    expect(g({ a: 2, b: 3 })).toEqual({ a: 3, b: 2 });
    const proto = Object.prototype as Record<string, unknown>;
    proto.b = 10;
    try {
      // eager grad sees one own key, a; p.b reads the prototype's 10
      const eager = grad((p: { readonly [k: string]: Real }) => mul(p.a ?? 1, p.b ?? 1))({ a: 2 });
      expect(Object.keys(g({ a: 2 }))).toEqual(Object.keys(eager));
      expect(g({ a: 2 })).toEqual(eager);
    } finally {
      delete proto.b;
    }
    expect(g({ a: 4, b: 5 })).toEqual({ a: 5, b: 4 });
  });
});
