// The derivatives the laws are stated in, computed by the public transforms only. A law is generic in
// its subject's tree shapes, so here trees are `unknown` and these wrappers drop the static types.
import { derivative, grad, jvp, type Real, vjp } from "../src/index.ts";
import type { Mode } from "./harness.ts";
import { leavesOf, numbersOf, unitLike } from "./trees.ts";

/** A function between trees, untyped. */
export type Fun = (x: unknown) => unknown;

/** `[f(x), J_f(x)·v]`. */
export const pushforward = jvp as unknown as (f: Fun, x: unknown, v: unknown) => readonly [unknown, unknown];

/** `[f(x), u ↦ J_f(x)ᵀ·u]`. */
export const pullback = vjp as unknown as (f: Fun, x: unknown) => readonly [unknown, (u: unknown) => unknown];

/** `x ↦ ∇f(x)` for a scalar-valued `f`. */
export const gradient = grad as unknown as (f: Fun) => Fun;

/** `f′` for `f: Real → Real`: `derivative` in forward mode, `grad` in reverse mode. */
export const scalarDerivative =
  (mode: Mode) =>
  (f: (x: Real) => Real): ((x: Real) => Real) =>
    mode === "forward" ? derivative(f) : grad(f);

/** `J·v` (forward: a jvp) and `Jᵀ·u` (reverse: a pullback), as plain leaves. */
export const jvpLeaves = (f: Fun, x: unknown, v: unknown): number[] => numbersOf(pushforward(f, x, v)[1], "a jvp's tangent");
export const pullLeaves = (f: Fun, x: unknown, u: unknown): number[] => numbersOf(pullback(f, x)[1](u), "a pullback's result");

/**
 * The Jacobian of `f` at `x` over the leaves of both trees, `J[i][j] = ∂yᵢ/∂xⱼ`: in forward mode one
 * jvp per input leaf (the columns), in reverse mode one pullback per output leaf (the rows), all
 * from one recording.
 */
export function jacobianOf(mode: Mode, f: Fun, x: unknown): number[][] {
  const n = leavesOf(x).length;
  if (mode === "forward") {
    const y = f(x);
    const m = leavesOf(y).length;
    const columns: number[][] = [];
    for (let j = 0; j < n; j++) columns.push(jvpLeaves(f, x, unitLike(x, j)));
    return Array.from({ length: m }, (_, i) => columns.map((c) => c[i]));
  }
  const [y, pb] = pullback(f, x);
  return leavesOf(y).map((_, i) => numbersOf(pb(unitLike(y, i)), "a pullback's result"));
}

/** `A·B`, with `|A|·|B|` beside it (the scale each entry's rounding error is relative to). */
export function matmul(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): { product: number[][]; scale: number[][] } {
  const k = b.length;
  const n = k === 0 ? 0 : b[0].length;
  const product = a.map(() => new Array<number>(n).fill(0));
  const scale = a.map(() => new Array<number>(n).fill(0));
  a.forEach((row, i) => {
    if (row.length !== k) throw new RangeError(`nabla/laws: cannot multiply a ${a.length}×${row.length} and a ${k}×${n} matrix`);
    for (let l = 0; l < k; l++) {
      for (let j = 0; j < n; j++) {
        product[i][j] += row[l] * b[l][j];
        scale[i][j] += Math.abs(row[l] * b[l][j]);
      }
    }
  });
  return { product, scale };
}
