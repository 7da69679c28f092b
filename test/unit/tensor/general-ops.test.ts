// The general tensor ops of SPEC §4 (stack, expandDims, squeeze, broadcastTo, where, take, amax/amin,
// variance): values against plain-JavaScript references, gradients against closed forms, and the
// errors they give. (Their laws run from the catalogue in laws/test/tensors*.laws.test.ts.)
import { describe, expect, it } from "vitest";
import {
  amax, amin, broadcastTo, expandDims, grad, jvp, mul, squeeze, stack, sum, take, tensor, toArray, variance, vjp, vmap, where,
  type Tensor,
} from "../../../src/index.ts";
import { expectTreeClose } from "../../support/approx.ts";

const t23 = tensor([[1, 2, 3], [4, 5, 6]]);

describe("stack, expandDims, squeeze, broadcastTo", () => {
  it("stack joins along a new axis, anywhere (negative from the end of the result)", () => {
    const a = tensor([1, 2]);
    const b = tensor([3, 4]);
    expect(toArray(stack([a, b]))).toEqual([[1, 2], [3, 4]]);
    expect(toArray(stack([a, b], 1))).toEqual([[1, 3], [2, 4]]);
    expect(toArray(stack([a, b], -1))).toEqual([[1, 3], [2, 4]]);
    expect(toArray(stack([1, 2, 3]))).toEqual([1, 2, 3]); // Reals stack into a vector
    expect(() => stack([a, tensor([1, 2, 3])])).toThrow(RangeError);
    expect(() => stack([a, tensor([1, 2, 3])])).toThrow(/stack: shapes \[2\] and \[3\]/);
    expect(() => stack([])).toThrow(TypeError);
  });

  it("expandDims and squeeze add and remove axes of extent 1", () => {
    expect(expandDims(t23, 1).shape).toEqual([2, 1, 3]);
    expect(expandDims(t23, -1).shape).toEqual([2, 3, 1]);
    expect(squeeze(tensor([[[1], [2]]])).shape).toEqual([2]);
    expect(squeeze(tensor([[[1], [2]]]), 2).shape).toEqual([1, 2]);
    expect(() => squeeze(t23, 0)).toThrow(/squeeze: axis 0 of shape \[2,3\] has extent 2/);
    expect(() => expandDims(t23, 4)).toThrow(RangeError);
  });

  it("broadcastTo repeats as NumPy does, and names both shapes when it cannot", () => {
    expect(toArray(broadcastTo(tensor([1, 2, 3]), [2, 3]))).toEqual([[1, 2, 3], [1, 2, 3]]);
    expect(toArray(broadcastTo(tensor([[1], [2]]), [2, 2]))).toEqual([[1, 1], [2, 2]]);
    expect(toArray(broadcastTo(5, [2]))).toEqual([5, 5]);
    expect(() => broadcastTo(t23, [3, 3])).toThrow(/broadcastTo: shape \[2,3\] does not broadcast to \[3,3\]/);
    // its pullback sums back over the repeated axes
    expect(toArray(grad((x: Tensor) => sum(mul(broadcastTo(x, [4, 3]), tensor([1, 2, 3]))))(tensor([0, 0, 0])))).toEqual([4, 8, 12]);
  });
});

describe("where", () => {
  it("chooses elementwise with broadcasting; the gradient flows to the branch chosen", () => {
    const a = tensor([1, 2, 3]);
    const b = tensor([10, 20, 30]);
    expect(toArray(where([true, false, true], a, b) as Tensor)).toEqual([1, 20, 3]);
    expect(toArray(where(tensor([0, 1, 0]), a, 0) as Tensor)).toEqual([0, 2, 0]);
    expect(toArray(where([[true], [false]], a, b) as Tensor)).toEqual([[1, 2, 3], [10, 20, 30]]);
    const [ga, gb] = grad(([x, y]: readonly [Tensor, Tensor]) => sum(mul(where([true, false, true], x, y), tensor([1, 2, 3]))))([a, b]);
    expect(toArray(ga)).toEqual([1, 0, 3]);
    expect(toArray(gb)).toEqual([0, 2, 0]);
    expect(() => where("yes", a, b)).toThrow(TypeError);
    expect(() => where([true, false], a, b)).toThrow(/where: shapes/);
  });
});

