// The fusion IR: an elementwise computation over buffers as an expression tree. Tensors build it
// (tensor/elementwise.ts) and every backend runs it (Kernels.run), so it sits beside the interface.

/** One elementwise operation: its value on numbers and the JavaScript expression that computes it. */
export interface ElementOp {
  readonly name: string;
  readonly arity: number;
  readonly value: (...args: number[]) => number;
  /** The expression over argument expressions (each a plain variable, so it may repeat them). */
  readonly code: (...args: string[]) => string;
}

/** How a leaf is read at output index i: its element i, one element for all, or element i mod its size. */
export type Access = "full" | "scalar" | "row";

export type Expr =
  | { readonly kind: "leaf"; readonly data: Float64Array; readonly access: Access }
  | { readonly kind: "const"; readonly value: number }
  | { readonly kind: "op"; readonly op: ElementOp; readonly args: readonly Expr[]; readonly size: number }
  /** The argument placed at [from, to) of a zero array (the reverse of a contiguous slice). */
  | { readonly kind: "shift"; readonly arg: Expr; readonly from: number; readonly to: number; readonly size: number };

/**
 * Expressions larger than this are computed before they grow further (bounding recomputation). 96
 * lets a Hessian-vector product's two shifted halves fuse into one loop (W5's jit(hvp) −25% against
 * 48); the other workloads measured the same.
 */
export const MAX_NODES = 96;

export const nodeCount = (e: Expr): number => (e.kind === "op" || e.kind === "shift" ? e.size : 1);

/** Every buffer an expression reads (a leaf's data), in the order they appear. */
export function visitLeaves(e: Expr, visit: (data: Float64Array) => void): void {
  if (e.kind === "leaf") visit(e.data);
  else if (e.kind === "op") for (const a of e.args) visitLeaves(a, visit);
  else if (e.kind === "shift") visitLeaves(e.arg, visit);
}
