// conv2d against a naive nested-loop reference (test/support/windows.ts) on odd sizes, strides,
// dilations and paddings; its derivatives in reverse and forward mode, and to second order, against
// central finite differences of that reference (exact up to rounding here: the convolution is
// bilinear); vmap against a loop over the examples; and its errors.
import { describe, expect, it } from "vitest";
import {
  type Conv2dOptions, conv2d, grad, jit, jvp, mul, type Real, square, sum, type Tensor, tensor, toArray, vjp, vmap,
} from "../../../src/index.ts";
import { expectThrows } from "../../support/approx.ts";
import { flatten, values } from "../../support/reference.ts";
import { expectSameTree, stacked } from "../../support/stacking.ts";
import { fdDirectional, fdGradient, type Geometry, inner, refConv, samePads } from "../../support/windows.ts";

const size = (s: readonly number[]): number => s.reduce((p, d) => p * d, 1);
const flat = (t: Tensor): number[] => flatten(toArray(t));
const pair = (v: number | readonly [number, number] | undefined): [number, number] => (v === undefined ? [1, 1] : typeof v === "number" ? [v, v] : [v[0], v[1]]);

/** The options as the reference reads them: TensorFlow's geometry, worked out independently of nabla. */
function geometryOf(xs: readonly number[], ws: readonly number[], o: Conv2dOptions): Geometry {
  const stride = pair(o.stride);
  const dilation = pair(o.dilation);
  const p = o.padding ?? "valid";
  const pads = p === "valid" ? ([[0, 0], [0, 0]] as const) : p === "same"
    ? ([samePads(xs[1], ws[0], stride[0], dilation[0]), samePads(xs[2], ws[1], stride[1], dilation[1])] as const)
    : p;
  return { stride, dilation, pads };
}

interface Case {
  readonly name: string;
  readonly xs: readonly number[];
  readonly ws: readonly number[];
  readonly options: Conv2dOptions;
}

const cases: readonly Case[] = [
  { name: "a 3×3 kernel, valid, on a 5×7 image of 3 channels", xs: [2, 5, 7, 3], ws: [3, 3, 3, 2], options: {} },
  { name: "a 2×3 kernel, stride 2, same (odd padding to the bottom and right)", xs: [1, 7, 6, 2], ws: [2, 3, 2, 3], options: { stride: 2, padding: "same" } },
  { name: "stride [2, 3], dilation [2, 1], explicit [[1, 2], [0, 3]]", xs: [2, 6, 8, 1], ws: [3, 2, 1, 2], options: { stride: [2, 3], dilation: [2, 1], padding: [[1, 2], [0, 3]] } },
  { name: "dilation 2, same", xs: [1, 5, 5, 2], ws: [3, 3, 2, 1], options: { dilation: 2, padding: "same" } },
  { name: "a 1×1 kernel, stride 3", xs: [1, 7, 5, 4], ws: [1, 1, 4, 2], options: { stride: 3 } },
  { name: "a kernel as large as the image", xs: [1, 3, 4, 2], ws: [3, 4, 2, 2], options: {} },
  { name: "stride larger than the kernel, same", xs: [1, 5, 4, 1], ws: [2, 2, 1, 2], options: { stride: [3, 4], padding: "same" } },
];

