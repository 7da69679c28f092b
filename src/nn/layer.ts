// Layers as pairs of pure functions, `{ init(key, inShape) -> [params, outShape], apply(params, x) }`
// (stax's convention): dense, the activation layers, and serial composition. Nothing here has a
// derivative rule of its own: a layer is a composition of nabla's ops, so every transform sees through it.
import { checkOptions, describe, show } from "../base/errors.ts";
import { add, mul, relu, sigmoid, tanh } from "../rules/scalar.ts";
import { softmax } from "../rules/reduce.ts";
import { matmul } from "../rules/linalg.ts";
import { tensorArg } from "../rules/structure.ts";
import { type Tensor, zeros } from "../tensor/tensor.ts";
import { checkShape, formatShape, MAX_SIZE, type Shape } from "../base/shape.ts";
import type { Tree } from "../tree/types.ts";
import { checkKey, type Key, split } from "../random/key.ts";
import { normal, uniform } from "../random/sample.ts";

/**
 * A layer: `init` makes parameters for inputs of shape `inShape` (the full shape, batch axes
 * included) and says the output's shape; `apply` maps parameters and an input to the output.
 * Both are pure. A layer without parameters has the empty tree `[]`.
 */
export interface Layer<P = Tree> {
  init(key: Key, inShape: Shape): readonly [P, Shape];
  apply(params: P, x: Tensor): Tensor;
}

/** The parameters' type of a layer. */
export type ParamsOf<L> = L extends Layer<infer P> ? P : never;

/** The parameters of `dense`: y = x·w + b with w of shape [in, units] and b of shape [units]. */
export type DenseParams = { readonly w: Tensor; readonly b: Tensor };

export interface DenseOptions {
  /**
   * How `init` draws the weights: "glorot" (default; uniform in ±√(6/(in + units)), for tanh and
   * sigmoid) or "he" (normal with standard deviation √(2/in), for relu). Biases start at zero.
   */
  readonly init?: "glorot" | "he" | undefined;
}

/** Checks a full input shape (at least one axis; a positive last extent) and returns its last extent. */
function lastExtent(inShape: unknown, layer: string): number {
  const shape = checkShapeArg(inShape, layer);
  if (shape.length === 0 || shape[shape.length - 1] === 0) {
    throw new RangeError(`${layer}.init: inShape must have a last axis of positive extent (the features), got ${formatShape(shape)}`);
  }
  return shape[shape.length - 1];
}

function checkShapeArg(inShape: unknown, layer: string): Shape {
  return Object.freeze([...checkShape(inShape, `${layer}.init`, "inShape")]);
}

/**
 * A fully connected layer of `units` outputs, y = x·w + b, acting on the last axis: leading axes are
 * batch axes, so `init(key, [5, 4])` of `dense(1)` gives out-shape `[5, 1]`.
 */
export function dense(units: number, options?: DenseOptions): Layer<DenseParams> {
  if (!Number.isInteger(units) || units <= 0 || units > MAX_SIZE) throw new RangeError(`dense: units must be a positive integer, got ${show(units)}`);
  const scheme = checkOptions(options, "dense").init ?? "glorot";
  if (scheme !== "glorot" && scheme !== "he") throw new RangeError(`dense: init must be "glorot" or "he", got ${describe(scheme)}`);
  return Object.freeze({
    init(key: Key, inShape: Shape): readonly [DenseParams, Shape] {
      checkKey(key, "dense.init");
      const shape = checkShapeArg(inShape, "dense");
      const fanIn = lastExtent(shape, "dense");
      if (fanIn * units > MAX_SIZE) throw new RangeError(`dense.init: weights of [${fanIn}, ${units}] are more than a tensor can hold`);
      const w =
        scheme === "glorot"
          ? uniform(key, [fanIn, units], -Math.sqrt(6 / (fanIn + units)), Math.sqrt(6 / (fanIn + units)))
          : mul(normal(key, [fanIn, units]), Math.sqrt(2 / fanIn));
      const params: DenseParams = Object.freeze({ w, b: zeros([units]) });
      return Object.freeze([params, Object.freeze([...shape.slice(0, -1), units])] as const);
    },
    apply(params: DenseParams, x: Tensor): Tensor {
      if (params === null || typeof params !== "object" || !("w" in params) || !("b" in params)) {
        throw new TypeError(`dense.apply: params must be a record { w, b }, got ${describe(params)}`);
      }
      const input = tensorArg(x, "dense.apply", "input");
      const w = tensorArg(params.w, "dense.apply", "params.w");
      const b = tensorArg(params.b, "dense.apply", "params.b");
      const xs = input.shape;
      const ws = w.shape;
      if (xs.length === 0 || ws.length !== 2 || xs[xs.length - 1] !== ws[0]) {
        throw new RangeError(`dense.apply: an input of shape ${formatShape(xs)} does not fit weights of shape ${formatShape(ws)}`);
      }
      const last = b.shape[b.shape.length - 1] ?? 1;
      if (last !== ws[1] && last !== 1) throw new RangeError(`dense.apply: a bias of shape ${formatShape(b.shape)} does not fit weights of shape ${formatShape(ws)}`);
      return add(matmul(input, w), b);
    },
  });
}

