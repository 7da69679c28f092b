// Helpers over rules: a rule's partials, and the empty slots its interpreters fill with fast paths.
import type { BinaryRule, FastPaths, UnaryRule, Value } from "./protocol.ts";

/** Empty slots, as a packed array (a holey one costs a check on every load). */
export const emptyFastPaths = (): FastPaths => [undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined];

/** A unary rule's partial: a constant, or computed from the primal and the result. */
export const partialOf = (rule: UnaryRule, x: Value, y: Value): Value => (typeof rule.d === "number" ? rule.d : rule.d(x, y));
/** A binary rule's partial in its first argument. */
export const partialA = (rule: BinaryRule, a: Value, b: Value, y: Value): Value =>
  typeof rule.da === "number" ? rule.da : rule.da(a, b, y);
/** A binary rule's partial in its second argument. */
export const partialB = (rule: BinaryRule, a: Value, b: Value, y: Value): Value =>
  typeof rule.db === "number" ? rule.db : rule.db(a, b, y);
