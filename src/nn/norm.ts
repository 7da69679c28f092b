// More layers: layerNorm (normalize each example over its last axis, then a learned scale and offset),
// dropout (random zeros while training, the identity otherwise) and embedding (integer indices to
// learned vectors, by take).
import { describe } from "../base/errors.ts";
import { formatShape, type Shape } from "../base/shape.ts";
import { take } from "../rules/gather.ts";
import { mean, variance } from "../rules/reduce.ts";
import { add, div, mul, sqrt, sub } from "../rules/scalar.ts";
import { expandDims } from "../rules/structure.ts";
import { data, ones, Tensor, tensor, zeros } from "../tensor/tensor.ts";
import { checkKey, type Key } from "../random/key.ts";
import { uniform } from "../random/sample.ts";
import { checkContext, checkShapeArg, type Layer, type LayerContext, lastExtent } from "./layer.ts";

/**
 * The parameters of `layerNorm`: a scale and an offset over the last axis.
 * @example
 * // [1, 3] normalizes to [-1, 1], then is scaled by [2, 3] and offset by [0, 1]
 * const p: LayerNormParams = { scale: tensor([2, 3]), offset: tensor([0, 1]) };
 * layerNorm({ eps: 0 }).apply(p, tensor([[1, 3]])); // => tensor([[-2, 4]])
 */
export type LayerNormParams = { readonly scale: Tensor; readonly offset: Tensor };

/**
 * The options of `layerNorm`: `eps`, added to the variance before the square root (default 1e-5).
 * @example
 * const p = { scale: ones([2]), offset: zeros([2]) };
 * const options: LayerNormOptions = { eps: 0 };
 * layerNorm(options).apply(p, tensor([1, 3])); // => tensor([-1, 1])
 * // the default eps: -1/√(1 + 1e-5)
 * toFloat64Array(layerNorm().apply(p, tensor([1, 3])))[0]; // => -0.999995…
 * layerNorm({ eps: -1 }); // throws RangeError
 */
export interface LayerNormOptions {
  /** Added to the variance before the square root (default 1e-5). */
  readonly eps?: number | undefined;
}

/**
 * Each example normalized over its last axis, y = (x − mean)/√(variance + eps)·scale + offset, with
 * the biased variance (as Keras and Flax). `init` gives scale ones and offset zeros.
 * @example
 * const layer = layerNorm({ eps: 0 });
 * const [params, outShape] = layer.init(key(0), [2, 2]);
 * [params.scale, params.offset, outShape]; // => [tensor([1, 1]), tensor([0, 0]), [2, 2]]
 * // each row on its own: mean 2 and variance 1, then mean 15 and variance 25
 * layer.apply(params, tensor([[1, 3], [10, 20]])); // => tensor([[-1, 1], [-1, 1]])
 */
export function layerNorm(options: LayerNormOptions = {}): Layer<LayerNormParams> {
  if (options === null || typeof options !== "object") throw new TypeError(`layerNorm: options must be a record, got ${describe(options)}`);
  const eps = options.eps ?? 1e-5;
  if (typeof eps !== "number" || !Number.isFinite(eps) || eps < 0) throw new RangeError(`layerNorm: eps must be a finite number ≥ 0, got ${describe(eps)}`);
  return Object.freeze({
    init(key: Key, inShape: Shape): readonly [LayerNormParams, Shape] {
      checkKey(key, "layerNorm.init");
      const d = lastExtent(inShape, "layerNorm");
      return Object.freeze([Object.freeze({ scale: ones([d]), offset: zeros([d]) }), checkShapeArg(inShape, "layerNorm")] as const);
    },
    apply(params: LayerNormParams, x: Tensor): Tensor {
      if (params === null || typeof params !== "object" || !("scale" in params) || !("offset" in params)) {
        throw new TypeError(`layerNorm.apply: params must be a record { scale, offset }, got ${describe(params)}`);
      }
      const shape = x.shape;
      if (shape.length === 0 || shape[shape.length - 1] !== params.scale.shape[0]) {
        throw new RangeError(`layerNorm.apply: an input of shape ${formatShape(shape)} does not fit a scale of shape ${formatShape(params.scale.shape)}`);
      }
      const centred = sub(x, expandDims(mean(x, -1), -1));
      const spread = sqrt(add(expandDims(variance(x, -1), -1), eps));
      return add(mul(div(centred, spread), params.scale), params.offset) as Tensor;
    },
  });
}

