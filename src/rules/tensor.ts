// The tensor primitives: each one's value (a kernel), forward rule and pullback side by side, and
// the public op built on it. Linear ops (reshape, transpose, slice, concat, sums) have themselves as
// tangent and their transposes as pullback; matmul's pullbacks are matmuls with flipped flags.
import { bindT } from "../core/bind.ts";
import { describeValue } from "../tensor/describe.ts";
import { isTensorValued, shapeOf } from "../core/value.ts";
import { type Payload, payloadOf, type Real, type TensorRule, Tracer, type Value } from "../core/protocol.ts";
import { kernels } from "../backend/index.ts";
import { concatPlain, padPlain, slicePlain, sumAxisPlain, transposePlain } from "../tensor/layout.ts";
import { formatShape, normalizeAxis, type Shape, sizeOf } from "../base/shape.ts";
import { data, fromData, Tensor } from "../tensor/tensor.ts";
import { broadcastTo, sumTo } from "./broadcast.ts";
import { add, applySum, mul, sub } from "./scalar.ts";

/** A tensor argument (plain, or traced: typed as Tensor too), or a TypeError naming the op. */
function tensorArg(x: unknown, op: string, what = "argument"): Tensor {
  if (x instanceof Tensor || (x instanceof Tracer && isTensorValued(x as Value))) return x as Tensor;
  throw new TypeError(`${op}: the ${what} must be a Tensor, got ${describeValue(x)}`);
}

const shapeOfTensor = (x: Value): Shape => shapeOf(x) as Shape;

// ---------------------------------------------------------------------------------------------
// matmul: C = op(A)·op(B) on matrices; the public op adds vectors and leading batch axes.

interface Flags {
  readonly transA: boolean;
  readonly transB: boolean;
}

const mmRule: TensorRule<Flags> = {
  name: "matmul",
  value: ([a, b], { transA, transB }) => {
    const A = a as Tensor;
    const B = b as Tensor;
    const [n, k] = transA ? [A.shape[1], A.shape[0]] : [A.shape[0], A.shape[1]];
    const [k2, m] = transB ? [B.shape[1], B.shape[0]] : [B.shape[0], B.shape[1]];
    if (k !== k2) throw new RangeError(`matmul: ${formatShape(A.shape)} × ${formatShape(B.shape)}`);
    return fromData(kernels.matmul(data(A), data(B), n, k, m, transA, transB), [n, m]);
  },
  // d(AB) = dA·B + A·dB
  jvp: ([a, b], [ta, tb], _y, f) => {
    const left = ta === undefined ? undefined : mm(ta, b, f.transA, f.transB);
    const right = tb === undefined ? undefined : mm(a, tb, f.transA, f.transB);
    return left === undefined ? right! : right === undefined ? left : add(left, right);
  },
  // Ā = C̄·op(B)ᵀ and B̄ = op(A)ᵀ·C̄, each transposed back when its operand was stored transposed
  vjp: ([a, b], _y, { transA, transB }, active) => (ct) => [
    active[0] ? (transA ? mm(b, ct, transB, true) : mm(ct, b, false, !transB)) : undefined,
    active[1] ? (transB ? mm(ct, a, true, transA) : mm(a, ct, !transA, false)) : undefined,
  ],
};

const mm = (a: Value, b: Value, transA: boolean, transB: boolean): Value => bindT(mmRule, [a, b], { transA, transB });

