// maxPool2d and avgPool2d over NHWC images. Max pooling picks one element per window (the first
// largest in row-major window order): its tangent is the tangent read at the chosen elements
// (gather), its pullback adds the cotangent back there (scatter), and these two are linear and each
// other's transpose — the images only choose, so they get no derivative through the choice. Average
// pooling is linear; its pullback is its transpose, whose own pullback is the pooling again.
import { kernels } from "../backend/index.ts";
import { formatShape, type Shape } from "../base/shape.ts";
import { optionsRecord, paddingOf, pairOf, type Window2d, windowOf } from "../base/window.ts";
import { bindT, withoutDerivatives } from "../core/bind.ts";
import type { Payload, TensorRule, Value } from "../core/protocol.ts";
import { shapeOf, zeroLike } from "../core/value.ts";
import { data, fromData, type Tensor } from "../tensor/tensor.ts";
import { reshapeRule } from "./axes.ts";
import { materialize } from "./broadcast.ts";
import { shapeOfTensor, tensorArg } from "./structure.ts";

const imagesOf = (n: number, g: Window2d): number[] => [n, g.inH, g.inW, g.inC];
const pooledOf = (n: number, g: Window2d): number[] => [n, g.outH, g.outW, g.inC];
const images = (x: Payload): number => (x as Tensor).shape[0];

/**
 * The batching rule of every pooling primitive: each argument with its examples in front (a shared
 * one repeated), the examples merged into the images, and split out of the result again.
 */
function fold(rule: TensorRule<Window2d>, args: readonly Value[], axes: readonly (number | null)[], g: Window2d, size: number): [Value, number] {
  let n = 0;
  const merged = args.map((x, i) => {
    const front = materialize(x, axes[i], size);
    const s = shapeOf(front)!;
    n = s[1];
    return bindT(reshapeRule, [front], [size * n, ...s.slice(2)]);
  });
  const y = bindT(rule, merged, g);
  return [bindT(reshapeRule, [y], [size, n, ...shapeOf(y)!.slice(1)]), 0];
}

const maxPoolRule: TensorRule<Window2d> = {
  name: "maxPool2d",
  value: ([x], g) => fromData(kernels.maxPool(data(x as Tensor), images(x), g), pooledOf(images(x), g)),
  jvp: ([x], [t], _y, g) => gather(x!, t!, g),
  vjp: ([x], _y, g) => (ct) => [scatter(x!, ct, g)],
  batch: (args, axes, g, size) => fold(maxPoolRule, args, axes, g, size),
};

// gather(x, t): t at the elements the windows of x choose. Linear in t; x only chooses.
const gatherRule: TensorRule<Window2d> = {
  name: "maxPool2d gather",
  value: ([x, t], g) => fromData(kernels.maxPoolGather(data(x as Tensor), data(t as Tensor), images(x), g), pooledOf(images(x), g)),
  jvp: ([x], [, t], y, g) => (t === undefined ? zeroLike(y) : gather(x!, t, g)),
  vjp: ([x], _y, g, active) => (ct) => [undefined, active[1] ? scatter(x!, ct, g) : undefined],
  batch: (args, axes, g, size) => fold(gatherRule, args, axes, g, size),
};

// scatter(x, c): c added at the elements the windows of x choose, into zeros shaped like x (gather's transpose).
const scatterRule: TensorRule<Window2d> = {
  name: "maxPool2d scatter",
  value: ([x, c], g) => fromData(kernels.maxPoolScatter(data(x as Tensor), data(c as Tensor), images(x), g), imagesOf(images(x), g)),
  jvp: ([x], [, t], y, g) => (t === undefined ? zeroLike(y) : scatter(x!, t, g)),
  vjp: ([x], _y, g, active) => (ct) => [undefined, active[1] ? gather(x!, ct, g) : undefined],
  batch: (args, axes, g, size) => fold(scatterRule, args, axes, g, size),
};

// The choosing images carry no derivative: their derivative levels are stripped (jit's and vmap's stay).
const gather = (x: Value, t: Value, g: Window2d): Value => bindT(gatherRule, [withoutDerivatives(x), t], g);
const scatter = (x: Value, c: Value, g: Window2d): Value => bindT(scatterRule, [withoutDerivatives(x), c], g);

// the mean over each window's elements inside the image, and its transpose
const avgPoolRule: TensorRule<Window2d> = {
  name: "avgPool2d",
  value: ([x], g) => fromData(kernels.avgPool(data(x as Tensor), images(x), g), pooledOf(images(x), g)),
  jvp: (_p, [t], _y, g) => bindT(avgPoolRule, [t!], g),
  vjp: (_p, _y, g) => (ct) => [bindT(avgPoolTransposeRule, [ct], g)],
  batch: (args, axes, g, size) => fold(avgPoolRule, args, axes, g, size),
};

