// Schedules of a hyperparameter over the update count, with the values optax's schedules of the
// same names give (optax/schedules/_schedule.py): constant, linear (a polynomial of power 1),
// exponential decay, cosine decay, linear warmup then cosine decay, and piecewise constant.
import { describe } from "../base/errors.ts";
import type { Schedule } from "./rate.ts";

/** `x` if it is a finite number, else a RangeError naming the schedule and the argument. */
function finite(op: string, what: string, x: unknown): number {
  if (typeof x !== "number" || !Number.isFinite(x)) {
    throw new RangeError(`${op}: ${what} must be a finite number, got ${typeof x === "number" ? x : describe(x)}`);
  }
  return x;
}

/** `n` if it is an integer >= `least` (a count of steps), else a RangeError. */
function count(op: string, what: string, n: unknown, least = 0): number {
  if (typeof n !== "number" || !Number.isInteger(n) || n < least) {
    throw new RangeError(`${op}: ${what} must be an integer >= ${least}, got ${typeof n === "number" ? n : describe(n)}`);
  }
  return n;
}

/** A frozen schedule that checks its step (an integer >= 0) before computing `value(step)`. */
function schedule(op: string, value: (step: number) => number): Schedule {
  return Object.freeze((step: number): number => value(count(op, "the step", step)));
}

/**
 * The value `value` at every step (optax.constant_schedule).
 * @example
 * const lr = constantSchedule(0.01);
 * [lr(0), lr(1000)]; // => [0.01, 0.01]
 * constantSchedule(Number.NaN); // throws RangeError
 */
export function constantSchedule(value: number): Schedule {
  const v = finite("constantSchedule", "the value", value);
  return schedule("constantSchedule", () => v);
}

/**
 * The linear ramp without checks, shared with the warmup: I + (t/T)·(E − I) for t < T, E from T on
 * (optax's value, written so that both ends are exact), I throughout when T = 0.
 */
const linear = (init: number, end: number, steps: number) => (step: number): number =>
  steps === 0 ? init : step >= steps ? end : init + (step / steps) * (end - init);

/**
 * From `init` to `end` linearly over `steps` updates, then `end` (optax.linear_schedule with
 * transition_steps = steps): I + (t/T)·(E − I) for t < T, E after. With `steps` = 0, `init` throughout.
 * @example
 * const lr = linearSchedule(1, 0, 4);
 * [lr(0), lr(1), lr(2), lr(4), lr(100)]; // => [1, 0.75, 0.5, 0, 0]
 * linearSchedule(1, 0, 0)(5); // => 1
 */
export function linearSchedule(init: number, end: number, steps: number): Schedule {
  const op = "linearSchedule";
  return schedule(op, linear(finite(op, "init", init), finite(op, "end", end), count(op, "steps", steps)));
}

/**
 * exponentialDecay's options: whether the decay happens in steps.
 * @example
 * const options: ExponentialDecayOptions = { staircase: true };
 * const lr = exponentialDecay(0.1, 100, 0.5, options);
 * [lr(99), lr(100), lr(250)]; // => [0.1, 0.05, 0.025]
 */
export interface ExponentialDecayOptions {
  /** Decay at whole multiples of transitionSteps only: rate^⌊t/T⌋ (default false: rate^(t/T)). */
  readonly staircase?: boolean | undefined;
}

/**
 * `init`·decayRate^(t/transitionSteps) (optax.exponential_decay), with ⌊t/T⌋ under
 * `{ staircase: true }`; `init` at step 0. As in optax, transitionSteps = 0 or decayRate = 0 gives
 * `init` throughout, and a rate above 1 grows.
 * @example
 * const smooth = exponentialDecay(1, 10, 0.5);
 * [smooth(0), smooth(10), smooth(20)]; // => [1, 0.5, 0.25]
 * smooth(5); // => 0.7071…
 * const stairs = exponentialDecay(1, 10, 0.5, { staircase: true });
 * [stairs(5), stairs(10), stairs(19)]; // => [1, 0.5, 0.5]
 */
export function exponentialDecay(
  init: number,
  transitionSteps: number,
  decayRate: number,
  options: ExponentialDecayOptions = {},
): Schedule {
  const op = "exponentialDecay";
  const i = finite(op, "init", init);
  const steps = count(op, "transitionSteps", transitionSteps);
  const rate = finite(op, "decayRate", decayRate);
  if (rate < 0) throw new RangeError(`${op}: decayRate must be >= 0, got ${rate}`);
  if (options === null || typeof options !== "object") throw new TypeError(`${op}: options must be a record, got ${describe(options)}`);
  const staircase = options.staircase ?? false;
  if (typeof staircase !== "boolean") throw new TypeError(`${op}: options.staircase must be a boolean, got ${describe(staircase)}`);
  if (steps === 0 || rate === 0) return schedule(op, () => i);
  return schedule(op, (t) => {
    if (t <= 0) return i;
    const p = staircase ? Math.floor(t / steps) : t / steps;
    return i * rate ** p;
  });
}

