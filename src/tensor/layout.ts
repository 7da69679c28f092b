// Kernels that move or reduce data without arithmetic per pair: broadcasting to a shape, summing
// back to one, summing along an axis, transposing, slicing, padding and concatenating.
import { allocate, allocateUninitialized } from "../backend/memory.ts";
import { elementwiseTo, sumAll } from "./broadcast.ts";
import { broadcastShapes } from "../base/shape.ts";
import { type ElementOp, nodeCount } from "./fusion.ts";
import { data, fromData, lazy, pendingExpr, Tensor } from "./tensor.ts";
import { around, formatShape, sameShape, type Shape, sizeOf, stridesOf } from "../base/shape.ts";


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


const identity: ElementOp = { name: "broadcastTo", arity: 1, value: (v) => v, code: (v) => v };

/**
 * `x` (a number or tensor) repeated to `shape`, which it must broadcast to: pending when each
 * element is read as one value or as a repeated row, written out otherwise.
 */
export function broadcastTo(x: number | Tensor, shape: Shape): Tensor {
  if (typeof x === "number") {
    if (sizeOf(shape) <= 256) return fromData(allocateUninitialized(sizeOf(shape)).fill(x), shape);
    return lazy({ kind: "op", op: identity, args: [{ kind: "const", value: x }], size: 2 }, shape);
  }
  const target = broadcastShapes(x.shape, shape, "broadcastTo");
  if (target.length !== shape.length || target.some((d, k) => d !== shape[k])) {
    throw new RangeError(`broadcastTo: shape ${formatShape(x.shape)} does not broadcast to ${formatShape(shape)}`);
  }
  if (sameShape(x.shape, shape)) return x;
  return elementwiseTo(identity, x, shape) ?? broadcastToKernel(x, shape);
}

/** `x` (a number or tensor) repeated to `shape`, written out. */
export function broadcastToKernel(x: number | Tensor, shape: Shape): Tensor {
  const n = sizeOf(shape);
  const out = allocateUninitialized(n);
  if (typeof x === "number") {
    out.fill(x);
    return fromData(out, shape);
  }
  const target = broadcastShapes(x.shape, shape, "broadcastTo");
  if (target.length !== shape.length || target.some((d, k) => d !== shape[k])) {
    throw new RangeError(`broadcastTo: shape ${formatShape(x.shape)} does not broadcast to ${formatShape(shape)}`);
  }
  const xd = data(x);
  if (xd.length === n) {
    out.set(xd);
    return fromData(out, shape);
  }
  if (xd.length === 1) {
    out.fill(xd[0]);
    return fromData(out, shape);
  }
  // walk the output; the source index follows with stride 0 along broadcast axes
  const src = broadcastStrides(x.shape, shape.length);
  const len = shape[shape.length - 1];
  const st = src[shape.length - 1];
  eachRow(shape, src, (row, si) => {
    for (let i = 0; i < len; i++) out[row + i] = xd[si + i * st];
  });
  return fromData(out, shape);
}

/**
 * `x` summed down to `target` (the reverse of broadcasting: leading axes and axes of extent 1 are
 * summed over). A null target sums everything to a number.
 */
export function sumToKernel(x: Tensor, target: Shape | null): number | Tensor {
  if (target === null) return sumAll(x);
  const xd = data(x);
  const n = sizeOf(target);
  if (n === xd.length) {
    const copy = allocateUninitialized(n);
    copy.set(xd);
    return fromData(copy, target);
  }
  const out = allocate(n);
  if (n === 1) {
    out[0] = sumAll(x);
    return fromData(out, target);
  }
  // walk the input; each row adds into the target, whose index has stride 0 along summed axes
  const shape = x.shape;
  const dst = broadcastStrides(target, shape.length);
  const len = shape[shape.length - 1];
  const st = dst[shape.length - 1];
  eachRow(shape, dst, (row, di) => {
    if (st === 0) {
      let s = 0;
      for (let i = 0; i < len; i++) s += xd[row + i];
      out[di] += s;
    } else for (let i = 0; i < len; i++) out[di + i] += xd[row + i];
  });
  return fromData(out, target);
}

/** Σ along `axis` (already normalized); the axis is removed. */
export function sumAxisKernel(x: Tensor, axis: number): Tensor {
  const shape = x.shape;
  const [outer, len, inner] = around(shape, axis);
  const xd = data(x);
  const out = allocate(outer * inner);
  for (let o = 0; o < outer; o++) {
    const base = o * len * inner;
    const ob = o * inner;
    for (let k = 0; k < len; k++) {
      const row = base + k * inner;
      for (let i = 0; i < inner; i++) out[ob + i] += xd[row + i];
    }
  }
  return fromData(out, [...shape.slice(0, axis), ...shape.slice(axis + 1)]);
}