describe.each(cases)("conv2d with $name", ({ xs, ws, options }) => {
  const g = geometryOf(xs, ws, options);
  const x0 = values(size(xs), 11, -1, 1);
  const w0 = values(size(ws), 12, -1, 1);
  const ref = refConv(x0, xs, w0, ws, g);
  const r = values(ref.data.length, 13, -1, 1); // weights of the scalar L = Σ r ⊙ y
  const refL = (x: readonly number[], w: readonly number[]): number => inner(r, refConv(x, xs, w, ws, g).data);
  const L = ([x, w]: readonly [Tensor, Tensor]): Real => sum(mul(conv2d(x, w, options), tensor(r, ref.shape)));
  const X = tensor(x0, xs);
  const Wt = tensor(w0, ws);

  it("equals the nested-loop reference, shape included", () => {
    const y = conv2d(X, Wt, options);
    expect([...y.shape]).toEqual(ref.shape);
    expectSameTree(y, tensor(ref.data, ref.shape));
  });

  it("has the gradient of central finite differences in x and in w", () => {
    const [gx, gw] = grad(L)([X, Wt]);
    // L is linear in each coordinate: central differences are exact up to rounding
    expectSameTree(gx, tensor(fdGradient((v) => refL(v, w0), x0, 0.5), xs), 1e-10, 1e-12);
    expectSameTree(gw, tensor(fdGradient((v) => refL(x0, v), w0, 0.5), ws), 1e-10, 1e-12);
  });

  it("has the forward derivative of central finite differences along a direction in both", () => {
    const dx = values(size(xs), 14, -1, 1);
    const dw = values(size(ws), 15, -1, 1);
    const [, tangent] = jvp(([x, w]: readonly [Tensor, Tensor]) => conv2d(x, w, options), [X, Wt], [tensor(dx, xs), tensor(dw, ws)]);
    const joint = [...x0, ...w0];
    const expected = fdDirectional((v) => refConv(v.slice(0, x0.length), xs, v.slice(x0.length), ws, g).data, joint, [...dx, ...dw], 0.5);
    expectSameTree(tangent, tensor(expected, ref.shape), 1e-10, 1e-12);
  });

  it("has second derivatives: the gradient in w of ‖∂L/∂x‖² against finite differences", () => {
    // ∂L/∂x written out as the reference's transpose: x̄ = Σ over windows of r·w
    const inputGrad = (w: readonly number[]): number[] => fdGradient((v) => refL(v, w), x0, 0.5);
    const M = (w: readonly number[]): number => inputGrad(w).reduce((s, v) => s + v * v, 0);
    const gw = grad((w: Tensor) => sum(square(grad((x: Tensor) => L([x, w]))(X))))(Wt);
    expectSameTree(gw, tensor(fdGradient(M, w0, 0.5), ws), 1e-8, 1e-10);
  });
});

describe("conv2d's \"same\" padding follows TensorFlow", () => {
  const x = tensor(Array.from({ length: 16 }, (_, i) => i + 1), [1, 4, 4, 1]);
  // a 2×2 kernel needs one row and column of padding: TensorFlow puts it at the bottom and right
  it("puts the odd padding after the image: a 2×2 kernel picks the window's top-left at the same place", () => {
    const topLeft = tensor([1, 0, 0, 0], [2, 2, 1, 1]);
    expect(flat(conv2d(x, topLeft, { padding: "same" }))).toEqual(flat(x));
    const bottomRight = tensor([0, 0, 0, 1], [2, 2, 1, 1]);
    expect(toArray(conv2d(x, bottomRight, { padding: "same" }))).toEqual([[[[6], [7], [8], [0]], [[10], [11], [12], [0]], [[14], [15], [16], [0]], [[0], [0], [0], [0]]]]);
  });
  it("gives ⌈size/stride⌉ positions", () => {
    const k = tensor(values(9, 3), [3, 3, 1, 1]);
    expect(conv2d(tensor(values(7 * 9, 4), [1, 7, 9, 1]), k, { padding: "same", stride: 2 }).shape).toEqual([1, 4, 5, 1]);
    expect(conv2d(tensor(values(7 * 9, 4), [1, 7, 9, 1]), k, { padding: "same", stride: [3, 4] }).shape).toEqual([1, 3, 3, 1]);
  });
});

