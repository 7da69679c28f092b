// vmap against its definition: f applied to each example separately and the results stacked (SPEC §3),
// for every scalar op on per-example scalars and tensors (broadcast against shared operands of other
// ranks), the reductions, the layout ops and matmul in every batched/shared arrangement, and sum/dot
// of arrays of Reals. The reference cuts examples out and stacks results with plain arrays
// (test/support/stacking.ts); results must agree to 1e-12 relative. Axes, errors and purity are in
// vmap-axes.test.ts, nesting with the other transforms in vmap-nesting.test.ts.
import { describe, expect, it } from "vitest";
import {
  add, concat, dot, logSumExp, matmul, mean, mul, primitives, type Real, reshape, slice, softmax, sum, type Tensor, tensor, transpose, vmap,
} from "../../../src/index.ts";
import { type AxisSpec, expectSameTree, sample, stacked } from "../../support/stacking.ts";

/** vmap(f, inAxes, outAxes)(x) against f on each example, stacked. */
function agrees(f: (x: never) => unknown, x: unknown, inAxes: AxisSpec = 0, outAxes: AxisSpec = 0): void {
  const expected = stacked(f, x, inAxes, outAxes);
  const actual = vmap(f as (x: unknown) => unknown, inAxes, outAxes)(x as never);
  expectSameTree(actual, expected);
}

const B = 3;
const scalarOps = primitives.filter((p) => p.arity <= 2);
const intervalOf = (p: (typeof primitives)[number], i: number): readonly [number, number] => p.domain.args[Math.min(i, p.domain.args.length - 1)];

describe("vmap of every scalar op equals stacking it over the examples", () => {
  it("covers the whole scalar table of SPEC §2", () => {
    const names = "add sub mul div neg exp log sin cos tan tanh sigmoid relu softplus sqrt square pow abs max min".split(" ");
    expect(scalarOps.map((p) => p.name).sort()).toEqual(names.sort());
  });

  const unary = scalarOps.filter((p) => p.arity === 1);
  // [full shape, in axis, out axis]: per-example scalars, and tensors mapped on a middle or last axis
  const unaryCases: readonly [readonly number[], number, number][] = [
    [[B], 0, 0],
    [[B, 4], 0, 0],
    [[2, B, 4], 1, 0],
    [[4, B], -1, 1],
    [[2, 3, B], 2, -1],
  ];
  describe.each(unary.map((p) => [p.name, p] as const))("%s", (_name, p) => {
    const [lo, hi] = intervalOf(p, 0);
    it.each(unaryCases.map((c, i) => [JSON.stringify(c), c, i] as const))("on %s", (_label, [shape, inAxis, outAxis], seed) => {
      agrees((x: Tensor) => p.apply([x as unknown as Real]), sample(shape, seed, lo, hi), inAxis, outAxis);
    });
  });

  // [a's full shape, a's axis (null: shared), b's full shape, b's axis]: a batched operand against a
  // shared one of another rank (on either side), two batched ones whose examples broadcast, a shared
  // plain number, per-example scalars against tensors
  type Side = readonly [readonly number[] | "number", number | null];
  const binaryCases: readonly (readonly [Side, Side])[] = [
    [[[B], 0], [[4], null]],
    [[[4], null], [[B], 0]],
    [["number", null], [[B, 2, 4], 0]],
    [[[B, 2, 4], 0], ["number", null]],
    [[[B, 4], 0], [[2, 4], null]],
    [[[2, 4], null], [[B, 4], 0]],
    [[[2, B, 4], 1], [[4], null]],
    [[[B, 2, 1], 0], [[4, B], 1]],
    [[[2, 1, 4], null], [[B], -1]],
    [[[B], 0], [[B], 0]],
    [[[2, 4, B], -1], [[B, 2, 4], 0]],
    [[[B, 1, 4], 0], [[2, B, 1], 1]],
  ];
  const binary = scalarOps.filter((p) => p.arity === 2);
  describe.each(binary.map((p) => [p.name, p] as const))("%s", (_name, p) => {
    it.each(binaryCases.map((c, i) => [JSON.stringify(c), c, i] as const))("on %s", (_label, sides, seed) => {
      const leaves = sides.map(([shape], i) => {
        const [lo, hi] = intervalOf(p, i);
        return shape === "number" ? (lo + hi) / 2 + 1 / 64 : sample(shape, 7 * seed + i, lo, hi);
      });
      agrees(([a, b]: readonly Real[]) => p.apply([a, b]), leaves, sides.map(([, axis]) => axis));
    });
  });

  it("kinks: relu, abs, max and min at their kinks give the value there", () => {
    agrees((x: Real) => [p("relu")(x), p("abs")(x)], tensor([-1, 0, 2, -0]));
    const [a, b] = [tensor([1, 2, 3, 0]), tensor([1, 1, 4, -0])];
    agrees(([x, y]: readonly Real[]) => [p("max")(x, y), p("min")(x, y)], [a, b]);
  });
});

