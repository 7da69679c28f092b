// RMSProp (Hinton, 2012) as optax.rmsprop writes it: ν ← decay·ν + (1 − decay)·g², and the step
// −lr·g/√(ν + ε) — ε inside the square root, optax's default (eps_in_sqrt=True); PyTorch's
// −lr·g/(√ν + ε) with `{ epsInSqrt: false }`.
import { castDraft, produce } from "immer";
import { describe } from "../base/errors.ts";
import { add, div, mul, sqrt, square, sub } from "../rules/scalar.ts";
import type { Tree } from "../tree/types.ts";
import { nonNegative, type Optimizer, step, unitInterval, zeroLeaf } from "./transformation.ts";
import { countOf, learningRate, type LearningRate } from "./rate.ts";
import { leavesLike, partsOf, rebuild } from "../tree/params.ts";

/** The running average of g² (a tree like the params, zeros at first); the update count when lr is a schedule. */
export type RmspropState = { readonly nu: Tree; readonly count?: number };

export interface RmspropOptions {
  /** ε inside the square root, √(ν + ε), as optax by default (true); false for √ν + ε, as PyTorch. */
  readonly epsInSqrt?: boolean | undefined;
}

/**
 * RMSProp: ν ← decay·ν + (1 − decay)·g², θ ← θ − lr·g/√(ν + ε) (optax.rmsprop's defaults: decay 0.9,
 * ε 1e-8, ν starting at 0, not centered, no momentum). `lr` may be a schedule of the update count.
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
      const p = partsOf(params, "rmsprop.init");
      const nu = rebuild<Tree>(p.def, p.leaves.map(zeroLeaf));
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
        if (rate.scheduled) draft.count = count + 1;
      }));
    },
  });
}
