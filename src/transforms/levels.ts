// Opening and closing one level around a user function: wrapping the argument's leaves, and reading
// its result's leaves back at that level (primal and tangent, or primal and tape index).
import { Tracer, type Value, visitBuffers, zeroLike } from "../core/value.ts";
import { callAsUser, enterTransform, exitTransform, pin } from "../backend/memory.ts";
import { pendingCount } from "../tensor/tensor.ts";
import { isLeaf, isRecord } from "../tree/tree.ts";
import { elementwise } from "../tensor/elementwise.ts";
import type { ElementOp } from "../backend/expr.ts";
import { Tensor } from "../tensor/tensor.ts";
import { Recording } from "../jit/recorder.ts";
import { Dual, type Tag } from "../forward/dual.ts";
import type { Tracked } from "../reverse/tape.ts";
import type { Tape } from "../reverse/tape.ts";

export { zeroLike } from "../core/value.ts";

/** A derivative as returned to the caller: −0 is written 0 (the sign of a zero derivative means nothing). */
export const unsigned = (d: Value): Value =>
  typeof d === "number" ? d + 0 : d instanceof Tensor ? elementwise(unsignedOp, [d]) : d instanceof Recording ? unsignedRecording(d) : d;

/** Under jit the `+ 0` is a step too, so that replays write −0 as 0 as well. */
function unsignedRecording(d: Recording): Value {
  const p = d.primal;
  return typeof p === "number" ? d.trace.apply(unsignedOp.code, unsignedOp.value, [d], p + 0) : d;
}

/** x + 0: −0 becomes 0, everything else (NaN included) stays; fused into the result's loop. */
const unsignedOp: ElementOp = { name: "unsigned", arity: 1, value: (x) => x + 0, code: (x) => `(${x} + 0)` };

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

/** Every buffer reachable from a result (trees, pairs, leaves at every level; functions skipped). */
function visitResult(x: unknown, visit: (b: Float64Array) => void): void {
  if (isLeaf(x)) visitBuffers(x, visit);
  else if (Array.isArray(x)) for (const v of x) visitResult(v, visit);
  else if (isRecord(x)) for (const v of Object.values(x)) visitResult(v, visit);
}

/** Values handed to user code as they are: their buffers must never be reused. */
export const pinTree = (leaves: readonly unknown[]): void => visitResult(leaves, pin);

/**
 * Runs a transform's body as one transform call for buffer recycling (tensor/buffers.ts): the
 * outermost call reuses what its result does not reach. `recycles` is false for vjp, whose pullback
 * still needs the forward pass's values. `body` gets `a, b, c` (no closure needed on hot paths).
 */
export function transformCall<T, A = undefined, B = undefined, C = undefined>(
  recycles: boolean,
  body: (a: A, b: B, c: C) => T,
  a?: A,
  b?: B,
  c?: C,
): T {
  const scope = enterTransform(recycles);
  const pendingBefore = pendingCount();
  let result: T;
  try {
    result = body(a as A, b as B, c as C);
  } catch (e) {
    exitTransform(scope, recycles);
    throw e;
  }
  // A transform returns computed tensors, not pending expressions (its work is done when it returns).
  if (pendingCount() !== pendingBefore) visitResult(result, () => {});
  exitTransform(scope, recycles, visitResult, result);
  return result;
}

/** Calls the user's function (user code, even when a transform runs inside nabla's machinery). */
export const callUser = (f: (x: never) => unknown, x: unknown): unknown => callAsUser(f as (x: unknown) => unknown, x);
