// Auxiliary results (hasAux) on grad, valueAndGrad and vjp: JAX's layouts, only the output
// differentiated, aux handed back with this transform's level stripped and every outer one kept,
// frozen; bad options and functions that return no pair are TypeErrors naming the transform.
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  add, cos, derivative, exp, grad, jit, jvp, mul, type Real, sin, square, sum, type Tensor, tensor, toArray, valueAndGrad, vjp,
} from "../../../src/index.ts";
import { expectClose, expectDeepFrozen, expectTensor, expectThrows } from "../../support/approx.ts";

const withAux = { hasAux: true } as const;
/** A function typed as returning a pair, whatever it returns (to reach the run-time checks). */
const asPair = (g: (x: Real) => unknown) => g as (x: Real) => readonly [Real, unknown];

/** f(x) = x²·sin x with aux { cube: x³, e: eˣ }. */
const f = (x: Real) => [mul(square(x), sin(x)), { cube: mul(x, square(x)), e: exp(x) }] as const;
const df = (x: number) => 2 * x * Math.sin(x) + x * x * Math.cos(x);

describe("the layouts (JAX's)", () => {
  it("grad gives [∇f, aux], aux as plain numbers", () => {
    const [g, aux] = grad(f, withAux)(1.5);
    expectClose(g, df(1.5));
    expect(aux).toEqual({ cube: 1.5 ** 3, e: Math.exp(1.5) });
  });
  it("valueAndGrad gives [[value, aux], ∇f]", () => {
    const [[value, aux], g] = valueAndGrad(f, withAux)(1.5);
    expectClose(value, 1.5 ** 2 * Math.sin(1.5));
    expect(aux).toEqual({ cube: 1.5 ** 3, e: Math.exp(1.5) });
    expectClose(g, df(1.5));
  });
  it("vjp gives [y, pullback, aux]; the pullback takes a cotangent shaped like the output only", () => {
    const h = (p: { a: Real; b: Real }) => [[mul(p.a, p.b), sin(p.a)], { sum: add(p.a, p.b) }] as const;
    const [y, pullback, aux] = vjp(h, { a: 2, b: 3 }, withAux);
    expect(y).toEqual([6, Math.sin(2)]);
    expect(aux).toEqual({ sum: 5 });
    // Jᵀ·[1, 1]: ∂/∂a = b + cos a, ∂/∂b = a
    const g = pullback([1, 1]);
    expectClose(g.a, 3 + Math.cos(2));
    expect(g.b).toBe(2);
    expectThrows(() => pullback([1, 1, 1] as never), TypeError, "vjp pullback", "length 2");
  });
  it("only the output is differentiated: aux that depends on x adds nothing to the gradient", () => {
    // aux = 1000·x: had it been differentiated with the output, ∇ would be 2x + 1000
    expect(grad((x: Real) => [square(x), mul(1000, x)] as const, withAux)(3)).toEqual([6, 3000]);
    const [[v, aux], g] = valueAndGrad((x: Real) => [square(x), mul(1000, x)] as const, withAux)(3);
    expect([v, aux, g]).toEqual([9, 3000, 6]);
  });
  it("trees and tensors as arguments and as aux", () => {
    const x = { w: tensor([[1, 2], [3, 4]]), b: 0.5 };
    const loss = (p: { w: Tensor; b: Real }) => {
      const z = add(p.w, p.b);
      return [sum(square(z)), { z, n: [sum(z), 4] }] as const;
    };
    const [g, aux] = grad(loss, withAux)(x);
    // ∂/∂w = 2(w + b), ∂/∂b = Σ 2(w + b)
    expectTensor(g.w, [2, 2], [[3, 5], [7, 9]]);
    expectClose(g.b, 3 + 5 + 7 + 9);
    expectTensor(aux.z, [2, 2], [[1.5, 2.5], [3.5, 4.5]]);
    expect(aux.n).toEqual([12, 4]);
  });
  it("results are deeply frozen: the pair, the inner pair, aux, the pullback", () => {
    const aux = (x: Real) => [square(x), { list: [x, mul(2, x)], t: tensor([1, 2]) }] as const;
    expectDeepFrozen(grad(aux, withAux)(2));
    expectDeepFrozen(valueAndGrad(aux, withAux)(2));
    const r = vjp(aux, 2, withAux);
    expectDeepFrozen(r);
    expect(Object.isFrozen(r[1])).toBe(true);
  });
  it("an argument with no leaves: aux as it is, an empty gradient", () => {
    expect(grad((p: readonly Real[]) => [3, { n: p.length }] as const, withAux)([])).toEqual([[], { n: 0 }]);
    // inside derivative, aux keeps the outer perturbation: d/dx (x·2) = 2
    expect(derivative((x: Real) => grad((p: readonly Real[]) => [0, mul(x, 2)] as const, withAux)([])[1])(5)).toBe(2);
  });
  it("a plain number handed back as aux is plain: it can be used after the transform returned", () => {
    const [, aux] = grad((x: Real) => [square(x), { half: mul(0.5, x) }] as const, withAux)(4);
    expect(typeof aux.half).toBe("number");
    expect(mul(aux.half, 3)).toBe(6);
  });
});

