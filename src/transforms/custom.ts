// Custom rules. customJvp replaces the forward rule of a function and customVjp its reverse rule;
// the innermost level applies the rule if it is of that mode (each trace says, see core/trace.ts),
// and otherwise the function itself is differentiated. A rule gets its arguments as they are
// (carrying any outer levels), so a rule written with nabla's ops differentiates again.
import { innermost } from "../core/bind.ts";
import { type Trace, Tracer, type Value } from "../core/protocol.ts";
import { flattenAs } from "../tree/match.ts";
import { flatten, unflatten } from "../tree/flatten.ts";
import { type TreeDef } from "../tree/types.ts";
import { asUser, checkFunction, pinTree } from "./run.ts";
import { describe } from "../base/errors.ts";

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

/** `f` with its forward rule replaced by `rule(x, v) -> [f(x), J·v]`. */
export function customJvp<X, Y>(f: (x: X) => Y, rule: (x: X, v: X) => readonly [Y, Y]): (x: X) => Y {
  checkFunction(f, "customJvp");
  checkFunction(rule, "customJvp", "rule");
  return (x: X): Y => {
    const input = flatten(x, "customJvp");
    const top = innermost(input.leaves);
    if (top === undefined) return f(x);
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

/** `f` with its reverse rule replaced by `rule(x) -> [f(x), pullback]`. */
export function customVjp<X, Y>(f: (x: X) => Y, rule: (x: X) => readonly [Y, (u: Y) => X]): (x: X) => Y {
  checkFunction(f, "customVjp");
  checkFunction(rule, "customVjp", "rule");
  return (x: X): Y => {
    const input = flatten(x, "customVjp");
    const top = innermost(input.leaves);
    if (top === undefined) return f(x);
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
