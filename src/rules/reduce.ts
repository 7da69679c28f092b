// Reductions (sum and mean along an axis or over everything, softmax, logSumExp), each rule's value,
// forward rule and pullback side by side; and the two ops on indices, oneHot and argmax (not
// differentiable: they take and give plain indices).
import { kernels } from "../backend/index.ts";
import { formatShape, MAX_SIZE, normalizeAxis, type Shape, sizeOf } from "../base/shape.ts";
import { describe } from "../base/errors.ts";
import { bindT } from "../core/bind.ts";
import { type Payload, payloadOf, type Real, type TensorRule, type Value, valueRead } from "../core/protocol.ts";
import { shapeOf } from "../core/value.ts";
import { describeValue } from "../tensor/describe.ts";
import { sumAxisPlain } from "../tensor/layout.ts";
import { data, fromData, room, Tensor } from "../tensor/tensor.ts";
import { broadcastTo, sumTo } from "./broadcast.ts";
import { applySum, div, mul, square, sub } from "./scalar.ts";
import { equalMask } from "./masks.ts";
import { reshapeRule, toFront } from "./axes.ts";
import { reshape, shapeOfTensor, tensorArg } from "./structure.ts";

// Reductions. Without an axis they give a scalar Real; with one, they remove that axis.

const sumAxisRule: TensorRule<number> = {
  name: "sum",
  value: ([x], axis) => sumAxisPlain(x as Tensor, axis),
  jvp: (_p, [t], _y, axis) => bindT(sumAxisRule, [t!], axis),
  vjp: ([x], _y, axis) => (ct) => [broadcastTo(keepAxis(ct, shapeOfTensor(x), axis), shapeOfTensor(x))],
  batch: ([x], [b], axis) => [bindT(sumAxisRule, [toFront(x!, b!)], axis + 1), 0],
};

/** A reduced value reshaped with the reduced axis kept at extent 1 (so it broadcasts back). */
function keepAxis(reduced: Value, shape: Shape, axis: number): Value {
  const kept = shape.map((d, k) => (k === axis ? 1 : d));
  return shapeOf(reduced) === null ? reduced : reshape(reduced as Tensor, kept);
}

/**
 * Σ of an array of Reals; Σ of every element of a tensor (a Real); or Σ along an axis (a Tensor).
 * @example
 * sum([1, 2, 3]); // => 6
 * sum(tensor([[1, 2], [3, 4]])); // => 10
 * sum(tensor([[1, 2], [3, 4]]), 1); // => tensor([3, 7])
 */
export function sum(xs: readonly number[]): number;
export function sum(xs: readonly Real[]): Real;
export function sum(t: Tensor): Real;
export function sum(t: Tensor, axis: number): Tensor;
export function sum(x: readonly Real[] | Tensor, axis?: number): Real | Tensor {
  if (Array.isArray(x)) return applySum(x as readonly Real[]);
  const t = tensorArg(x, "sum");
  if (axis === undefined) return sumTo(t, null) as Real;
  const shape = shapeOfTensor(t);
  return bindT(sumAxisRule, [t], normalizeAxis(axis, shape.length, "sum", shape)) as Tensor;
}

/**
 * The mean of every element (a Real), or along an axis (a Tensor).
 * @example
 * mean(tensor([1, 2, 3, 6])); // => 3
 * mean(tensor([[1, 2], [3, 4]]), 0); // => tensor([2, 3])
 */
export function mean(t: Tensor): Real;
export function mean(t: Tensor, axis: number): Tensor;
export function mean(t: Tensor, axis?: number): Real | Tensor {
  const x = tensorArg(t, "mean");
  const shape = shapeOfTensor(x);
  if (axis === undefined) return mul(sum(x as Tensor), 1 / sizeOf(shape)) as Real;
  const a = normalizeAxis(axis, shape.length, "mean", shape);
  return mul(sum(x as Tensor, a), 1 / shape[a]) as Tensor;
}