const p = (name: string) => {
  const prim = primitives.find((q) => q.name === name)!;
  return (...xs: Real[]) => prim.apply(xs);
};

describe("vmap of the reductions equals stacking them", () => {
  const x = sample([B, 2, 4], 1);
  const cases: readonly [string, (t: Tensor) => unknown][] = [
    ["sum", (t) => sum(t)],
    ["sum axis 0", (t) => sum(t, 0)],
    ["sum axis -1", (t) => sum(t, -1)],
    ["mean", (t) => mean(t)],
    ["mean axis 1", (t) => mean(t, 1)],
    ["mean axis -2", (t) => mean(t, -2)],
    ["softmax", (t) => softmax(t)],
    ["softmax axis 0", (t) => softmax(t, 0)],
    ["logSumExp", (t) => logSumExp(t)],
    ["logSumExp axis 0", (t) => logSumExp(t, 0)],
    ["logSumExp axis -1", (t) => logSumExp(t, -1)],
    ["a reduction mixed with its input", (t) => mul(sub1(t, mean(t, 1)), logSumExp(t))],
  ];
  describe.each(cases)("%s", (_name, f) => {
    it.each([0, 1, 2, -1])("mapped on axis %d", (axis) => {
      const t = axis === 0 ? x : sample(axis === 1 ? [2, B, 4] : [2, 4, B], 2 + axis);
      agrees(f, t, axis);
    });
    it("with the result's examples on the last axis", () => agrees(f, x, 0, -1));
  });
  it("of a per-example vector, whose examples are rows", () => {
    agrees((t: Tensor) => [sum(t), mean(t), logSumExp(t), softmax(t)], sample([B, 5], 3));
  });
});

const sub1 = (a: Tensor, b: Tensor): Tensor => add(a, mul(-1, reshape(b, [2, 1])));

describe("vmap of the layout ops equals stacking them", () => {
  const x = sample([B, 2, 3], 4);
  const xs = [sample([B, 2, 3], 5), sample([2, B, 3], 6), sample([2, 3, B], 7)] as const;
  const shared = sample([2, 3], 8);
  const cases: readonly [string, (t: Tensor) => unknown][] = [
    ["reshape", (t) => reshape(t, [3, 2])],
    ["reshape with -1", (t) => reshape(t, [-1])],
    ["reshape to more axes", (t) => reshape(t, [1, 3, 2, 1])],
    ["transpose", (t) => transpose(t)],
    ["transpose of a reshape, by a permutation", (t) => transpose(reshape(t, [2, 1, 3]), [2, 0, 1])],
    ["slice", (t) => slice(t, 1)],
    ["slice on axis 1, negative end", (t) => slice(t, 0, -1, 1)],
    ["slice with a negative begin", (t) => slice(t, -2, undefined, -1)],
    ["concat with a shared tensor after", (t) => concat([t, shared], 0)],
    ["concat with a shared tensor before, on axis 1", (t) => concat([shared, t, t], 1)],
    ["concat on the last axis", (t) => concat([t, mul(2, t)], -1)],
  ];
  describe.each(cases)("%s", (_name, f) => {
    it.each([0, 1, 2])("mapped on axis %d", (axis) => agrees(f, xs[axis], axis));
    it("with the result's examples on axis 1", () => agrees(f, x, 0, 1));
  });
  it("concat of two batched tensors mapped on different axes", () => {
    agrees(([a, b]: readonly Tensor[]) => concat([a, b], 1), [xs[0], xs[2]], [0, 2]);
    agrees(([a, b]: readonly Tensor[]) => concat([b, a, b], 0), [xs[1], xs[2]], [1, -1]);
  });
});

