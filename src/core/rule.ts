// Helpers over rules: a rule's partials, and the slots its interpreters fill with fast paths.
import type { BinaryRule, FastPaths, UnaryRule, Value } from "./protocol.ts";

/**
 * No fast path yet: the op's entry is `dispatch`, which the rule's maker sets (it needs the rule).
 * Slots are a packed array (a holey one costs a check on every load).
 */
export const noFastPaths = <F>(): FastPaths<F> => ({
  slots: [undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined],
  dispatch: undefined as F,
  entry: undefined as F,
});

/** An interpreter of `kind` leaves its fast path for a rule (once; `make` is called only then). */
export function leaveFastPath<F>(fast: FastPaths<F>, kind: number, make: () => F): void {
  if (fast.slots[kind] !== undefined) return;
  const f = make();
  fast.slots[kind] = f;
  fast.entry = fast.slots.filter((s) => s !== undefined).length === 1 ? f : fast.dispatch;
}

/** A unary rule's partial: a constant, or computed from the primal and the result. */
export const partialOf = (rule: UnaryRule, x: Value, y: Value): Value => (typeof rule.d === "number" ? rule.d : rule.d(x, y));
/** A binary rule's partial in its first argument. */
export const partialA = (rule: BinaryRule, a: Value, b: Value, y: Value): Value =>
  typeof rule.da === "number" ? rule.da : rule.da(a, b, y);
/** A binary rule's partial in its second argument. */
export const partialB = (rule: BinaryRule, a: Value, b: Value, y: Value): Value =>
  typeof rule.db === "number" ? rule.db : rule.db(a, b, y);