// softmax along an axis: exp(x − max) / Σ exp(x − max), so that no term overflows and equal huge
// inputs still give exactly uniform weights. Its tangent and pullback are y ⊙ (t − Σ y ⊙ t).
const softmaxRule: TensorRule<number> = {
  name: "softmax",
  value: ([x], axis) => softmaxPlain(x as Tensor, axis),
  jvp: (_p, [t], y, axis) => mul(y, sub(t!, expand(bindT(sumAxisRule, [mul(y, t!)], axis), shapeOfTensor(y), axis))),
  vjp: (_p, y, axis) => (ct) => [mul(y, sub(ct, expand(bindT(sumAxisRule, [mul(ct, y)], axis), shapeOfTensor(y), axis)))],
  batch: ([x], [b], axis) => [bindT(softmaxRule, [toFront(x!, b!)], axis + 1), 0],
};

/** Softmax along an axis, or over every element (axis null). */
function softmaxOf(x: Value, axis: number | null): Value {
  if (axis !== null) return bindT(softmaxRule, [x], axis);
  const shape = shapeOfTensor(x);
  return reshape(bindT(softmaxRule, [reshape(x as Tensor, [sizeOf(shape)])], 0) as Tensor, shape);
}

/** Softmax of a plain tensor, by the backend. */
const softmaxPlain = (x: Tensor, axis: number): Tensor => fromData(kernels.softmax(data(x), x.shape, axis), x.shape);

// log Σ exp along an axis (or everything), computed after subtracting the maximum so that no term
// overflows; its derivative is the softmax.
const logSumExpRule: TensorRule<number | null> = {
  name: "logSumExp",
  value: ([x], axis) => logSumExpPlain(x as Tensor, axis),
  jvp: ([x], [t], _y, axis) => reduce(mul(softmaxOf(x, axis), t!), axis),
  vjp: ([x], _y, axis) => (ct) => [mul(expand(ct, shapeOfTensor(x), axis), softmaxOf(x, axis))],
  // over every element of an example: its elements in one row
  batch: ([x], [b], axis, size) => {
    const front = toFront(x!, b!);
    if (axis !== null) return [bindT(logSumExpRule, [front], axis + 1), 0];
    return [bindT(logSumExpRule, [bindT(reshapeRule, [front], [size, sizeOf(shapeOf(front)!.slice(1))])], 1), 0];
  },
};

/** A reduced value broadcast back to `shape`. */
const expand = (reduced: Value, shape: Shape, axis: number | null): Value =>
  broadcastTo(axis === null ? reduced : keepAxis(reduced, shape, axis), shape);

const reduce = (x: Value, axis: number | null): Value =>
  axis === null ? sumTo(x, null) : bindT(sumAxisRule, [x], axis);

/** log Σ exp of a plain tensor, by the backend: a number for every element (axis null), else a tensor. */
function logSumExpPlain(x: Tensor, axis: number | null): Payload {
  const shape = x.shape;
  const out = kernels.logSumExp(data(x), shape, axis);
  return axis === null ? out[0] : fromData(out, [...shape.slice(0, axis), ...shape.slice(axis + 1)]);
}

/**
 * log Σ exp of every element (a Real), or along an axis (a Tensor), without overflow.
 * @example
 * logSumExp(tensor([0, 0])); // => Math.log(2)
 * logSumExp(tensor([1000, 1000])); // => 1000 + Math.log(2)
 */
export function logSumExp(t: Tensor): Real;
export function logSumExp(t: Tensor, axis: number): Tensor;
export function logSumExp(t: Tensor, axis?: number): Real | Tensor {
  const x = tensorArg(t, "logSumExp");
  const shape = shapeOfTensor(x);
  const a = axis === undefined ? null : normalizeAxis(axis, shape.length, "logSumExp", shape);
  return bindT(logSumExpRule, [x], a) as Real | Tensor;
}

/**
 * exp(x) / Σ exp(x) along `axis` (default the last), after subtracting the maximum.
 * @example
 * softmax(tensor([0, Math.log(3)])); // => tensor([0.25, 0.75])
 */
