// The lazy front door of elementwise ops, with NumPy broadcasting: the output shape of several
// operands, and a pending (fused) tensor over them that the backend runs when its numbers are needed.
// Each operand is read as the whole output shape, as one element, or as a trailing row repeated; any
// other broadcast is written out first. Small results are computed at once.
import { broadcastShapes, type Shape, sameShape, sizeOf } from "../base/shape.ts";
import { type ElementOp, type Expr, MAX_NODES, nodeCount } from "../backend/expr.ts";
import { kernels } from "../backend/index.ts";
import { allocateUninitialized } from "../backend/memory.ts";
import { data, fromData, lazy, pendingExpr, Tensor } from "./tensor.ts";

/** Whether `inner`, without its leading 1s, is the trailing part of `outer` (so it repeats by rows). */
function isTrailing(inner: Shape, outer: Shape): boolean {
  let k = 0;
  while (k < inner.length && inner[k] === 1) k++;
  const rest = inner.slice(k);
  if (rest.length > outer.length) return false;
  const tail = outer.slice(outer.length - rest.length);
  return rest.every((d, i) => d === tail[i]);
}

/**
 * Tensors this small are computed at once: compiling a fused loop costs more than the loop saves,
 * and small tensors (a layer of a few units) are where per-op cost matters most.
 */
export const SMALL = 256;

/** The values of `op` over operands read as `args`, computed now (each op's own value function). */
function evaluateSmall(op: ElementOp, args: readonly Expr[], n: number): Float64Array {
  const read = args.map((a): ((i: number) => number) => {
    if (a.kind === "const") return () => a.value;
    if (a.kind === "leaf") {
      const d = a.data;
      return a.access === "scalar" ? () => d[0] : a.access === "row" ? (i) => d[i % d.length] : (i) => d[i];
    }
    const values = new Float64Array(n);
    kernels.run(a, n, values);
    return (i) => values[i];
  });
  const out = allocateUninitialized(n);
  const f = op.value;
  if (read.length === 1) for (let i = 0; i < n; i++) out[i] = f(read[0](i));
  else if (read.length === 2) for (let i = 0; i < n; i++) out[i] = f(read[0](i), read[1](i));
  else for (let i = 0; i < n; i++) out[i] = f(...read.map((r) => r(i)));
  return out;
}

/** An operand as it is read at each output index. */
function operand(x: number | Tensor, shape: Shape): Expr {
  if (typeof x === "number") return { kind: "const", value: x };
  if (sameShape(x.shape, shape)) return pendingExpr(x) ?? { kind: "leaf", data: data(x), access: "full" };
  if (x.size === 1) return { kind: "leaf", data: data(x), access: "scalar" };
  if (isTrailing(x.shape, shape)) return { kind: "leaf", data: data(x), access: "row" };
  return { kind: "leaf", data: kernels.broadcast(data(x), x.shape, shape), access: "full" };
}

/**
 * `op` applied elementwise to operands (numbers and tensors, at least one a tensor) with
 * broadcasting, as a pending tensor. An expression that grows past MAX_NODES has its largest
 * pending operands computed first.
 */
export function elementwise(op: ElementOp, operands: readonly (number | Tensor)[]): Tensor {
  let shape: Shape | undefined;
  for (const x of operands) {
    if (typeof x === "number") continue;
    // the common case, operands of one shape, keeps that (frozen) shape without building another
    if (shape === undefined) shape = x.shape;
    else if (!sameShape(shape, x.shape)) shape = broadcastShapes(shape, x.shape, op.name);
  }
  shape ??= [];
  let args = operands.map((x) => operand(x, shape));
  const n = sizeOf(shape);
  if (n <= SMALL) return fromData(evaluateSmall(op, args, n), shape);
  let size = 1 + args.reduce((s, a) => s + nodeCount(a), 0);
  while (size > MAX_NODES) {
    let k = 0;
    for (let i = 1; i < args.length; i++) if (nodeCount(args[i]) > nodeCount(args[k])) k = i;
    const x = operands[k] as Tensor;
    data(x); // computes it; read it as a leaf from now on
    args = args.map((a, i) => (i === k ? operand(x, shape) : a));
    size = 1 + args.reduce((s, a) => s + nodeCount(a), 0);
  }
  return lazy({ kind: "op", op, args, size }, shape);
}

/** `op` of one tensor read into a larger `shape` (as one element or a repeated row), or undefined. */
export function elementwiseTo(op: ElementOp, x: Tensor, shape: Shape): Tensor | undefined {
  if (x.size !== 1 && !isTrailing(x.shape, shape)) return undefined;
  const n = sizeOf(shape);
  if (n <= SMALL) return fromData(evaluateSmall(op, [operand(x, shape)], n), shape);
  return lazy({ kind: "op", op, args: [operand(x, shape)], size: 2 }, shape);
}

/** Σ of every element, fused with a pending tensor's expression. */
export function sumAll(x: Tensor): number {
  const expr = pendingExpr(x);
  if (expr === undefined) {
    const d = data(x);
    let s = 0;
    for (let i = 0; i < d.length; i++) s += d[i];
    return s;
  }
  return kernels.run(expr, sizeOf(x.shape), undefined);
}
