// train: the course's workflow as one pure function — forward and loss, backward (valueAndGrad),
// update (the optimizer), iterate until `steps` or until the loss stops changing.
import { freeze } from "immer";
import { describe } from "../base/errors.ts";
import type { Real } from "../core/protocol.ts";
import { valueAndGrad } from "../transforms/reverse.ts";
import { primal } from "../transforms/values.ts";
import type { Tree } from "../tree/types.ts";
import type { Optimizer } from "../optim/transformation.ts";
import { partsOf, rebuild } from "../tree/params.ts";

/**
 * What `onStep` is told after every update.
 * @example
 * const seen: number[] = [];
 * const onStep = (info: StepInfo<Real>) => seen.push(info.step);
 * train({ loss: (w: Real) => square(w), params: 1, optimizer: sgd(0.1), steps: 3, onStep });
 * seen; // => [1, 2, 3]
 */
export interface StepInfo<P> {
  /** The number of updates so far (1 after the first). */
  readonly step: number;
  /** The loss at `params`. */
  readonly loss: number;
  /** The params after this update. */
  readonly params: P;
}

/**
 * What `train` takes: the loss, the initial params, the optimizer, the number of steps, and optionally a tolerance and a callback.
 * @example
 * const options: TrainOptions<Real, EmptyState> = { loss: (w) => square(w), params: 1, optimizer: sgd(0.25), steps: 50, tolerance: 1e-6 };
 * train(options).converged; // => true
 */
export interface TrainOptions<P, S> {
  /** The loss to minimise, a scalar function of the params. */
  readonly loss: (params: P) => Real;
  readonly data?: undefined;
  /** The initial params (never changed). */
  readonly params: P;
  readonly optimizer: Optimizer<S>;
  /** The most updates to make (a non-negative integer). */
  readonly steps: number;
  /** Stop early once an update changes the loss by less than this (|history[k] − history[k−1]| < tolerance). */
  readonly tolerance?: number | undefined;
  /** Called after every update. */
  readonly onStep?: ((info: StepInfo<P>) => void) | undefined;
}

/**
 * `train`'s options with data: the loss also takes the batch `data(k)` of update k.
 * @example
 * // the batch is one target, 1 for even updates and 3 for odd ones; the loss is (w − target)²
 * const asked: number[] = [];
 * const options: TrainDataOptions<Real, EmptyState, number> = {
 *   loss: (w, target) => square(sub(w, target)),
 *   params: 0,
 *   optimizer: sgd(0.25),
 *   steps: 2,
 *   data: (step) => {
 *     asked.push(step);
 *     return step % 2 === 0 ? 1 : 3;
 *   },
 * };
 * const fit = train(options);
 * // w: 0 → 0 − 0.25·2(0 − 1) = 0.5 → 0.5 − 0.25·2(0.5 − 3) = 1.75; history[k] is the loss at data(k)
 * [fit.params, fit.history]; // => [1.75, [1, 6.25, 0.5625]]
 * asked; // => [0, 1, 2]
 */
export interface TrainDataOptions<P, S, B> extends Omit<TrainOptions<P, S>, "loss" | "data"> {
  /** The loss to minimise, a scalar function of the params and a batch. */
  readonly loss: (params: P, batch: B) => Real;
  /** The batch for update k (0 first); called once for every k from 0 to the last entry of the history. */
  readonly data: (step: number) => B;
}

/**
 * What `train` returns: the final params, the loss history, the number of updates, and whether it converged.
 * @example
 * const result: TrainResult<Real> = train({ loss: (w: Real) => square(w), params: 1, optimizer: sgd(0.25), steps: 2 });
 * result; // => { params: 0.25, history: [1, 0.25, 0.0625], steps: 2, converged: false }
 */
export interface TrainResult<P> {
  /** The params after the last update. */
  readonly params: P;
  /** history[0] is the loss at the initial params, history[k] the loss after k updates. */
  readonly history: readonly number[];
  /** The number of updates made: history.length − 1. */
  readonly steps: number;
  /** Whether training stopped early because the loss changed by less than `tolerance`. */
  readonly converged: boolean;
}