/** Axes permuted: output axis k is input axis perm[k]. */
export function transposeKernel(x: Tensor, perm: readonly number[]): Tensor {
  const shape = x.shape;
  const outShape = perm.map((p) => shape[p]);
  const xd = data(x);
  const out = allocateUninitialized(xd.length);
  if (shape.length === 2 && perm[0] === 1) {
    // the common case, blocked so that both sides stay in cache
    const [r, c] = shape;
    const B = 32;
    for (let i0 = 0; i0 < r; i0 += B) {
      for (let j0 = 0; j0 < c; j0 += B) {
        const iEnd = Math.min(i0 + B, r);
        const jEnd = Math.min(j0 + B, c);
        for (let i = i0; i < iEnd; i++) for (let j = j0; j < jEnd; j++) out[j * r + i] = xd[i * c + j];
      }
    }
    return fromData(out, outShape);
  }
  const inStrides = stridesOf(shape);
  const src = perm.map((p) => inStrides[p]);
  const rank = outShape.length;
  const index = new Array<number>(rank).fill(0);
  let si = 0;
  for (let o = 0; o < out.length; o++) {
    out[o] = xd[si];
    for (let k = rank - 1; k >= 0; k--) {
      index[k]++;
      si += src[k];
      if (index[k] < outShape[k]) break;
      si -= src[k] * outShape[k];
      index[k] = 0;
    }
  }
  return fromData(out, outShape);
}


/** `shape` with extent `m` along `axis`. */
const withExtent = (shape: Shape, axis: number, m: number): number[] => shape.map((d, k) => (k === axis ? m : d));

/** Elements begin … end−1 along `axis` (normalized, in range); a view when they are contiguous. */
export function sliceKernel(x: Tensor, begin: number, end: number, axis: number): Tensor {
  const [outer, len, inner] = around(x.shape, axis);
  const m = end - begin;
  const xd = data(x);
  const outShape = withExtent(x.shape, axis, m);
  // immutable data can be shared: one contiguous run needs no copy
  if (outer === 1) return fromData(xd.subarray(begin * inner, end * inner), outShape);
  const out = allocateUninitialized(outer * m * inner);
  for (let o = 0; o < outer; o++) {
    const from = (o * len + begin) * inner;
    out.set(xd.subarray(from, from + m * inner), o * m * inner);
  }
  return fromData(out, outShape);
}

/** `x` placed at `begin` along `axis` of a zero tensor whose extent there is `len` (slice's reverse). */
export function padKernel(x: Tensor, begin: number, len: number, axis: number): Tensor {
  const [outer, m, inner] = around(x.shape, axis);
  const outShape = withExtent(x.shape, axis, len);
  if (outer === 1 && outer * len * inner > 256) {
    // one contiguous run: a pending shift, fused with what produced x and what consumes the result
    const arg = pendingExpr(x) ?? { kind: "leaf" as const, data: data(x), access: "full" as const };
    return lazy({ kind: "shift", arg, from: begin * inner, to: (begin + m) * inner, size: nodeCount(arg) + 1 }, outShape);
  }
  const xd = data(x);
  const out = allocate(outer * len * inner);
  for (let o = 0; o < outer; o++) out.set(xd.subarray(o * m * inner, (o + 1) * m * inner), (o * len + begin) * inner);
  return fromData(out, outShape);
}

/** Tensors joined along `axis` (normalized); shapes must agree elsewhere. */
export function concatKernel(xs: readonly Tensor[], axis: number): Tensor {
  const first = xs[0].shape;
  for (const x of xs) {
    if (x.shape.length !== first.length || x.shape.some((d, k) => k !== axis && d !== first[k])) {
      throw new RangeError(`concat: shapes ${formatShape(first)} and ${formatShape(x.shape)} differ off axis ${axis}`);
    }
  }
  const outer = sizeOf(first.slice(0, axis));
  const inner = sizeOf(first.slice(axis + 1));
  const total = xs.reduce((s, x) => s + x.shape[axis], 0);
  const out = allocateUninitialized(outer * total * inner);
  for (let o = 0; o < outer; o++) {
    let at = o * total * inner;
    for (const x of xs) {
      const m = x.shape[axis] * inner;
      out.set(data(x).subarray(o * m, (o + 1) * m), at);
      at += m;
    }
  }
  const outShape = [...first];
  outShape[axis] = total;
  return fromData(out, outShape);
}
