// Plain gradient descent, the course's update rule: θ ← θ − lr·g (optax.sgd without momentum).
import { mul, sub } from "../rules/scalar.ts";
import type { Tree } from "../tree/types.ts";
import { type EmptyState, type Optimizer, step } from "./transformation.ts";
import { countOf, type CountState, learningRate, type LearningRate, nextCount, type Schedule, START } from "./rate.ts";
import { leavesLike, partsOf, rebuild } from "../tree/params.ts";

const empty: EmptyState = Object.freeze({});

/**
 * Gradient descent with learning rate `lr`: θ − lr·g. With a number it keeps no state (an empty
 * record); with a schedule, the update count (`{ count }`), and update k uses lr(k).
 * @example
 * sgd(0.1).update([1, 2], {}, [0, 0])[0]; // => [-0.1, -0.2]
 */
export function sgd(lr: number): Optimizer<EmptyState>;
export function sgd(lr: Schedule): Optimizer<CountState>;
export function sgd(lr: LearningRate): Optimizer<EmptyState | CountState>;
export function sgd(lr: LearningRate): Optimizer<EmptyState | CountState> {
  const rate = learningRate("sgd", lr);
  return Object.freeze({
    init: <P>(params: P): EmptyState | CountState => {
      partsOf(params, "sgd.init");
      return rate.scheduled ? START : empty;
    },
    update: <P>(grads: P | Tree, state: EmptyState | CountState, params: P): readonly [P, EmptyState | CountState] => {
      const p = partsOf(params, "sgd.update");
      const g = leavesLike(p, grads, "sgd.update", "the gradient");
      const count = rate.scheduled ? countOf("sgd.update", state) : 0;
      const lrNow = rate.at(count);
      const next = rebuild<P>(p.def, p.leaves.map((x, i) => sub(x, mul(lrNow, g[i]))));
      return step(next, rate.scheduled ? Object.freeze({ count: nextCount(count) }) : empty);
    },
  });
}