/** The cosine decay without checks, shared with the warmup. */
const cosine = (init: number, steps: number, alpha: number) => (step: number): number => {
  const decay = 0.5 * (1 + Math.cos((Math.PI * Math.min(step, steps)) / steps));
  return init * ((1 - alpha) * decay + alpha);
};

/**
 * `init`·((1 − α)·½(1 + cos(π·min(t, T)/T)) + α) (optax.cosine_decay_schedule): from `init` at
 * step 0 to α·init at step T = decaySteps and after. decaySteps must be >= 1, as optax requires.
 * @example
 * const lr = cosineDecaySchedule(0.1, 100);
 * [lr(0), lr(50), lr(100), lr(1000)]; // => [0.1, 0.05, 0, 0]
 * const floored = cosineDecaySchedule(1, 100, 0.1); // α = 0.1: down to 0.1, not 0
 * [floored(50), floored(100)]; // => [0.55, 0.1]
 * cosineDecaySchedule(1, 0); // throws RangeError
 */
export function cosineDecaySchedule(init: number, decaySteps: number, alpha = 0): Schedule {
  const op = "cosineDecaySchedule";
  return schedule(op, cosine(finite(op, "init", init), count(op, "decaySteps", decaySteps, 1), finite(op, "alpha", alpha)));
}

/**
 * A linear warmup from `init` to `peak` over `warmupSteps`, then a cosine decay from `peak` to `end`
 * (optax.warmup_cosine_decay_schedule). As in optax, `decaySteps` counts the warmup too: the cosine
 * runs for decaySteps − warmupSteps steps (at least 1), with α = end/peak (0 when peak is 0).
 * @example
 * // up from 0 to 0.1 over 10 updates, then a cosine of 110 − 10 = 100 updates down to 0
 * const lr = warmupCosineDecaySchedule(0, 0.1, 10, 110);
 * [lr(0), lr(5), lr(10), lr(60), lr(110), lr(500)]; // => [0, 0.05, 0.1, 0.05, 0, 0]
 * warmupCosineDecaySchedule(0, 1, 10, 110, 0.1)(110); // => 0.1
 * warmupCosineDecaySchedule(0, 1, 10, 10); // throws RangeError
 */
export function warmupCosineDecaySchedule(init: number, peak: number, warmupSteps: number, decaySteps: number, end = 0): Schedule {
  const op = "warmupCosineDecaySchedule";
  const i = finite(op, "init", init);
  const p = finite(op, "peak", peak);
  const e = finite(op, "end", end);
  const warmup = count(op, "warmupSteps", warmupSteps);
  const total = count(op, "decaySteps", decaySteps);
  if (total <= warmup) {
    throw new RangeError(`${op}: decaySteps (${total}) includes the warmup and must exceed warmupSteps (${warmup})`);
  }
  const up = linear(i, p, warmup);
  const down = cosine(p, total - warmup, p === 0 ? 0 : e / p);
  return schedule(op, (t) => (t < warmup ? up(t) : down(t - warmup)));
}

/**
 * `init` times every scale whose boundary step has been reached (optax.piecewise_constant_schedule):
 * `piecewiseConstantSchedule(1, { 100: 0.1, 200: 0.1 })` is 1 before step 100, 0.1 from step 100 and
 * 0.01 from step 200. Boundaries are integers >= 0, scales finite numbers >= 0.
 * @example
 * const lr = piecewiseConstantSchedule(1, { 100: 0.1, 200: 0.1 });
 * [lr(0), lr(99), lr(100), lr(199), lr(200)]; // => [1, 1, 0.1, 0.1, 0.01]
 * piecewiseConstantSchedule(1, { 100: -1 }); // throws RangeError
 */
export function piecewiseConstantSchedule(init: number, boundariesAndScales: { readonly [step: number]: number } = {}): Schedule {
  const op = "piecewiseConstantSchedule";
  const i = finite(op, "init", init);
  if (boundariesAndScales === null || typeof boundariesAndScales !== "object" || Array.isArray(boundariesAndScales)) {
    throw new TypeError(`${op}: the boundaries and scales must be a record { [step]: scale }, got ${describe(boundariesAndScales)}`);
  }
  const pieces = Object.entries(boundariesAndScales).map(([key, scale]): readonly [number, number] => {
    const boundary = /^(0|[1-9]\d*)$/.test(key) ? Number(key) : Number.NaN;
    count(op, `the boundary ${JSON.stringify(key)}`, Number.isSafeInteger(boundary) ? boundary : key);
    const s = finite(op, `the scale at step ${key}`, scale);
    if (s < 0) throw new RangeError(`${op}: the scale at step ${key} must be >= 0, got ${s}`);
    return [boundary, s];
  });
  pieces.sort((a, b) => a[0] - b[0]);
  return schedule(op, (t) => {
    let v = i;
    for (const [boundary, s] of pieces) if (t >= boundary) v = s * v;
    return v;
  });
}
