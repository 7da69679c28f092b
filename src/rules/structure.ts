// The structural tensor primitives: reshape, transpose, slice and its transpose pad, concat. Each is
// linear, so its tangent is itself and its pullback is its transpose; each rule's value, forward
// rule and pullback sit side by side, with the public op built on it.
import { checkShape, formatShape, normalizeAxis, type Shape, shapeArray, sizeOf } from "../base/shape.ts";
import { bindT } from "../core/bind.ts";
import { type Real, type TensorRule, Tracer, type Value } from "../core/protocol.ts";
import { isTensorValued, live, shapeOf } from "../core/value.ts";
import { describeValue } from "../tensor/describe.ts";
import { show } from "../base/errors.ts";
import { concatPlain, padPlain, slicePlain } from "../tensor/layout.ts";
import { reshapeRule, toFront, transposeRule } from "./axes.ts";
import { broadcastTo as broadcastValue, materialize } from "./broadcast.ts";
import { fromData, Tensor } from "../tensor/tensor.ts";

/** A tensor argument (plain, or traced: typed as Tensor too), or a TypeError naming the op. */
export function tensorArg(x: unknown, op: string, what = "argument"): Tensor {
  if (x instanceof Tensor) return x;
  // an escaped value throws here too, where an op would hand it back unchanged (reshape to its own shape)
  if (x instanceof Tracer && isTensorValued(x as Value)) return live(x, op) as unknown as Tensor;
  throw new TypeError(`${op}: the ${what} must be a Tensor, got ${describeValue(x)}`);
}

export const shapeOfTensor = (x: Value): Shape => shapeOf(x) as Shape;

export const sameDims = (a: Shape, b: Shape): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

// reshape and transpose: linear, their own tangents; the pullback undoes them.

/**
 * The same elements in a new shape; one extent may be -1 (inferred).
 * @example
 * reshape(tensor([1, 2, 3, 4, 5, 6]), [2, -1]); // => tensor([[1, 2, 3], [4, 5, 6]])
 */
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

/**
 * Axes permuted (output axis k is input axis perm[k]); by default reversed, so a matrix is transposed.
 * @example
 * transpose(tensor([[1, 2, 3], [4, 5, 6]])); // => tensor([[1, 4], [2, 5], [3, 6]])
 */
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
  batch: ([x], [axis], s) => [bindT(sliceRule, [toFront(x!, axis!)], { ...s, axis: s.axis + 1 }), 0],
};

const padRule: TensorRule<Span> = {
  name: "pad",
  value: ([x], s) => padPlain(x as Tensor, s.begin, s.len, s.axis),
  jvp: (_p, [t], _y, s) => bindT(padRule, [t!], s),
  vjp: (_p, _y, s) => (ct) => [bindT(sliceRule, [ct], s)],
  batch: ([x], [axis], s) => [bindT(padRule, [toFront(x!, axis!)], { ...s, axis: s.axis + 1 }), 0],
};

/**
 * Elements begin … end−1 along `axis` (half-open; negative indices count from the end; out-of-range
 * bounds are clamped, as in JavaScript's Array.slice).
 * @example
 * slice(tensor([1, 2, 3, 4]), 1, -1); // => tensor([2, 3])
 * slice(tensor([[1, 2, 3], [4, 5, 6]]), 1, 3, 1); // => tensor([[2, 3], [5, 6]])
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
  // the shared arguments are repeated for every example
  batch: (xs, axes, axis, size) => [bindT(concatRule, xs.map((x, i) => materialize(x, axes[i] ?? null, size)), axis + 1), 0],
};

const zerosOf = (x: Value): Tensor => {
  const shape = shapeOf(x)!;
  return fromData(new Float64Array(sizeOf(shape)), shape);
};

/**
 * Tensors joined along `axis`; their shapes must agree on every other axis.
 * @example
 * concat([tensor([1, 2]), tensor([3])]); // => tensor([1, 2, 3])
 * concat([tensor([[1], [2]]), tensor([[3], [4]])], 1); // => tensor([[1, 3], [2, 4]])
 */
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


// Shapes around one axis: composed from reshape and concat, so they batch and differentiate as those do.

/**
 * `t` with a new axis of extent 1 at `axis` (negative counts from the end of the result).
 * @example
 * expandDims(tensor([1, 2]), 0).shape; // => [1, 2]
 * expandDims(tensor([1, 2]), -1).shape; // => [2, 1]
 */
