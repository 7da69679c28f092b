// Gradient descent with (heavy-ball) momentum, as optax.sgd(lr, momentum): v ← β·v + g, θ ← θ − lr·v.
import { produce, castDraft } from "immer";
import { add, mul, sub } from "../rules/scalar.ts";
import type { Tree } from "../tree/types.ts";
import { nonNegative, type Optimizer, step, unitInterval, zerosLike } from "./transformation.ts";
import { leavesLike, partsOf, rebuild } from "../tree/params.ts";

/**
 * The velocity v, a tree like the params (zeros at first).
 * @example
 * const state: MomentumState = momentum(0.1).init({ w: 1 });
 * state.velocity; // => { w: 0 }
 */
export type MomentumState = { readonly velocity: Tree };

/**
 * Momentum with learning rate `lr` and decay `beta` (default 0.9): v ← beta·v + g, θ − lr·v.
 * @example
 * const opt = momentum(0.1, 0.9);
 * const [p1, s1] = opt.update([1], opt.init([0]), [0]);
 * opt.update([1], s1, p1)[0]; // => [-0.1 - 0.1 * 1.9]
 */
export function momentum(lr: number, beta = 0.9): Optimizer<MomentumState> {
  nonNegative("momentum", "the learning rate", lr);
  unitInterval("momentum", "beta", beta, true);
  return Object.freeze({
    init: <P>(params: P): MomentumState => {
      return Object.freeze({ velocity: zerosLike(params, "momentum.init") });
    },
    update: <P>(grads: P | Tree, state: MomentumState, params: P): readonly [P, MomentumState] => {
      const p = partsOf(params, "momentum.update");
      const g = leavesLike(p, grads, "momentum.update", "the gradient");
      const v = leavesLike(p, state?.velocity, "momentum.update", "the state's velocity");
      const velocity = v.map((vi, i) => add(mul(beta, vi), g[i]));
      const next = rebuild<P>(p.def, p.leaves.map((x, i) => sub(x, mul(lr, velocity[i]))));
      return step(next, produce(state, (draft) => {
        draft.velocity = castDraft(rebuild<Tree>(p.def, velocity));
      }));
    },
  });
}