describe("conv2d under vmap equals the loop over the examples", () => {
  const options: Conv2dOptions = { stride: 2, padding: "same" };
  const xs = tensor(values(3 * 2 * 5 * 4 * 2, 21), [3, 2, 5, 4, 2]); // 3 examples of [2,5,4,2]
  const ws = tensor(values(3 * 2 * 3 * 2 * 3, 22), [3, 2, 3, 2, 3]); // 3 kernels [2,3,2,3]
  const x = tensor(values(2 * 5 * 4 * 2, 23), [2, 5, 4, 2]);
  const w = tensor(values(2 * 3 * 2 * 3, 24), [2, 3, 2, 3]);
  const f = ([a, b]: readonly [Tensor, Tensor]) => conv2d(a, b, options);
  const loss = ([a, b]: readonly [Tensor, Tensor]): Real => sum(square(f([a, b])));

  it("batched images, one kernel (the examples folded into the images), on axis 0 and on axis 2", () => {
    expectSameTree(vmap(f, [0, null])([xs, w]), stacked(f, [xs, w], [0, null]));
    const moved = tensor(values(2 * 5 * 3 * 4 * 2, 25), [2, 5, 3, 4, 2]);
    expectSameTree(vmap(f, [2, null])([moved, w]), stacked(f, [moved, w], [2, null]));
  });
  it("one image, batched kernels; and both batched (stacked convolutions)", () => {
    expectSameTree(vmap(f, [null, 0])([x, ws]), stacked(f, [x, ws], [null, 0]));
    expectSameTree(vmap(f, [0, 0])([xs, ws]), stacked(f, [xs, ws], [0, 0]));
    expectSameTree(vmap(f, [0, 3])([xs, tensor(values(2 * 3 * 2 * 3 * 3, 26), [2, 3, 2, 3, 3])]), stacked(f, [xs, tensor(values(2 * 3 * 2 * 3 * 3, 26), [2, 3, 2, 3, 3])], [0, 3]));
  });
  it("per-example gradients: vmap of grad in both arrangements", () => {
    for (const axes of [[0, null], [null, 0], [0, 0]] as const) {
      const args = [axes[0] === null ? x : xs, axes[1] === null ? w : ws] as const;
      expectSameTree(vmap(grad(loss), [...axes])(args), stacked(grad(loss), args, [...axes]), 1e-11, 1e-12);
    }
  });
  it("the gradient and a jvp of the batched computation", () => {
    const batched = (args: readonly [Tensor, Tensor]): Real => sum(vmap(loss, [0, 0])(args) as Tensor);
    const [gx, gw] = grad(batched)([xs, ws]);
    const each = [0, 1, 2].map((i) => grad(loss)([tensor(flat(xs).slice(i * 80, (i + 1) * 80), [2, 5, 4, 2]), tensor(flat(ws).slice(i * 36, (i + 1) * 36), [2, 3, 2, 3])]));
    expect(flat(gx)).toEqual(each.flatMap((e) => flat(e[0])).map((v) => expect.closeTo(v, 10)));
    expect(flat(gw)).toEqual(each.flatMap((e) => flat(e[1])).map((v) => expect.closeTo(v, 10)));
    const tangent = ([a, b, da, db]: readonly Tensor[]) => jvp(f, [a, b] as const, [da, db] as const)[1];
    const dirs = [tensor(values(xs.size, 27), xs.shape), tensor(values(ws.size, 28), ws.shape)];
    expectSameTree(vmap(tangent)([xs, ws, ...dirs]), stacked(tangent, [xs, ws, ...dirs]), 1e-11, 1e-12);
  });
  it("nested: vmap of vmap, kernels batched at both levels", () => {
    const wss = tensor(values(2 * 3 * 2 * 3 * 2 * 3, 29), [2, 3, 2, 3, 2, 3]);
    const inner = (a: readonly [Tensor, Tensor]) => vmap(f, [null, 0])(a);
    expectSameTree(vmap(inner, [null, 0])([x, wss]), stacked((e: readonly [Tensor, Tensor]) => stacked(f, e, [null, 0]), [x, wss], [null, 0]));
    const g2 = vmap(grad((a: readonly [Tensor, Tensor]) => sum(vmap(loss, [null, 0])(a) as Tensor)), [null, 0])([x, wss]);
    expectSameTree(g2, stacked(grad((a: readonly [Tensor, Tensor]) => sum(vmap(loss, [null, 0])(a) as Tensor)), [x, wss], [null, 0]), 1e-11, 1e-12);
  });
});