/**
 * Minimises `loss` from `params` with `optimizer`: evaluates the loss and its gradient, updates, and
 * repeats `steps` times or until the loss changes by less than `tolerance`. Returns the final params,
 * the loss history (history.length === steps + 1 unless it stopped early), the number of updates and
 * whether it converged; changes nothing it is given and returns a frozen result. With `data`, update
 * k uses the gradient of loss(params_k, data(k)) and history[k] is that loss (so the last entry
 * calls data(steps)); `tolerance` still compares consecutive entries.
 * @example
 * const fit = train({ loss: (w: Real) => square(sub(w, 3)), params: 0, optimizer: sgd(0.25), steps: 20 });
 * fit.params; // => 2.99999…
 * [fit.history[0], fit.history.length, fit.converged]; // => [9, 21, false]
 */
export function train<P, S>(options: TrainOptions<P, S>): TrainResult<P>;
export function train<P, S, B>(options: TrainDataOptions<P, S, B>): TrainResult<P>;
export function train<P, S, B>(options: TrainOptions<P, S> | TrainDataOptions<P, S, B>): TrainResult<P> {
  if (options === null || typeof options !== "object") throw new TypeError(`train: expects { loss, params, optimizer, steps }, got ${describe(options)}`);
  const { loss, optimizer, steps, tolerance, onStep, data } = options;
  if (typeof loss !== "function") throw new TypeError(`train: loss must be a function of the params, got ${describe(loss)}`);
  if (optimizer === null || typeof optimizer !== "object" || typeof optimizer.init !== "function" || typeof optimizer.update !== "function") {
    throw new TypeError(`train: optimizer must be { init, update }, got ${describe(optimizer)}`);
  }
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`train: steps must be a non-negative integer, got ${typeof steps === "number" ? steps : describe(steps)}`);
  if (tolerance !== undefined && (typeof tolerance !== "number" || Number.isNaN(tolerance) || tolerance < 0)) {
    throw new RangeError(`train: tolerance must be a number >= 0, got ${typeof tolerance === "number" ? tolerance : describe(tolerance)}`);
  }
  if (onStep !== undefined && typeof onStep !== "function") throw new TypeError(`train: onStep must be a function, got ${describe(onStep)}`);
  if (data !== undefined && typeof data !== "function") throw new TypeError(`train: data must be a function (step) => batch, got ${describe(data)}`);

  // a frozen copy: the caller's tree is neither changed nor frozen
  const start = partsOf(options.params, "train");
  let params = rebuild<P>(start.def, start.leaves);
  let state = optimizer.init(params);
  // the gradient has the params' structure; the optimizer checks it leaf by leaf. With data, one
  // valueAndGrad (one structure memo) of the loss at the batch of the step being evaluated
  let batch: B | undefined;
  const objective = data === undefined ? (loss as (params: P) => Real) : (p: P): Real => (loss as (params: P, batch: B) => Real)(p, batch as B);
  const valueAndGradient = valueAndGrad(objective) as unknown as (params: P) => readonly [Real, Tree];
  const lossAndGrad = (p: P, k: number): readonly [Real, Tree] => {
    if (data !== undefined) batch = data(k);
    return valueAndGradient(p);
  };
  let [value, grads] = lossAndGrad(params, 0);
  const history: number[] = [primal(value)];
  let converged = false;
  let done = 0;
  while (done < steps) {
    [params, state] = optimizer.update(grads, state, params);
    done++;
    [value, grads] = lossAndGrad(params, done);
    history.push(primal(value));
    onStep?.(Object.freeze({ step: done, loss: history[done], params }));
    if (tolerance !== undefined && Math.abs(history[done] - history[done - 1]) < tolerance) {
      converged = true;
      break;
    }
  }
  return freeze({ params, history, steps: done, converged }, true);
}
