// Adagrad (Duchi, Hazan & Singer, 2011) as optax.adagrad writes it: the sum of squared gradients G
// starts at `initialAccumulator` and grows by g² each update; the step is −lr·g/√(G + ε) where
// G > 0, and 0 where G is 0 (optax's jnp.where(G > 0, rsqrt(G + eps), 0)).
import { castDraft, produce } from "immer";
import { add, div, mul, sqrt, square, sub } from "../rules/scalar.ts";
import { positiveMask, where } from "../rules/masks.ts";
import type { Real, Value } from "../core/protocol.ts";
import { full } from "../tensor/tensor.ts";
import type { Tree } from "../tree/types.ts";
import { nonNegative, type Optimizer, step } from "./transformation.ts";
import { countOf, learningRate, type LearningRate, nextCount } from "./rate.ts";
import { isTensorLeaf, type Leaf, leavesLike, partsOf, rebuild } from "../tree/params.ts";

/**
 * The sums of squared gradients (a tree like the params); the update count when lr is a schedule.
 * @example
 * const state: AdagradState = adagrad(0.1).init([1, 2]);
 * state; // => { sumOfSquares: [0.1, 0.1] }
 * adagrad(constantSchedule(0.1), 0).init([1, 2]); // => { sumOfSquares: [0, 0], count: 0 }
 */
export type AdagradState = { readonly sumOfSquares: Tree; readonly count?: number };

/**
 * Adagrad: G ← G + g², θ ← θ − lr·g/√(G + ε) (0 where G = 0). Defaults as optax's: G starts at
 * initialAccumulator = 0.1, ε = 1e-7. `lr` may be a schedule of the update count.
 * @example
 * // initialAccumulator 0 and ε 0: G = g², so the first step is lr·g/|g|, and none where G is still 0
 * const opt = adagrad(1, 0, 0);
 * const [p1, s1] = opt.update([3, 0], opt.init([1, 1]), [1, 1]);
 * p1; // => [0, 1]
 * s1.sumOfSquares; // => [9, 0]
 * // the next step divides by √(9 + 4²) = 5
 * opt.update([4, 0], s1, p1)[0]; // => [-0.8, 1]
 */
export function adagrad(lr: LearningRate, initialAccumulator = 0.1, eps = 1e-7): Optimizer<AdagradState> {
  const rate = learningRate("adagrad", lr);
  nonNegative("adagrad", "initialAccumulator", initialAccumulator);
  nonNegative("adagrad", "eps", eps);
  const start = (leaf: Leaf): Leaf => (isTensorLeaf(leaf) ? full(leaf.shape, initialAccumulator) : initialAccumulator);
  return Object.freeze({
    init: <P>(params: P): AdagradState => {
      const p = partsOf(params, "adagrad.init");
      const sumOfSquares = rebuild<Tree>(p.def, p.leaves.map(start));
      return Object.freeze(rate.scheduled ? { sumOfSquares, count: 0 } : { sumOfSquares });
    },
    update: <P>(grads: P | Tree, state: AdagradState, params: P): readonly [P, AdagradState] => {
      const p = partsOf(params, "adagrad.update");
      const g = leavesLike(p, grads, "adagrad.update", "the gradient");
      const s = leavesLike(p, state?.sumOfSquares, "adagrad.update", "the state's sumOfSquares");
      const count = rate.scheduled ? countOf("adagrad.update", state) : 0;
      const lrNow = rate.at(count);
      const sums = s.map((si, i) => add(square(g[i]), si));
      const next = p.leaves.map((x, i) => {
        // the mask is decided per element (and per example under vmap); it has no derivative
        const inverse = where(positiveMask(sums[i] as Value), div(1, sqrt(add(sums[i], eps))), 0);
        return sub(x, mul(lrNow, mul(inverse, g[i] as Real)));
      });
      return step(rebuild<P>(p.def, next), produce(state, (draft) => {
        draft.sumOfSquares = castDraft(rebuild<Tree>(p.def, sums));
        if (rate.scheduled) draft.count = nextCount(count);
      }));
    },
  });
}
