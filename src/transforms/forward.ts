// Forward mode: jvp runs the function once on dual numbers of a fresh tag; derivative is jvp with
// tangent 1; jacfwd pushes forward one unit tangent per input.
import { describeValue } from "../tensor/describe.ts";
import { escapedError, type Real, Tracer, type Value } from "../core/protocol.ts";
import { shapeOf } from "../core/value.ts";
import { Tag } from "../interpreters/forward/tag.ts";
import { splitDual } from "../interpreters/forward/split.ts";
import { fromData, type Tensor } from "../tensor/tensor.ts";
import { flattenAs, freezeTree } from "../tree/match.ts";
import { flatten, unflatten } from "../tree/flatten.ts";
import { isLeaf, type Like, type Result } from "../tree/types.ts";
import { callUser, checkFunction, transformCall } from "./run.ts";
import { type Jacobian, stackColumns, type VectorArgument, vectorArgument, vectorResult } from "./vector.ts";

/** `[f(x), J·v]` as frozen trees shaped like f(x). */
export function pushforward(
  f: (x: never) => unknown,
  x: unknown,
  v: unknown,
  transform: string,
): readonly [unknown, unknown] {
  const input = flatten(x, transform);
  const vLeaves = flattenAs(input.def, v, transform, "the tangent", input.leaves);
  const tag = new Tag(transform);
  try {
    // A zero tangent is left symbolic: the leaf enters as a constant of this level.
    const lifted = input.leaves.map((p, i) => (vLeaves[i] === 0 ? p : tag.lift(p, vLeaves[i])));
    const result = flatten(callUser(f, unflatten(input.def, lifted)), transform, "the function's result");
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

/**
 * `[f(x), J_f(x)·v]`, where `v` is shaped like `x` and the tangent like `f(x)`.
 * @example
 * jvp((x: Real) => mul(x, x), 3, 1); // => [9, 6]
 * jvp((p: { a: Real; b: Real }) => mul(p.a, p.b), { a: 2, b: 5 }, { a: 1, b: 0 }); // => [10, 5]
 */
export function jvp<X, U extends X, Y>(f: (x: X) => Y, x: U, v: Like<U>): readonly [Result<Y, U>, Result<Y, U>] {
  checkFunction(f, "jvp");
  return transformCall(true, () => Object.freeze(pushforward(f, x, v, "jvp")) as readonly [Result<Y, U>, Result<Y, U>]);
}

/**
 * `f: Real → Real` to `x ↦ f'(x)`.
 * @example
 * const d: Derivative = derivative(sin);
 * d(0); // => 1
 */
export interface Derivative {
  (x: number): number;
  (x: Real): Real;
}

/**
 * `f'`, the derivative of `f: Real → Real`, by forward mode (one dual number per call).
 * @example
 * derivative((x: Real) => mul(x, x))(3); // => 6
 * derivative(derivative(sin))(0); // => 0
 */
export function derivative(f: (x: Real) => Real): Derivative {
  checkFunction(f, "derivative");
  return ((x: Real) => transformCall(true, () => {
    if (!isLeaf(x)) throw new TypeError(`derivative: expects a Real, got ${describeValue(x)}`);
    if (x instanceof Tracer && !x.trace.live) throw escapedError(x.trace, "derivative");
    const tag = new Tag("derivative");
    try {
      const y: unknown = callUser(f, tag.lift(x, 1));
      if (isLeaf(y)) {
        if (y instanceof Tracer && !y.trace.live) throw escapedError(y.trace, "derivative");
        return splitDual(tag, y)[1];
      }
      const result = flatten(y, "derivative", "the function's result");
      return unflatten(result.def, result.leaves.map((l) => splitDual(tag, l)[1]));
    } finally {
      tag.close();
    }
  })) as Derivative;
}

/**
 * `x ↦ J` with `J[i][j] = ∂yᵢ/∂xⱼ`, by one forward pass per input.
 * @example
 * jacfwd((v: readonly Real[]) => [mul(v[0], v[1]), sin(v[0])])([2, 3]); // => [[3, 2], [Math.cos(2), 0]]
 */
export function jacfwd(f: (x: readonly Real[]) => readonly Real[] | Real): Jacobian;
export function jacfwd(f: (x: Tensor) => Tensor | Real): Jacobian;
export function jacfwd(f: (x: never) => unknown): Jacobian {
  checkFunction(f, "jacfwd");
  return ((x: unknown) => transformCall(true, () => {
    const v = vectorArgument(x, "jacfwd");
    if (v.n === 0) return emptyJacobian(f, v, "jacfwd");
    const columns: unknown[] = [];
    for (let j = 0; j < v.n; j++) {
      const t = pushforward(f, v.x, v.unit(j), "jacfwd")[1];
      vectorResult(t, "jacfwd");
      columns.push(t);
    }
    return stackColumns(columns, v.isTensor, "jacfwd");
  })) as Jacobian;
}

/** The Jacobian of a function of nothing: one empty row per output. */
export function emptyJacobian(f: (x: never) => unknown, v: VectorArgument, transform: string): unknown {
  const y = (f as (x: unknown) => unknown)(v.x);
  const kind = vectorResult(y, transform);
  const m = kind === "scalar" ? 0 : kind === "array" ? (y as unknown[]).length : shapeOf(y as Value)![0];
  if (v.isTensor) return fromData(new Float64Array(0), kind === "scalar" ? [0] : [m, 0]);
  return freezeTree(kind === "scalar" ? [] : Array.from({ length: m }, () => []));
}
