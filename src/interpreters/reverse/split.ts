// Reading a result at a reverse level: each leaf split into its primal and its place on the tape.
import { Tracer, type Value } from "../../core/protocol.ts";
import type { Tape, Tracked } from "./tape.ts";

/** A result leaf at reverse level `tape`: its primal and its tape index (-1: constant there). */
export function splitTracked(tape: Tape, leaf: Value): readonly [Value, number] {
  if (!(leaf instanceof Tracer) || leaf.trace.level < tape.level) return [leaf, -1];
  if (leaf.trace === tape) return [leaf.primal, (leaf as Tracked).index];
  throw new Error(
    `${tape.transform}: the function's result carries a dual number made inside the function; ` +
      `reverse mode cannot see through it. Make the dual outside ${tape.transform}, or read its tangent inside.`,
  );
}
