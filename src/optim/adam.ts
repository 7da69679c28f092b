// Adam (Kingma & Ba, 2015) as optax writes it: moving averages of g and g², bias-corrected, and the
// step −lr·m̂/(√v̂ + ε) with ε outside the square root; and AdamW (Loshchilov & Hutter, 2019), the
// same step plus decoupled weight decay, as optax.adamw: −lr·(m̂/(√v̂ + ε) + wd·θ).
import { castDraft, produce } from "immer";
import { add, div, mul, pow, sqrt, square, sub } from "../rules/scalar.ts";
import type { Tree } from "../tree/types.ts";
import { nonNegative, type Optimizer, step, unitInterval, zerosLike } from "./transformation.ts";
import { countOf, learningRate, type LearningRate, nextCount } from "./rate.ts";
import { leavesLike, partsOf, rebuild } from "../tree/params.ts";

/**
 * The number of updates so far, and the first and second moment estimates (trees like the params).
 * @example
 * const state: AdamState = adam().init([1, 2]);
 * [state.count, state.mu, state.nu]; // => [0, [0, 0], [0, 0]]
 */
export type AdamState = { readonly count: number; readonly mu: Tree; readonly nu: Tree };

/** Adam's update, with weight decay `wd` added to the scaled step when it is not undefined (AdamW). */
function adamLike(op: string, lr: unknown, beta1: number, beta2: number, eps: number, wd: number | undefined): Optimizer<AdamState> {
  const rate = learningRate(op, lr);
  unitInterval(op, "beta1", beta1);
  unitInterval(op, "beta2", beta2);
  nonNegative(op, "eps", eps);
  if (wd !== undefined) nonNegative(op, "the weight decay", wd);
  const context = `${op}.update`;
  return Object.freeze({
    init: <P>(params: P): AdamState => {
      const zero = zerosLike(params, `${op}.init`);
      return Object.freeze({ count: 0, mu: zero, nu: zero });
    },
    update: <P>(grads: P | Tree, state: AdamState, params: P): readonly [P, AdamState] => {
      const p = partsOf(params, context);
      const g = leavesLike(p, grads, context, "the gradient");
      const m = leavesLike(p, state?.mu, context, "the state's mu");
      const v = leavesLike(p, state?.nu, context, "the state's nu");
      const before = countOf(context, state);
      const lrNow = rate.at(before);
      const count = nextCount(before);
      const mu = m.map((mi, i) => add(mul(beta1, mi), mul(1 - beta1, g[i])));
      const nu = v.map((vi, i) => add(mul(beta2, vi), mul(1 - beta2, square(g[i]))));
      // bias correction: the averages start at zero, so early ones are scaled up
      const c1 = sub(1, pow(beta1, count));
      const c2 = sub(1, pow(beta2, count));
      const next = p.leaves.map((x, i) => {
        const scaled = div(div(mu[i], c1), add(sqrt(div(nu[i], c2)), eps));
        // AdamW decays the weights outside the adaptive scaling, by the params before this update
        return sub(x, mul(lrNow, wd === undefined ? scaled : add(scaled, mul(wd, x))));
      });
      return step(rebuild<P>(p.def, next), produce(state, (draft) => {
        draft.count = count;
        draft.mu = castDraft(rebuild<Tree>(p.def, mu));
        draft.nu = castDraft(rebuild<Tree>(p.def, nu));
      }));
    },
  });
}

/**
 * Adam: m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ),
 * θ ← θ − lr·m̂/(√v̂ + ε). Defaults lr = 1e-3, β₁ = 0.9, β₂ = 0.999, ε = 1e-8. `lr` may be a
 * schedule of the update count (update k uses lr(k), k = the state's count).
 * @example
 * // the first step moves each parameter by about lr against its gradient's sign
 * adam(0.1).update([2, -3], adam(0.1).init([0, 0]), [0, 0])[0]; // => [-0.09999999…, 0.09999999…]
 */
export function adam(lr: LearningRate = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8): Optimizer<AdamState> {
  return adamLike("adam", lr, beta1, beta2, eps, undefined);
}

/**
 * AdamW, as optax.adamw: Adam's moments, then θ ← θ − lr·(m̂/(√v̂ + ε) + wd·θ) — the weight decay
 * is decoupled from the adaptive scaling (not added to the gradient). Defaults β₁ = 0.9,
 * β₂ = 0.999, ε = 1e-8, wd = 1e-4 (optax's).
 * @example
 * const opt = adamw(0.1, 0.9, 0.999, 1e-8, 0.5);
 * // a zero gradient makes no Adam step, yet the weight decays: 1 − 0.1·(0 + 0.5·1)
 * opt.update([0], opt.init([1]), [1])[0]; // => [0.95]
 * // g = 2: m̂ = 2 and √v̂ = 2, so the Adam step is about 1, then the decay: 1 − 0.1·(1 + 0.5·1)
 * opt.update([2], opt.init([1]), [1])[0]; // => [0.85000000…]
 */
export function adamw(lr: LearningRate, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 1e-4): Optimizer<AdamState> {
  return adamLike("adamw", lr, beta1, beta2, eps, weightDecay);
}
