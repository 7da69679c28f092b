// Reading a result at a forward level: each leaf split into its primal and its tangent there.
import { type Trace, Tracer, type Value } from "../../core/protocol.ts";
import { zeroLike } from "../../core/value.ts";
import { unsigned } from "../../rules/scalar.ts";
import { Dual } from "./dual.ts";

/** A result leaf split at forward level `tag` into `[primal, tangent]` (the tangent written as a derivative is handed back). */
export function splitDual(tag: Trace, leaf: Value): readonly [Value, Value] {
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
