// Adam (Kingma & Ba, 2015) as optax writes it: moving averages of g and g², bias-corrected, and the
// step −lr·m̂/(√v̂ + ε) with ε outside the square root.
import { castDraft, produce } from "immer";
import { add, div, mul, sqrt, square, sub } from "../rules/scalar.ts";
import type { Tree } from "../tree/types.ts";
import { nonNegative, type Optimizer, step, unitInterval, zerosLike } from "./transformation.ts";
import { leavesLike, partsOf, rebuild } from "../tree/params.ts";

/**
 * The number of updates so far, and the first and second moment estimates (trees like the params).
 * @example
 * const state: AdamState = adam().init([1, 2]);
 * [state.count, state.mu, state.nu]; // => [0, [0, 0], [0, 0]]
 */
export type AdamState = { readonly count: number; readonly mu: Tree; readonly nu: Tree };

/**
 * Adam: m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ),
 * θ ← θ − lr·m̂/(√v̂ + ε). Defaults lr = 1e-3, β₁ = 0.9, β₂ = 0.999, ε = 1e-8.
 * @example
 * // the first step moves each parameter by about lr against its gradient's sign
 * adam(0.1).update([2, -3], adam(0.1).init([0, 0]), [0, 0])[0]; // => [-0.09999999…, 0.09999999…]
 */
export function adam(lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8): Optimizer<AdamState> {
  nonNegative("adam", "the learning rate", lr);
  unitInterval("adam", "beta1", beta1);
  unitInterval("adam", "beta2", beta2);
  nonNegative("adam", "eps", eps);
  return Object.freeze({
    init: <P>(params: P): AdamState => {
      const zero = zerosLike(params, "adam.init");
      return Object.freeze({ count: 0, mu: zero, nu: zero });
    },
    update: <P>(grads: P | Tree, state: AdamState, params: P): readonly [P, AdamState] => {
      const p = partsOf(params, "adam.update");
      const g = leavesLike(p, grads, "adam.update", "the gradient");
      const m = leavesLike(p, state?.mu, "adam.update", "the state's mu");
      const v = leavesLike(p, state?.nu, "adam.update", "the state's nu");
      const count = state.count + 1;
      const mu = m.map((mi, i) => add(mul(beta1, mi), mul(1 - beta1, g[i])));
      const nu = v.map((vi, i) => add(mul(beta2, vi), mul(1 - beta2, square(g[i]))));
      // bias correction: the averages start at zero, so early ones are scaled up
      const c1 = 1 - beta1 ** count;
      const c2 = 1 - beta2 ** count;
      const next = p.leaves.map((x, i) => sub(x, mul(lr, div(div(mu[i], c1), add(sqrt(div(nu[i], c2)), eps)))));
      return step(rebuild<P>(p.def, next), produce(state, (draft) => {
        draft.count = count;
        draft.mu = castDraft(rebuild<Tree>(p.def, mu));
        draft.nu = castDraft(rebuild<Tree>(p.def, nu));
      }));
    },
  });
}