describe("take", () => {
  it("gathers rows by plain integer indices of any shape, negative from the end", () => {
    expect(toArray(take(t23, [1, 0, -1]))).toEqual([[4, 5, 6], [1, 2, 3], [4, 5, 6]]);
    expect(toArray(take(t23, [[2], [0]], 1))).toEqual([[[3], [1]], [[6], [4]]]);
    expect(toArray(take(t23, 1))).toEqual([4, 5, 6]);
    expect(toArray(take(tensor([5, 6, 7]), tensor([2, 2])))).toEqual([7, 7]);
  });

  it("scatter-adds its gradient, repeated indices accumulating", () => {
    const g = grad((x: Tensor) => sum(mul(take(x, [0, 2, 0, 0]), tensor([1, 10, 100, 1000]))))(tensor([0, 0, 0]));
    expect(toArray(g)).toEqual([1101, 0, 10]);
    // forward mode: the tangent is gathered the same way
    expect(toArray(jvp((x: Tensor) => take(x, [2, 0]), tensor([1, 2, 3]), tensor([0.5, 0.25, 0.125]))[1])).toEqual([0.125, 0.5]);
  });

  it("refuses an index outside [−n, n) or not an integer with a RangeError", () => {
    expect(() => take(t23, [2])).toThrow(RangeError);
    expect(() => take(t23, [-3])).toThrow(/take: index -3/);
    expect(() => take(t23, [0.5])).toThrow(RangeError);
    expect(() => take(t23, [0], 2)).toThrow(RangeError);
  });
});

describe("amax, amin, variance", () => {
  it("reduce every element or along an axis", () => {
    expect(amax(t23)).toBe(6);
    expect(amin(t23)).toBe(1);
    expect(toArray(amax(t23, 0))).toEqual([4, 5, 6]);
    expect(toArray(amin(t23, -1))).toEqual([1, 4]);
    expect(Number.isNaN(amax(tensor([1, NaN, 3])))).toBe(true);
    expect(() => amax(tensor([]))).toThrow(RangeError);
  });

  it("share the gradient equally among tied elements", () => {
    const g = grad((x: Tensor) => amax(x))(tensor([3, 1, 3, 2, 3]));
    expectTreeClose(toArray(g), [1 / 3, 0, 1 / 3, 0, 1 / 3]);
    const [, pullback] = vjp((x: Tensor) => amin(x, 1), tensor([[2, 2], [1, 5]]));
    expect(toArray(pullback(tensor([1, 1])))).toEqual([[0.5, 0.5], [1, 0]]);
  });

  it("variance is the mean squared deviation (ddof 0), with gradient 2(x − mean)/n", () => {
    const x = [1, 2, 3, 4];
    const m = 2.5;
    expect(variance(tensor(x))).toBeCloseTo(x.reduce((s, v) => s + (v - m) ** 2, 0) / 4, 14);
    expect(toArray(variance(t23, 1))).toEqual([2 / 3, 2 / 3]);
    expectTreeClose(toArray(grad((v: Tensor) => variance(v))(tensor(x))), x.map((v) => (2 * (v - m)) / 4));
  });
});

describe("take under vmap, with indices that differ per example", () => {
  const t = tensor([[1, 2, 3], [4, 5, 6]]);
  const idx = tensor([[2, 0], [1, -1]]);

  it("gathers each example's own indices, from a shared or a batched tensor", () => {
    expect(toArray(vmap((i: Tensor) => take(t, i, 1))(idx))).toEqual([[[3, 1], [6, 4]], [[2, 3], [5, 6]]]);
    expect(toArray(vmap(([r, i]: readonly [Tensor, Tensor]) => take(r, i))([t, idx]))).toEqual([[3, 1], [5, 6]]);
  });

  it("sends the gradient back to each example's rows (a shared tensor gets the sum)", () => {
    const perRow = grad((tt: Tensor) => sum(vmap(([r, i]: readonly [Tensor, Tensor]) => take(r, i))([tt, tensor([[0, 0], [2, 1]])])))(t);
    expect(toArray(perRow)).toEqual([[2, 0, 0], [0, 1, 1]]);
    const shared = grad((tt: Tensor) => sum(vmap((i: Tensor) => take(tt, i, 1))(idx)))(t);
    expect(toArray(shared)).toEqual([[1, 1, 2], [1, 1, 2]]);
  });

  it("refuses an index outside its example's axis, instead of reading the next example's rows", () => {
    expect(() => vmap((i: Tensor) => take(t, i, 1))(tensor([[3], [0]]))).toThrow(RangeError);
  });
});
