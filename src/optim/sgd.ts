// Plain gradient descent, the course's update rule: θ ← θ − lr·g (optax.sgd without momentum).
import { mul, sub } from "../rules/scalar.ts";
import type { Tree } from "../tree/types.ts";
import { type EmptyState, nonNegative, type Optimizer, step } from "./transformation.ts";
import { leavesLike, partsOf, rebuild } from "../tree/params.ts";

const empty: EmptyState = Object.freeze({});

/**
 * Gradient descent with learning rate `lr`: θ − lr·g. Keeps no state (an empty record).
 * @example
 * sgd(0.1).update([1, 2], {}, [0, 0])[0]; // => [-0.1, -0.2]
 */
export function sgd(lr: number): Optimizer<EmptyState> {
  nonNegative("sgd", "the learning rate", lr);
  return Object.freeze({
    init: <P>(params: P): EmptyState => {
      partsOf(params, "sgd.init");
      return empty;
    },
    update: <P>(grads: P | Tree, _state: EmptyState, params: P): readonly [P, EmptyState] => {
      const p = partsOf(params, "sgd.update");
      const g = leavesLike(p, grads, "sgd.update", "the gradient");
      return step(rebuild<P>(p.def, p.leaves.map((x, i) => sub(x, mul(lr, g[i])))), empty);
    },
  });
}
