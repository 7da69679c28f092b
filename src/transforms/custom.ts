// Custom rules. customJvp replaces the forward rule of a function and customVjp its reverse rule;
// in the other mode the function itself is differentiated. A rule gets its arguments as they are
// (carrying any outer levels), so a rule written with nabla's ops differentiates again.
import { topTrace } from "../core/apply.ts";
import { Tracer, type Value } from "../core/value.ts";
import { Dual, Tag } from "../forward/dual.ts";
import { Tracked } from "../reverse/tape.ts";
import { Tape } from "../reverse/tape.ts";
import { flatten, flattenAs, unflatten } from "../tree/tree.ts";
import { asUser } from "../backend/memory.ts";
import { pinTree, zeroLike } from "./levels.ts";

/** The leaves one level below `top`. */
const below = (leaves: readonly Value[], top: Tracer["trace"]): Value[] =>
  leaves.map((l) => (l instanceof Tracer && l.trace === top ? l.primal : l));

/** A rule's results must not carry the level the rule is applied at (a captured outer value would). */
function assertBelow(leaves: readonly Value[], top: Tracer["trace"], transform: string, what: string): void {
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
  return (x: X): Y => {
    const input = flatten(x, "customJvp");
    const top = topTrace(input.leaves);
    if (!(top instanceof Tag)) return f(x);
    const primals = unflatten(input.def, below(input.leaves, top)) as X;
    const tangents = unflatten(
      input.def,
      input.leaves.map((l) => (l instanceof Dual && l.trace === top ? l.tangent : zeroLike(l))),
    ) as X;
    pinTree(input.leaves);
    const [y, t] = asUser(() => rule(primals, tangents));
    const result = flatten(y, "customJvp", "the rule's result");
    const tLeaves = flattenAs(result.def, t, "customJvp", "the rule's tangent", result.leaves);
    assertBelow(result.leaves, top, "customJvp", "the rule's result");
    assertBelow(tLeaves, top, "customJvp", "the rule's tangent");
    return unflatten(result.def, result.leaves.map((p, i) => new Dual(top, p, tLeaves[i]))) as Y;
  };
}

/** `f` with its reverse rule replaced by `rule(x) -> [f(x), pullback]`. */
export function customVjp<X, Y>(f: (x: X) => Y, rule: (x: X) => readonly [Y, (u: Y) => X]): (x: X) => Y {
  return (x: X): Y => {
    const input = flatten(x, "customVjp");
    const top = topTrace(input.leaves);
    if (!(top instanceof Tape)) return f(x);
    pinTree(input.leaves);
    const [y, pullback] = asUser(() => rule(unflatten(input.def, below(input.leaves, top)) as X));
    const result = flatten(y, "customVjp", "the rule's result");
    assertBelow(result.leaves, top, "customVjp", "the rule's result");
    const inputs = input.leaves.map((l) => (l instanceof Tracked && l.trace === top ? l.index : -1));
    const outputs = top.recordCall(result.leaves, inputs, (cotangents) => {
      pinTree(cotangents);
      const back = asUser(() => pullback(unflatten(result.def, cotangents) as Y));
      return flattenAs(input.def, back, "customVjp", "the pullback's result", input.leaves);
    });
    return unflatten(result.def, outputs) as Y;
  };
}
