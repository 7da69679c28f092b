// Forward mode: jvp runs the function once on dual numbers of a fresh tag; derivative is jvp with
// tangent 1; jacfwd pushes forward one unit tangent per input.
import { describeValue } from "../core/errors.ts";
import { escapedError } from "../core/trace.ts";
import { Tracer, type Real, type Value } from "../core/value.ts";
import { Dual, Tag } from "../forward/dual.ts";
import { flatten, flattenAs, freezeTree, isLeaf, type Like, unflatten } from "../tree/tree.ts";
import { splitDual } from "./levels.ts";
import { type Jacobian, unit, vectorArgument, vectorResult } from "./vector.ts";

/** `[f(x), J·v]` as frozen trees shaped like f(x). */
export function pushforward(
  f: (x: never) => unknown,
  x: unknown,
  v: unknown,
  transform: string,
): readonly [unknown, unknown] {
  const input = flatten(x, transform);
  const vLeaves = flattenAs(input.def, v, transform, "the tangent");
  const tag = new Tag(transform);
  try {
    // A zero tangent is left symbolic: the leaf enters as a constant of this level.
    const lifted = input.leaves.map((p, i) => (vLeaves[i] === 0 ? p : new Dual(tag, p, vLeaves[i])));
    const result = flatten((f as (x: unknown) => unknown)(unflatten(input.def, lifted)), transform, "the function's result");
    const primals: Value[] = [];
    const tangents: Value[] = [];
    for (const leaf of result.leaves) {
      const [p, t] = splitDual(tag, leaf);
      primals.push(p);
      tangents.push(t);
    }
    return [unflatten(result.def, primals), unflatten(result.def, tangents)];
  } finally {
    tag.close();
  }
}

/** `[f(x), J_f(x)·v]`, where `v` is shaped like `x` and the tangent like `f(x)`. */
export function jvp<X, U extends X, Y>(f: (x: X) => Y, x: U, v: Like<U>): readonly [Like<Y>, Like<Y>] {
  return Object.freeze(pushforward(f, x, v, "jvp")) as readonly [Like<Y>, Like<Y>];
}

/** `f: Real → Real` to `x ↦ f'(x)`. */
export interface Derivative {
  (x: number): number;
  (x: Real): Real;
}

export function derivative(f: (x: Real) => Real): Derivative {
  return ((x: Real) => {
    if (!isLeaf(x)) throw new TypeError(`derivative: expects a Real, got ${describeValue(x)}`);
    if (x instanceof Tracer && !x.trace.live) throw escapedError(x.trace);
    const tag = new Tag("derivative");
    try {
      const y: unknown = f(new Dual(tag, x, 1));
      if (isLeaf(y)) {
        if (y instanceof Tracer && !y.trace.live) throw escapedError(y.trace);
        return splitDual(tag, y)[1];
      }
      const result = flatten(y, "derivative", "the function's result");
      return unflatten(result.def, result.leaves.map((l) => splitDual(tag, l)[1]));
    } finally {
      tag.close();
    }
  }) as Derivative;
}

/** `x ↦ J` with `J[i][j] = ∂yᵢ/∂xⱼ`, by one forward pass per input. */
export function jacfwd(f: (x: readonly Real[]) => readonly Real[] | Real): Jacobian {
  return ((x: readonly Real[]) => {
    const xs = vectorArgument(x, "jacfwd");
    const columns: (readonly Value[] | Value)[] = [];
    for (let j = 0; j < xs.length; j++) columns.push(pushforward(f, xs, unit(xs.length, j), "jacfwd")[1] as Value);
    return freezeTree(transposeColumns(columns, xs.length, "jacfwd", f, xs));
  }) as Jacobian;
}

/** Rows from columns: `J[i][j] = columns[j][i]` (a scalar function gives one gradient row). */
export function transposeColumns(
  columns: readonly (readonly Value[] | Value)[],
  n: number,
  transform: string,
  f: (x: never) => unknown,
  xs: readonly Value[],
): Value[][] | Value[] {
  if (n === 0) {
    // No input to perturb: the result's shape alone decides J's (m rows of nothing).
    const y = (f as (x: unknown) => unknown)(xs);
    return isLeaf(y) ? [] : vectorResult(y, transform).map(() => []);
  }
  if (isLeaf(columns[0])) return [...(columns as Value[])];
  const m = vectorResult(columns[0], transform).length;
  const rows: Value[][] = [];
  for (let i = 0; i < m; i++) rows.push(columns.map((c) => (c as readonly Value[])[i]));
  return rows;
}
