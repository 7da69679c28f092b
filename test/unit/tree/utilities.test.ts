// Tree utilities (SPEC §3): treeLeaves in the order transforms use, treeFlatten and treeUnflatten as
// inverses, treeMap over trees of one structure, treeReduce; frozen results; every error names a path.
import fc from "fast-check";
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  add, grad, mul, type Real, square, sum, type Tensor, tensor, toArray, treeFlatten, treeLeaves, treeMap, treeReduce, treeUnflatten,
  type TreeDef, withL2,
} from "../../../src/index.ts";
import { leavesOf } from "../../../laws/trees.ts";
import { expectDeepFrozen, expectTensor, expectThrows } from "../../support/approx.ts";

/** Random trees of numbers: arrays and records (keys that JavaScript orders specially included), nested. */
const trees = fc.letrec<{ tree: unknown }>((tie) => ({
  tree: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.integer({ min: -100, max: 100 }),
    fc.array(tie("tree"), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom("a", "b", "z", "10", "2", "__proto__", "my key"), tie("tree"), { maxKeys: 4 }),
  ),
})).tree;

describe("treeLeaves and treeFlatten", () => {
  it("list leaves arrays by index and records by key order (integer-like keys first, as Object.keys does)", () => {
    const tree = { b: [1, { c: 2, a: 3 }], a: 4, 10: 6, 2: 5 };
    expect(treeLeaves(tree)).toEqual([5, 6, 1, 2, 3, 4]);
    const [leaves] = treeFlatten(tree);
    expect(leaves).toEqual([5, 6, 1, 2, 3, 4]);
  });
  it("agree with an independent walk (the laws' own) on random trees, and treeUnflatten inverts treeFlatten", () => {
    fc.assert(
      fc.property(trees, (tree) => {
        const [leaves, def] = treeFlatten(tree);
        expect(leaves).toEqual(leavesOf(tree));
        expect(treeLeaves(tree)).toEqual(leaves);
        const back = treeUnflatten(def, leaves);
        expect(back).toEqual(tree);
        expectDeepFrozen(back);
        // and the other way round: the structure of what treeUnflatten built is def again
        const [again, def2] = treeFlatten(treeUnflatten(def, leaves.map((l) => (l as number) * 2)));
        expect(again).toEqual(leaves.map((l) => (l as number) * 2));
        expect(String(def2)).toBe(String(def));
      }),
    );
  });
  it("keep tensors and Reals as leaves, and results are frozen", () => {
    const t = tensor([[1, 2]]);
    const r = treeFlatten({ w: t, b: [0.5] });
    expect(r[0][0]).toBe(t);
    expectDeepFrozen(r);
    expect(Object.isFrozen(treeLeaves([1, 2]))).toBe(true);
  });
  it("give a def that is opaque, frozen and printable", () => {
    const [, def] = treeFlatten({ w: [1, 2], b: 3 });
    expect(Object.keys(def)).toEqual([]);
    expect(Object.isFrozen(def)).toBe(true);
    expect(String(def)).toBe('TreeDef({ "w": [*, *], "b": * })');
    expect(String(treeFlatten(7)[1])).toBe("TreeDef(*)");
  });
  it("name the path of a leaf that is not a number, a Real or a Tensor", () => {
    expectThrows(() => treeLeaves({ a: [1, "x"] } as never), TypeError, /^treeLeaves: /, "a[1]", "string");
    expectThrows(() => treeFlatten({ a: { b: null } } as never), TypeError, /^treeFlatten: /, "a.b", "null");
    expectThrows(() => treeLeaves("x" as never), TypeError, "treeLeaves: the tree is a string");
  });
});

describe("treeUnflatten", () => {
  const [, def] = treeFlatten({ a: 1, b: [2, 3] });
  it("puts leaves of any kind back in the structure (a structure of results)", () => {
    const t = treeUnflatten(def, [tensor([1]), 2, 3]);
    expectTensor(t.a, [1], [1]);
    expect(t.b).toEqual([2, 3]);
    expectDeepFrozen(t);
  });
  it("wants exactly one value per leaf, and says where the first missing one would go", () => {
    expectThrows(() => treeUnflatten(def, [1, 2]), TypeError, /^treeUnflatten: /, "3 leaves", "2 were given", "b[1]");
    expectThrows(() => treeUnflatten(def, [1, 2, 3, 4, 5]), TypeError, "2 too many");
    expectThrows(() => treeUnflatten(def, 3 as never), TypeError, "leaves must be an array");
  });
  it("accepts only a def from treeFlatten", () => {
    expectThrows(() => treeUnflatten({} as TreeDef<number>, [1]), TypeError, /^treeUnflatten: def must be a structure from treeFlatten/);
    expectThrows(() => treeUnflatten(null as never, [1]), TypeError, "treeUnflatten: def");
  });
});

