// Agreement with central finite differences along a random direction: J·v (forward) and ⟨Jᵀ·u, v⟩
// (reverse) against Richardson-extrapolated difference quotients, with a step taken from the input's
// scale and a tolerance widened by the quotient's own estimated error (see laws/README.md).
import fc from "fast-check";
import { finiteDifferenceTolerance, show } from "./approx.ts";
import { treeLike } from "./arbitraries.ts";
import { type Fun, jvpLeaves, pullLeaves } from "./derivatives.ts";
import { assertLaw, compared, type Fn, instancesOf, labelled, type LawOptions, type RunOptions, type Subject, type Verdict } from "./harness.ts";
import { fromElements, inner, maxAbs, numbersOf } from "./trees.ts";

/**
 * Options of the finite-difference law.
 * @example
 * const options: FiniteDifferenceOptions = { mode: "reverse", step: 2 ** -12 };
 * finiteDifferences({ f: exp }, options)(1, 1, 1); // => true
 */
export interface FiniteDifferenceOptions extends LawOptions {
  /** The step relative to the input's scale max(1, ‖x‖∞), rounded down to a power of 2. Default 2⁻¹⁰. */
  readonly step?: number;
}

/**
 * A function to check against finite differences, and optionally where it is smooth.
 * @example
 * // relu is smooth except at 0: at 0 the law holds vacuously
 * const subject: Smooth<Real, Real> = { f: relu, smoothOn: (x, s) => Math.abs(primal(x)) > 2 * Math.abs(primal(s)) };
 * [finiteDifferences(subject)(0, 1, 1), finiteDifferences(subject)(1, 1, 1)]; // => [true, true]
 */
export interface Smooth<X, Y> extends Fn<X, Y> {
  /**
   * Whether `f` is smooth on the segment from `x − s` to `x + s` (`s` the largest step the law takes,
   * shaped like `x`). Samples where it is not are skipped. See `awayFromKinks`. Default: everywhere.
   */
  readonly smoothOn?: (x: X, s: X) => boolean;
}

const EPS = 2 ** -52;

/**
 * The step along `v`: `step · max(1, ‖x‖∞) / max(1, ‖v‖∞)`, a power of 2 so that x ± h·v is exact for dyadic x, v.
 * @example
 * finiteDifferenceStep([3], [1]); // => 2 ** -9
 * finiteDifferenceStep([0.5], [1]); // => 2 ** -10
 */
export function finiteDifferenceStep(x: readonly number[], v: readonly number[], step = 2 ** -10): number {
  const h = (step * Math.max(1, maxAbs(x))) / Math.max(1, maxAbs(v));
  return 2 ** Math.floor(Math.log2(h));
}

/**
 * `smoothOn` for a function whose kinks are at `kinkDistance(x) = 0` (as a primitive's domain
 * declares them): smooth when no kink is within `margin` times the step's ℓ₁ length. A kinkDistance
 * that changes by at most |Δx|₁ when x moves by Δx (as |a − b| and |x| do) cannot reach 0 then.
 * @example
 * // |x| has its kink at 0: samples whose step would cross it are skipped
 * const smooth = awayFromKinks<readonly number[]>((x) => Math.abs(x[0]));
 * [smooth([1], [0.01]), smooth([0.001], [0.01])]; // => [true, false]
 * checkFiniteDifferences({ f: (v: readonly Real[]) => abs(v[0]), x: fc.array(nice(), { minLength: 1, maxLength: 1 }), smoothOn: smooth }, { runs: 20 }); // => undefined
 */
export const awayFromKinks =
  <X>(kinkDistance: (x: readonly number[]) => number, margin = 2) =>
  (x: X, s: X): boolean =>
    kinkDistance(numbersOf(x, "x")) > margin * numbersOf(s, "the step").reduce((t, si) => t + Math.abs(si), 0);

/**
 * The difference quotient of `f` at `x` along `v`, and its estimated absolute error, per output leaf.
 * @example
 * centralDifference((x) => square(x as Real), 3, 1).value; // => [6]
 */
