// Gradient transformations (optax's GradientTransformation, on gradients): pure pairs
// `init(params) -> state`, `update(grads, state, params) -> [grads, state]` — clipping by the global
// norm, elementwise clipping, adding decayed weights — and `chain`, which runs them on the
// gradients in order and then an optimizer, and is itself an optimizer.
import { describe } from "../base/errors.ts";
import type { Real, Value } from "../core/protocol.ts";
import { add, div, max, min, mul, sub } from "../rules/scalar.ts";
import { positiveMask, where } from "../rules/masks.ts";
import type { Tree } from "../tree/types.ts";
import { type Leaf, leavesLike, partsOf, rebuild } from "../tree/params.ts";
import { globalNorm } from "../regularize/withL2.ts";
import { type EmptyState, nonNegative, type Optimizer, step } from "./transformation.ts";

/**
 * A gradient transformation: `init` makes the state for a params tree; `update` takes gradients (a
 * tree like the params), the state and the params, and returns the transformed gradients (the same
 * structure) and the next state. Both are pure and return frozen trees.
 * @example
 * const t: GradientTransformation<EmptyState> = clip(1);
 * const [grads, state] = t.update([3, -0.5], t.init([0, 0]), [0, 0]);
 * [grads, state]; // => [[1, -0.5], {}]
 */
export interface GradientTransformation<S = unknown> {
  init<P>(params: P): S;
  update<G, P>(grads: G, state: S, params: P): readonly [G, S];
}

const empty: EmptyState = Object.freeze({});

/** A transformation without state that maps the gradient leaves (paired with the params leaves). */
function stateless(op: string, map: (grads: readonly Leaf[], params: () => readonly Leaf[]) => readonly Leaf[]): GradientTransformation<EmptyState> {
  return Object.freeze({
    init: <P>(params: P): EmptyState => {
      partsOf(params, `${op}.init`);
      return empty;
    },
    update: <G, P>(grads: G, _state: EmptyState, params: P): readonly [G, EmptyState] => {
      const g = partsOf(grads, `${op}.update`, "the gradient");
      const paired = (): readonly Leaf[] => {
        // the params must have the gradient's structure, leaf for leaf and shape for shape
        return leavesLike(g, params, `${op}.update`, "the params");
      };
      return step(rebuild<G>(g.def, map(g.leaves, paired)), empty);
    },
  });
}

/**
 * Scales the gradient down to global norm `maxNorm` when its norm ‖g‖₂ (over every leaf) is not
 * below it (optax.clip_by_global_norm): g where ‖g‖ < maxNorm, else g/‖g‖·maxNorm.
 * @example
 * // ‖g‖ = √(3² + 4²) = 5, over both leaves
 * clipByGlobalNorm(1).update({ w: [3], b: 4 }, {}, { w: [0], b: 0 })[0]; // => { w: [0.6], b: 0.8 }
 * clipByGlobalNorm(10).update({ w: [3], b: 4 }, {}, { w: [0], b: 0 })[0]; // => { w: [3], b: 4 }
 */
export function clipByGlobalNorm(maxNorm: number): GradientTransformation<EmptyState> {
  if (typeof maxNorm !== "number" || !Number.isFinite(maxNorm) || maxNorm <= 0) {
    throw new RangeError(`clipByGlobalNorm: maxNorm must be a finite number > 0, got ${typeof maxNorm === "number" ? maxNorm : describe(maxNorm)}`);
  }
  return stateless("clipByGlobalNorm", (grads) => {
    const norm = globalNorm(grads as readonly Real[]);
    // 1 where ‖g‖ < maxNorm (so NaN clips, as in optax), decided without a derivative
    const inside = positiveMask(sub(maxNorm, norm) as Value);
    return grads.map((t) => where(inside, t, mul(div(t, norm), maxNorm)) as Leaf);
  });
}

/**
 * Clips every element of the gradient to [−maxDelta, maxDelta] (optax.clip).
 * @example
 * clip(1).update([3, -0.5, -2], {}, [0, 0, 0])[0]; // => [1, -0.5, -1]
 * clip(0.5).update(tensor([2, 0.25]), {}, tensor([0, 0]))[0]; // => tensor([0.5, 0.25])
 */