describe("treeMap", () => {
  it("maps one tree leaf by leaf, keeping its structure, tensors included", () => {
    const out = treeMap((l) => mul(l, 2), { w: tensor([1, 2]), b: [3, { c: 4 }] });
    expectTensor(out.w, [2], [2, 4]);
    expect(out.b).toEqual([6, { c: 8 }]);
    expectDeepFrozen(out);
  });
  it("zips trees of one structure: an SGD step", () => {
    const params = { w: [1, 2], b: 0.5 };
    const grads = { w: [0.25, -1], b: 2 };
    expect(treeMap((p, g) => p - 0.1 * g, params, grads)).toEqual({ w: [1 - 0.025, 2 + 0.1], b: 0.5 - 0.2 });
    expect(treeMap((a, b, c) => a + b + c, [1, [2]], [10, [20]], [100, [200]])).toEqual([111, [222]]);
  });
  it("calls fn with the leaves only, once per leaf, in leaf order", () => {
    const calls: unknown[][] = [];
    treeMap((...args: unknown[]) => (calls.push(args), 0), { b: 1, a: [2, 3] });
    expect(calls).toEqual([[1], [2], [3]]);
  });
  it("freezes arrays and records fn returns (results are deeply frozen)", () => {
    const out = treeMap((l) => ({ twice: [l, l] }), [1, 2]);
    expect(out).toEqual([{ twice: [1, 1] }, { twice: [2, 2] }]);
    expectDeepFrozen(out);
  });
  it("a tree of another structure is a TypeError naming the first path that differs", () => {
    const a = { w: [1, 2], b: { c: 3 } };
    expectThrows(() => treeMap((x, y) => x, a, { w: [1], b: { c: 3 } }), TypeError, /^treeMap: the second tree at w /, "length 2");
    expectThrows(() => treeMap((x, y) => x, a, { w: [1, 2], b: {} }), TypeError, "the second tree at b.c is missing");
    expectThrows(() => treeMap((x, y) => x, a, { w: [1, 2], b: { c: 3, d: 4 } }), TypeError, "b.d", "not expected");
    expectThrows(() => treeMap((x, y, z) => x, a, a, { w: [1, [2]], b: { c: 3 } }), TypeError, "the third tree at w[1]", "a leaf");
    expectThrows(() => treeMap((x, y) => x, a, { w: 3, b: { c: 3 } }), TypeError, "w", "an array of length 2");
  });
  it("a bad leaf is a TypeError naming its path; fn must be a function", () => {
    expectThrows(() => treeMap((x) => x, { a: [1, undefined] } as never), TypeError, /^treeMap: /, "a[1]", "undefined");
    expectThrows(() => treeMap(3 as never, [1]), TypeError, /^treeMap: expects a function/);
  });
  it("works inside transforms, on traced leaves, and differentiates", () => {
    // Σ (2·wᵢ)² over the tree: ∂/∂wᵢ = 8·wᵢ
    const g = grad((p: { w: readonly Tensor[]; t: Tensor }) => treeReduce((s: Real, l) => add(s, sum(l)), treeMap((l) => square(mul(l, 2)), p), 0));
    const out = g({ w: [tensor([1]), tensor([-2])], t: tensor([0.5, 3]) });
    expect(out.w.map((t) => toArray(t))).toEqual([[8], [-16]]);
    expect(toArray(out.t)).toEqual([4, 24]);
  });
  it("a Real escaped from a finished transform is an Error naming that transform", () => {
    let kept: Real = 0;
    grad((x: Real) => ((kept = mul(x, 2)), x))(1);
    expectThrows(() => treeMap((l) => l, [kept]), Error, "grad");
  });
});

describe("treeReduce", () => {
  it("folds the leaves in treeLeaves order, from initial", () => {
    const tree = { b: [1, 2], a: { c: 3 } };
    expect(treeReduce((acc: number[], l) => [...acc, l], tree, [])).toEqual([1, 2, 3]);
    expect(treeReduce((acc: number, l) => acc * 10 + l, tree, 0)).toBe(123);
    expect(treeReduce((acc: string, l) => acc + l, [], "empty")).toBe("empty");
  });
  it("without initial, starts from the first leaf; an empty tree then is a TypeError", () => {
    expect(treeReduce((a, b) => a - b, [10, [3, 2]])).toBe(5);
    expectThrows(() => treeReduce((a, b) => a, [] as number[]), TypeError, /^treeReduce: /, "initial value");
  });
  it("names the path of a bad leaf; fn must be a function", () => {
    expectThrows(() => treeReduce((a: number, b) => a, { x: ["1"] } as never, 0), TypeError, /^treeReduce: /, "x[0]");
    expectThrows(() => treeReduce("add" as never, [1], 0), TypeError, /^treeReduce: expects a function/);
  });
});

describe("trees are read once", () => {
  it("each getter of a record is read once per call of treeMap, treeLeaves and withL2 with a selector", () => {
    let reads = 0;
    const tree = { get w() { reads++; return [1, 2]; }, b: 3 };
    treeMap((l) => l, tree);
    expect(reads).toBe(1);
    treeLeaves(tree);
    expect(reads).toBe(2);
    // withL2's selector needs each leaf's path: taken from the structure, not from a second walk
    withL2(0.5, { select: (path) => path[0] === "w" })((p: typeof tree) => p.b)(tree);
    expect(reads).toBe(3); // once for the penalty (the loss reads only b); a second walk for the paths made it 4
  });
});

describe("types", () => {
  it("follow the tree: leaves, mapped leaves, and the round trip", () => {
    const params = { w: tensor([1]), b: [1, 2] as readonly number[] };
    expectTypeOf(treeLeaves(params)).toEqualTypeOf<readonly (Tensor | number)[]>();
    expectTypeOf(treeMap(() => "label", params)).toEqualTypeOf<{ readonly w: string; readonly b: readonly string[] }>();
    const [leaves, def] = treeFlatten(params);
    expectTypeOf(def).toEqualTypeOf<TreeDef<{ w: Tensor; b: readonly number[] }>>();
    expectTypeOf(treeUnflatten(def, leaves)).toEqualTypeOf<{ w: Tensor; b: readonly number[] }>();
    expectTypeOf(treeUnflatten(def, [true, false, true])).toEqualTypeOf<{ readonly w: boolean; readonly b: readonly boolean[] }>();
    expectTypeOf(treeReduce((a: number, l) => a + (typeof l === "number" ? l : 0), params, 0)).toEqualTypeOf<number>();
  });
});