describe("nesting: aux loses this transform's level only", () => {
  it("inside derivative, aux still carries the outer perturbation", () => {
    // inner: output x·y² (grad in y: 2xy), aux x·y, at y = 2: g = 4x, aux = 2x; d/dx (g + aux) = 6
    const outer = derivative((x: Real) => {
      const [g, aux] = grad((y: Real) => [mul(x, square(y)), mul(x, y)] as const, withAux)(2);
      return add(g, aux);
    });
    expectClose(outer(3), 6);
  });
  it("inside grad, the same through vjp and valueAndGrad", () => {
    // vjp: y = x·t², aux = sin(x·t) at t = 1; pullback(1) = 2xt = 2x; d/dx [2x + sin x] = 2 + cos x
    const viaVjp = grad((x: Real) => {
      const [, pullback, aux] = vjp((t: Real) => [mul(x, square(t)), sin(mul(x, t))] as const, 1, withAux);
      return add(pullback(1), aux);
    });
    expectClose(viaVjp(0.7), 2 + Math.cos(0.7));
    // valueAndGrad: value x·t, aux x²·t, ∇ = x at t = 3: 3x + 3x² + x, d/dx = 4 + 6x
    const viaValue = grad((x: Real) => {
      const [[value, aux], g] = valueAndGrad((t: Real) => [mul(x, t), mul(square(x), t)] as const, withAux)(3);
      return add(add(value, aux), g);
    });
    expectClose(viaValue(0.5), 4 + 6 * 0.5);
  });
  it("jvp of a function using aux (forward over reverse)", () => {
    // aux = cos(x·y) at y = 1: d/dx = −sin x
    const [, t] = jvp((x: Real) => grad((y: Real) => [mul(x, y), cos(mul(x, y))] as const, withAux)(1)[1], 0.4, 1);
    expectClose(t, -Math.sin(0.4));
  });
  it("jit(grad(f, { hasAux: true })) gives what grad does", () => {
    const jitted = jit(grad(f, withAux));
    for (const x of [0.5, 1.5, -2]) {
      const [g, aux] = jitted(x);
      const [g0, aux0] = grad(f, withAux)(x);
      expect(g).toBe(g0);
      expect(aux).toEqual(aux0);
    }
  });
  it("large tensors in aux survive the buffer pool's recycling of later transforms", () => {
    const n = 3000; // past the size at which buffers are recycled between transforms
    const base = tensor(Array.from({ length: n }, (_, i) => i / n), [n]);
    const [, aux] = grad((s: Real) => [mul(s, s), mul(base, s)] as const, withAux)(2);
    const before = toArray(aux);
    for (let k = 0; k < 5; k++) grad((s: Real) => sum(mul(base, mul(s, k))))(1);
    expect(toArray(aux)).toEqual(before);
    expect((before as number[])[n - 1]).toBeCloseTo((2 * (n - 1)) / n, 12);
  });
});