export function clip(maxDelta: number): GradientTransformation<EmptyState> {
  nonNegative("clip", "maxDelta", maxDelta);
  return stateless("clip", (grads) => grads.map((t) => min(max(t, -maxDelta), maxDelta) as Leaf));
}

/**
 * Adds `weightDecay`·θ to the gradient (optax.add_decayed_weights): g + wd·θ.
 * @example
 * addDecayedWeights(0.1).update([1, 0], {}, [2, -3])[0]; // => [1.2, -0.3]
 */
export function addDecayedWeights(weightDecay: number): GradientTransformation<EmptyState> {
  nonNegative("addDecayedWeights", "the weight decay", weightDecay);
  return stateless("addDecayedWeights", (grads, params) => {
    const p = params();
    return grads.map((g, i) => add(g, mul(weightDecay, p[i])) as Leaf);
  });
}

const isPair = (x: unknown): x is { init: unknown; update: unknown } =>
  x !== null && typeof x === "object" && typeof (x as { init?: unknown }).init === "function" && typeof (x as { update?: unknown }).update === "function";

/**
 * The state of a chain: the state of each transformation in order, then the optimizer's.
 * @example
 * const state: ChainState = chain(clip(1), adam(0.1)).init([0]);
 * state; // => [{}, { count: 0, mu: [0], nu: [0] }]
 */
export type ChainState = readonly unknown[];

/**
 * `optimizer` after `transformations`, applied to the gradient in order (optax.chain, ending in the
 * step): `chain(clipByGlobalNorm(1), addDecayedWeights(1e-4), sgd(0.1))`. It is an optimizer; its
 * state is the frozen array of the parts' states.
 * @example
 * const opt = chain(clipByGlobalNorm(1), addDecayedWeights(0.5), sgd(0.1));
 * const state = opt.init([1, 1]);
 * state; // => [{}, {}, {}]
 * // g = [3, 4] clipped to norm 1 is [0.6, 0.8]; plus 0.5·θ, [1.1, 1.3]; the step is 0.1 times that
 * opt.update([3, 4], state, [1, 1])[0]; // => [0.89, 0.87]
 */
export function chain(...parts: readonly [...GradientTransformation<any>[], Optimizer<any>]): Optimizer<ChainState> {
  if (parts.length === 0) throw new TypeError("chain: expects gradient transformations and then an optimizer, got nothing");
  parts.forEach((part, i) => {
    if (!isPair(part)) {
      const what = i === parts.length - 1 ? "the optimizer (the last argument)" : `argument ${i + 1}, a gradient transformation,`;
      throw new TypeError(`chain: ${what} must be { init, update }, got ${describe(part)}`);
    }
  });
  const transforms = parts.slice(0, -1) as readonly GradientTransformation<unknown>[];
  const optimizer = parts[parts.length - 1] as Optimizer<unknown>;
  // every part sees one frozen copy of the params, so a getter in the caller's tree is read once per call
  const copy = <P>(params: P, op: string): P => {
    const p = partsOf(params, op);
    return rebuild<P>(p.def, p.leaves);
  };
  return Object.freeze({
    init: <P>(given: P): ChainState => {
      const params = copy(given, "chain.init");
      return Object.freeze([...transforms.map((t) => t.init(params)), optimizer.init(params)]);
    },
    update: <P>(grads: P | Tree, state: ChainState, given: P): readonly [P, ChainState] => {
      if (!Array.isArray(state) || state.length !== parts.length) {
        throw new TypeError(`chain.update: the state must be the array of ${parts.length} states chain's init made, got ${describe(state)}`);
      }
      const params = copy(given, "chain.update");
      const states: unknown[] = [];
      let g: unknown = grads;
      transforms.forEach((t, i) => {
        const [next, s] = t.update(g, state[i], params);
        g = next;
        states.push(s);
      });
      const [next, s] = optimizer.update(g as P, state[transforms.length], params);
      states.push(s);
      return step(next, Object.freeze(states));
    },
  });
}