/**
 * The matrix product, as NumPy's matmul: [n,k]·[k,m] → [n,m]; a vector on either side is a row or a
 * column, dropped from the result; leading axes of the left operand are batch axes.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const A = tensorArg(a, "matmul", "left operand");
  const B = tensorArg(b, "matmul", "right operand");
  const as = shapeOfTensor(A);
  const bs = shapeOfTensor(B);
  const mismatch = (): RangeError => new RangeError(`matmul: ${formatShape(as)} × ${formatShape(bs)}`);
  if (as.length === 0 || bs.length === 0 || bs.length > 2) throw mismatch();
  const k = as[as.length - 1];
  if (k !== bs[0]) throw mismatch();
  if (as.length === 1 && bs.length === 1) return sumTo(mul(A, B), null) as unknown as Tensor; // a vector·vector is a Real
  const B2 = bs.length === 1 ? reshape(B, [k, 1]) : B;
  const m = bs.length === 1 ? 1 : bs[1];
  const lead = as.slice(0, -1);
  const A2 = as.length === 2 ? A : reshape(A, [sizeOf(lead), k]);
  const C = mm(A2, B2, false, false) as Tensor;
  const outShape = bs.length === 1 ? lead : [...lead, m];
  return sameDims(shapeOfTensor(C), outShape) ? C : reshape(C, outShape);
}

const sameDims = (a: Shape, b: Shape): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

// ---------------------------------------------------------------------------------------------
// reshape and transpose: linear, their own tangents; the pullback undoes them.

const reshapeRule: TensorRule<Shape> = {
  name: "reshape",
  value: ([x], shape) => fromData(data(x as Tensor), shape), // immutable data can be shared
  jvp: (_p, [t], _y, shape) => bindT(reshapeRule, [t!], shape),
  vjp: ([x]) => (ct) => [bindT(reshapeRule, [ct], shapeOfTensor(x))],
};

/** The same elements in a new shape; one extent may be -1 (inferred). */
export function reshape(t: Tensor, shape: readonly number[]): Tensor {
  const x = tensorArg(t, "reshape");
  const from = shapeOfTensor(x);
  const n = sizeOf(from);
  const free = shape.filter((d) => d === -1).length;
  if (!Array.isArray(shape) || free > 1 || shape.some((d) => !Number.isInteger(d) || d < -1)) {
    throw new RangeError(`reshape: ${describeValue(shape)} is not a shape (at most one extent may be -1)`);
  }
  const known = shape.reduce((p, d) => (d === -1 ? p : p * d), 1);
  const target = shape.map((d) => (d === -1 ? (known === 0 ? 0 : n / known) : d));
  if (sizeOf(target) !== n || !target.every(Number.isInteger)) {
    throw new RangeError(`reshape: ${formatShape(from)} to ${formatShape(shape)} (${n} elements)`);
  }
  if (sameDims(from, target)) return x as Tensor;
  return bindT(reshapeRule, [x], target) as Tensor;
}

const transposeRule: TensorRule<readonly number[]> = {
  name: "transpose",
  value: ([x], perm) => transposePlain(x as Tensor, perm),
  jvp: (_p, [t], _y, perm) => bindT(transposeRule, [t!], perm),
  vjp: (_p, _y, perm) => {
    const inverse = new Array<number>(perm.length);
    perm.forEach((p, k) => (inverse[p] = k));
    return (ct) => [bindT(transposeRule, [ct], inverse)];
  },
};

/** Axes permuted (output axis k is input axis perm[k]); by default reversed, so a matrix is transposed. */
export function transpose(t: Tensor, perm?: readonly number[]): Tensor {
  const x = tensorArg(t, "transpose");
  const shape = shapeOfTensor(x);
  const p = perm ?? shape.map((_, k) => shape.length - 1 - k);
  if (p.length !== shape.length || [...p].sort((u, v) => u - v).some((v, k) => v !== k)) {
    throw new RangeError(`transpose: [${p.join(",")}] is not a permutation of the axes of ${formatShape(shape)}`);
  }
  if (p.every((v, k) => v === k)) return x as Tensor;
  return bindT(transposeRule, [x], p) as Tensor;
}

// ---------------------------------------------------------------------------------------------
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

// ---------------------------------------------------------------------------------------------
// slice, its transpose pad, and concat.

interface Span {
  readonly begin: number;
  readonly end: number;
  readonly axis: number;
  /** The extent of the sliced axis in the input. */
  readonly len: number;
}

const sliceRule: TensorRule<Span> = {
  name: "slice",
  value: ([x], s) => slicePlain(x as Tensor, s.begin, s.end, s.axis),
  jvp: (_p, [t], _y, s) => bindT(sliceRule, [t!], s),
  vjp: (_p, _y, s) => (ct) => [bindT(padRule, [ct], s)],
};

const padRule: TensorRule<Span> = {
  name: "pad",
  value: ([x], s) => padPlain(x as Tensor, s.begin, s.len, s.axis),
  jvp: (_p, [t], _y, s) => bindT(padRule, [t!], s),
  vjp: (_p, _y, s) => (ct) => [bindT(sliceRule, [ct], s)],
};

/**
 * Elements begin … end−1 along `axis` (half-open; negative indices count from the end; out-of-range
 * bounds are clamped, as in JavaScript's Array.slice).
 */
