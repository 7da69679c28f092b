// Opening and closing one level around a user function: wrapping the argument's leaves, and reading
// its result's leaves back at that level (primal and tangent, or primal and tape index).
import { Tracer, type Value } from "../core/value.ts";
import { Dual, type Tag } from "../forward/dual.ts";
import type { Tracked } from "../reverse/tape.ts";
import type { Tape } from "../reverse/tape.ts";

/** The zero cotangent or tangent for a leaf like `x`. */
export const zeroLike = (_x: Value): Value => 0;

/** A derivative as returned to the caller: −0 is written 0 (the sign of a zero derivative means nothing). */
export const unsigned = (d: Value): Value => (typeof d === "number" ? d + 0 : d);

/** A result leaf split at forward level `tag` into `[primal, tangent]`. */
export function splitDual(tag: Tag, leaf: Value): readonly [Value, Value] {
  if (!(leaf instanceof Tracer) || leaf.trace.level < tag.level) return [leaf, zeroLike(leaf)];
  if (leaf.trace === tag) return [leaf.primal, unsigned((leaf as Dual).tangent)];
  // A dual made inside the function (a user `dual`, which never closes): split underneath it.
  if (leaf instanceof Dual) {
    const [pp, pt] = splitDual(tag, leaf.primal);
    const [tp, tt] = splitDual(tag, leaf.tangent);
    return [new Dual(leaf.trace, pp, tp), new Dual(leaf.trace, pt, tt)];
  }
  throw new Error(`nabla: a value from a reverse-mode transform leaked out of ${tag.transform}`);
}

/** A result leaf at reverse level `tape`: its primal and its tape index (-1: constant there). */
export function splitTracked(tape: Tape, leaf: Value): readonly [Value, number] {
  if (!(leaf instanceof Tracer) || leaf.trace.level < tape.level) return [leaf, -1];
  if (leaf.trace === tape) return [leaf.primal, (leaf as Tracked).index];
  throw new Error(
    `${tape.transform}: the function's result carries a dual number made inside the function; ` +
      `reverse mode cannot see through it. Make the dual outside ${tape.transform}, or read its tangent inside.`,
  );
}
