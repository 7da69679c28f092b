// maxPool2d and avgPool2d against naive nested-loop references (test/support/windows.ts) on odd
// sizes, strides and paddings; their derivatives in both modes against central finite differences;
// where max pooling sends the gradient at ties (the first largest element of each window, as
// TensorFlow does); vmap against a loop; and their errors.
import { describe, expect, it } from "vitest";
import {
  avgPool2d, grad, jit, jvp, maxPool2d, mul, type Pool2dOptions, type Real, sin, square, sum, type Tensor, tensor, toArray, vmap,
} from "../../../src/index.ts";
import { expectThrows } from "../../support/approx.ts";
import { flatten, values } from "../../support/reference.ts";
import { expectSameTree, stacked } from "../../support/stacking.ts";
import { fdDirectional, fdGradient, type Geometry, refAvgPool, refMaxPool, samePads } from "../../support/windows.ts";

const size = (s: readonly number[]): number => s.reduce((p, d) => p * d, 1);
const flat = (t: Tensor): number[] => flatten(toArray(t));
const pair = (v: number | readonly [number, number]): [number, number] => (typeof v === "number" ? [v, v] : [v[0], v[1]]);

function geometryOf(xs: readonly number[], k: readonly [number, number], o: Pool2dOptions): Geometry {
  const stride = o.stride === undefined ? pair(k) : pair(o.stride);
  const p = o.padding ?? "valid";
  const pads = p === "valid" ? ([[0, 0], [0, 0]] as const) : p === "same" ? ([samePads(xs[1], k[0], stride[0]), samePads(xs[2], k[1], stride[1])] as const) : p;
  return { stride, dilation: [1, 1], pads };
}

/** Distinct values (a shuffled ramp), so every window has one largest element and finite differences do not cross a tie. */
function distinct(n: number, seed: number): number[] {
  const keys = values(n, seed);
  const order = keys.map((_, i) => i).sort((i, j) => keys[i] - keys[j]);
  const out = new Array<number>(n);
  order.forEach((i, rank) => (out[i] = rank / n - 0.5));
  return out;
}

interface Case {
  readonly name: string;
  readonly xs: readonly number[];
  readonly size: number | readonly [number, number];
  readonly options: Pool2dOptions;
}

const cases: readonly Case[] = [
  { name: "2×2, stride 2 (default), valid, on a 5×7 image", xs: [2, 5, 7, 3], size: 2, options: {} },
  { name: "3×3, stride 2, same, overlapping windows", xs: [1, 7, 6, 2], size: 3, options: { stride: 2, padding: "same" } },
  { name: "[2, 3], stride [1, 2], explicit [[1, 0], [2, 1]]", xs: [2, 4, 5, 1], size: [2, 3], options: { stride: [1, 2], padding: [[1, 0], [2, 1]] } },
  { name: "2×2, stride 1, same", xs: [1, 3, 4, 2], size: 2, options: { stride: 1, padding: "same" } },
  { name: "3×2, stride 3, same (windows cut by the edge)", xs: [1, 5, 7, 1], size: [3, 2], options: { stride: 3, padding: "same" } },
];