/** A layer with no parameters that applies `f` elementwise (or along the last axis). */
function activation(name: string, f: (x: Tensor) => Tensor, minRank = 0): Layer<readonly []> {
  const none: readonly [] = Object.freeze([] as const);
  return Object.freeze({
    init(key: Key, inShape: Shape): readonly [readonly [], Shape] {
      checkKey(key, `${name}.init`);
      return Object.freeze([none, checkShapeArg(inShape, name)] as const);
    },
    apply(_params: readonly [], x: Tensor): Tensor {
      const t = tensorArg(x, `${name}.apply`, "input");
      if (t.shape.length < minRank) throw new RangeError(`${name}.apply: the input must have at least ${minRank} axis, got shape ${formatShape(t.shape)}`);
      return f(t);
    },
  });
}

/** σ(x) elementwise. */
export const sigmoidLayer: Layer<readonly []> = activation("sigmoidLayer", (x) => sigmoid(x));
/** tanh(x) elementwise. */
export const tanhLayer: Layer<readonly []> = activation("tanhLayer", (x) => tanh(x));
/** max(x, 0) elementwise. */
export const reluLayer: Layer<readonly []> = activation("reluLayer", (x) => relu(x));
/** softmax along the last axis. */
export const softmaxLayer: Layer<readonly []> = activation("softmaxLayer", (x) => softmax(x, -1), 1);

/** The parameters of `serial(...layers)`: the tuple of its layers' parameters. */
export type SerialParams<Ls extends readonly Layer<unknown>[]> = { readonly [K in keyof Ls]: ParamsOf<Ls[K]> };

/**
 * The layers applied one after another; its parameters are the tuple of theirs, and `init` gives
 * each layer a key of its own (split from the one it is given).
 */
export function serial<const Ls extends readonly Layer<unknown>[]>(...layers: Ls): Layer<SerialParams<Ls>> {
  layers.forEach((l, i) => {
    if (l === null || typeof l !== "object" || typeof l.init !== "function" || typeof l.apply !== "function") {
      throw new TypeError(`serial: the layer at [${i}] is ${describe(l)}, not a { init, apply } layer`);
    }
  });
  type P = SerialParams<Ls>;
  return Object.freeze({
    init(key: Key, inShape: Shape): readonly [P, Shape] {
      const keys = split(checkKey(key, "serial.init"), layers.length);
      let shape = checkShapeArg(inShape, "serial");
      const params = layers.map((layer, i) => {
        const [p, out] = layer.init(keys[i], shape);
        shape = out;
        return p;
      });
      return Object.freeze([Object.freeze(params) as unknown as P, shape] as const);
    },
    apply(params: P, x: Tensor): Tensor {
      const ps = params as unknown as readonly unknown[];
      if (!Array.isArray(ps) || ps.length !== layers.length) {
        throw new TypeError(`serial.apply: params must be an array of ${layers.length} layers' params, got ${describe(params)}`);
      }
      return layers.reduce((y, layer, i) => layer.apply(ps[i], y), x);
    },
  });
}
