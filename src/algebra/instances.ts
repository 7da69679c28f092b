// fp-ts instances: Reals form a field (up to float rounding, as fp-ts's own number instances do), and
// gradients of one shape form a monoid under leafwise addition with the zero gradient as identity.
import type { Field } from "fp-ts/Field";
import type { Monoid } from "fp-ts/Monoid";
import type { Semigroup } from "fp-ts/Semigroup";
import type { Real } from "../core/protocol.ts";
import { add, div, mul, sub } from "../rules/scalar.ts";
import { flattenAs } from "../tree/match.ts";
import { flatten, unflatten } from "../tree/flatten.ts";
import { type Like } from "../tree/types.ts";
import { zeroLike } from "../core/value.ts";

/**
 * The field of Reals. Division is exact in a field, so `mod` is always 0 and `degree` is constant.
 * @example
 * FieldReal.add(FieldReal.mul(2, 3), FieldReal.one); // => 7
 */
export const FieldReal: Field<Real> = {
  add,
  zero: 0,
  mul,
  one: 1,
  sub,
  degree: () => 1,
  div,
  mod: () => 0,
};

/**
 * Reals under addition.
 * @example
 * [2, 3, 4].reduce(MonoidSumReal.concat, MonoidSumReal.empty); // => 9
 */
export const MonoidSumReal: Monoid<Real> = { concat: add, empty: 0 };

/**
 * Reals under multiplication.
 * @example
 * [2, 3, 4].reduce(MonoidProductReal.concat, MonoidProductReal.empty); // => 24
 */
export const MonoidProductReal: Monoid<Real> = { concat: mul, empty: 1 };

/**
 * Trees of one structure under leafwise addition (e.g. gradients accumulated over a batch).
 * @example
 * SemigroupGradient.concat({ w: 1, b: [2] }, { w: 3, b: [4] }); // => { w: 4, b: [6] }
 */
export const SemigroupGradient: Semigroup<unknown> = { concat: (a, b) => addTrees(a, b, "SemigroupGradient.concat") };

/** Two trees of one structure added leaf by leaf; `context` names the caller in errors. */
function addTrees(a: unknown, b: unknown, context: string): unknown {
  const { leaves, def } = flatten(a, context);
  const ys = flattenAs(def, b, context, "the second gradient", leaves);
  return unflatten(def, leaves.map((x, i) => add(x as Real, ys[i] as Real)));
}

/**
 * The monoid of gradients shaped like `like`: leafwise addition, with the zero gradient as `empty`.
 * @example
 * const M = getGradientMonoid({ w: 0, b: 0 });
 * [{ w: 1, b: 2 }, { w: 3, b: 4 }].reduce(M.concat, M.empty); // => { w: 4, b: 6 }
 */
export function getGradientMonoid<T>(like: T): Monoid<Like<T>> {
  const { leaves, def } = flatten(like, "getGradientMonoid");
  const empty = unflatten(def, leaves.map(zeroLike)) as Like<T>;
  return { concat: (a, b) => addTrees(a, b, "getGradientMonoid(…).concat") as Like<T>, empty };
}