export function softmax(t: Tensor, axis = -1): Tensor {
  const x = tensorArg(t, "softmax");
  const shape = shapeOfTensor(x);
  return bindT(softmaxRule, [x], normalizeAxis(axis, shape.length, "softmax", shape)) as Tensor;
}

// amax / amin: the largest or smallest element along an axis (or of everything). The derivative
// goes to the elements equal to it, shared equally among ties (as JAX does), so it is well defined
// at ties and the jvp and vjp stay each other's transpose.

interface Extremum {
  readonly axis: number | null;
  readonly sign: 1 | -1;
}

const extremumRule: TensorRule<Extremum> = {
  name: "extremum",
  value: ([x], { axis, sign }) => {
    const t = x as Tensor;
    const out = kernels.extremum(data(t), t.shape, axis, sign);
    return axis === null ? out[0]! : fromData(out, [...t.shape.slice(0, axis), ...t.shape.slice(axis + 1)]);
  },
  jvp: ([x], [t], y, { axis }) => reduce(mul(t!, tieShares(x!, y, axis)), axis),
  vjp: ([x], y, { axis }) => (ct) => [mul(expand(ct, shapeOfTensor(x!), axis), tieShares(x!, y, axis))],
  batch: ([x], [b], e, size) => {
    const front = toFront(x!, b!);
    if (e.axis !== null) return [bindT(extremumRule, [front], { ...e, axis: e.axis + 1 }), 0];
    return [bindT(extremumRule, [bindT(reshapeRule, [front], [size, sizeOf(shapeOf(front)!.slice(1))])], { ...e, axis: 1 }), 0];
  },
};

/** 1/k at each of the k elements equal to the extremum `y`, 0 elsewhere (a constant: masks carry no derivative). */
function tieShares(x: Value, y: Value, axis: number | null): Value {
  const shape = shapeOfTensor(x);
  const ties = equalMask(x, expand(y, shape, axis));
  return div(ties, expand(reduce(ties, axis), shape, axis));
}

function extremumOf(t: Tensor, axis: number | undefined, sign: 1 | -1, op: string): Real | Tensor {
  const x = tensorArg(t, op);
  const shape = shapeOfTensor(x);
  const a = axis === undefined ? null : normalizeAxis(axis, shape.length, op, shape);
  if ((a === null ? sizeOf(shape) : shape[a]) === 0) throw new RangeError(`${op}: reduction over an empty axis of shape ${formatShape(shape)}`);
  return bindT(extremumRule, [x], { axis: a, sign }) as Real | Tensor;
}

/**
 * The largest element (a Real), or the largest along an axis (a Tensor); ties share the gradient equally.
 * @example
 * amax(tensor([[1, 5], [3, 2]])); // => 5
 * amax(tensor([[1, 5], [3, 2]]), 0); // => tensor([3, 5])
 * grad((t: Tensor) => amax(t))(tensor([2, 2, 1])); // => tensor([0.5, 0.5, 0])
 */
export function amax(t: Tensor): Real;
export function amax(t: Tensor, axis: number): Tensor;
export function amax(t: Tensor, axis?: number): Real | Tensor {
  return extremumOf(t, axis, 1, "amax");
}

/**
 * The smallest element (a Real), or the smallest along an axis (a Tensor); ties share the gradient equally.
 * @example
 * amin(tensor([[1, 5], [3, 2]]), 1); // => tensor([1, 2])
 */
export function amin(t: Tensor): Real;
export function amin(t: Tensor, axis: number): Tensor;
export function amin(t: Tensor, axis?: number): Real | Tensor {
  return extremumOf(t, axis, -1, "amin");
}

/**
 * The variance (mean squared deviation from the mean, NumPy's ddof = 0) of every element, or along an axis.
 * @example
 * variance(tensor([1, 2, 3, 4])); // => 1.25
 * variance(tensor([[1, 3], [2, 2]]), 1); // => tensor([1, 0])
 */
