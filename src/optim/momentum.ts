// Gradient descent with (heavy-ball) momentum, as optax.sgd(lr, momentum): v ← β·v + g, θ ← θ − lr·v.
import { produce, castDraft } from "immer";
import { add, mul, sub } from "../rules/scalar.ts";
import type { Tree } from "../tree/types.ts";
import { type Optimizer, step, unitInterval, zerosLike } from "./transformation.ts";
import { countOf, learningRate, type LearningRate, nextCount } from "./rate.ts";
import { leavesLike, partsOf, rebuild } from "../tree/params.ts";

/**
 * The velocity v, a tree like the params (zeros at first); and the update count when lr is a schedule.
 * @example
 * const state: MomentumState = momentum(0.1).init({ w: 1 });
 * state.velocity; // => { w: 0 }
 */
export type MomentumState = { readonly velocity: Tree; readonly count?: number };

/**
 * Momentum with learning rate `lr` (a number or a schedule of the update count) and decay `beta`
 * (default 0.9): v ← beta·v + g, θ − lr·v.
 * @example
 * const opt = momentum(0.1, 0.9);
 * const [p1, s1] = opt.update([1], opt.init([0]), [0]);
 * opt.update([1], s1, p1)[0]; // => [-0.1 - 0.1 * 1.9]
 */
export function momentum(lr: LearningRate, beta = 0.9): Optimizer<MomentumState> {
  const rate = learningRate("momentum", lr);
  unitInterval("momentum", "beta", beta, true);
  return Object.freeze({
    init: <P>(params: P): MomentumState => {
      const velocity = zerosLike(params, "momentum.init");
      return Object.freeze(rate.scheduled ? { velocity, count: 0 } : { velocity });
    },
    update: <P>(grads: P | Tree, state: MomentumState, params: P): readonly [P, MomentumState] => {
      const p = partsOf(params, "momentum.update");
      const g = leavesLike(p, grads, "momentum.update", "the gradient");
      const v = leavesLike(p, state?.velocity, "momentum.update", "the state's velocity");
      const count = rate.scheduled ? countOf("momentum.update", state) : 0;
      const lrNow = rate.at(count);
      const velocity = v.map((vi, i) => add(mul(beta, vi), g[i]));
      const next = rebuild<P>(p.def, p.leaves.map((x, i) => sub(x, mul(lrNow, velocity[i]))));
      return step(next, produce(state, (draft) => {
        draft.velocity = castDraft(rebuild<Tree>(p.def, velocity));
        if (rate.scheduled) draft.count = nextCount(count);
      }));
    },
  });
}
