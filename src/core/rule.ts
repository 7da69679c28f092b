// Helpers over rules: a rule's partials, and the chain of fast paths its interpreters extend.
import type { BinaryRule, FastPaths, UnaryRule, Value } from "./protocol.ts";

/** No fast path yet; the rule's maker then sets the entry to bind for the rule (it needs the rule). */
export const noFastPaths = <F>(): FastPaths<F> => ({ kinds: [], entry: undefined as F });

/** An interpreter of `kind` puts its fast path for a rule in front of the chain (once; `make` gets the rest of the chain). */
export function leaveFastPath<F>(fast: FastPaths<F>, kind: number, make: (next: F) => F): void {
  if (fast.kinds[kind] === true) return;
  fast.kinds[kind] = true;
  fast.entry = make(fast.entry);
}

/** A unary rule's partial: a constant, or computed from the primal and the result. */
export const partialOf = (rule: UnaryRule, x: Value, y: Value): Value => (typeof rule.d === "number" ? rule.d : rule.d(x, y));
/** A binary rule's partial in its first argument. */
export const partialA = (rule: BinaryRule, a: Value, b: Value, y: Value): Value =>
  typeof rule.da === "number" ? rule.da : rule.da(a, b, y);
/** A binary rule's partial in its second argument. */
export const partialB = (rule: BinaryRule, a: Value, b: Value, y: Value): Value =>
  typeof rule.db === "number" ? rule.db : rule.db(a, b, y);