describe.each(cases)("pooling with $name", ({ xs, size: k, options }) => {
  const kk = pair(k);
  const g = geometryOf(xs, kk, options);
  const x0 = distinct(size(xs), 31);
  const X = tensor(x0, xs);
  const refMax = refMaxPool(x0, xs, kk, g);
  const refAvg = refAvgPool(x0, xs, kk, g);
  const r = values(refMax.data.length, 32);
  const R = tensor(r, refMax.shape);

  it("maxPool2d and avgPool2d equal the nested-loop references", () => {
    expectSameTree(maxPool2d(X, k, options), tensor(refMax.data, refMax.shape), 0, 0);
    expectSameTree(avgPool2d(X, k, options), tensor(refAvg.data, refAvg.shape));
  });

  it("have the gradients of central finite differences", () => {
    const maxL = (v: readonly number[]): number => refMaxPool(v, xs, kk, g).data.reduce((s, y, i) => s + Math.sin(y) * r[i], 0);
    const avgL = (v: readonly number[]): number => refAvgPool(v, xs, kk, g).data.reduce((s, y, i) => s + Math.sin(y) * r[i], 0);
    // values 1/n apart: a step of 1e-6 never changes which element is largest
    expectSameTree(grad((x: Tensor) => sum(mul(sin(maxPool2d(x, k, options)), R)))(X), tensor(fdGradient(maxL, x0, 1e-6), xs), 1e-7, 1e-9);
    expectSameTree(grad((x: Tensor) => sum(mul(sin(avgPool2d(x, k, options)), R)))(X), tensor(fdGradient(avgL, x0, 1e-6), xs), 1e-7, 1e-9);
  });

  it("have the forward derivatives of central finite differences", () => {
    const d = values(x0.length, 33);
    const [, tm] = jvp((x: Tensor) => maxPool2d(x, k, options), X, tensor(d, xs));
    expectSameTree(tm, tensor(fdDirectional((v) => refMaxPool(v, xs, kk, g).data, x0, d, 1e-4), refMax.shape), 1e-9, 1e-11);
    const [, ta] = jvp((x: Tensor) => avgPool2d(x, k, options), X, tensor(d, xs));
    expectSameTree(ta, tensor(fdDirectional((v) => refAvgPool(v, xs, kk, g).data, x0, d, 0.5), refAvg.shape), 1e-10, 1e-12);
  });

  it("have second derivatives: the Hessian-vector product of Σ r·maxPool(x)² against finite differences of the gradient", () => {
    // ∂/∂x Σ r·y² = scatter(2r·y) at the chosen elements, by hand from the reference's choices
    const gradRef = (v: readonly number[]): number[] => fdGradient((u) => refMaxPool(u, xs, kk, g).data.reduce((s, y, i) => s + r[i] * y * y, 0), v, 1e-6);
    const d = values(x0.length, 34);
    const L = (x: Tensor): Real => sum(mul(square(maxPool2d(x, k, options)), R));
    const [, hv] = jvp(grad(L), X, tensor(d, xs));
    expectSameTree(hv, tensor(fdDirectional(gradRef, x0, d, 1e-4), xs), 1e-5, 1e-6);
  });
});

describe("where max pooling sends the gradient", () => {
  it("ties: to the first largest element of each window, in row-major window order (overlapping windows add up)", () => {
    const ones = tensor(new Array(8).fill(1), [1, 2, 4, 1]);
    expect(flat(grad((x: Tensor) => sum(maxPool2d(x, 2)))(ones))).toEqual([1, 0, 1, 0, 0, 0, 0, 0]);
    expect(flat(grad((x: Tensor) => sum(maxPool2d(x, 2, { stride: 1 })))(ones))).toEqual([1, 1, 1, 0, 0, 0, 0, 0]);
    // a tie between the second and fourth element of the window: the second wins
    const x = tensor([0, 5, -1, 5], [1, 2, 2, 1]);
    expect(flat(grad((t: Tensor) => sum(maxPool2d(t, 2)))(x))).toEqual([0, 1, 0, 0]);
    // forward mode reads the tangent at the same element
    expect(flat(jvp((t: Tensor) => maxPool2d(t, 2), x, tensor([10, 20, 30, 40], [1, 2, 2, 1]))[1])).toEqual([20]);
  });
  it("per channel: each channel chooses its own element", () => {
    const x = tensor([1, 9, 3, 2, 4, 0, 2, 8], [1, 2, 2, 2]); // channel 0: 1,3,4,2 → index 2; channel 1: 9,2,0,8 → index 0
    expect(toArray(maxPool2d(x, 2))).toEqual([[[[4, 9]]]]);
    expect(flat(grad((t: Tensor) => sum(mul(maxPool2d(t, 2), tensor([1, 10], [1, 1, 1, 2]))))(x))).toEqual([0, 10, 0, 0, 1, 0, 0, 0]);
  });
  it("padding never wins: an all-negative image pooled with \"same\" keeps its own largest elements", () => {
    const x = tensor([-5, -4, -3, -2, -1, -6, -7, -8, -9], [1, 3, 3, 1]);
    expect(flat(maxPool2d(x, 2, { padding: "same" }))).toEqual([-1, -3, -7, -9]);
    expect(flat(avgPool2d(x, 2, { padding: "same" }))).toEqual([-3, -4.5, -7.5, -9]);
  });
  it("a NaN in a window is its maximum", () => {
    expect(flat(maxPool2d(tensor([1, NaN, 3, 2], [1, 2, 2, 1]), 2))).toEqual([NaN]);
  });
  it("jit(grad) follows the choice of each new input", () => {
    const L = (x: Tensor): Real => sum(mul(maxPool2d(x, 2), tensor([1, 2], [1, 1, 2, 1])));
    const fast = jit(grad(L));
    const a = tensor([4, 1, 0, 3, 2, 1, 1, 9], [1, 2, 4, 1]);
    const b = tensor([0, 1, 5, 3, 2, 7, 1, 0], [1, 2, 4, 1]);
    expect(flat(fast(a))).toEqual([1, 0, 0, 0, 0, 0, 0, 2]);
    expect(flat(fast(b))).toEqual([0, 0, 2, 0, 0, 1, 0, 0]);
  });
});