/**
 * Dropout: the identity unless `context.training`; then each element is zeroed with probability
 * `rate` and the others scaled by 1/(1 − rate), so the expected value is unchanged. The zeros are
 * drawn from `context.key` (a TypeError when training without one); `serial` gives each layer a
 * key of its own.
 * @example
 * const layer = dropout(0.5);
 * const x = ones([1000]);
 * // not training (no context, or training false): the input itself
 * layer.apply([], x) === x; // => true
 * layer.apply([], x, { key: key(0), training: false }) === x; // => true
 * // training: each element 0 or scaled by 1/(1 − 0.5) = 2
 * const y = toFloat64Array(layer.apply([], x, { key: key(0), training: true }));
 * y.every((v) => v === 0 || v === 2); // => true
 * layer.apply([], x, { training: true }); // throws TypeError
 */
export function dropout(rate: number): Layer<readonly []> {
  if (typeof rate !== "number" || !(rate >= 0 && rate < 1)) throw new RangeError(`dropout: rate must be a number in [0, 1), got ${describe(rate)}`);
  const none: readonly [] = Object.freeze([] as const);
  return Object.freeze({
    init(key: Key, inShape: Shape): readonly [readonly [], Shape] {
      checkKey(key, "dropout.init");
      return Object.freeze([none, checkShapeArg(inShape, "dropout")] as const);
    },
    apply(_params: readonly [], x: Tensor, context?: LayerContext): Tensor {
      const c = checkContext(context, "dropout.apply");
      if (c?.training !== true || rate === 0) return x;
      if (c.key === undefined) throw new TypeError("dropout.apply: training needs a key in the context ({ key, training: true })");
      // each element kept where its uniform draw is ≥ rate (probability 1 − rate), scaled to keep the mean
      const shape = x.shape;
      const u = data(uniform(c.key, shape));
      const keep = 1 / (1 - rate);
      const mask = new Float64Array(u.length);
      for (let i = 0; i < u.length; i++) mask[i] = u[i]! >= rate ? keep : 0;
      return mul(x, tensor(mask, shape)) as Tensor;
    },
  });
}

/**
 * The parameters of `embedding`: a table of one row per index.
 * @example
 * const p: EmbeddingParams = { table: tensor([[1, 2], [3, 4]]) };
 * embedding(2, 2).apply(p, tensor([[1], [0]])); // => tensor([[[3, 4]], [[1, 2]]])
 */
export type EmbeddingParams = { readonly table: Tensor };

/**
 * Integer indices in [0, vocabularySize) (a plain Tensor or nested arrays, any shape) to vectors of
 * `dimension`: the result has the indices' shape plus a last axis of `dimension`. `init` draws the
 * table uniform in [−0.05, 0.05), as Keras does; its gradient adds into the rows used.
 * @example
 * const layer = embedding(3, 2);
 * const [params, outShape] = layer.init(key(0), [4]);
 * [params.table.shape, outShape]; // => [[3, 2], [4, 2]]
 * const table = tensor([[0, 0], [1, 10], [2, 20]]);
 * layer.apply({ table }, tensor([2, 0, 2])); // => tensor([[2, 20], [0, 0], [2, 20]])
 * // the gradient adds into the rows used: row 2 twice, row 1 not at all
 * grad((t: Tensor) => sum(layer.apply({ table: t }, tensor([2, 0, 2]))))(table); // => tensor([[1, 1], [0, 0], [2, 2]])
 * layer.apply({ table }, tensor([-1])); // throws RangeError
 */
export function embedding(vocabularySize: number, dimension: number): Layer<EmbeddingParams> {
  for (const [what, v] of [["vocabularySize", vocabularySize], ["dimension", dimension]] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new RangeError(`embedding: ${what} must be a positive integer, got ${describe(v)}`);
  }
  return Object.freeze({
    init(key: Key, inShape: Shape): readonly [EmbeddingParams, Shape] {
      checkKey(key, "embedding.init");
      const shape = checkShapeArg(inShape, "embedding");
      return Object.freeze([Object.freeze({ table: uniform(key, [vocabularySize, dimension], -0.05, 0.05) }), Object.freeze([...shape, dimension])] as const);
    },
    apply(params: EmbeddingParams, indices: Tensor): Tensor {
      if (params === null || typeof params !== "object" || !("table" in params)) {
        throw new TypeError(`embedding.apply: params must be a record { table }, got ${describe(params)}`);
      }
      const t = params.table.shape;
      if (t.length !== 2 || t[0] !== vocabularySize || t[1] !== dimension) {
        throw new RangeError(`embedding.apply: a table of shape ${formatShape(t)} is not [${vocabularySize},${dimension}]`);
      }
      // take also reads a negative index from the end; an embedding's indices are ids, so those are refused
      const ids = indices instanceof Tensor ? indices : Array.isArray(indices) ? tensor(indices as never) : undefined;
      if (ids !== undefined && data(ids).some((v) => v < 0)) throw new RangeError(`embedding.apply: indices must be integers in [0, ${vocabularySize}), got a negative one`);
      return take(params.table, indices, 0);
    },
  });
}
