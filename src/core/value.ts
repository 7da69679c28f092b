// Functions over values: their payload's kind and shape, zeros like them, the buffers they hold.
import type { Shape } from "../base/shape.ts";
import { data, Tensor, zeros } from "../tensor/tensor.ts";
import { avalOf, escapedError, type Payload, payloadOf, type Trace, Tracer, type Value } from "./protocol.ts";

/** The plain number under a scalar value (for kinks and control flow). */
export function primalValue(x: Value): number {
  const p = payloadOf(x);
  if (typeof p !== "number") throw new TypeError(`expected a scalar Real, got a Tensor of shape [${p.shape.join(",")}]`);
  return p;
}

/**
 * The payload under `x` for a public function (`by`) that reads its numbers: a tensor under a level
 * whose transform has returned is an Error naming that transform (its memory may have been reused);
 * a number is readable always (SPEC §7: primal of an escaped Real still works).
 */
export function readPayload(x: Value, by: string): Payload {
  let v = x;
  let dead: Trace | undefined;
  while (v instanceof Tracer) {
    if (dead === undefined && !v.trace.live) dead = v.trace;
    v = v.primal;
  }
  if (dead !== undefined && typeof v !== "number") throw escapedError(dead, by);
  return v;
}

/** `x`, after checking that no level under it has closed (an escaped value is an Error naming `by` and its transform). */
export function live<T>(x: T, by: string): T {
  for (let v: unknown = x; v instanceof Tracer; v = v.primal) if (!v.trace.live) throw escapedError(v.trace, by);
  return x;
}

/** Whether a value is a tensor as the function sees it (a plain tensor, or a tracer standing for one). */
export const isTensorValued = (x: Value): boolean => avalOf(x) !== null;

/** The shape of the value as the function sees it, or null for a scalar. */
export const shapeOf = (x: Value): Shape | null => avalOf(x);

/** The zero of a value's kind: 0 for a scalar, zeros of its shape for a tensor. */
export function zeroLike(x: Value): Payload {
  const shape = avalOf(x);
  return shape === null ? 0 : zeros(shape);
}

/** Every tensor buffer a value holds, at every level (primals, and tangents of duals). */
export function visitBuffers(x: Value, visit: (b: Float64Array) => void): void {
  if (typeof x === "number") return;
  if (x instanceof Tensor) return visit(data(x));
  for (const part of x.parts()) visitBuffers(part, visit);
}

/** The value one level below `trace`: the primal of a value on that level, anything else as it is. */
export const below = (x: Value, trace: Trace): Value => (x instanceof Tracer && x.trace === trace ? x.primal : x);
