// The optimizer model (optax's GradientTransformation, applied): a pair of pure functions,
// `init(params) -> state` and `update(grads, state, params) -> [params, state]`; and `projected`,
// which composes an optimizer with a projection (projected gradient descent).
import { describe } from "../base/errors.ts";
import { zeros } from "../tensor/tensor.ts";
import type { Tree } from "../tree/types.ts";
import { isTensorLeaf, type Leaf } from "../tree/params.ts";
import { mapTree } from "../tree/utilities.ts";

/**
 * An optimizer. `init` makes the state for a params tree; `update` takes the gradient at `params`
 * (a tree of the same structure), the state and the params, and returns the next params and state.
 * Both are pure: they change nothing they are given and return frozen trees.
 * @example
 * const opt: Optimizer<EmptyState> = sgd(0.5);
 * const [params] = opt.update([2], opt.init([1]), [1]);
 * params; // => [0]
 */
export interface Optimizer<S = unknown> {
  init<P>(params: P): S;
  update<P>(grads: P | Tree, state: S, params: P): readonly [P, S];
}

/**
 * The state of an optimizer that keeps none (`sgd`): an empty record.
 * @example
 * const state: EmptyState = sgd(0.1).init([1]);
 * state; // => {}
 */
export type EmptyState = { readonly [key: string]: never };

/** A leaf of zeros like `leaf`: 0 for a Real, zeros of its shape for a tensor. */
export const zeroLeaf = (leaf: Leaf): Leaf => (isTensorLeaf(leaf) ? zeros(leaf.shape) : 0);

/** A frozen tree of zeros shaped like `params` (an optimizer's first state), or a TypeError naming `context` and the path of a bad leaf. */
export const zerosLike = (params: unknown, context: string): Tree => mapTree(context, zeroLeaf, params, [], "the parameter tree") as Tree;

/** The frozen `[params, state]` pair an update returns. */
export const step = <P, S>(params: P, state: S): readonly [P, S] => Object.freeze([params, state] as const);

/** `x` if it is a finite number >= 0, else a RangeError naming the optimizer and the argument. */
export function nonNegative(op: string, what: string, x: unknown): number {
  if (typeof x !== "number" || !Number.isFinite(x) || x < 0) {
    throw new RangeError(`${op}: ${what} must be a finite number >= 0, got ${typeof x === "number" ? x : describe(x)}`);
  }
  return x;
}

/** `x` if it is a number in [0, 1) (or [0, 1] when `closed`), else a RangeError. */
export function unitInterval(op: string, what: string, x: unknown, closed = false): number {
  if (typeof x !== "number" || !(x >= 0) || (closed ? x > 1 : x >= 1)) {
    throw new RangeError(`${op}: ${what} must be a number in [0, 1${closed ? "]" : ")"}, got ${typeof x === "number" ? x : describe(x)}`);
  }
  return x;
}

/**
 * `optimizer` followed by `projection` after every update: projected gradient descent when the
 * projection is onto a convex set (`projected(sgd(0.1), projectToBall(1))`). The state is the
 * optimizer's; the initial params are not projected (start from a feasible point).
 * @example
 * const opt = projected(sgd(1), projectToBall(1));
 * opt.update([-3, -4], opt.init([0, 0]), [0, 0])[0]; // => [0.6, 0.8]
 */
export function projected<S>(optimizer: Optimizer<S>, projection: <P>(params: P) => P): Optimizer<S> {
  if (optimizer === null || typeof optimizer !== "object" || typeof optimizer.init !== "function" || typeof optimizer.update !== "function") {
    throw new TypeError(`projected: expects an optimizer { init, update }, got ${describe(optimizer)}`);
  }
  if (typeof projection !== "function") throw new TypeError(`projected: expects a projection function, got ${describe(projection)}`);
  return Object.freeze({
    init: <P>(params: P): S => optimizer.init(params),
    update: <P>(grads: P | Tree, state: S, params: P): readonly [P, S] => {
      const [next, nextState] = optimizer.update(grads, state, params);
      return step(projection(next), nextState);
    },
  });
}