export function expandDims(t: Tensor | Real, axis: number): Tensor {
  const tensorValued = t instanceof Tensor || (t instanceof Tracer && isTensorValued(t as Value)); // anything else is checked as a Real
  const x = tensorValued ? tensorArg(t, "expandDims") : (broadcastToShape(t as Value, [], "expandDims") as Tensor);
  const shape = shapeOfTensor(x);
  const a = normalizeAxis(axis, shape.length + 1, "expandDims", shape);
  return bindT(reshapeRule, [x], [...shape.slice(0, a), 1, ...shape.slice(a)]) as Tensor;
}

/**
 * `t` without its axes of extent 1 (or only `axis`, which must have extent 1).
 * @example
 * squeeze(tensor([[[1], [2]]])).shape; // => [2]
 * squeeze(tensor([[1, 2]]), 1); // throws RangeError
 */
export function squeeze(t: Tensor, axis?: number): Tensor {
  const x = tensorArg(t, "squeeze");
  const shape = shapeOfTensor(x);
  if (axis === undefined) return reshapeTo(x, shape.filter((d) => d !== 1));
  const a = normalizeAxis(axis, shape.length, "squeeze", shape);
  if (shape[a] !== 1) throw new RangeError(`squeeze: axis ${axis} of shape ${formatShape(shape)} has extent ${shape[a]}, not 1`);
  return reshapeTo(x, [...shape.slice(0, a), ...shape.slice(a + 1)]);
}

const reshapeTo = (x: Tensor, shape: Shape): Tensor => (sameDims(shapeOfTensor(x), shape) ? x : (bindT(reshapeRule, [x], shape) as Tensor));

/**
 * Tensors of one shape (or Reals) joined along a new axis `axis`.
 * @example
 * stack([tensor([1, 2]), tensor([3, 4])]); // => tensor([[1, 2], [3, 4]])
 * stack([tensor([1, 2]), tensor([3, 4])], 1); // => tensor([[1, 3], [2, 4]])
 */
export function stack(ts: readonly (Tensor | Real)[], axis = 0): Tensor {
  if (!Array.isArray(ts) || ts.length === 0) throw new TypeError(`stack: expects a non-empty array of Tensors, got ${describeValue(ts)}`);
  // each element read once, checked before its shape is read; a loop, so a hole is an error (forEach would skip it)
  const xs: Value[] = [];
  let first: Shape | undefined;
  for (let i = 0; i < ts.length; i++) {
    const t: unknown = ts[i];
    if (!(t instanceof Tensor || t instanceof Tracer || typeof t === "number")) throw new TypeError(`stack: the element at [${i}] is ${describeValue(t)}, not a Tensor`);
    const s = shapeOf(live(t, "stack")) ?? [];
    first ??= s;
    if (!sameDims(s, first)) throw new RangeError(`stack: shapes ${formatShape(first)} and ${formatShape(s)} differ (at [${i}])`);
    xs.push(t);
  }
  const a = normalizeAxis(axis, first!.length + 1, "stack", first!);
  return concat(xs.map((t) => expandDims(t as Tensor, a)), a);
}

/**
 * `t` (a Tensor or a Real) repeated to `shape`, with NumPy's broadcasting; a RangeError naming both
 * shapes if it cannot. Its gradient sums back over the repeated axes.
 * @example
 * broadcastTo(tensor([1, 2]), [2, 2]); // => tensor([[1, 2], [1, 2]])
 * broadcastTo(tensor([1, 2]), [3]); // throws RangeError
 */
export function broadcastTo(t: Tensor | Real, shape: readonly number[]): Tensor {
  return broadcastToShape(t as Value, shape, "broadcastTo") as Tensor;
}

function broadcastToShape(x: Value, shape: readonly number[], op: string): Value {
  if (!(x instanceof Tensor || x instanceof Tracer || typeof x === "number")) throw new TypeError(`${op}: expects a Tensor or a Real, got ${describeValue(x)}`);
  live(x, op); // an escaped value is an Error naming op
  const target = checkShape(shape, op);
  const from = shapeOf(x) ?? [];
  const fits = from.length <= target.length && from.every((d, k) => d === 1 || d === target[target.length - from.length + k]);
  if (!fits) throw new RangeError(`${op}: shape ${formatShape(from)} does not broadcast to ${formatShape(target)}`);
  return broadcastValue(x, target);
}
