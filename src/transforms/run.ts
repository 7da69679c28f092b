// Running a transform: the one place that manages the buffer pool's scopes (backend/memory.ts), pins
// what is handed to user code, and calls user functions as user code.
import { visitBuffers } from "../core/value.ts";
import { asUser, callAsUser, enterMachinery, enterTransform, exitMachinery, exitTransform, pin, taint } from "../backend/memory.ts";
import { pendingCount } from "../tensor/tensor.ts";
import { isRecord } from "../tree/records.ts";
import { isLeaf } from "../tree/types.ts";
import { describe } from "../base/errors.ts";

/** `f` if it is a function, else a TypeError naming the transform (`what`: which argument). */
export function checkFunction<F>(f: F, transform: string, what = "f"): F {
  if (typeof f !== "function") throw new TypeError(`${transform}: ${what} must be a function, got ${describe(f)}`);
  return f;
}

/** Every buffer reachable from a result (trees, pairs, leaves at every level; functions skipped), without recursion. */
function visitResult(x: unknown, visit: (b: Float64Array) => void): void {
  if (isLeaf(x)) return visitBuffers(x, visit);
  const todo: unknown[] = [x];
  while (todo.length > 0) {
    const v = todo.pop();
    if (isLeaf(v)) visitBuffers(v, visit);
    else if (Array.isArray(v)) for (let i = v.length - 1; i >= 0; i--) todo.push(v[i]);
    else if (isRecord(v)) for (const u of Object.values(v)) todo.push(u);
  }
}

/** Values handed to user code as they are: their buffers must never be reused. */
export const pinTree = (leaves: readonly unknown[]): void => visitResult(leaves, pin);

/**
 * Runs a transform's body as one transform call for buffer recycling (backend/memory.ts): the
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

/** Runs user code (a custom rule, a pullback it gave) from inside the machinery; marks a never-closing level (a user's dual of tensors). */
export { asUser, taint };

/** Runs nabla's own machinery outside any primitive (a sweep): what it computes lives inside tracers. */
export function machinery<T, A, B, C>(run: (a: A, b: B, c: C) => T, a: A, b: B, c: C): T {
  enterMachinery();
  try {
    return run(a, b, c);
  } finally {
    exitMachinery();
  }
}