const avgPoolTransposeRule: TensorRule<Window2d> = {
  name: "avgPool2d transpose",
  value: ([c], g) => fromData(kernels.avgPoolTranspose(data(c as Tensor), images(c), g), imagesOf(images(c), g)),
  jvp: (_p, [t], _y, g) => bindT(avgPoolTransposeRule, [t!], g),
  vjp: (_p, _y, g) => (ct) => [bindT(avgPoolRule, [ct], g)],
  batch: (args, axes, g, size) => fold(avgPoolTransposeRule, args, axes, g, size),
};

/**
 * Options of the pools: `stride` (default: the window size) a number or [h, w]; `padding` as for conv2d.
 * @example
 * const x = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
 * // overlapping 2×2 windows, one step apart
 * const options: Pool2dOptions = { stride: 1 };
 * reshape(maxPool2d(x, 2, options), [2, 2]); // => tensor([[5, 6], [8, 9]])
 * // explicit padding: one row above and one column to the left
 * reshape(maxPool2d(x, 2, { padding: [[1, 0], [1, 0]] }), [2, 2]); // => tensor([[1, 3], [7, 9]])
 * maxPool2d(x, 2, { padding: [[2, 0], [0, 0]] }); // throws RangeError
 */
export interface Pool2dOptions {
  readonly stride?: number | readonly [number, number] | undefined;
  readonly padding?: "valid" | "same" | readonly [readonly [number, number], readonly [number, number]] | undefined;
}

/** The window of a pool over inputs of `shape`, its arguments checked (each explicit padding smaller than the window, so no window is empty). */
export function poolWindow(op: string, shape: Shape, size: unknown, options: unknown): Window2d {
  if (shape.length !== 4) throw new RangeError(`${op}: the input must be NHWC [batch, height, width, channels], got shape ${formatShape(shape)}`);
  const [kh, kw] = pairOf(size, op, "size");
  const o = optionsRecord(options, op);
  const padding = paddingOf(o.padding ?? "valid", op);
  if (typeof padding !== "string" && (padding[0].some((p) => p >= kh) || padding[1].some((p) => p >= kw))) {
    throw new RangeError(`${op}: each padding must be smaller than the ${kh}×${kw} window, got ${JSON.stringify(padding)} for the input ${formatShape(shape)}`);
  }
  const window = { stride: pairOf(o.stride ?? [kh, kw], op, "stride"), dilation: [1, 1] as const, padding };
  return windowOf(shape[1], shape[2], shape[3], shape[3], kh, kw, window, (detail) => new RangeError(`${op}: ${detail}; the input ${formatShape(shape)}`));
}

/**
 * The largest element of each `size` window (a number or [h, w]) of NHWC images, per channel; stride
 * defaults to the size. The gradient goes to the first largest element of each window (row-major
 * window order), as in TensorFlow; padding never wins.
 * @example
 * // a 2×2 max pool of a 1×4×4×1 image: the largest of each quarter
 * const x = tensor([1, 5, 2, 0, 3, 4, 8, 1, 0, 2, 6, 7, 9, 1, 3, 5], [1, 4, 4, 1]);
 * maxPool2d(x, 2); // => tensor([[[[5], [8]], [[9], [7]]]])
 * // the gradient: 1 where each window's largest element is
 * reshape(grad((t: Tensor) => sum(maxPool2d(t, 2)))(x), [4, 4]); // => tensor([[0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [1, 0, 0, 0]])
 * // a tie: the first largest in row-major order
 * reshape(grad((t: Tensor) => sum(maxPool2d(t, 2)))(ones([1, 2, 2, 1])), [2, 2]); // => tensor([[1, 0], [0, 0]])
 */
export function maxPool2d(x: Tensor, size: number | readonly [number, number], options?: Pool2dOptions): Tensor {
  const t = tensorArg(x, "maxPool2d", "input");
  return bindT(maxPoolRule, [t], poolWindow("maxPool2d", shapeOfTensor(t), size, options)) as Tensor;
}

/**
 * The mean of each `size` window of NHWC images, per channel, over the window's elements inside
 * the image (padding, "same" or explicit, is not counted); stride defaults to the size.
 * @example
 * const x = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
 * // "same": 2×2 windows over a 3×3 image, the last row and column padded; the padding is not averaged
 * reshape(avgPool2d(x, 2, { padding: "same" }), [2, 2]); // => tensor([[3, 4.5], [7.5, 9]])
 * // the gradient: each element gets 1/4 from the one window it is in
 * reshape(grad((t: Tensor) => sum(avgPool2d(t, 2)))(ones([1, 2, 2, 1])), [2, 2]); // => tensor([[0.25, 0.25], [0.25, 0.25]])
 */
export function avgPool2d(x: Tensor, size: number | readonly [number, number], options?: Pool2dOptions): Tensor {
  const t = tensorArg(x, "avgPool2d", "input");
  return bindT(avgPoolRule, [t], poolWindow("avgPool2d", shapeOfTensor(t), size, options)) as Tensor;
}
