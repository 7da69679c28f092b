// Custom rules. customJvp replaces the forward rule of a function and customVjp its reverse rule;
// the innermost level applies the rule if it is of that mode (each trace says, see core/trace.ts),
// and otherwise the function itself is differentiated. A rule gets its arguments as they are
// (carrying any outer levels), so a rule written with nabla's ops differentiates again.
import { innermost } from "../core/bind.ts";
import { type Trace, Tracer, type Value } from "../core/protocol.ts";
import { flattenAs } from "../tree/match.ts";
import { flatten, unflatten } from "../tree/flatten.ts";
import type { Flat, TreeDef } from "../tree/types.ts";
import { asUser, checkFunction, pinTree } from "./run.ts";
import { describe } from "../base/errors.ts";
import { type Axes, vmap } from "./vmap.ts";
import { BatchTrace } from "../interpreters/batch/trace.ts";
import { below, shapeOf } from "../core/value.ts";
import { fromFront } from "../rules/axes.ts";
import { sum } from "../rules/reduce.ts";
import type { Tensor } from "../tensor/tensor.ts";

/** A rule's result, which must be a pair `[a, b]` (read once), or a TypeError naming the transform. */
function pair(r: unknown, transform: string, what: string): readonly [unknown, unknown] {
  if (!Array.isArray(r) || r.length !== 2) {
    throw new TypeError(`${transform}: the rule must return a pair ${what}, got ${describe(r)}`);
  }
  return [r[0], r[1]];
}

/** A rule's results must not carry the level the rule is applied at (a captured outer value would). */
function assertBelow(leaves: readonly Value[], top: Trace, transform: string, what: string): void {
  for (const l of leaves) {
    if (l instanceof Tracer && l.trace.level >= top.level) {
      throw new Error(
        `${transform}: ${what} depends on a value being differentiated that the rule did not receive as an ` +
          `argument (it closes over it). Pass every differentiated value to the function as part of its argument.`,
      );
    }
  }
}

/**
 * `f` with its forward rule replaced by `rule(x, v) -> [f(x), J·v]`.
 * @example
 * const mySin = customJvp(sin, (x: Real, v: Real) => [sin(x), mul(cos(x), v)] as const);
 * derivative(mySin)(0); // => 1
 */
export function customJvp<X, Y>(f: (x: X) => Y, rule: (x: X, v: X) => readonly [Y, Y]): (x: X) => Y {
  checkFunction(f, "customJvp");
  checkFunction(rule, "customJvp", "rule");
  return (x: X): Y => {
    const input = flatten(x, "customJvp");
    const top = innermost(input.leaves);
    if (top === undefined) return f(x);
    if (top instanceof BatchTrace) return perExample(top, input, (axes, x0) => customJvp(mapped(f, axes), batchedJvpRule(rule, axes))(x0 as X)) as Y;
    let def: TreeDef | undefined;
    const out = top.customJvp(input.leaves, (primals, tangents) => {
      pinTree(input.leaves);
      const [y, t] = pair(asUser(() => rule(unflatten(input.def, primals) as X, unflatten(input.def, tangents) as X)), "customJvp", "[f(x), tangent]");
      const result = flatten(y, "customJvp", "the rule's result");
      const tLeaves = flattenAs(result.def, t, "customJvp", "the rule's tangent", result.leaves);
      assertBelow(result.leaves, top, "customJvp", "the rule's result");
      assertBelow(tLeaves, top, "customJvp", "the rule's tangent");
      def = result.def;
      return [result.leaves, tLeaves];
    });
    return out === undefined ? f(x) : (unflatten(def!, out) as Y);
  };
}

/**
 * `f` with its reverse rule replaced by `rule(x) -> [f(x), pullback]`.
 * @example
 * // the identity, with its cotangent clipped to [−1, 1] on the way back
 * const clipped = customVjp((x: Real) => x, (x: Real) => [x, (u: Real) => min(max(u, -1), 1)] as const);
 * grad((x: Real) => mul(5, clipped(x)))(3); // => 1
 */
