// Learning rates: a number, or a schedule of the update count (optax's ScalarOrSchedule). An
// optimizer given a schedule keeps the count of its updates in its state, as optax's
// scale_by_schedule does; given a number it keeps none.
import { describe } from "../base/errors.ts";
import { bindT } from "../core/bind.ts";
import { type Real, type TensorRule, Tracer } from "../core/protocol.ts";
import { add } from "../rules/scalar.ts";
import { nonNegative } from "./transformation.ts";

/**
 * A value as a function of the update count (0 for the first update), as optax's schedules.
 * @example
 * const own: Schedule = (step) => 1 / (1 + step);
 * [own(0), own(3)]; // => [1, 0.25]
 * const ramp: Schedule = linearSchedule(1, 0, 4);
 * [ramp(0), ramp(2), ramp(4), ramp(10)]; // => [1, 0.5, 0, 0]
 * ramp(0.5); // throws RangeError
 */
export type Schedule = (step: number) => number;

/**
 * A learning rate: a number >= 0, or a schedule giving one for every update.
 * @example
 * const halving: LearningRate = (step) => 0.5 ** step;
 * const opt = sgd(halving);
 * const [p1, s1] = opt.update([1], opt.init([0]), [0]); // update 0 uses lr(0) = 1
 * const [p2] = opt.update([1], s1, p1); // update 1 uses lr(1) = 0.5
 * [p1, p2]; // => [[-1], [-1.5]]
 * sgd(-1); // throws RangeError
 */
export type LearningRate = number | Schedule;

/**
 * The state an optimizer keeps for a schedule: the number of updates so far.
 * @example
 * const opt = sgd(constantSchedule(0.1));
 * const state: CountState = opt.init([1]);
 * state; // => { count: 0 }
 * opt.update([1], state, [1])[1]; // => { count: 1 }
 */
export type CountState = { readonly count: number };

/** A learning rate checked once, when the optimizer is made. */
export interface Rate {
  /** Whether the optimizer keeps the update count in its state (a schedule needs it). */
  readonly scheduled: boolean;
  /** The rate for update `count` (0 first); a schedule's value is checked to be a finite number >= 0. */
  at(count: Real): Real;
}

/** A schedule applied to a plain count, its value checked (a finite number >= 0). */
interface Scheduled {
  readonly op: string;
  readonly schedule: Schedule;
}

const checkedValue = ({ op, schedule }: Scheduled, count: number): number => {
  const v: unknown = schedule(count);
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
    throw new RangeError(
      `${op}: the learning-rate schedule gave ${typeof v === "number" ? v : describe(v)} at step ${count}; a learning rate must be a finite number >= 0`,
    );
  }
  return v;
};

/**
 * A schedule as a primitive of the count (as jax.pure_callback is one of its argument): on a plain
 * count it is the schedule's value; jit records it as a step that calls the schedule on each replay's
 * count, so a training step with a scheduled rate compiles whole. The count is an integer: no derivative.
 */
const scheduleRule: TensorRule<Scheduled> = {
  name: "learning-rate schedule",
  value: ([count], s) => checkedValue(s, count as number),
  jvp: () => 0,
  vjp: () => () => [undefined],
  batch: (_args, _axes, s) => {
    throw new TypeError(`${s.op}: a learning-rate schedule is a function of one step count, not of a batch of them (vmap)`);
  },
};

/** `lr` as a Rate, or a RangeError (SPEC §7: neither a function nor a finite number >= 0). */
export function learningRate(op: string, lr: unknown): Rate {
  if (typeof lr === "function") {
    const scheduled: Scheduled = Object.freeze({ op, schedule: lr as Schedule });
    return Object.freeze({
      scheduled: true,
      at: (count: Real): Real => (typeof count === "number" ? checkedValue(scheduled, count) : (bindT(scheduleRule, [count], scheduled) as Real)),
    });
  }
  if (typeof lr !== "number") throw new RangeError(`${op}: the learning rate must be a number or a schedule (step) => number, got ${describe(lr)}`);
  const value = nonNegative(op, "the learning rate", lr);
  return Object.freeze({ scheduled: false, at: () => value });
}

/**
 * The update count kept in `state`, or a TypeError naming the op (a state not made by its init). A
 * count of a running transform (jit records the state it is given) is taken as it is: checking it
 * would read it, and a recorded step needs no read.
 */
export function countOf(op: string, state: unknown): Real {
  const count: unknown = state !== null && typeof state === "object" ? (state as { count?: unknown }).count : undefined;
  if (count instanceof Tracer) return count;
  if (typeof count !== "number" || !Number.isInteger(count) || count < 0) {
    throw new TypeError(`${op}: the state's count must be an integer >= 0 (use the state init or update returned), got ${typeof count === "number" ? count : describe(count)}`);
  }
  return count;
}

/** The count after an update: a plain number, or a recorded step under jit. */
export const nextCount = (count: Real): number => (typeof count === "number" ? count + 1 : (add(count, 1) as unknown as number));

/** The frozen `{ count: 0 }` a scheduled optimizer starts from. */
export const START: CountState = Object.freeze({ count: 0 });
