// Reductions (sum and mean along an axis or over everything, softmax, logSumExp), each rule's value,
// forward rule and pullback side by side; and the two ops on indices, oneHot and argmax (not
// differentiable: they take and give plain indices).
import { kernels } from "../backend/index.ts";
import { formatShape, MAX_SIZE, normalizeAxis, type Shape, sizeOf } from "../base/shape.ts";
import { describe } from "../base/errors.ts";
import { readPayload } from "../core/value.ts";
import { bindT } from "../core/bind.ts";
import { type Payload, payloadOf, type Real, type TensorRule, type Value } from "../core/protocol.ts";
import { describeValue } from "../tensor/describe.ts";
import { sumAxisPlain } from "../tensor/layout.ts";
import { data, fromData, Tensor } from "../tensor/tensor.ts";
import { broadcastTo, sumTo } from "./broadcast.ts";
import { applySum, mul, sub } from "./scalar.ts";
import { reshape, shapeOfTensor, tensorArg } from "./structure.ts";

// Reductions. Without an axis they give a scalar Real; with one, they remove that axis.

const sumAxisRule: TensorRule<number> = {
  name: "sum",
  value: ([x], axis) => sumAxisPlain(x as Tensor, axis),
  jvp: (_p, [t], _y, axis) => bindT(sumAxisRule, [t!], axis),
  vjp: ([x], _y, axis) => (ct) => [broadcastTo(keepAxis(ct, shapeOfTensor(x), axis), shapeOfTensor(x))],
};

/** A reduced value reshaped with the reduced axis kept at extent 1 (so it broadcasts back). */
function keepAxis(reduced: Value, shape: Shape, axis: number): Value {
  const kept = shape.map((d, k) => (k === axis ? 1 : d));
  return typeof payloadOf(reduced) === "number" ? reduced : reshape(reduced as Tensor, kept);
}

/** Σ of an array of Reals; Σ of every element of a tensor (a Real); or Σ along an axis (a Tensor). */
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

/** The mean of every element (a Real), or along an axis (a Tensor). */
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

/** log Σ exp of every element (a Real), or along an axis (a Tensor), without overflow. */
export function logSumExp(t: Tensor): Real;
export function logSumExp(t: Tensor, axis: number): Tensor;
export function logSumExp(t: Tensor, axis?: number): Real | Tensor {
  const x = tensorArg(t, "logSumExp");
  const shape = shapeOfTensor(x);
  const a = axis === undefined ? null : normalizeAxis(axis, shape.length, "logSumExp", shape);
  return bindT(logSumExpRule, [x], a) as Real | Tensor;
}

/** exp(x) / Σ exp(x) along `axis` (default the last), after subtracting the maximum. */
export function softmax(t: Tensor, axis = -1): Tensor {
  const x = tensorArg(t, "softmax");
  const shape = shapeOfTensor(x);
  return bindT(softmaxRule, [x], normalizeAxis(axis, shape.length, "softmax", shape)) as Tensor;
}

// Not differentiable: they take and give plain indices.

/** Rows of zeros with a 1 at each label: labels (integers in [0, classes)) to a [n, classes] tensor. */
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
  const out = new Float64Array(ls.length * classes);
  ls.forEach((l, i) => (out[i * classes + l] = 1));
  return fromData(out, [ls.length, classes]);
}

/** The index of the largest element (of the flattened tensor), or along an axis as nested plain arrays. */
export function argmax(t: Tensor): number;
export function argmax(t: Tensor, axis: number): number[];
export function argmax(t: Tensor, axis?: number): number | number[] {
  const x = readPayload(tensorArg(t, "argmax") as Value, "argmax") as Tensor;
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