export function slice(t: Tensor, begin: number, end?: number, axis = 0): Tensor {
  const x = tensorArg(t, "slice");
  const shape = shapeOfTensor(x);
  const a = normalizeAxis(axis, shape.length, "slice", shape);
  const len = shape[a];
  const clamp = (i: number): number => Math.min(len, Math.max(0, i < 0 ? i + len : i));
  if (!Number.isInteger(begin) || (end !== undefined && !Number.isInteger(end))) {
    throw new RangeError(`slice: bounds must be integers, got ${begin} and ${end}`);
  }
  const b = clamp(begin);
  const e = Math.max(b, clamp(end ?? len));
  if (b === 0 && e === len) return x as Tensor;
  return bindT(sliceRule, [x], { begin: b, end: e, axis: a, len }) as Tensor;
}

const concatRule: TensorRule<number> = {
  name: "concat",
  value: (xs, axis) => concatPlain(xs as readonly Tensor[], axis),
  jvp: (primals, tangents, _y, axis) =>
    bindT(concatRule, tangents.map((t, i) => t ?? zerosOf(primals[i])), axis),
  vjp: (primals, _y, axis, active) => {
    const extents = primals.map((p) => shapeOfTensor(p)[axis]);
    const len = extents.reduce((s, e) => s + e, 0);
    return (ct) => {
      let at = 0;
      return extents.map((e, i) => {
        const s = { begin: at, end: at + e, axis, len };
        at += e;
        return active[i] ? bindT(sliceRule, [ct], s) : undefined;
      });
    };
  },
};

const zerosOf = (x: Value): Tensor => {
  const p = payloadOf(x) as Tensor;
  return fromData(new Float64Array(p.size), p.shape);
};

/** Tensors joined along `axis`; their shapes must agree on every other axis. */
export function concat(ts: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(ts) || ts.length === 0) throw new TypeError(`concat: expects a non-empty array of Tensors, got ${describeValue(ts)}`);
  const xs = ts.map((t, i) => tensorArg(t, "concat", `tensor at [${i}]`));
  const first = shapeOfTensor(xs[0]);
  const a = normalizeAxis(axis, first.length, "concat", first);
  for (const x of xs) {
    const s = shapeOfTensor(x);
    if (s.length !== first.length || s.some((d, k) => k !== a && d !== first[k])) {
      throw new RangeError(`concat: shapes ${formatShape(first)} and ${formatShape(s)} differ off axis ${a}`);
    }
  }
  return xs.length === 1 ? (xs[0] as Tensor) : (bindT(concatRule, xs, a) as Tensor);
}

// ---------------------------------------------------------------------------------------------
// Not differentiable: they take and give plain indices.

/** Rows of zeros with a 1 at each label: labels (integers in [0, classes)) to a [n, classes] tensor. */
export function oneHot(labels: readonly number[] | Tensor, classes: number): Tensor {
  const ls = labels instanceof Tensor ? Array.from(data(labels)) : labels;
  if (!Array.isArray(ls) && !(labels instanceof Tensor)) throw new TypeError(`oneHot: expects an array of labels, got ${describeValue(labels)}`);
  if (!Number.isInteger(classes) || classes <= 0) throw new RangeError(`oneHot: classes must be a positive integer, got ${classes}`);
  const out = new Float64Array(ls.length * classes);
  ls.forEach((l, i) => {
    if (!Number.isInteger(l) || l < 0 || l >= classes) {
      throw new RangeError(`oneHot: label ${l} at [${i}] is not an integer in [0, ${classes})`);
    }
    out[i * classes + l] = 1;
  });
  return fromData(out, [ls.length, classes]);
}

/** The index of the largest element (of the flattened tensor), or along an axis as nested plain arrays. */
export function argmax(t: Tensor): number;
export function argmax(t: Tensor, axis: number): number[];
export function argmax(t: Tensor, axis?: number): number | number[] {
  const x = payloadOf(tensorArg(t, "argmax")) as Tensor;
  if (axis === undefined) return kernels.argmax(data(x), x.shape, undefined)[0];
  const a = normalizeAxis(axis, x.shape.length, "argmax", x.shape);
  const flat = kernels.argmax(data(x), x.shape, a);
  const outShape = [...x.shape.slice(0, a), ...x.shape.slice(a + 1)];
  let next = 0;
  const build = (d: number): number | unknown[] =>
    d === outShape.length ? flat[next++] : Array.from({ length: outShape[d] }, () => build(d + 1));
  return build(0) as number | number[];
}
