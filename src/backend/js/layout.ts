// Kernels that move or reduce data without arithmetic per pair: writing out a broadcast, summing
// back to a shape, summing along an axis, transposing, slicing, padding and concatenating.
import { around, type Shape, sizeOf, stridesOf } from "../../base/shape.ts";
import { allocate, allocateUninitialized } from "../memory.ts";

/** Element strides of `shape` read as a broadcast into rank `rank`: 0 along axes of extent 1 or missing. */
function broadcastStrides(shape: Shape, rank: number): number[] {
  const strides = new Array<number>(rank).fill(0);
  for (let k = shape.length - 1, s = 1; k >= 0; k--) {
    strides[rank - shape.length + k] = shape[k] === 1 ? 0 : s;
    s *= shape[k];
  }
  return strides;
}

/**
 * Walks `shape` one row (its last axis) at a time, calling `visit(row, offset)` with the row's start
 * in the walked array and the matching start in an array of element strides `strides`.
 */
function eachRow(shape: Shape, strides: readonly number[], visit: (row: number, offset: number) => void): void {
  const rank = shape.length;
  const last = rank - 1;
  const len = shape[last];
  const n = sizeOf(shape);
  const index = new Array<number>(rank).fill(0);
  let offset = 0;
  for (let row = 0; row < n; row += len) {
    visit(row, offset);
    for (let k = last - 1; k >= 0; k--) {
      index[k]++;
      offset += strides[k];
      if (index[k] < shape[k]) break;
      offset -= strides[k] * shape[k];
      index[k] = 0;
    }
  }
}

/** `x` (of `shape`) repeated to `to`, which it broadcasts to. */
export function broadcast(x: Float64Array, shape: Shape, to: Shape): Float64Array {
  const n = sizeOf(to);
  const out = allocateUninitialized(n);
  if (x.length === n) {
    out.set(x);
    return out;
  }
  if (x.length === 1) return out.fill(x[0]);
  // walk the output; the source index follows with stride 0 along broadcast axes
  const src = broadcastStrides(shape, to.length);
  const len = to[to.length - 1];
  const st = src[to.length - 1];
  eachRow(to, src, (row, si) => {
    for (let i = 0; i < len; i++) out[row + i] = x[si + i * st];
  });
  return out;
}

/**
 * `x` (of `shape`) summed down to `target`, the reverse of broadcasting: leading axes and axes of
 * extent 1 are summed over.
 */
export function sumTo(x: Float64Array, shape: Shape, target: Shape): Float64Array {
  const n = sizeOf(target);
  if (n === x.length) {
    const copy = allocateUninitialized(n);
    copy.set(x);
    return copy;
  }
  const out = allocate(n);
  if (n === 1) {
    let s = 0;
    for (let i = 0; i < x.length; i++) s += x[i];
    out[0] = s;
    return out;
  }
  // every leading axis summed away from a trailing block (a bias's gradient): the blocks added up
  if (trailing(shape, target)) {
    for (let r = 0; r < x.length; r += n) for (let i = 0; i < n; i++) out[i] += x[r + i];
    return out;
  }
  // walk the input; each row adds into the target, whose index has stride 0 along summed axes
  const dst = broadcastStrides(target, shape.length);
  const len = shape[shape.length - 1];
  const st = dst[shape.length - 1];
  eachRow(shape, dst, (row, di) => {
    if (st === 0) {
      let s = 0;
      for (let i = 0; i < len; i++) s += x[row + i];
      out[di] += s;
    } else for (let i = 0; i < len; i++) out[di + i] += x[row + i];
  });
  return out;
}

/** Whether `target` (leading 1s aside) is the trailing axes of `shape`. */
export function trailing(shape: Shape, target: Shape): boolean {
  let t = 0;
  while (t < target.length && target[t] === 1) t++;
  const k = target.length - t;
  for (let i = 0; i < k; i++) if (target[t + i] !== shape[shape.length - k + i]) return false;
  return true;
}

/** Σ along `axis` (normalized); the result has `shape` without that axis. */
export function sumAxis(x: Float64Array, shape: Shape, axis: number): Float64Array {
  const [outer, len, inner] = around(shape, axis);
  const out = allocate(outer * inner);
  for (let o = 0; o < outer; o++) {
    const base = o * len * inner;
    const ob = o * inner;
    for (let k = 0; k < len; k++) {
      const row = base + k * inner;
      for (let i = 0; i < inner; i++) out[ob + i] += x[row + i];
    }
  }
  return out;
}

/** Axes permuted: output axis k is input axis perm[k]. */
export function transpose(x: Float64Array, shape: Shape, perm: readonly number[]): Float64Array {
  const out = allocateUninitialized(x.length);
  if (shape.length === 2 && perm[0] === 1) {
    // the common case, blocked so that both sides stay in cache
    const [r, c] = shape;
    const B = 32;
    for (let i0 = 0; i0 < r; i0 += B) {
      for (let j0 = 0; j0 < c; j0 += B) {
        const iEnd = Math.min(i0 + B, r);
        const jEnd = Math.min(j0 + B, c);
        for (let i = i0; i < iEnd; i++) for (let j = j0; j < jEnd; j++) out[j * r + i] = x[i * c + j];
      }
    }
    return out;
  }
  const outShape = perm.map((p) => shape[p]);
  const inStrides = stridesOf(shape);
  const src = perm.map((p) => inStrides[p]);
  const rank = outShape.length;
  const index = new Array<number>(rank).fill(0);
  let si = 0;
  for (let o = 0; o < out.length; o++) {
    out[o] = x[si];
    for (let k = rank - 1; k >= 0; k--) {
      index[k]++;
      si += src[k];
      if (index[k] < outShape[k]) break;
      si -= src[k] * outShape[k];
      index[k] = 0;
    }
  }
  return out;
}

/** Elements begin … end−1 along `axis` (normalized, in range); a view of `x` when they are contiguous. */
export function slice(x: Float64Array, shape: Shape, begin: number, end: number, axis: number): Float64Array {
  const [outer, len, inner] = around(shape, axis);
  const m = end - begin;
  // immutable data can be shared: one contiguous run needs no copy
  if (outer === 1) return x.subarray(begin * inner, end * inner);
  const out = allocateUninitialized(outer * m * inner);
  for (let o = 0; o < outer; o++) {
    const from = (o * len + begin) * inner;
    out.set(x.subarray(from, from + m * inner), o * m * inner);
  }
  return out;
}

/** `x` placed at `begin` along `axis` of zeros whose extent there is `len` (slice's reverse). */
export function pad(x: Float64Array, shape: Shape, begin: number, len: number, axis: number): Float64Array {
  const [outer, m, inner] = around(shape, axis);
  const out = allocate(outer * len * inner);
  for (let o = 0; o < outer; o++) out.set(x.subarray(o * m * inner, (o + 1) * m * inner), (o * len + begin) * inner);
  return out;
}

/** Arrays joined along `axis` (normalized); their shapes agree on every other axis. */
export function concat(xs: readonly Float64Array[], shapes: readonly Shape[], axis: number): Float64Array {
  const first = shapes[0];
  const outer = sizeOf(first.slice(0, axis));
  const inner = sizeOf(first.slice(axis + 1));
  const total = shapes.reduce((s, shape) => s + shape[axis], 0);
  const out = allocateUninitialized(outer * total * inner);
  for (let o = 0; o < outer; o++) {
    let at = o * total * inner;
    for (let j = 0; j < xs.length; j++) {
      const m = shapes[j][axis] * inner;
      out.set(xs[j].subarray(o * m, (o + 1) * m), at);
      at += m;
    }
  }
  return out;
}
