// Layout ops on plain tensors (`…Plain`: the rules' values, never tracers). Each decides what stays
// pending (a broadcast read as a row, a pad as a shifted expression, a slice as a view) and leaves
// the loops to the backend.
import { around, broadcastShapes, formatShape, type Shape, sameShape, sizeOf } from "../base/shape.ts";
import { type ElementOp, nodeCount } from "../backend/expr.ts";
import { kernels } from "../backend/index.ts";
import { allocateUninitialized } from "../backend/memory.ts";
import { elementwiseTo, SMALL, sumAll } from "./elementwise.ts";
import { data, fromData, lazy, pendingExpr, type Tensor } from "./tensor.ts";

const identity: ElementOp = { name: "broadcastTo", arity: 1, value: (v) => v, code: (v) => v };

/** `shape` without `axis`. */
const withoutAxis = (shape: Shape, axis: number): number[] => [...shape.slice(0, axis), ...shape.slice(axis + 1)];

/** `shape` with extent `m` along `axis`. */
const withExtent = (shape: Shape, axis: number, m: number): number[] => shape.map((d, k) => (k === axis ? m : d));

/**
 * `x` (a number or tensor) repeated to `shape`, which it must broadcast to: pending when each
 * element is read as one value or as a repeated row, written out otherwise.
 */
export function broadcastToPlain(x: number | Tensor, shape: Shape): Tensor {
  if (typeof x === "number") {
    if (sizeOf(shape) <= SMALL) return fromData(allocateUninitialized(sizeOf(shape)).fill(x), shape);
    return lazy({ kind: "op", op: identity, args: [{ kind: "const", value: x }], size: 2 }, shape);
  }
  const target = broadcastShapes(x.shape, shape, "broadcastTo");
  if (target.length !== shape.length || target.some((d, k) => d !== shape[k])) {
    throw new RangeError(`broadcastTo: shape ${formatShape(x.shape)} does not broadcast to ${formatShape(shape)}`);
  }
  if (sameShape(x.shape, shape)) return x;
  return elementwiseTo(identity, x, shape) ?? fromData(kernels.broadcast(data(x), x.shape, shape), shape);
}

/**
 * `x` summed down to `target` (the reverse of broadcasting: leading axes and axes of extent 1 are
 * summed over). A null target sums everything to a number, fused with a pending expression.
 */
export function sumToPlain(x: Tensor, target: Shape | null): number | Tensor {
  if (target === null) return sumAll(x);
  return fromData(kernels.sumTo(data(x), x.shape, target), target);
}

/** Σ along `axis` (already normalized); the axis is removed. */
export function sumAxisPlain(x: Tensor, axis: number): Tensor {
  return fromData(kernels.sumAxis(data(x), x.shape, axis), withoutAxis(x.shape, axis));
}

/** Axes permuted: output axis k is input axis perm[k]. */
export function transposePlain(x: Tensor, perm: readonly number[]): Tensor {
  return fromData(kernels.transpose(data(x), x.shape, perm), perm.map((p) => x.shape[p]));
}

/** Elements begin … end−1 along `axis` (normalized, in range); a view when they are contiguous. */
export function slicePlain(x: Tensor, begin: number, end: number, axis: number): Tensor {
  return fromData(kernels.slice(data(x), x.shape, begin, end, axis), withExtent(x.shape, axis, end - begin));
}

/** `x` placed at `begin` along `axis` of a zero tensor whose extent there is `len` (slice's reverse). */
export function padPlain(x: Tensor, begin: number, len: number, axis: number): Tensor {
  const outShape = withExtent(x.shape, axis, len);
  const [outer, m, inner] = around(x.shape, axis);
  if (outer === 1 && outer * len * inner > SMALL) {
    // one contiguous run: a pending shift, fused with what produced x and what consumes the result
    const arg = pendingExpr(x) ?? { kind: "leaf" as const, data: data(x), access: "full" as const };
    return lazy({ kind: "shift", arg, from: begin * inner, to: (begin + m) * inner, size: nodeCount(arg) + 1 }, outShape);
  }
  return fromData(kernels.pad(data(x), x.shape, begin, len, axis), outShape);
}

/** Tensors joined along `axis` (normalized); shapes must agree elsewhere. */
export function concatPlain(xs: readonly Tensor[], axis: number): Tensor {
  const first = xs[0].shape;
  for (const x of xs) {
    if (x.shape.length !== first.length || x.shape.some((d, k) => k !== axis && d !== first[k])) {
      throw new RangeError(`concat: shapes ${formatShape(first)} and ${formatShape(x.shape)} differ off axis ${axis}`);
    }
  }
  const shapes = xs.map((x) => x.shape);
  const outShape = [...first];
  outShape[axis] = shapes.reduce((s, shape) => s + shape[axis], 0);
  return fromData(kernels.concat(xs.map(data), shapes, axis), outShape);
}
