// vmap's inAxes and outAxes (numbers, negative axes, null, nested prefixes of arrays and records, the
// default 0), what the function sees per example, the errors of SPEC §3 (each naming its path), and
// purity: results frozen and plain, inputs never changed, f called once for the whole batch.
import { describe, expect, it } from "vitest";
import {
  add, derivative, grad, jvp, matmul, mul, primal, type Real, sin, sum, Tensor, tensor, toArray, vmap,
} from "../../../src/index.ts";
import { expectDeepFrozen, expectThrows, snapshot } from "../../support/approx.ts";
import { type AxisSpec, expectSameTree, sample, stacked } from "../../support/stacking.ts";

function agrees(f: (x: never) => unknown, x: unknown, inAxes?: AxisSpec, outAxes?: AxisSpec): unknown {
  const expected = stacked(f, x, inAxes ?? 0, outAxes ?? 0);
  const g = f as (x: unknown) => unknown;
  const actual = inAxes === undefined ? vmap(g)(x as never) : outAxes === undefined ? vmap(g, inAxes)(x as never) : vmap(g, inAxes, outAxes)(x as never);
  expectSameTree(actual, expected);
  return actual;
}

describe("vmap: inAxes", () => {
  const f = (p: { w: Tensor; b: Real; xs: readonly Tensor[] }) => add(mul(sum(matmul(p.xs[0], p.w)), p.b), sum(p.xs[1]));
  const tree = { w: sample([3, 2], 1), b: sample([4], 2), xs: [sample([4, 3], 3), sample([2, 4], 4)] };
  it("the default 0 maps axis 0 of every leaf", () => {
    agrees((x: readonly Tensor[]) => add(x[0], sum(x[1])), [sample([4, 2], 5), sample([4, 3], 6)]);
  });
  it("a number maps that axis of every tensor below it; negative counts from the end", () => {
    agrees((x: readonly Tensor[]) => add(x[0], sum(x[1])), [sample([2, 4], 5), sample([3, 4], 6)], 1);
    agrees((x: readonly Tensor[]) => add(x[0], sum(x[1])), [sample([2, 4], 5), sample([3, 4], 6)], -1);
    agrees((x: readonly Tensor[]) => add(x[0], sum(x[1])), [sample([4, 2], 5), sample([4, 3], 6)], -2);
  });
  it("a nested prefix of records and arrays, with null for the shared parts", () => {
    agrees(f, tree, { w: null, b: 0, xs: [0, -1] });
    agrees(f, tree, { w: null, b: 0, xs: [0, 1] });
  });
  it("a prefix may stop above the leaves: a number or null for a whole subtree", () => {
    const t2 = { w: sample([3, 2], 1), b: sample([4], 2), xs: [sample([4, 3], 3), sample([4, 2], 4)] };
    agrees(f, t2, { w: null, b: 0, xs: 0 });
    agrees((p: readonly [Tensor, readonly Tensor[]]) => add(sum(p[0]), sum(p[1][1])), [sample([2], 1), [sample([4], 2), sample([4, 3], 3)]], [null, 0]);
  });
  it("the prefix's keys may come in another order than the argument's", () => {
    agrees(f, tree, { xs: [0, -1], b: 0, w: null });
  });
  it("a shared plain number or Real is seen as it is by every example", () => {
    agrees((p: readonly Real[]) => mul(p[0], p[1]), [2.5, sample([3], 7)], [null, 0]);
    const d = derivative((s: Real) => sum(vmap((p: readonly Real[]) => mul(p[0], sin(p[1])), [null, 0])([s, sample([3], 7)]) as Tensor))(0.5);
    expect(d).toBeCloseTo((toArray(sample([3], 7)) as number[]).reduce((s, v) => s + Math.sin(v), 0), 12);
  });
  it("each example sees the mapped leaves with their axis removed: a 1-D tensor gives scalar Reals", () => {
    const seen: unknown[] = [];
    vmap((p: { a: Tensor; b: Real; c: Tensor }) => {
      seen.push(p.a.shape, (p.b as unknown as Tensor).shape, p.c.shape, p.b instanceof Tensor);
      return p.b;
    }, { a: 1, b: 0, c: null })({ a: sample([2, 5, 3], 1), b: sample([5], 2), c: sample([7], 3) });
    expect(seen).toEqual([[2, 3], [], [7], false]);
    // a per-example Real is not a tensor: taking sum of it is refused as on a plain number
    expect(() => vmap((r: Tensor) => sum(r))(sample([3], 1))).toThrow(TypeError);
  });
});

