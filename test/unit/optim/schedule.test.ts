// Schedules against optax's definitions (optax/schedules/_schedule.py), each written out here as the
// closed form its docstring gives, plus the docstrings' own examples; and argument errors.
import { describe, expect, it } from "vitest";
import {
  constantSchedule, cosineDecaySchedule, exponentialDecay, linearSchedule, piecewiseConstantSchedule, warmupCosineDecaySchedule,
} from "../../../src/index.ts";
import { expectClose, expectThrows } from "../../support/approx.ts";

const steps = Array.from({ length: 40 }, (_, t) => t);

describe("constantSchedule", () => {
  it("is the value at every step (optax's docstring: constant_schedule(5) is 5 at 0 and 100)", () => {
    const s = constantSchedule(5);
    expect(s(0)).toBe(5);
    expect(s(100)).toBe(5);
    expect(Object.isFrozen(s)).toBe(true);
  });
});

describe("linearSchedule", () => {
  // optax: I + (t − B)/T·(E − I) for B <= t < B + T, E after (B = 0 here)
  const [I, E, T] = [1, 0.01, 100];
  const s = linearSchedule(I, E, T);
  it("gives the docstring's values: 1 at step 0, 0.01 at step 100", () => {
    expect(s(0)).toBe(1);
    expectClose(s(100), 0.01, 1e-15);
  });
  it("is I + (t/T)(E − I) during the transition and E after it", () => {
    for (const t of [0, 1, 17, 50, 99]) expectClose(s(t), I + (t / T) * (E - I), 1e-14);
    for (const t of [100, 101, 1000]) expectClose(s(t), E, 1e-15);
  });
  it("can rise, and with 0 steps holds init (optax: transition_steps <= 0 disables the annealing)", () => {
    expectClose(linearSchedule(0, 2, 4)(1), 0.5, 1e-15);
    expect(linearSchedule(3, 7, 0)(0)).toBe(3);
    expect(linearSchedule(3, 7, 0)(10)).toBe(3);
  });
});

describe("exponentialDecay", () => {
  // optax: init · rate^((t − B)/T), with ⌊(t − B)/T⌋ when staircase; init while t − B <= 0
  const [I, T, r] = [0.5, 4, 0.1];
  it("is init·rate^(t/T)", () => {
    const s = exponentialDecay(I, T, r);
    expect(s(0)).toBe(I);
    for (const t of steps) expectClose(s(t), I * r ** (t / T), 1e-14);
  });
  it("is init·rate^⌊t/T⌋ with staircase", () => {
    const s = exponentialDecay(I, T, r, { staircase: true });
    for (const t of steps) expectClose(s(t), I * r ** Math.floor(t / T), 1e-14);
    expect(s(3)).toBe(I);
  });
  it("holds init when transitionSteps or decayRate is 0 (as optax does), and grows for a rate above 1", () => {
    expect(exponentialDecay(2, 0, 0.5)(9)).toBe(2);
    expect(exponentialDecay(2, 3, 0)(9)).toBe(2);
    expectClose(exponentialDecay(1, 2, 4)(3), 8, 1e-14);
  });
});

describe("cosineDecaySchedule", () => {
  // optax: I·((1 − α)·½(1 + cos(π·t/T)) + α) for t <= T, α·I after
  const [I, T, alpha] = [2, 10, 0.1];
  const closed = (t: number): number => (t <= T ? I * ((1 - alpha) * 0.5 * (1 + Math.cos((Math.PI * t) / T)) + alpha) : alpha * I);
  it("follows half a cosine from init to α·init, then holds", () => {
    const s = cosineDecaySchedule(I, T, alpha);
    for (const t of steps) expectClose(s(t), closed(t), 1e-14, 1e-15);
    expect(s(0)).toBe(I);
    expectClose(s(5), I * ((1 - alpha) * 0.5 + alpha), 1e-15);
  });
  it("decays to 0 by default", () => {
    expectClose(cosineDecaySchedule(3, 4)(4), 0, 0, 1e-15);
    expectClose(cosineDecaySchedule(3, 4)(2), 1.5, 1e-15);
  });
});

