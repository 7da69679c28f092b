// Trees: transforms take and give arrays and records of Reals to any depth, keep their structure,
// freeze what they return, never touch what they are given, and name the path of anything wrong.
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  add, derivative, type Gradient, grad, hvp, jvp, mul, type Real, sin, square, sum, type Tensor, valueAndGrad, vjp, zeros,
} from "../../../src/index.ts";
import { isDeeplyFrozen } from "../../support/approx.ts";
import { withoutCodegen } from "../../support/codegen.ts";

type Params = { hidden: { w: readonly Real[]; b: Real }; out: readonly (readonly Real[])[] };
const loss = (p: Params): Real =>
  add(mul(sum(p.hidden.w), p.hidden.b), sum(p.out.map((row) => sum(row.map(square)))));
const params = { hidden: { w: [1, 2, 3], b: 0.5 }, out: [[1, -1], [2, 0.5]] };

describe("structure", () => {
  it("grad returns exactly the argument's structure", () => {
    const g = grad(loss)(params);
    // ∂/∂w = b, ∂/∂b = Σw, ∂/∂out = 2·out
    expect(g).toEqual({ hidden: { w: [0.5, 0.5, 0.5], b: 6 }, out: [[2, -2], [4, 1]] });
  });
  it("empty arrays and records are trees", () => {
    expect(grad((p: { a: Real; none: readonly Real[]; nothing: Record<string, never> }) => square(p.a))({ a: 3, none: [], nothing: {} }))
      .toEqual({ a: 6, none: [], nothing: {} });
  });
  it("a record with keys that are not identifiers keeps them", () => {
    const input = JSON.parse('{"my key": 2, "__proto__": 3}') as Record<string, number>;
    const g = grad((p: Record<string, Real>) => mul(p["my key"], p["__proto__"]))(input);
    expect(Object.keys(g)).toEqual(["my key", "__proto__"]);
    expect(g["my key"]).toBe(3);
    expect(Object.getPrototypeOf(g)).toBe(Object.prototype);
  });
  it("results are deeply frozen, inputs are neither frozen nor changed", () => {
    const input = structuredClone(params);
    const g = grad(loss)(input);
    expect(isDeeplyFrozen(g)).toBe(true);
    expect(input).toEqual(params);
    expect(Object.isFrozen(input)).toBe(false);
    expect(Object.isFrozen(input.hidden.w)).toBe(false);
    const r = jvp(loss, input, input);
    expect(isDeeplyFrozen(r)).toBe(true);
    const [y, pullback] = vjp((p: Params) => [loss(p), p.hidden.b], input);
    expect(isDeeplyFrozen(y)).toBe(true);
    expect(isDeeplyFrozen(pullback([1, 1]))).toBe(true);
    expect(input).toEqual(params);
  });
  it("the function receives a frozen argument, so it cannot change the caller's tree", () => {
    expect(() => grad((p: { a: Real[] }) => { p.a.push(1); return p.a[0]; })({ a: [1] })).toThrow(TypeError);
  });
  it("the same input gives the same output", () => {
    expect(grad(loss)(params)).toEqual(grad(loss)(params));
    expect(hvp(loss)(params, params)).toEqual(hvp(loss)(params, params));
  });
});

describe("bad leaves are TypeErrors naming their path", () => {
  const f = (p: never) => mul(2, (p as { x: Real }).x ?? 1);
  const cases: [string, unknown, RegExp][] = [
    ["a string", { hidden: { w: [1, "a"] } }, /hidden\.w\[1\].*string/],
    ["undefined", { hidden: { w: [1, undefined] } }, /hidden\.w\[1\].*undefined/],
    ["null", { a: null }, /\ba\b.*null/],
    ["a Date", { when: [new Date(0)] }, /when\[0\].*Date/],
    ["a Map", { m: new Map() }, /\bm\b.*Map/],
    ["an instance of another class", { layer: { w: new (class Weights {})() } }, /layer\.w.*Weights/],
    ["a boolean", [true], /\[0\].*boolean/],
    ["a string at the root", "x", /argument.*string/],
  ];
  it.each(cases)("%s", (_what, input, message) => {
    const x = input as never;
    for (const run of [
      () => grad(f)(x),
      () => valueAndGrad(f)(x),
      () => vjp(f, x),
      () => jvp(f, x, x),
      () => hvp(f)(x, x),
    ]) {
      expect(run).toThrow(TypeError);
      expect(run).toThrow(message);
    }
  });
  it("a bad leaf in the function's result is a TypeError too", () => {
    expect(() => vjp((x: Real) => ({ y: [x, "no"] }), 1)).toThrow(/result.*y\[1\]/);
    expect(() => derivative((x: Real) => ({ y: x, z: undefined }) as unknown as Real)(1)).toThrow(TypeError);
  });
});