export function variance(t: Tensor): Real;
export function variance(t: Tensor, axis: number): Tensor;
export function variance(t: Tensor, axis?: number): Real | Tensor {
  const x = tensorArg(t, "variance");
  const shape = shapeOfTensor(x);
  const a = axis === undefined ? null : normalizeAxis(axis, shape.length, "variance", shape);
  const centred = sub(x, expand(a === null ? mean(x) : mean(x, a), shape, a)) as Tensor;
  return a === null ? mean(square(centred) as Tensor) : mean(square(centred) as Tensor, a);
}

// Not differentiable: they take and give plain indices.

/**
 * Rows of zeros with a 1 at each label: labels (integers in [0, classes)) to a [n, classes] tensor.
 * @example
 * toArray(oneHot([0, 2], 3)); // => [[1, 0, 0], [0, 0, 1]]
 */
export function oneHot(labels: readonly number[] | Tensor, classes: number): Tensor {
  return oneHotIn(labels, classes, "oneHot");
}

/** oneHot for a public function `op` (its errors name `op`). */
export function oneHotIn(labels: readonly number[] | Tensor, classes: number, op: string): Tensor {
  if (!Array.isArray(labels) && !(labels instanceof Tensor)) throw new TypeError(`${op}: expects an array of labels, got ${describeValue(labels)}`);
  if (typeof classes !== "number" || !Number.isInteger(classes) || classes <= 0) {
    throw new RangeError(`${op}: classes must be a positive integer, got ${typeof classes === "number" ? classes : describe(classes)}`);
  }
  const given: ArrayLike<unknown> = labels instanceof Tensor ? data(labels) : (labels as readonly unknown[]);
  // each label read once, checked as it is read (a hole is undefined: not a label), so a sparse array stops at its first hole
  const ls: number[] = [];
  for (let i = 0; i < given.length; i++) {
    const l = given[i];
    if (typeof l !== "number") throw new TypeError(`${op}: the label at [${i}] is ${describe(l)}, not a number`);
    if (!Number.isInteger(l) || l < 0 || l >= classes) {
      throw new RangeError(`${op}: label ${l} at [${i}] is not an integer in [0, ${classes})`);
    }
    ls.push(l);
  }
  if (ls.length * classes > MAX_SIZE) throw new RangeError(`${op}: ${ls.length} rows of ${classes} classes is more than a tensor can hold`);
  const out = room(op, ls.length * classes); // zeroed; a failed allocation is a RangeError naming op
  ls.forEach((l, i) => (out[i * classes + l] = 1));
  return fromData(out, [ls.length, classes]);
}

/**
 * The index of the largest element (of the flattened tensor), or along an axis as nested plain arrays.
 * @example
 * argmax(tensor([1, 5, 3])); // => 1
 * argmax(tensor([[1, 9], [7, 2]]), 1); // => [1, 0]
 */
export function argmax(t: Tensor): number;
export function argmax(t: Tensor, axis: number): number[];
export function argmax(t: Tensor, axis?: number): number | number[] {
  const arg = tensorArg(t, "argmax"); // an escaped tensor throws here, naming argmax
  valueRead(arg, "argmax"); // plain indices: not a value of any level (vmap refuses it, jit runs as written)
  const x = payloadOf(arg) as Tensor;
  if (axis === undefined) {
    if (x.size === 0) throw new RangeError(`argmax: an empty tensor (shape ${formatShape(x.shape)}) has no largest element`);
    return kernels.argmax(data(x), x.shape, undefined)[0];
  }
  if (typeof axis !== "number") throw new TypeError(`argmax: the axis must be an integer, got ${describe(axis)}`);
  const a = normalizeAxis(axis, x.shape.length, "argmax", x.shape);
  if (x.shape[a] === 0) throw new RangeError(`argmax: axis ${axis} of shape ${formatShape(x.shape)} is empty: no largest element`);
  const flat = kernels.argmax(data(x), x.shape, a);
  const outShape = [...x.shape.slice(0, a), ...x.shape.slice(a + 1)];
  let next = 0;
  const build = (d: number): number | unknown[] =>
    d === outShape.length ? flat[next++] : Array.from({ length: outShape[d] }, () => build(d + 1));
  return build(0) as number | number[];
}

