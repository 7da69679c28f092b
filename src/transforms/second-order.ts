// Second order, forward over reverse: a Hessian-vector product is the jvp of the gradient, so it
// costs a few gradients and never forms H; hessian stacks one such product per input.
import type { Real } from "../core/protocol.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { unflatten } from "../tree/flatten.ts";
import { type Like } from "../tree/types.ts";
import { emptyJacobian, pushforward } from "./forward.ts";
import { gradLeaves, recordForwardPass } from "./reverse.ts";
import { checkFunction, transformCall } from "./run.ts";
import { type Jacobian, stackColumns, vectorArgument } from "./vector.ts";

/** ∇f as a tree, for use inside another transform. */
const gradTree =
  (f: (x: never) => unknown, transform: string) =>
  (x: unknown): unknown => {
    const rec = recordForwardPass(f, x, transform);
    return unflatten(rec.x.def, gradLeaves(rec, transform));
  };

/**
 * `hvp(f)`: `(x, v) ↦ H_f(x)·v`, shaped like `x`; plain numbers in give plain numbers out.
 * @example
 * const hv: HessianVectorProduct<readonly Real[]> = hvp((v: readonly Real[]) => mul(v[0], v[1]));
 * hv([1, 2], [1, 1]); // => [1, 1]
 */
export interface HessianVectorProduct<X> {
  <U extends X>(x: U, v: Like<U>): Like<U>;
  (x: X, v: Like<X>): Like<X>;
}

/**
 * `(x, v) ↦ H_f(x)·v`, shaped like `x`, as the forward derivative of ∇f along v.
 * @example
 * hvp((v: readonly Real[]) => mul(square(v[0]), v[1]))([3, 5], [1, 0]); // => [10, 6]
 */
export function hvp<X>(f: (x: X) => Real): HessianVectorProduct<X> {
  checkFunction(f, "hvp");
  return ((x: X, v: Like<X>) => transformCall(true, () => pushforward(gradTree(f, "hvp"), x, v, "hvp")[1])) as HessianVectorProduct<X>;
}

/**
 * `x ↦ H` with `H[i][j] = ∂²f/∂xᵢ∂xⱼ`, one Hessian-vector product per column.
 * @example
 * hessian((v: readonly Real[]) => mul(square(v[0]), v[1]))([3, 5]); // => [[10, 6], [6, 0]]
 */
export function hessian(f: (x: readonly Real[]) => Real): Jacobian;
export function hessian(f: (x: Tensor) => Real): Jacobian;
export function hessian(f: (x: never) => Real): Jacobian {
  checkFunction(f, "hessian");
  return ((x: unknown) => transformCall(true, () => {
    const v = vectorArgument(x, "hessian");
    const g = gradTree(f, "hessian");
    if (v.n === 0) return emptyJacobian(g, v, "hessian");
    const columns: unknown[] = [];
    for (let j = 0; j < v.n; j++) columns.push(pushforward(g, v.x, v.unit(j), "hessian")[1]);
    return stackColumns(columns, v.isTensor, "hessian");
  })) as Jacobian;
}