describe("a structure seen again takes compiled code, with the same results and checks", () => {
  // grad and valueAndGrad remember the last flat array or record they saw and read and rebuild it
  // with generated code; every call below after the first goes that way.
  type W = { readonly a: Real; readonly b: Real; readonly c: Real };
  const f = (p: W) => add(mul(p.a, p.b), square(p.c));
  const g = grad(f);
  it("repeated records: ∂/∂a = b, ∂/∂b = a, ∂/∂c = 2c, frozen, in the argument's key order", () => {
    for (let k = 1; k < 6; k++) {
      const r = g({ a: k, b: 2, c: -k });
      expect(r).toEqual({ a: 2, b: k, c: -2 * k });
      expect(Object.keys(r)).toEqual(["a", "b", "c"]);
      expect(Object.isFrozen(r)).toBe(true);
    }
  });
  it("the function's argument stays frozen on the short path", () => {
    const push = grad((p: Real[]) => { p.push(1); return p[0]; });
    for (let k = 0; k < 3; k++) expect(() => push([1, 2])).toThrow(TypeError);
  });
  it("a different structure with as many leaves is not mistaken for the last one", () => {
    const h = grad((p: Record<string, Real>) => mul(Object.values(p)[0], 3));
    expect(h({ a: 1, b: 2 })).toEqual({ a: 3, b: 0 });
    expect(h({ a: 1, b: 2 })).toEqual({ a: 3, b: 0 });
    expect(h({ b: 1, a: 2 })).toEqual({ b: 3, a: 0 }); // same keys, other order
    expect(Object.keys(h({ b: 1, a: 2 }))).toEqual(["b", "a"]);
    expect(h({ x: 1, y: 2 })).toEqual({ x: 3, y: 0 });
    const v = grad((p: readonly Real[] | Record<string, Real>) => mul((p as readonly Real[])[0] ?? (p as Record<string, Real>)["0"], 3));
    expect(v([1, 2])).toEqual([3, 0]);
    expect(v([1, 2])).toEqual([3, 0]);
    expect(v({ 0: 1, 1: 2 })).toEqual({ 0: 3, 1: 0 }); // a record, not an array, with the same keys
    expect(Array.isArray(v([1, 2]))).toBe(true);
    expect(v([1, 2, 3])).toEqual([3, 0, 0]);
  });
  it("bad leaves and escaped Reals are still caught, with their path", () => {
    g({ a: 1, b: 2, c: 3 });
    expect(() => g({ a: 1, b: "2", c: 3 } as never)).toThrow(/the leaf at b is a string/);
    let escaped: Real = 0;
    grad((x: Real) => { escaped = x; return x; })(1);
    expect(() => g({ a: 1, b: escaped, c: 3 })).toThrow(/escaped|used after/);
    expect(g({ a: 1, b: 2, c: 3 })).toEqual({ a: 2, b: 1, c: 6 });
  });
  it("the record a function sees is a frozen plain record of its keys, on a repeated structure too (made by generated code)", () => {
    const seen: unknown[] = [];
    const h = grad((p: { readonly u: Real; readonly v: Real }) => (seen.push(p), mul(p.u, square(p.v))));
    for (let k = 0; k < 3; k++) expect(h({ u: 2, v: 3 })).toEqual({ u: 9, v: 12 });
    for (const p of seen) {
      expect(Object.getPrototypeOf(p)).toBe(Object.prototype);
      expect(Object.keys(p as object)).toEqual(["u", "v"]);
      expect(Object.isFrozen(p)).toBe(true);
    }
    // and it is a tree again: an inner transform takes it as it is
    const inner = grad((p: { readonly u: Real; readonly v: Real }) => sum(Object.values(grad((q: typeof p) => mul(q.u, q.v))(p))));
    for (let k = 0; k < 3; k++) expect(inner({ u: 2, v: 3 })).toEqual({ u: 1, v: 1 });
  });
  it("records with a __proto__ key are rebuilt as records with that own key", () => {
    const input = JSON.parse('{"x": 2, "__proto__": 3}') as Record<string, number>;
    const h = grad((p: Record<string, Real>) => mul(p["x"], p["__proto__"]));
    for (let k = 0; k < 3; k++) {
      const r = h(input);
      expect(Object.keys(r)).toEqual(["x", "__proto__"]);
      expect(r["__proto__"]).toBe(2);
      expect(Object.getPrototypeOf(r)).toBe(Object.prototype);
    }
  });
  it("where code cannot be generated (a strict CSP: new Function throws EvalError), closures do the same", () => {
    const h = grad((p: { readonly u: Real; readonly v: Real }) => mul(p.u, square(p.v)));
    withoutCodegen(() => {
      for (let k = 1; k < 4; k++) {
        const r = h({ u: k, v: 3 });
        expect(r).toEqual({ u: 9, v: 6 * k });
        expect(Object.isFrozen(r)).toBe(true);
      }
    });
  });
  it("valueAndGrad too", () => {
    const vg = valueAndGrad(f);
    for (let k = 0; k < 3; k++) expect(vg({ a: 2, b: 3, c: k })).toEqual([6 + k * k, { a: 3, b: 2, c: 2 * k }]);
  });
});

