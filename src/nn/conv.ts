// Layers for images (NHWC): conv (conv2d plus a bias), maxPool and avgPool, and flatten, which turns
// each example's features into one axis for the dense layers after them. Their options are checked
// when the layer is made, and the output shape `init` reports is the one `apply` gives.
import { describe } from "../base/errors.ts";
import { formatShape, type Shape } from "../base/shape.ts";
import { optionsRecord, paddingOf, pairOf, type Window2d } from "../base/window.ts";
import { type Conv2dOptions, conv2d, conv2dWindow } from "../rules/conv.ts";
import { avgPool2d, maxPool2d, type Pool2dOptions, poolWindow } from "../rules/pool.ts";
import { add } from "../rules/scalar.ts";
import { reshape, tensorArg } from "../rules/structure.ts";
import { type Tensor, zeros } from "../tensor/tensor.ts";
import { checkKey, type Key } from "../random/key.ts";
import { uniform } from "../random/sample.ts";
import { checkShapeArg, type Layer } from "./layer.ts";

/**
 * The parameters of `conv`: an HWIO kernel w [kh, kw, in, filters] and a bias b [filters].
 * @example
 * const p: ConvParams = { w: tensor([1, 2, 3, 4], [2, 2, 1, 1]), b: tensor([0.5]) };
 * const x = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
 * reshape(conv(1, 2).apply(p, x), [2, 2]); // => tensor([[37.5, 47.5], [67.5, 77.5]])
 */
export type ConvParams = { readonly w: Tensor; readonly b: Tensor };

const none: readonly [] = Object.freeze([] as const);

/** The output shape of a window over NHWC inputs: [batch, outH, outW, channels]. */
const windowed = (inShape: Shape, g: Window2d): Shape => Object.freeze([inShape[0]!, g.outH, g.outW, g.outC]);

/** A positive integer or a pair of them, as [h, w] (a RangeError naming the layer otherwise). */
function sizePair(size: unknown, layer: string, what: string): readonly [number, number] {
  const ok = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v > 0;
  if (ok(size)) return [size, size];
  if (Array.isArray(size) && size.length === 2 && ok(size[0]) && ok(size[1])) return [size[0], size[1]];
  throw new RangeError(`${layer}: ${what} must be a positive integer or a pair [h, w] of them, got ${describe(size)}`);
}

/** The options of a window checked when a layer is made: a record, stride (and dilation) and padding (RangeErrors, as the ops give). */
function checkWindowOptions(layer: string, options: unknown, stride: number | readonly [number, number]): void {
  const o = optionsRecord(options, layer);
  pairOf(o.stride ?? stride, layer, "stride");
  if (layer === "conv") pairOf(o.dilation ?? 1, layer, "dilation");
  paddingOf(o.padding ?? "valid", layer);
}

/**
 * A 2-D convolution of `filters` output channels with a `kernelSize` window (a number or [kh, kw])
 * over NHWC inputs, plus a bias: y = conv2d(x, w, options) + b. `init` draws w Glorot uniform (as
 * Keras: ±√(6/(fanIn + fanOut)) with fanIn = kh·kw·in and fanOut = kh·kw·filters) and b zero.
 * @example
 * const [params, outShape] = conv(16, 3).init(key(0), [8, 28, 28, 1]);
 * [params.w.shape, params.b.shape, outShape]; // => [[3, 3, 1, 16], [16], [8, 26, 26, 16]]
 * params.b; // => zeros([16])
 * // Glorot: every weight within ±√(6/(9 + 144))
 * toFloat64Array(params.w).every((v) => Math.abs(v) <= Math.sqrt(6 / 153)); // => true
 * conv(16, [3, 3], { padding: "same", stride: 2 }).init(key(0), [8, 28, 28, 1])[1]; // => [8, 14, 14, 16]
 * conv(0, 3); // throws RangeError
 */
