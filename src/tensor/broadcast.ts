// Elementwise kernels with NumPy broadcasting: the output shape of two operands, and a driver that
// runs a tight per-op loop over contiguous runs (one loop when shapes match or one side is a scalar).
import { allocateUninitialized } from "./buffers.ts";
import { data, formatShape, fromData, type Shape, sizeOf, Tensor } from "./tensor.ts";

/** A loop over `n` elements: `out[o + i] = f(a[ai + i·as], b[bi + i·bs])`, strides 0 or 1. */
export type BinaryLoop = (
  a: Float64Array, ai: number, as: number,
  b: Float64Array, bi: number, bs: number,
  out: Float64Array, o: number, n: number,
) => void;

/** A loop over `n` elements: `out[i] = f(x[i])`. */
export type UnaryLoop = (x: Float64Array, out: Float64Array, n: number) => void;

/** The broadcast shape of `a` and `b`, or a RangeError naming the op and both shapes. */
export function broadcastShapes(a: Shape, b: Shape, op: string): Shape {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let k = 0; k < rank; k++) {
    const da = a[a.length - rank + k] ?? 1;
    const db = b[b.length - rank + k] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new RangeError(`${op}: shapes ${formatShape(a)} and ${formatShape(b)} do not broadcast`);
    }
    out[k] = da === 1 ? db : da;
  }
  return out;
}

/** Element strides of `shape` aligned to an output of rank `rank`: 0 along broadcast axes. */
function broadcastStrides(shape: Shape, rank: number): number[] {
  const strides = new Array<number>(rank).fill(0);
  let s = 1;
  for (let k = shape.length - 1; k >= 0; k--) {
    const axis = rank - shape.length + k;
    strides[axis] = shape[k] === 1 ? 0 : s;
    s *= shape[k];
  }
  return strides;
}

const scalarData = (x: number): Float64Array => Float64Array.of(x);

/** `f(a, b)` elementwise with broadcasting, for plain operands (at least one a tensor). */
export function broadcastBinary(a: number | Tensor, b: number | Tensor, loop: BinaryLoop, op: string): Tensor {
  const as = typeof a === "number" ? [] : a.shape;
  const bs = typeof b === "number" ? [] : b.shape;
  const ad = typeof a === "number" ? scalarData(a) : data(a);
  const bd = typeof b === "number" ? scalarData(b) : data(b);
  const shape = broadcastShapes(as, bs, op);
  const n = sizeOf(shape);
  const out = allocateUninitialized(n);
  if (ad.length === n && bd.length === n) loop(ad, 0, 1, bd, 0, 1, out, 0, n);
  else if (ad.length === 1) loop(ad, 0, 0, bd, 0, bd.length === n ? 1 : 0, out, 0, n);
  else if (bd.length === 1) loop(ad, 0, ad.length === n ? 1 : 0, bd, 0, 0, out, 0, n);
  else runs(shape, as, bs, ad, bd, out, loop);
  return fromData(out, shape);
}

/** The general case: an odometer over all axes but the last, a loop along the last. */
function runs(shape: Shape, as: Shape, bs: Shape, ad: Float64Array, bd: Float64Array, out: Float64Array, loop: BinaryLoop): void {
  const rank = shape.length;
  const sa = broadcastStrides(as, rank);
  const sb = broadcastStrides(bs, rank);
  const last = rank - 1;
  const len = shape[last];
  const index = new Array<number>(rank).fill(0);
  let ai = 0;
  let bi = 0;
  for (let o = 0; o < out.length; o += len) {
    loop(ad, ai, sa[last], bd, bi, sb[last], out, o, len);
    // advance the odometer over axes last-1 … 0
    for (let k = last - 1; k >= 0; k--) {
      index[k]++;
      ai += sa[k];
      bi += sb[k];
      if (index[k] < shape[k]) break;
      ai -= sa[k] * shape[k];
      bi -= sb[k] * shape[k];
      index[k] = 0;
    }
  }
}

/** `f(x)` elementwise. */
export function mapUnary(x: Tensor, loop: UnaryLoop): Tensor {
  const xd = data(x);
  const out = allocateUninitialized(xd.length);
  loop(xd, out, xd.length);
  return fromData(out, x.shape);
}

/** A loop from a scalar function, for ops without a hand-written loop (one call per element). */
export const binaryLoopOf =
  (f: (a: number, b: number) => number): BinaryLoop =>
  (a, ai, as, b, bi, bs, out, o, n) => {
    for (let i = 0; i < n; i++) out[o + i] = f(a[ai + i * as], b[bi + i * bs]);
  };

export const unaryLoopOf =
  (f: (x: number) => number): UnaryLoop =>
  (x, out, n) => {
    for (let i = 0; i < n; i++) out[i] = f(x[i]);
  };