describe("errors", () => {
  it("a function that returns no pair under hasAux is a TypeError naming the transform", () => {
    const scalar = (x: Real) => square(x);
    const triple = (x: Real) => [x, x, x];
    const record = (x: Real) => ({ out: x, aux: x });
    for (const bad of [scalar, triple, record]) {
      expectThrows(() => grad(asPair(bad), withAux)(1), TypeError, /^grad: /, "pair [output, aux]");
      expectThrows(() => valueAndGrad(asPair(bad), withAux)(1), TypeError, /^valueAndGrad: /, "pair");
      expectThrows(() => vjp(asPair(bad), 1, withAux), TypeError, /^vjp: /, "pair");
    }
  });
  it("an output that is not a scalar under hasAux is grad's usual TypeError", () => {
    expectThrows(() => grad(asPair((x: Real) => [[x, x], 1]), withAux)(1), TypeError, /^grad: /, "scalar");
  });
  it("a pair returned without hasAux says how to return aux", () => {
    expectThrows(() => grad(((x: Real) => [x, 1]) as never)(1), TypeError, /^grad: /, "hasAux: true");
  });
  it("an aux leaf that is not a Real or a Tensor is a TypeError naming its path", () => {
    const bad = asPair((x: Real) => [x, { info: [1, "two"] }]);
    expectThrows(() => grad(bad, withAux)(1), TypeError, /^grad: /, "auxiliary result", "info[1]");
    expectThrows(() => vjp(bad, 1, withAux), TypeError, /^vjp: /, "info[1]");
  });
  it("options: undefined and {} mean the defaults; null, non-objects, unknown keys and a non-boolean hasAux are TypeErrors", () => {
    expect(grad(square, undefined)(3)).toBe(6);
    expect(grad(square, {})(3)).toBe(6);
    expect(grad(square, { hasAux: false })(3)).toBe(6);
    expect(valueAndGrad(square, undefined)(3)).toEqual([9, 6]);
    expect(vjp(square, 3, undefined)[0]).toBe(9);
    for (const [name, call] of [
      ["grad", (o: unknown) => grad(square, o as never)],
      ["valueAndGrad", (o: unknown) => valueAndGrad(square, o as never)],
      ["vjp", (o: unknown) => vjp(square, 3, o as never)],
    ] as const) {
      for (const bad of [null, 3, "hasAux", true, [true]]) expectThrows(() => call(bad), TypeError, new RegExp(`^${name}: options`));
      expectThrows(() => call({ has_aux: true }), TypeError, new RegExp(`^${name}: unknown option "has_aux"`));
      expectThrows(() => call({ hasAux: "yes" }), TypeError, new RegExp(`^${name}: options.hasAux must be a boolean`));
    }
  });
  it("options are checked when the transform is made, before any argument", () => {
    expectThrows(() => grad(square, null as never), TypeError, "grad: options");
  });
});

describe("types", () => {
  it("the overloads give the layouts, plain for plain arguments and Reals inside transforms", () => {
    expectTypeOf(grad(f, withAux)(1)).toEqualTypeOf<readonly [number, { readonly cube: number; readonly e: number }]>();
    expectTypeOf(valueAndGrad(f, withAux)(1)).toEqualTypeOf<
      readonly [readonly [number, { readonly cube: number; readonly e: number }], number]
    >();
    const [y, pullback, aux] = vjp((p: readonly Real[]) => [sum(p), { n: p[0] }] as const, [1, 2], withAux);
    expectTypeOf(y).toEqualTypeOf<number>();
    expectTypeOf(aux).toEqualTypeOf<{ readonly n: number }>();
    expectTypeOf(pullback).parameter(0).toEqualTypeOf<Real>();
    // without hasAux, the types are as before
    expectTypeOf(grad(square)(1)).toEqualTypeOf<number>();
    expectTypeOf(vjp(square, 1)).toEqualTypeOf<readonly [number, (u: Real) => number]>();
  });
  it("a pair needs { hasAux: true }, and hasAux needs a pair", () => {
    // @ts-expect-error: a pair without hasAux
    expect(() => grad((x: Real) => [x, x] as const)).not.toThrow();
    // @ts-expect-error: hasAux on a function returning a scalar
    expect(() => grad((x: Real) => x, withAux)).not.toThrow();
    // @ts-expect-error: hasAux on vjp of a function returning no pair
    expect(() => vjp((x: Real) => x, 1, withAux)).toThrow(TypeError);
  });
});