export function customVjp<X, Y>(f: (x: X) => Y, rule: (x: X) => readonly [Y, (u: Y) => X]): (x: X) => Y {
  checkFunction(f, "customVjp");
  checkFunction(rule, "customVjp", "rule");
  return (x: X): Y => {
    const input = flatten(x, "customVjp");
    const top = innermost(input.leaves);
    if (top === undefined) return f(x);
    if (top instanceof BatchTrace) return perExample(top, input, (axes, x0, each) => customVjp(mapped(f, axes), batchedVjpRule(rule, axes, each))(x0 as X)) as Y;
    let def: TreeDef | undefined;
    const out = top.customVjp(input.leaves, (primals) => {
      pinTree(input.leaves);
      const [y, back] = pair(asUser(() => rule(unflatten(input.def, primals) as X)), "customVjp", "[f(x), pullback]");
      const pullback = checkFunction(back as (u: Y) => X, "customVjp", "the rule's pullback");
      const result = flatten(y, "customVjp", "the rule's result");
      assertBelow(result.leaves, top, "customVjp", "the rule's result");
      def = result.def;
      const pull = (cotangents: readonly Value[]): readonly Value[] => {
        pinTree(cotangents);
        const back = asUser(() => pullback(unflatten(result.def, cotangents) as Y));
        return flattenAs(input.def, back, "customVjp", "the pullback's result", input.leaves);
      };
      return [result.leaves, pull];
    });
    return out === undefined ? f(x) : (unflatten(def!, out) as Y);
  };
}

// Under vmap a custom rule applies per example: the function and the rule, each vmapped, are given to
// the custom transform again one level down (JAX batches custom_jvp_call and custom_vjp_call alike).

/** `apply(axes, below)` on the argument one level below the batch (its mapped leaves' axes as a tree), lifted back at axis 0. */
function perExample(
  top: BatchTrace,
  input: Flat,
  apply: (axes: Axes, below: unknown, each: readonly (number | null)[]) => unknown,
): unknown {
  const each = input.leaves.map((l) => top.axisOf(l));
  const axes = unflatten(input.def, each) as Axes;
  const result = flatten(apply(axes, unflatten(input.def, input.leaves.map((l) => below(l, top))), each), "vmap", "the custom function's result");
  return unflatten(result.def, result.leaves.map((l) => top.lift(l, 0)));
}

/** `f` over batches (vmap, typed as the function it stands in for). */
const mapped = <X, Y>(f: (x: X) => Y, axes: Axes): ((x: X) => Y) => vmap(f, axes) as unknown as (x: X) => Y;

/** A jvp rule over batches: the rule per example, primal and tangent mapped alike. */
const batchedJvpRule =
  <X, Y>(rule: (x: X, v: X) => readonly [Y, Y], axes: Axes) =>
  (x: X, v: X): readonly [Y, Y] =>
    vmap(([xx, vv]: readonly [X, X]) => rule(xx, vv), [axes, axes])([x, v] as never) as unknown as readonly [Y, Y];

/**
 * A vjp rule over batches: the forward per example, and a pullback that runs the rule again per
 * example with its cotangent (mapped at 0, as the batched result is); a shared input gets the sum of
 * its cotangents over the examples, a mapped one its cotangents at its own axis.
 */
const batchedVjpRule =
  <X, Y>(rule: (x: X) => readonly [Y, (u: Y) => X], axes: Axes, each: readonly (number | null)[]) =>
  (x: X): readonly [Y, (u: Y) => X] => {
    const ruleOf = (xx: X) => pair(rule(xx), "customVjp", "[f(x), pullback]");
    const y = vmap((xx: X) => ruleOf(xx)[0], axes)(x as never) as unknown as Y;
    const pullback = (u: Y): X => {
      const back = vmap(([xx, uu]: readonly [X, Y]) => checkFunction(ruleOf(xx)[1] as (u: Y) => X, "customVjp", "the rule's pullback")(uu), [axes, 0])([x, u] as never);
      const leaves = flatten(back, "vmap", "the custom pullback's result");
      const summed = (c: Tensor): Value => (shapeOf(c)!.length === 1 ? sum(c) : sum(c, 0));
      return unflatten(leaves.def, leaves.leaves.map((c, i) => (each[i] === null ? summed(c as Tensor) : fromFront(c, each[i]!)))) as X;
    };
    return [y, pullback];
  };
