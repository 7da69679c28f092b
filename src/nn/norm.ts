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

/** The parameters of `layerNorm`: a scale and an offset over the last axis. */
export type LayerNormParams = { readonly scale: Tensor; readonly offset: Tensor };

export interface LayerNormOptions {
  /** Added to the variance before the square root (default 1e-5). */
  readonly eps?: number | undefined;
}

/**
 * Each example normalized over its last axis, y = (x − mean)/√(variance + eps)·scale + offset, with
 * the biased variance (as Keras and Flax). `init` gives scale ones and offset zeros.
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

/** The parameters of `embedding`: a table of one row per index. */
export type EmbeddingParams = { readonly table: Tensor };

/**
 * Integer indices in [0, vocabularySize) (a plain Tensor or nested arrays, any shape) to vectors of
 * `dimension`: the result has the indices' shape plus a last axis of `dimension`. `init` draws the
 * table uniform in [−0.05, 0.05), as Keras does; its gradient adds into the rows used.
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