export function conv(filters: number, kernelSize: number | readonly [number, number], options: Conv2dOptions = {}): Layer<ConvParams> {
  if (!Number.isInteger(filters) || filters <= 0) throw new RangeError(`conv: filters must be a positive integer, got ${describe(filters)}`);
  const [kh, kw] = sizePair(kernelSize, "conv", "kernelSize");
  checkWindowOptions("conv", options, 1);
  return Object.freeze({
    init(key: Key, inShape: Shape): readonly [ConvParams, Shape] {
      checkKey(key, "conv.init");
      const shape = checkShapeArg(inShape, "conv");
      const g = conv2dWindow("conv.init", shape, [kh, kw, shape[3] ?? 0, filters], options);
      const fanIn = kh * kw * g.inC;
      const fanOut = kh * kw * filters;
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      const params: ConvParams = Object.freeze({ w: uniform(key, [kh, kw, g.inC, filters], -limit, limit), b: zeros([filters]) });
      return Object.freeze([params, windowed(shape, g)] as const);
    },
    apply(params: ConvParams, x: Tensor): Tensor {
      if (params === null || typeof params !== "object" || !("w" in params) || !("b" in params)) {
        throw new TypeError(`conv.apply: params must be a record { w, b }, got ${describe(params)}`);
      }
      return add(conv2d(x, params.w, options), params.b) as Tensor;
    },
  });
}

/** A pooling layer: no parameters, the window checked when made. */
function pool(name: string, op: (x: Tensor, size: number | readonly [number, number], o?: Pool2dOptions) => Tensor, size: number | readonly [number, number], options: Pool2dOptions): Layer<readonly []> {
  checkWindowOptions(name, options, sizePair(size, name, "size"));
  return Object.freeze({
    init(key: Key, inShape: Shape): readonly [readonly [], Shape] {
      checkKey(key, `${name}.init`);
      const shape = checkShapeArg(inShape, name);
      return Object.freeze([none, windowed(shape, poolWindow(`${name}.init`, shape, size, options))] as const);
    },
    apply(_params: readonly [], x: Tensor): Tensor {
      return op(x, size, options);
    },
  });
}

/**
 * The largest element of each `size` window (stride defaults to the size), per channel; see maxPool2d.
 * @example
 * const layer = maxPool(2);
 * layer.init(key(0), [8, 28, 28, 16]); // => [[], [8, 14, 14, 16]]
 * const x = tensor([1, 5, 2, 0, 3, 4, 8, 1, 0, 2, 6, 7, 9, 1, 3, 5], [1, 4, 4, 1]);
 * reshape(layer.apply([], x), [2, 2]); // => tensor([[5, 8], [9, 7]])
 * maxPool(0); // throws RangeError
 */
export const maxPool = (size: number | readonly [number, number], options: Pool2dOptions = {}): Layer<readonly []> =>
  pool("maxPool", maxPool2d, size, options);

/**
 * The mean of each `size` window over its elements inside the image (stride defaults to the size); see avgPool2d.
 * @example
 * const layer = avgPool(2, { stride: 1 });
 * layer.init(key(0), [1, 3, 3, 1]); // => [[], [1, 2, 2, 1]]
 * const x = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
 * reshape(layer.apply([], x), [2, 2]); // => tensor([[3, 4], [6, 7]])
 */
export const avgPool = (size: number | readonly [number, number], options: Pool2dOptions = {}): Layer<readonly []> =>
  pool("avgPool", avgPool2d, size, options);

/**
 * Every axis after the batch axis into one: [batch, …] → [batch, the product of the rest].
 * @example
 * flatten().init(key(0), [8, 7, 7, 32]); // => [[], [8, 1568]]
 * flatten().apply([], tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]])); // => tensor([[1, 2, 3, 4], [5, 6, 7, 8]])
 * flatten().init(key(0), []); // throws RangeError
 */
export function flatten(): Layer<readonly []> {
  const flat = (shape: Shape): Shape => [shape[0]!, shape.slice(1).reduce((p, d) => p * d, 1)];
  return Object.freeze({
    init(key: Key, inShape: Shape): readonly [readonly [], Shape] {
      checkKey(key, "flatten.init");
      const shape = checkShapeArg(inShape, "flatten");
      if (shape.length === 0) throw new RangeError(`flatten.init: the input needs a batch axis, got shape ${formatShape(shape)}`);
      return Object.freeze([none, Object.freeze(flat(shape))] as const);
    },
    apply(_params: readonly [], input: Tensor): Tensor {
      const x = tensorArg(input, "flatten.apply", "input");
      const shape = x.shape;
      if (shape.length === 0) throw new RangeError(`flatten.apply: the input needs a batch axis, got shape ${formatShape(shape)}`);
      return reshape(x, flat(shape));
    },
  });
}
