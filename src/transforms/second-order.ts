// Second order, forward over reverse: a Hessian-vector product is the jvp of the gradient, so it
// costs a few gradients and never forms H; hessian stacks one such product per input.
import type { Real, Value } from "../core/value.ts";
import { freezeTree, type Like, unflatten } from "../tree/tree.ts";
import { pushforward, transposeColumns } from "./forward.ts";
import { gradLeaves, record } from "./reverse.ts";
import { type Jacobian, unit, vectorArgument } from "./vector.ts";

/** ∇f as a tree, for use inside another transform. */
const gradTree =
  (f: (x: never) => unknown, transform: string) =>
  (x: unknown): unknown => {
    const rec = record(f, x, transform);
    return unflatten(rec.x.def, gradLeaves(rec, transform));
  };

export interface HessianVectorProduct<X> {
  <U extends X>(x: U, v: Like<U>): Like<U>;
  (x: X, v: Like<X>): Like<X>;
}

/** `(x, v) ↦ H_f(x)·v`, shaped like `x`, as the forward derivative of ∇f along v. */
export function hvp<X>(f: (x: X) => Real): HessianVectorProduct<X> {
  return ((x: X, v: Like<X>) => pushforward(gradTree(f, "hvp"), x, v, "hvp")[1]) as HessianVectorProduct<X>;
}

/** `x ↦ H` with `H[i][j] = ∂²f/∂xᵢ∂xⱼ`, one Hessian-vector product per column. */
export function hessian(f: (x: readonly Real[]) => Real): Jacobian {
  return ((x: readonly Real[]) => {
    const xs = vectorArgument(x, "hessian");
    const g = gradTree(f, "hessian");
    const columns: Value[][] = [];
    for (let j = 0; j < xs.length; j++) columns.push(pushforward(g, xs, unit(xs.length, j), "hessian")[1] as Value[]);
    return freezeTree(transposeColumns(columns, xs.length, "hessian", g, xs));
  }) as Jacobian;
}