describe("types", () => {
  it("grad's result has the argument's type, with plain numbers for plain numbers", () => {
    expectTypeOf(grad(loss)(params)).toEqualTypeOf<{ hidden: { w: number[]; b: number }; out: number[][] }>();
    expectTypeOf(grad(sin)(1)).toEqualTypeOf<number>();
    expectTypeOf(derivative(sin)(1)).toEqualTypeOf<number>();
    expectTypeOf(grad((p: readonly Real[]) => sum(p))([1, 2])).toEqualTypeOf<number[]>();
  });
  it("grad accepts only a function declared to return a Real", () => {
    // @ts-expect-error: an array is not a scalar
    grad((p: readonly Real[]) => p);
    // @ts-expect-error: nor is a record
    grad((p: readonly Real[]) => ({ y: p[0] }));
    // a pair [output, aux] only with { hasAux: true } (test/unit/transforms/aux.test.ts)
    // @ts-expect-error: hasAux not given
    grad((p: readonly Real[]) => [sum(p), p] as const);
    expectTypeOf(grad((p: readonly Real[]) => sum(p))).toEqualTypeOf<Gradient<readonly Real[]>>();
  });
});

describe("result types follow the argument: plain in, plain out", () => {
  it("valueAndGrad, vjp and jvp give numbers for plain arguments and Reals inside transforms", () => {
    const f = (p: readonly Real[]) => mul(p[0], p[1]);
    expectTypeOf(valueAndGrad(f)([1, 2])[0]).toEqualTypeOf<number>();
    expectTypeOf(valueAndGrad(sin)(1)[0]).toEqualTypeOf<number>();
    expectTypeOf(valueAndGrad((p: { w: Real; t: Tensor }) => p.w)({ w: 1, t: zeros([2]) })[0]).toEqualTypeOf<number>();
    expectTypeOf(vjp(f, [1, 2])[0]).toEqualTypeOf<number>();
    expectTypeOf(jvp((p: readonly Real[]) => [p[0], p[1]], [1, 2], [1, 0])[1]).toEqualTypeOf<number[]>();
    grad((x: Real) => {
      expectTypeOf(valueAndGrad(sin)(x)[0]).toEqualTypeOf<Real>();
      return x;
    })(1);
    const [value] = valueAndGrad(f)([3, 4]);
    expect(value < 13).toBe(true); // a number: compares without primal()
  });
});