export function centralDifference(f: Fun, x: unknown, v: unknown, step?: number): { readonly value: number[]; readonly error: number[] } {
  const xs = numbersOf(x, "x");
  const vs = numbersOf(v, "v");
  const h = finiteDifferenceStep(xs, vs, step);
  const at = (t: number): number[] => numbersOf(f(fromElements(x, xs.map((xi, i) => xi + t * vs[i]))), "f(x + t·v)");
  const values: number[][] = [];
  // D(k) = (f(x + k·v) − f(x − k·v)) / 2k at k = h, h/2, h/4 (error c₂k² + c₄k⁴ + …)
  const d = [h, h / 2, h / 4].map((k) => {
    const plus = at(k);
    const minus = at(-k);
    values.push(plus, minus);
    return plus.map((p, i) => (p - minus[i]) / (2 * k));
  });
  // Richardson: (4·D(k/2) − D(k))/3 cancels the k² term, leaving O(k⁴)
  const r1 = d[1].map((di, i) => (4 * di - d[0][i]) / 3);
  const r2 = d[2].map((di, i) => (4 * di - d[1][i]) / 3);
  // |r1 − r2| over-estimates r2's truncation error (about 15×) and sees its noise; rounding in f's
  // values, allowed ten ulps of the largest |f| seen, is amplified by about 6/h in r2: 64·ε·|f|/h.
  const error = r2.map((ri, i) => {
    const magnitude = values.reduce((m, y) => Math.max(m, Math.abs(y[i])), 0);
    return Math.abs(r1[i] - ri) + (64 * EPS * magnitude) / h;
  });
  return { value: r2, error };
}

function fdVerdict(f: Fun, options: FiniteDifferenceOptions): (x: unknown, v: unknown, u: unknown) => Verdict {
  const { mode = "forward", eq = finiteDifferenceTolerance, step } = options;
  return (x, v, u) => {
    const fd = centralDifference(f, x, v, step);
    if (mode === "forward") {
      return compared("J·v vs the central difference along v", eq.explain(jvpLeaves(f, x, v), fd.value, undefined, fd.error));
    }
    const us = numbersOf(u, "u");
    const ad = inner(pullLeaves(f, x, u), numbersOf(v, "v"));
    const num = inner(us, fd.value);
    const slack = inner(us.map(Math.abs), fd.error).value;
    return compared("⟨Jᵀ·u, v⟩ vs ⟨u, central difference along v⟩", eq.explain(ad.value, num.value, [Math.max(ad.scale, num.scale)], [slack]));
  };
}

/** Whether the sample is one the law can judge: f smooth over the whole stencil. */
function smoothAt(smoothOn: Smooth<unknown, unknown>["smoothOn"], step: number | undefined, x: unknown, v: unknown): boolean {
  if (smoothOn === undefined) return true;
  const xs = numbersOf(x, "x");
  const vs = numbersOf(v, "v");
  const h = finiteDifferenceStep(xs, vs, step);
  return smoothOn(x, fromElements(x, vs.map((vi) => h * vi)));
}

/**
 * Derivatives agree with central finite differences at `x` along `v`: `J·v` (forward) or
 * `⟨Jᵀ·u, v⟩ = ⟨u, J·v⟩` (reverse). Holds vacuously where `smoothOn` says f has a kink nearby.
 * @example
 * finiteDifferences({ f: sin })(0.5, 1, 1); // => true
 * finiteDifferences({ f: sin }, { mode: "reverse" })(0.5, 1, 1); // => true
 */
export const finiteDifferences =
  <X, Y>(subject: Smooth<X, Y>, options: FiniteDifferenceOptions = {}) =>
  (x: X, v: X, u: unknown): boolean =>
    !smoothAt(subject.smoothOn as Smooth<unknown, unknown>["smoothOn"], options.step, x, v) ||
    fdVerdict(subject.f as Fun, options)(x, v, u) === undefined;

/**
 * Checks agreement with finite differences on samples of the subject's input, a direction v and a cotangent u.
 * @example
 * const neuron = (p: { w: Real; b: Real }) => tanh(add(mul(p.w, 0.5), p.b));
 * checkFiniteDifferences({ f: neuron, x: fc.record({ w: nice(), b: nice() }) }, { mode: "reverse", runs: 20 }); // => undefined
 * const badSin = customJvp(sin, (x: Real, v: Real) => [sin(x), mul(1.01, mul(cos(x), v))] as const);
 * checkFiniteDifferences({ f: badSin, x: nice(-3, 3) }, { mode: "forward" }); // throws Error /Counterexample/
 */
export function checkFiniteDifferences<X, Y>(subject: Subject<Smooth<X, Y>, X>, options: FiniteDifferenceOptions & RunOptions = {}): void {
  type S = Smooth<unknown, unknown> & { readonly f: Fun };
  const cases = instancesOf(subject as Subject<S, X>).chain((inst) =>
    fc
      .tuple(treeLike<unknown>(inst.x), treeLike(inst.f(inst.x)))
      .map(([v, u]) => labelled({ inst, v, u }, () => `${fc.stringify(inst)}, v = ${show(v)}, u = ${show(u)}`)),
  );
  assertLaw(
    `agreement with finite differences (${options.mode ?? "forward"})`,
    cases,
    ({ inst, v, u }) => {
      fc.pre(smoothAt(inst.smoothOn, options.step, inst.x, v));
      return fdVerdict(inst.f, options)(inst.x, v, u);
    },
    options,
  );
}