describe("conv2d under jit and vjp", () => {
  it("jit(grad) computes grad's numbers, again on new inputs", () => {
    const loss = ([a, b]: readonly [Tensor, Tensor]): Real => sum(square(conv2d(a, b, { padding: "same", dilation: [1, 2] })));
    const fast = jit(grad(loss));
    for (const seed of [1, 2]) {
      const args = [tensor(values(2 * 5 * 6 * 2, seed), [2, 5, 6, 2]), tensor(values(3 * 2 * 2 * 2, seed + 5), [3, 2, 2, 2])] as const;
      expectSameTree(fast(args), grad(loss)(args), 1e-12, 1e-13);
    }
  });
  it("a pullback is linear and may be called again", () => {
    const [, back] = vjp(([a, b]: readonly [Tensor, Tensor]) => conv2d(a, b), [tensor(values(27, 3), [1, 3, 3, 3]), tensor(values(12, 4), [2, 2, 3, 1])] as const);
    const u = tensor(values(4, 5), [1, 2, 2, 1]);
    const once = back(u);
    const twice = back(mul(2, u) as Tensor);
    expectSameTree(twice[0], mul(2, once[0]) as Tensor);
    expectSameTree(back(u), once);
  });
});

describe("conv2d's errors", () => {
  const x = tensor(values(75, 1), [1, 5, 5, 3]);
  it("a channel mismatch is a RangeError naming both shapes", () => {
    expectThrows(() => conv2d(x, tensor(values(72, 2), [3, 3, 2, 4])), RangeError, /^conv2d:/, "[1,5,5,3]", "[3,3,2,4]");
  });
  it("inputs of the wrong rank, and a window that does not fit, are RangeErrors naming both shapes", () => {
    expectThrows(() => conv2d(tensor(values(25, 1), [5, 5]), tensor(values(9, 2), [3, 3, 1, 1])), RangeError, "[5,5]", "[3,3,1,1]");
    expectThrows(() => conv2d(x, tensor(values(27, 2), [3, 3, 3])), RangeError, "[1,5,5,3]", "[3,3,3]");
    expectThrows(() => conv2d(x, tensor(values(108, 2), [6, 2, 3, 3])), RangeError, /does not fit/, "[1,5,5,3]", "[6,2,3,3]");
    expectThrows(() => conv2d(x, tensor(values(27, 2), [3, 3, 3, 1]), { dilation: 3 }), RangeError, /window 7×7/);
  });
  it("bad options: RangeErrors for values, a TypeError for a non-record", () => {
    const w = tensor(values(27, 2), [3, 3, 3, 1]);
    expectThrows(() => conv2d(x, w, { stride: 0 }), RangeError, /^conv2d: stride/);
    expectThrows(() => conv2d(x, w, { stride: [1, 1.5] as unknown as [number, number] }), RangeError, /stride/);
    expectThrows(() => conv2d(x, w, { dilation: "2" as unknown as number }), RangeError, /dilation/);
    expectThrows(() => conv2d(x, w, { padding: "full" as "same" }), RangeError, /padding/);
    expectThrows(() => conv2d(x, w, { padding: [[1, -1], [0, 0]] }), RangeError, /padding/);
    expectThrows(() => conv2d(x, w, null as unknown as Conv2dOptions), TypeError, /^conv2d: options/);
    expectThrows(() => conv2d([1, 2] as unknown as Tensor, w), TypeError, /^conv2d: the input/);
  });
});
