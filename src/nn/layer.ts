// Layers as pairs of pure functions, `{ init(key, inShape) -> [params, outShape], apply(params, x, context?) }`
// (stax's convention): dense, the activation layers, and serial composition, which threads the
// optional context (a key for randomness, the training flag) through its layers, each with a key of
// its own. Nothing here has a derivative rule of its own: a layer is a composition of nabla's ops,
// so every transform sees through it.
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
 * What `apply` may be told besides the parameters and the input: a key for the layers that draw
 * random numbers (dropout), and whether the model is training (dropout is the identity otherwise).
 * @example
 * const model = serial(dense(4), dropout(0.5));
 * const [params] = model.init(key(0), [2, 3]);
 * const x = ones([2, 3]);
 * const training: LayerContext = { key: key(1), training: true };
 * model.apply(params, x, training).shape; // => [2, 4]
 * // without training: no dropout, so the same as no context
 * model.apply(params, x, { training: false }); // => model.apply(params, x)
 * model.apply(params, x, { training: "yes" } as never); // throws TypeError
 */
export interface LayerContext {
  readonly key?: Key | undefined;
  readonly training?: boolean | undefined;
}

/**
 * A layer: `init` makes parameters for inputs of shape `inShape` (the full shape, batch axes
 * included) and says the output's shape; `apply` maps parameters and an input (and an optional
 * context) to the output. Both are pure. A layer without parameters has the empty tree `[]`.
 * @example
 * // a layer of your own: y = s·x with a learned scalar s
 * const scale: Layer<readonly [Tensor]> = {
 *   init: (_key, inShape) => [[tensor([1])], inShape],
 *   apply: ([s], x) => mul(x, s),
 * };
 * scale.apply([tensor([3])], tensor([1, 2])); // => tensor([3, 6])
 */
export interface Layer<P = Tree> {
  init(key: Key, inShape: Shape): readonly [P, Shape];
  apply(params: P, x: Tensor, context?: LayerContext): Tensor;
}

/** A context argument checked: undefined, or a record whose `key` is a Key and `training` a boolean (else a TypeError naming `op`). */
export function checkContext(context: unknown, op: string): LayerContext | undefined {
  if (context === undefined) return undefined;
  if (context === null || typeof context !== "object" || Array.isArray(context)) {
    throw new TypeError(`${op}: the context must be a record { key?, training? }, got ${describe(context)}`);
  }
  const c = context as LayerContext;
  if (c.key !== undefined) checkKey(c.key, op);
  if (c.training !== undefined && typeof c.training !== "boolean") {
    throw new TypeError(`${op}: context.training must be a boolean, got ${describe(c.training)}`);
  }
  return c;
}

/**
 * The parameters' type of a layer.
 * @example
 * const layer = dense(2);
 * const p: ParamsOf<typeof layer> = layer.init(key(0), [3])[0];
 * p.w.shape; // => [3, 2]
 */
export type ParamsOf<L> = L extends Layer<infer P> ? P : never;

/**
 * The parameters of `dense`: y = x·w + b with w of shape [in, units] and b of shape [units].
 * @example
 * const p: DenseParams = { w: ones([2, 1]), b: tensor([0.5]) };
 * dense(1).apply(p, tensor([3, 4])); // => tensor([7.5])
 */
export type DenseParams = { readonly w: Tensor; readonly b: Tensor };

/**
 * How `dense` initializes its weights.
 * @example
 * const options: DenseOptions = { init: "he" };
 * dense(4, options).init(key(1), [2])[1]; // => [4]
 */
export interface DenseOptions {
  /**
   * How `init` draws the weights: "glorot" (default; uniform in ±√(6/(in + units)), for tanh and
   * sigmoid) or "he" (normal with standard deviation √(2/in), for relu). Biases start at zero.
   */
  readonly init?: "glorot" | "he" | undefined;
}

/** Checks a full input shape (at least one axis; a positive last extent) and returns its last extent. */
export function lastExtent(inShape: unknown, layer: string): number {
  const shape = checkShapeArg(inShape, layer);
  if (shape.length === 0 || shape[shape.length - 1] === 0) {
    throw new RangeError(`${layer}.init: inShape must have a last axis of positive extent (the features), got ${formatShape(shape)}`);
  }
  return shape[shape.length - 1];
}

export function checkShapeArg(inShape: unknown, layer: string): Shape {
  return Object.freeze([...checkShape(inShape, `${layer}.init`, "inShape")]);
}

/**
 * A fully connected layer of `units` outputs, y = x·w + b, acting on the last axis: leading axes are
 * batch axes, so `init(key, [5, 4])` of `dense(1)` gives out-shape `[5, 1]`.
 * @example
 * const [params, outShape] = dense(3).init(key(0), [5, 4]);
 * [params.w.shape, params.b.shape, outShape]; // => [[4, 3], [3], [5, 3]]
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

/**
 * σ(x) elementwise.
 * @example
 * sigmoidLayer.apply([], tensor([0])); // => tensor([0.5])
 */
export const sigmoidLayer: Layer<readonly []> = activation("sigmoidLayer", (x) => sigmoid(x));
/**
 * tanh(x) elementwise.
 * @example
 * tanhLayer.apply([], tensor([0])); // => tensor([0])
 */
export const tanhLayer: Layer<readonly []> = activation("tanhLayer", (x) => tanh(x));
/**
 * max(x, 0) elementwise.
 * @example
 * reluLayer.apply([], tensor([-1, 2])); // => tensor([0, 2])
 */
export const reluLayer: Layer<readonly []> = activation("reluLayer", (x) => relu(x));
/**
 * softmax along the last axis.
 * @example
 * softmaxLayer.apply([], tensor([[1, 1]])); // => tensor([[0.5, 0.5]])
 */
export const softmaxLayer: Layer<readonly []> = activation("softmaxLayer", (x) => softmax(x, -1), 1);

/**
 * The parameters of `serial(...layers)`: the tuple of its layers' parameters.
 * @example
 * const model = serial(dense(2), reluLayer);
 * const p: SerialParams<[Layer<DenseParams>, Layer<readonly []>]> = model.init(key(0), [3])[0];
 * p[1]; // => []
 */
export type SerialParams<Ls extends readonly Layer<unknown>[]> = { readonly [K in keyof Ls]: ParamsOf<Ls[K]> };

/**
 * The layers applied one after another; its parameters are the tuple of theirs. `init` gives each
 * layer a key of its own (split from the one it is given), and so does `apply` when its context has
 * a key (the rest of the context goes to every layer as it is).
 * @example
 * const model = serial(dense(2), tanhLayer, dense(1));
 * const [params, outShape] = model.init(key(0), [8, 3]);
 * [params.length, outShape, model.apply(params, zeros([8, 3])).shape]; // => [3, [8, 1], [8, 1]]
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
    apply(params: P, x: Tensor, context?: LayerContext): Tensor {
      const ps = params as unknown as readonly unknown[];
      if (!Array.isArray(ps) || ps.length !== layers.length) {
        throw new TypeError(`serial.apply: params must be an array of ${layers.length} layers' params, got ${describe(params)}`);
      }
      const c = checkContext(context, "serial.apply");
      if (c === undefined) return layers.reduce((y, layer, i) => layer.apply(ps[i], y), x);
      const keys = c.key === undefined ? undefined : split(c.key, layers.length);
      return layers.reduce((y, layer, i) => layer.apply(ps[i], y, keys === undefined ? c : { ...c, key: keys[i] }), x);
    },
  });
}