describe("vmap: outAxes", () => {
  const x = sample([3, 2, 4], 1);
  it("a number puts the examples on that axis of every result leaf; negative counts from the end", () => {
    agrees((t: Tensor) => [t, sum(t, 0)], x, 0, 1);
    agrees((t: Tensor) => [t, sum(t, 0)], x, 0, -1);
    agrees((t: Tensor) => ({ a: t, b: sum(t) }), x, 0, { a: 2, b: 0 });
    agrees((t: Tensor) => ({ a: t, b: [sum(t), sum(t, 1)] }), x, 1, { a: -2, b: [-1, 1] });
  });
  it("null returns a part that does not depend on the example once, as it is", () => {
    const w = sample([2, 2], 9);
    const out = agrees((p: readonly Tensor[]) => [matmul(p[1], p[0]), p[0], 7], [w, sample([3, 4, 2], 2)], [null, 0], [0, null, null]) as unknown[];
    expect(out[1]).toBe(w);
    expect(out[2]).toBe(7);
  });
  it("a part that does not depend on the example, with a number there, is repeated for every example", () => {
    agrees((t: Tensor) => [t, 7, tensor([1, 2]), sum(tensor([[1, 2]]), 0)], x, 0, [0, 0, 1, -1]);
  });
  it("a result of an enclosing transform that does not depend on the example is repeated too", () => {
    // the result is a Real of grad's tape, or of an outer vmap, not of this level
    expect(grad((s: Real) => sum(vmap(() => s)(x) as unknown as Tensor))(3)).toBe(3);
    expect(grad((s: Real) => sum(vmap(() => mul(s, s))(x) as unknown as Tensor))(3)).toBe(18);
    expectSameTree(jvp((s: Real) => vmap(() => s)(x), 2, 1)[1], tensor([1, 1, 1]));
    expectSameTree(vmap((a: Real) => vmap(() => a)(x))(tensor([1, 2])), tensor([[1, 1, 1], [2, 2, 2]]));
    expectSameTree(vmap((a: Tensor) => vmap(() => a, 0, 1)(x))(tensor([[1, 2], [3, 4]])), tensor([[[1, 1, 1], [2, 2, 2]], [[3, 3, 3], [4, 4, 4]]]));
  });
});

describe("vmap: errors (SPEC §3)", () => {
  const t = sample([3, 2], 1);
  const id = (x: unknown) => x;
  it("a mapped plain number is a TypeError naming its path", () => {
    expectThrows(() => vmap(id)({ a: t, b: [t, 2] } as never), TypeError, "vmap", "b[1]");
    expectThrows(() => vmap(id, { a: null, b: 0 })({ a: 1, b: 2 } as never), TypeError, "vmap", "b");
  });
  it("a mapped Real of an enclosing transform is a TypeError naming its path", () => {
    expectThrows(() => derivative((s: Real) => vmap(id as (x: unknown) => Real, [0, 0])([t, s] as never) as never)(1), TypeError, "vmap", "[1]");
  });
  it("an axis out of range is a RangeError naming the path and the shape", () => {
    expectThrows(() => vmap(id, { a: null, b: [2] })({ a: t, b: [t] } as never), RangeError, "vmap", "b[0]", "[3,2]");
    expectThrows(() => vmap(id, -3)(t as never), RangeError, "vmap", "-3");
  });
  it("unequal sizes are a RangeError naming both paths and both sizes", () => {
    const e = expectThrows(() => vmap(id, { p: 0, q: [1] })({ p: t, q: [t] } as never), RangeError, "vmap", "p", "q[0]");
    expect(e.message).toMatch(/\b3\b/);
    expect(e.message).toMatch(/\b2\b/);
  });
  it("no mapped leaf is an error", () => {
    expectThrows(() => vmap(id, null)(t as never), Error, "vmap");
    expectThrows(() => vmap(id, [null, null])([t, 1] as never), Error, "vmap");
  });
  it("outAxes null on a result that depends on the example is a TypeError naming its path", () => {
    expectThrows(() => vmap((x: Tensor) => ({ y: [1, x] }), 0, { y: [null, null] })(t), TypeError, "vmap", "y[1]");
    expectThrows(() => vmap(id, 0, null)(t as never), TypeError, "vmap");
  });
  it("an out axis out of range is a RangeError", () => {
    expectThrows(() => vmap((x: Tensor) => sum(x), 0, 1)(t), RangeError, "vmap", "outAxes");
  });
  it("a prefix that does not fit the tree is a TypeError naming the path", () => {
    expectThrows(() => vmap(id, [0, 0])({ a: t } as never), TypeError, "vmap", "inAxes");
    expectThrows(() => vmap(id, { a: { w: 0 } })({ a: { v: t } } as never), TypeError, "vmap", "a");
    expectThrows(() => vmap(id, { a: [0, 0, 0] })({ a: [t, t] } as never), TypeError, "vmap", "a");
    expectThrows(() => vmap(id, { a: [0] })({ a: t } as never), TypeError, "vmap", "a");
    expectThrows(() => vmap(id, 0, { y: 0 })(t as never), TypeError, "vmap", "outAxes");
    expectThrows(() => vmap(id, 0.5)(t as never), TypeError, "vmap");
    expectThrows(() => vmap(id, "0" as unknown as number)(t as never), TypeError, "vmap");
  });
  it("a leaf that is not a number, Real or Tensor is a TypeError naming its path", () => {
    expectThrows(() => vmap(id)({ a: t, b: ["x"] } as never), TypeError, "vmap", "b[0]");
    expectThrows(() => vmap(() => ({ y: "no" }))(t), TypeError, "vmap", "y");
  });
  it("primal of a value that depends on the example is a TypeError naming vmap", () => {
    expectThrows(() => vmap((x: Real) => primal(x))(sample([3], 1)), TypeError, "vmap");
    expectThrows(() => vmap((x: Tensor): unknown => toArray(x))(t), TypeError, "vmap");
    // a shared value may be read
    expect(toArray(vmap((p: readonly Real[]) => mul(primal(p[0]), p[1]), [null, 0])([2, sample([3], 1)]) as Tensor)).toHaveLength(3);
  });
  it("JavaScript's own arithmetic on a batched value is a TypeError", () => {
    expect(() => vmap((x: Real) => (x as unknown as number) * 2)(sample([3], 1))).toThrow(TypeError);
  });
  it("a batched value that escaped and is used later is an Error naming vmap", () => {
    let kept: Real = 0;
    vmap((x: Real) => {
      kept = x;
      return x;
    })(sample([3], 1));
    expectThrows(() => add(kept, 1), Error, "vmap");
    expectThrows(() => sin(kept), Error, "vmap");
    expectThrows(() => vmap((y: Real) => mul(y, kept))(sample([3], 2)), Error, "vmap");
    expectThrows(() => grad((y: Real) => mul(y, kept))(2), Error, "vmap");
  });
  it("a function that is not a function is a TypeError", () => {
    expectThrows(() => vmap(3 as never), TypeError, "vmap");
  });
});