describe("avgPool2d averages over the elements inside the image only", () => {
  it("\"same\" on a 3×3 image with 2×2 windows: the cut windows average fewer elements", () => {
    const x = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    expect(toArray(avgPool2d(x, 2, { padding: "same" }))).toEqual([[[[3], [4.5]], [[7.5], [9]]]]);
    // the gradient of the sum: each element gets 1/(its window's count)
    expect(flat(grad((t: Tensor) => sum(avgPool2d(t, 2, { padding: "same" })))(x))).toEqual([0.25, 0.25, 0.5, 0.25, 0.25, 0.5, 0.5, 0.5, 1]);
  });
});

describe("pooling under vmap equals the loop over the examples", () => {
  const xs = tensor(distinct(3 * 2 * 5 * 4 * 2, 41), [3, 2, 5, 4, 2]);
  const pools = [
    ["maxPool2d", (x: Tensor) => maxPool2d(x, [2, 3], { stride: 1, padding: "same" })],
    ["avgPool2d", (x: Tensor) => avgPool2d(x, 3, { stride: 2, padding: "same" })],
  ] as const;
  it.each(pools)("%s: its value, on axis 0 and on axis 3", (_name, f) => {
    expectSameTree(vmap(f)(xs), stacked(f, xs));
    const moved = tensor(distinct(2 * 5 * 4 * 3 * 2, 42), [2, 5, 4, 3, 2]);
    expectSameTree(vmap(f, 3)(moved), stacked(f, moved, 3));
  });
  it.each(pools)("%s: per-example gradients, jvps, and second derivatives", (_name, f) => {
    const L = (x: Tensor): Real => sum(square(f(x)));
    expectSameTree(vmap(grad(L))(xs), stacked(grad(L), xs));
    const dirs = tensor(values(xs.size, 43), xs.shape);
    const tangent = ([x, d]: readonly [Tensor, Tensor]) => jvp(f, x, d)[1];
    expectSameTree(vmap(tangent)([xs, dirs]), stacked(tangent, [xs, dirs]));
    const hvp = ([x, d]: readonly [Tensor, Tensor]) => jvp(grad(L), x, d)[1];
    expectSameTree(vmap(hvp)([xs, dirs]), stacked(hvp, [xs, dirs]));
    // the tangent batched, the point shared: the choice is the shared image's
    const one = tensor(distinct(2 * 5 * 4 * 2, 45), [2, 5, 4, 2]);
    expectSameTree(vmap(tangent, [null, 0])([one, dirs]), stacked(tangent, [one, dirs], [null, 0]));
  });
});

describe("pooling errors", () => {
  const x = tensor(values(50, 1), [1, 5, 5, 2]);
  it("a non-NHWC input or a window that does not fit is a RangeError naming the shape", () => {
    expectThrows(() => maxPool2d(tensor(values(25, 1), [5, 5]), 2), RangeError, /^maxPool2d:/, "[5,5]");
    expectThrows(() => avgPool2d(x, 6), RangeError, /^avgPool2d:/, /does not fit/, "[1,5,5,2]");
  });
  it("bad sizes, strides and paddings are RangeErrors; options that are not a record a TypeError", () => {
    expectThrows(() => maxPool2d(x, 0), RangeError, /^maxPool2d: size/);
    expectThrows(() => maxPool2d(x, [2, 2, 2] as unknown as number), RangeError, /size/);
    expectThrows(() => avgPool2d(x, 2, { stride: -1 }), RangeError, /stride/);
    expectThrows(() => maxPool2d(x, 2, { padding: [[2, 0], [0, 0]] }), RangeError, /smaller than the 2×2 window/);
    expectThrows(() => maxPool2d(x, 2, { padding: "SAME" as "same" }), RangeError, /padding/);
    expectThrows(() => maxPool2d(x, 2, 7 as unknown as Pool2dOptions), TypeError, /options/);
  });
});