describe("vmap of matmul equals stacking it", () => {
  const [n, k, m] = [2, 3, 4];
  type Side = readonly [readonly number[], number | null];
  // [left's full shape and axis, right's]: batched × shared, shared × batched, batched × batched,
  // vectors on either side, a 3-D left operand
  const cases: readonly [string, Side, Side][] = [
    ["batched × shared", [[B, n, k], 0], [[k, m], null]],
    ["batched on axis 2 × shared", [[n, k, B], 2], [[k, m], null]],
    ["shared × batched", [[n, k], null], [[B, k, m], 0]],
    ["shared × batched on axis 1", [[n, k], null], [[k, B, m], 1]],
    ["batched × batched", [[B, n, k], 0], [[B, k, m], 0]],
    ["batched × batched on other axes", [[n, B, k], 1], [[k, m, B], -1]],
    ["batched vector × shared matrix", [[B, k], 0], [[k, m], null]],
    ["shared vector × batched matrix", [[k], null], [[B, k, m], 0]],
    ["batched matrix × shared vector", [[B, n, k], 0], [[k], null]],
    ["shared matrix × batched vector", [[n, k], null], [[k, B], 1]],
    ["batched vector × batched vector", [[B, k], 0], [[B, k], 0]],
    ["batched vector × shared vector", [[B, k], 0], [[k], null]],
    ["batched 3-D × shared", [[B, 2, n, k], 0], [[k, m], null]],
    ["shared 3-D × batched", [[2, n, k], null], [[B, k, m], 0]],
    ["batched 3-D × batched", [[2, n, B, k], 2], [[B, k, m], 0]],
  ];
  it.each(cases)("%s", (_name, [sa, aa], [sb, ab]) => {
    agrees(([a, b]: readonly Tensor[]) => matmul(a, b), [sample(sa, 11), sample(sb, 12)], [aa, ab]);
  });
  it("a chain of products with a transpose and a batched matrix on both sides", () => {
    const w = sample([k, k], 13);
    agrees(
      ([a, b]: readonly Tensor[]) => matmul(transpose(matmul(a, w)), matmul(a, b)),
      [sample([B, n, k], 14), sample([B, k, m], 15)],
    );
  });
});

describe("vmap of sum and dot of arrays of Reals equals stacking them", () => {
  const reals = [sample([B], 21), sample([B], 22), sample([B], 23)];
  it("sum of per-example Reals, with shared numbers among them", () => {
    agrees((xs: readonly Real[]) => sum([...xs, 0.5]), reals);
    agrees((xs: readonly Real[]) => sum([xs[0], 2, xs[2], xs[1]]), [reals[0], 7, reals[2], reals[1]], [0, null, 0, 0]);
  });
  it("dot of per-example Reals with shared and per-example Reals", () => {
    agrees((xs: readonly Real[]) => dot([xs[0], xs[1]], [xs[2], 0.25]), reals);
    agrees((xs: readonly Real[]) => dot([xs[0], xs[1]], [xs[1], xs[0]]), [reals[0], 1.5], [0, null]);
  });
  it("sum and dot over the elements of a per-example tensor, read as Reals", () => {
    agrees((t: Tensor) => {
      const es = [0, 1, 2].map((i) => sum(slice(t, i, i + 1)));
      return [sum(es), dot(es, [1, -2, 3])];
    }, sample([B, 3], 24));
  });
});