describe("vmap: purity", () => {
  it("results are deeply frozen, plain arrays and records of Tensors", () => {
    const y = vmap((x: Tensor) => ({ a: [x, sum(x)], b: 2 }), 0, { a: 0, b: null })(sample([3, 2], 1));
    expectDeepFrozen(y);
    expect(Object.getPrototypeOf(y)).toBe(Object.prototype);
    expect(Array.isArray(y.a)).toBe(true);
    expect(y.a[0]).toBeInstanceOf(Tensor);
    expect(y.a[1]).toBeInstanceOf(Tensor);
  });
  it("inputs are never changed, and the same input gives the same output", () => {
    const x = { w: sample([2, 2], 1), xs: [sample([3, 2], 2)] };
    const before = snapshot(x);
    const g = vmap((p: { w: Tensor; xs: readonly Tensor[] }) => matmul(p.xs[0], p.w), { w: null, xs: 0 });
    const first = toArray(g(x) as Tensor);
    expect(snapshot(x)).toEqual(before);
    expect(toArray(g(x) as Tensor)).toEqual(first);
    expect(Object.isFrozen(x)).toBe(false);
  });
  it("f runs once for the whole batch, not once per example", () => {
    let calls = 0;
    vmap((x: Tensor) => {
      calls++;
      return sin(x);
    })(sample([50, 2], 1));
    expect(calls).toBe(1);
  });
  it("each getter of the argument and of the result is read once", () => {
    let reads = 0;
    const arg = {
      get a() {
        reads++;
        return sample([3], 1);
      },
    };
    vmap((p: { a: Real }) => p.a)(arg);
    expect(reads).toBe(1);
    reads = 0;
    vmap((x: Real) => ({
      get y() {
        reads++;
        return x;
      },
    }))(sample([3], 1));
    expect(reads).toBe(1);
  });
  it("a batch of one and a batch of none", () => {
    expectSameTree(vmap((x: Tensor) => sum(x))(sample([1, 3], 1)), stacked((x: Tensor) => sum(x), sample([1, 3], 1)));
    const none = vmap((x: Tensor) => [sin(x), sum(x), 1])(tensor(new Array<number>(0), [0, 3]));
    expect(none.map((y) => [...(y as Tensor).shape])).toEqual([[0, 3], [0], [0]]);
  });
});
