// The derivatives the laws are stated in, computed by the public transforms only. A law is generic in
// its subject's tree shapes, so here trees are `unknown` and these wrappers drop the static types.
import { derivative, grad, hessian, jacfwd, jacrev, jvp, type Real, Tensor, toArray, vjp } from "../src/index.ts";
import type { Mode } from "./harness.ts";
import { elementCount, numbersOf, unitLike } from "./trees.ts";

/** A function between trees, untyped. */
export type Fun = (x: unknown) => unknown;

/** `[f(x), J_f(x)·v]`. */
export const pushforward = jvp as unknown as (f: Fun, x: unknown, v: unknown) => readonly [unknown, unknown];

/** `[f(x), u ↦ J_f(x)ᵀ·u]`. */
export const pullback = vjp as unknown as (f: Fun, x: unknown) => readonly [unknown, (u: unknown) => unknown];

/** `x ↦ ∇f(x)` for a scalar-valued `f`. */
export const gradient = grad as unknown as (f: Fun) => Fun;

/** `jacfwd`, `jacrev` and `hessian`, untyped: on a `Real[]` they give nested arrays, on a 1-D tensor a tensor. */
export const jacobianForward = jacfwd as unknown as (f: Fun) => Fun;
export const jacobianReverse = jacrev as unknown as (f: Fun) => Fun;
export const hessianOf = hessian as unknown as (f: Fun) => Fun;

const isNumberArray = (x: unknown): x is number[] => Array.isArray(x) && x.every((l) => typeof l === "number");
const isVectorTensor = (x: unknown): x is Tensor => x instanceof Tensor && x.shape.length === 1;

/** Whether `x` is what jacfwd, jacrev and hessian take: a `number[]` or a 1-D tensor. */
export const isVectorArgument = (x: unknown): boolean => isNumberArray(x) || isVectorTensor(x);

/** Whether `f(x) = y` is what jacfwd and jacrev differentiate at such an x: a number, or a vector of x's kind. */
export const isVectorResult = (x: unknown, y: unknown): boolean =>
  typeof y === "number" || (isNumberArray(x) ? isNumberArray(y) : isVectorTensor(x) && isVectorTensor(y));

/** A Jacobian or Hessian transform's result as nested arrays (a tensor's by `toArray`). */
export const asNested = (m: unknown): unknown => (m instanceof Tensor ? toArray(m) : m);

/** `f′` for `f: Real → Real`: `derivative` in forward mode, `grad` in reverse mode. */
export const scalarDerivative =
  (mode: Mode) =>
  (f: (x: Real) => Real): ((x: Real) => Real) =>
    mode === "forward" ? derivative(f) : grad(f);

/** `J·v` (forward: a jvp) and `Jᵀ·u` (reverse: a pullback), as plain leaves. */
export const jvpLeaves = (f: Fun, x: unknown, v: unknown): number[] => numbersOf(pushforward(f, x, v)[1], "a jvp's tangent");
export const pullLeaves = (f: Fun, x: unknown, u: unknown): number[] => numbersOf(pullback(f, x)[1](u), "a pullback's result");

/**
 * The Jacobian of `f` at `x` over the numbers of both trees (a tensor leaf's elements in row-major
 * order), `J[i][j] = ∂yᵢ/∂xⱼ`: in forward mode one jvp per input number (the columns), in reverse
 * mode one pullback per output number (the rows), all from one recording.
 */
export function jacobianOf(mode: Mode, f: Fun, x: unknown): number[][] {
  const n = elementCount(x);
  if (mode === "forward") {
    const y = f(x);
    const m = elementCount(y);
    const columns: number[][] = [];
    for (let j = 0; j < n; j++) columns.push(jvpLeaves(f, x, unitLike(x, j)));
    return Array.from({ length: m }, (_, i) => columns.map((c) => c[i]));
  }
  const [y, pb] = pullback(f, x);
  return Array.from({ length: elementCount(y) }, (_, i) => numbersOf(pb(unitLike(y, i)), "a pullback's result"));
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
