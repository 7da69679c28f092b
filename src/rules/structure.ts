// The structural tensor primitives: reshape, transpose, slice and its transpose pad, concat. Each is
// linear, so its tangent is itself and its pullback is its transpose; each rule's value, forward
// rule and pullback sit side by side, with the public op built on it.
import { formatShape, normalizeAxis, type Shape, shapeArray, sizeOf } from "../base/shape.ts";
import { bindT } from "../core/bind.ts";
import { payloadOf, type TensorRule, Tracer, type Value } from "../core/protocol.ts";
import { isTensorValued, readPayload, shapeOf } from "../core/value.ts";
import { describeValue } from "../tensor/describe.ts";
import { describe, show } from "../base/errors.ts";
import { concatPlain, padPlain, slicePlain, transposePlain } from "../tensor/layout.ts";
import { data, fromData, Tensor } from "../tensor/tensor.ts";

/** A tensor argument (plain, or traced: typed as Tensor too), or a TypeError naming the op. */
export function tensorArg(x: unknown, op: string, what = "argument"): Tensor {
  if (x instanceof Tensor) return x;
  // an escaped value throws here too, where an op would hand it back unchanged (reshape to its own shape)
  if (x instanceof Tracer && typeof readPayload(x as Value, op) !== "number") return x as unknown as Tensor;
  throw new TypeError(`${op}: the ${what} must be a Tensor, got ${describeValue(x)}`);
}

export const shapeOfTensor = (x: Value): Shape => shapeOf(x) as Shape;

export const sameDims = (a: Shape, b: Shape): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

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
  const dims = shapeArray(shape, "reshape", "the shape (integers, one may be -1)"); // read once
  const free = dims.filter((d) => d === -1).length;
  if (free > 1 || dims.some((d) => !Number.isInteger(d) || (d as number) < -1)) {
    throw new RangeError(`reshape: [${dims.map(show).join(",")}] is not a shape (integers >= 0, at most one extent may be -1)`);
  }
  shape = dims as number[];
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
  const p = perm === undefined ? shape.map((_, k) => shape.length - 1 - k) : (shapeArray(perm, "transpose", "the permutation") as number[]);
  if (p.length !== shape.length || p.some((v) => typeof v !== "number") || [...p].sort((u, v) => u - v).some((v, k) => v !== k)) {
    throw new RangeError(`transpose: [${p.map(show).join(",")}] is not a permutation of the axes of ${formatShape(shape)}`);
  }
  if (p.every((v, k) => v === k)) return x as Tensor;
  return bindT(transposeRule, [x], p) as Tensor;
}

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
    throw new RangeError(`slice: bounds must be integers, got ${show(begin)} and ${show(end)}`);
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
  // a loop reads a hole as undefined (map would skip it) and stops at the first bad one
  const xs: Tensor[] = [];
  for (let i = 0; i < ts.length; i++) xs.push(tensorArg(ts[i], "concat", `tensor at [${i}]`));
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