describe("warmupCosineDecaySchedule", () => {
  // optax: a linear schedule I → P over W steps, then cosine_decay_schedule(P, D − W, α = E/P) at t − W
  const [I, P, W, D, E] = [0.1, 1, 5, 25, 0.05];
  const alpha = E / P;
  const closed = (t: number): number => {
    if (t < W) return I + (t / W) * (P - I);
    const u = Math.min(t - W, D - W);
    return P * ((1 - alpha) * 0.5 * (1 + Math.cos((Math.PI * u) / (D - W))) + alpha);
  };
  it("warms up linearly to the peak, then decays by a cosine to the end value; decaySteps includes the warmup", () => {
    const s = warmupCosineDecaySchedule(I, P, W, D, E);
    for (const t of steps) expectClose(s(t), closed(t), 1e-14, 1e-15);
    expect(s(0)).toBe(I);
    expect(s(W)).toBe(P);
    expectClose(s(D), E, 1e-14);
    expectClose(s(D + 100), E, 1e-14);
  });
  it("ends at 0 by default, and without a warmup starts at the peak", () => {
    expectClose(warmupCosineDecaySchedule(0, 1, 2, 6)(6), 0, 0, 1e-15);
    expect(warmupCosineDecaySchedule(0, 1, 0, 6)(0)).toBe(1);
  });
});

describe("piecewiseConstantSchedule", () => {
  it("gives the docstring's values: init 1, { 100: 0.1, 200: 0.01 } is 1, 0.1, 0.001 at 50, 150, 250", () => {
    const s = piecewiseConstantSchedule(1, { 100: 0.1, 200: 0.01 });
    expect(s(50)).toBe(1);
    expectClose(s(150), 0.1, 1e-15);
    expectClose(s(250), 0.001, 1e-15);
  });
  it("multiplies a scale in from its boundary step on (the boundary itself included)", () => {
    const s = piecewiseConstantSchedule(3, { 4: 0.1, 2: 0.5 });
    expect([0, 1, 2, 3, 4, 5].map(s)).toEqual([3, 3, 1.5, 1.5, 0.1 * 1.5, 0.1 * 1.5]);
    expect(piecewiseConstantSchedule(2)(7)).toBe(2);
  });
});

describe("schedule errors", () => {
  it("name the schedule: values must be finite numbers, step counts integers >= 0", () => {
    expectThrows(() => constantSchedule(Number.NaN), RangeError, /^constantSchedule: /);
    expectThrows(() => linearSchedule(1, 0, -1), RangeError, /^linearSchedule: steps/);
    expectThrows(() => linearSchedule(1, 0, 1.5), RangeError, /^linearSchedule: /);
    expectThrows(() => exponentialDecay(1, 2, -0.5), RangeError, /^exponentialDecay: decayRate/);
    expectThrows(() => exponentialDecay(1, 2, 0.5, null as never), TypeError, /^exponentialDecay: options/);
    expectThrows(() => exponentialDecay(1, 2, 0.5, { staircase: 1 as never }), TypeError, /staircase/);
    expectThrows(() => cosineDecaySchedule(1, 0), RangeError, /^cosineDecaySchedule: decaySteps/);
    expectThrows(() => warmupCosineDecaySchedule(0, 1, 5, 5), RangeError, /^warmupCosineDecaySchedule: decaySteps/);
    expectThrows(() => piecewiseConstantSchedule(1, { "-1": 0.5 }), RangeError, /^piecewiseConstantSchedule: the boundary "-1"/);
    expectThrows(() => piecewiseConstantSchedule(1, { "1.5": 0.5 } as never), RangeError, /boundary "1.5"/);
    expectThrows(() => piecewiseConstantSchedule(1, { 3: -0.5 }), RangeError, /scale at step 3/);
    expectThrows(() => piecewiseConstantSchedule(1, [0.5] as never), TypeError, /^piecewiseConstantSchedule: /);
  });
  it("a step that is not an integer >= 0 is a RangeError naming the schedule", () => {
    expectThrows(() => linearSchedule(1, 0, 5)(-1), RangeError, /^linearSchedule: the step/);
    expectThrows(() => constantSchedule(1)(0.5), RangeError, /^constantSchedule: the step/);
  });
});
