// Adadelta (Zeiler, 2012, Algorithm 1), the course's "adadelta" update: steps scaled by the ratio of
// running RMS of past updates to running RMS of gradients, so no learning rate is needed (lr = 1).
import { castDraft, produce } from "immer";
import { add, div, mul, sqrt, square, sub } from "../rules/scalar.ts";
import type { Tree } from "../tree/types.ts";
import { nonNegative, type Optimizer, step, unitInterval, zerosLike } from "./transformation.ts";
import { countOf, learningRate, type LearningRate, nextCount } from "./rate.ts";
import { leavesLike, partsOf, rebuild } from "../tree/params.ts";

/**
 * The running averages E[g²] and E[Δθ²] (trees like the params); the update count when lr is a schedule.
 * @example
 * const state: AdadeltaState = adadelta().init({ w: 1 });
 * state; // => { accGrad: { w: 0 }, accDelta: { w: 0 } }
 */
export type AdadeltaState = { readonly accGrad: Tree; readonly accDelta: Tree; readonly count?: number };

/**
 * Adadelta: E[g²] ← ρE[g²] + (1 − ρ)g², Δ = √(E[Δ²] + ε)/√(E[g²] + ε)·g, E[Δ²] ← ρE[Δ²] + (1 − ρ)Δ²,
 * θ ← θ − lr·Δ. Defaults ρ = 0.95, ε = 1e-6, lr = 1 (Zeiler's method exactly; optax's for other lr).
 * `lr` may be a schedule of the update count.
 * @example
 * const opt = adadelta();
 * opt.update([1], opt.init([0]), [0])[0]; // => [-Math.sqrt(1e-6) / Math.sqrt(0.05 + 1e-6)]
 */
export function adadelta(rho = 0.95, eps = 1e-6, lr: LearningRate = 1): Optimizer<AdadeltaState> {
  unitInterval("adadelta", "rho", rho);
  nonNegative("adadelta", "eps", eps);
  const rate = learningRate("adadelta", lr);
  return Object.freeze({
    init: <P>(params: P): AdadeltaState => {
      const zero = zerosLike(params, "adadelta.init");
      return Object.freeze(rate.scheduled ? { accGrad: zero, accDelta: zero, count: 0 } : { accGrad: zero, accDelta: zero });
    },
    update: <P>(grads: P | Tree, state: AdadeltaState, params: P): readonly [P, AdadeltaState] => {
      const p = partsOf(params, "adadelta.update");
      const g = leavesLike(p, grads, "adadelta.update", "the gradient");
      const eg = leavesLike(p, state?.accGrad, "adadelta.update", "the state's accGrad");
      const ed = leavesLike(p, state?.accDelta, "adadelta.update", "the state's accDelta");
      const count = rate.scheduled ? countOf("adadelta.update", state) : 0;
      const lrNow = rate.at(count);
      const accGrad = eg.map((e, i) => add(mul(rho, e), mul(1 - rho, square(g[i]))));
      // RMS[Δ]ₜ₋₁ / RMS[g]ₜ · g: the previous updates' scale, so the step has the units of θ
      const delta = g.map((gi, i) => mul(div(sqrt(add(ed[i], eps)), sqrt(add(accGrad[i], eps))), gi));
      const accDelta = ed.map((e, i) => add(mul(rho, e), mul(1 - rho, square(delta[i]))));
      const next = p.leaves.map((x, i) => sub(x, mul(lrNow, delta[i])));
      return step(rebuild<P>(p.def, next), produce(state, (draft) => {
        draft.accGrad = castDraft(rebuild<Tree>(p.def, accGrad));
        draft.accDelta = castDraft(rebuild<Tree>(p.def, accDelta));
        if (rate.scheduled) draft.count = nextCount(count);
      }));
    },
  });
}
