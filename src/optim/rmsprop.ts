// RMSProp (Hinton, 2012) as optax.rmsprop writes it: ν ← decay·ν + (1 − decay)·g², and the step
// −lr·g/√(ν + ε) — ε inside the square root, optax's default (eps_in_sqrt=True); PyTorch's
// −lr·g/(√ν + ε) with `{ epsInSqrt: false }`.
import { castDraft, produce } from "immer";
import { describe } from "../base/errors.ts";
import { add, div, mul, sqrt, square, sub } from "../rules/scalar.ts";
import type { Tree } from "../tree/types.ts";
import { nonNegative, type Optimizer, step, unitInterval, zerosLike } from "./transformation.ts";
import { countOf, learningRate, type LearningRate, nextCount } from "./rate.ts";
import { leavesLike, partsOf, rebuild } from "../tree/params.ts";

/**
 * The running average of g² (a tree like the params, zeros at first); the update count when lr is a schedule.
 * @example
 * const state: RmspropState = rmsprop(0.1).init([1, 2]);
 * state; // => { nu: [0, 0] }
 * rmsprop(constantSchedule(0.1)).init([1, 2]); // => { nu: [0, 0], count: 0 }
 */
export type RmspropState = { readonly nu: Tree; readonly count?: number };

/**
 * rmsprop's options: where ε goes in the step's denominator.
 * @example
 * // decay 0.75 and g = 4: ν = 0.25·16 = 4; with ε = 5, √(4 + 5) = 3 but √4 + 5 = 7
 * const options: RmspropOptions = { epsInSqrt: false };
 * const optax = rmsprop(0.3, 0.75, 5);
 * const pytorch = rmsprop(0.3, 0.75, 5, options);
 * optax.update([4], optax.init([1]), [1])[0]; // => [0.6]
 * pytorch.update([4], pytorch.init([1]), [1])[0]; // => [0.8285714…]
 */
export interface RmspropOptions {
  /** ε inside the square root, √(ν + ε), as optax by default (true); false for √ν + ε, as PyTorch. */
  readonly epsInSqrt?: boolean | undefined;
}

/**
 * RMSProp: ν ← decay·ν + (1 − decay)·g², θ ← θ − lr·g/√(ν + ε) (optax.rmsprop's defaults: decay 0.9,
 * ε 1e-8, ν starting at 0, not centered, no momentum). `lr` may be a schedule of the update count.
 * @example
 * // decay 0.75 and ε = 0: ν = 0.25·g², so the first step is lr·g/(|g|/2) = 2·lr against g's sign, whatever |g|
 * const opt = rmsprop(0.1, 0.75, 0);
 * const [params, state] = opt.update([4, -0.5], opt.init([1, 1]), [1, 1]);
 * params; // => [0.8, 1.2]
 * state.nu; // => [4, 0.0625]
 */
export function rmsprop(lr: LearningRate, decay = 0.9, eps = 1e-8, options: RmspropOptions = {}): Optimizer<RmspropState> {
  const rate = learningRate("rmsprop", lr);
  unitInterval("rmsprop", "decay", decay);
  nonNegative("rmsprop", "eps", eps);
  if (options === null || typeof options !== "object") throw new TypeError(`rmsprop: options must be a record, got ${describe(options)}`);
  const inSqrt = options.epsInSqrt ?? true;
  if (typeof inSqrt !== "boolean") throw new TypeError(`rmsprop: options.epsInSqrt must be a boolean, got ${describe(inSqrt)}`);
  return Object.freeze({
    init: <P>(params: P): RmspropState => {
      const nu = zerosLike(params, "rmsprop.init");
      return Object.freeze(rate.scheduled ? { nu, count: 0 } : { nu });
    },
    update: <P>(grads: P | Tree, state: RmspropState, params: P): readonly [P, RmspropState] => {
      const p = partsOf(params, "rmsprop.update");
      const g = leavesLike(p, grads, "rmsprop.update", "the gradient");
      const v = leavesLike(p, state?.nu, "rmsprop.update", "the state's nu");
      const count = rate.scheduled ? countOf("rmsprop.update", state) : 0;
      const lrNow = rate.at(count);
      const nu = v.map((vi, i) => add(mul(1 - decay, square(g[i])), mul(decay, vi)));
      const next = p.leaves.map((x, i) => {
        const denominator = inSqrt ? sqrt(add(nu[i], eps)) : add(sqrt(nu[i]), eps);
        return sub(x, mul(lrNow, div(g[i], denominator)));
      });
      return step(rebuild<P>(p.def, next), produce(state, (draft) => {
        draft.nu = castDraft(rebuild<Tree>(p.def, nu));
        if (rate.scheduled) draft.count = nextCount(count);
      }));
    },
  });
}
