// Linearity: the derivative is linear in the function, D(a·f + b·g) = a·Df + b·Dg, and at a point it
// is a linear map: jvp(f, x, ·) is linear in the tangent v, and the pullback is linear in the cotangent u.
import fc from "fast-check";
import { identityTolerance, show } from "./approx.ts";
import { niceCoefficient, treeLike } from "./arbitraries.ts";
import { type Fun, jvpLeaves, pullback, pullLeaves } from "./derivatives.ts";
import {
  assertLaw, type CombinationOptions, compared, type Fn, instancesOf, labelled, type LawOptions, type Pair, type RunOptions, type Subject,
  type Verdict,
} from "./harness.ts";
import { combine, combineReals, combineScale, fromElements, numbersOf } from "./trees.ts";

/**
 * One sample of a linearity law: a point, two directions (tangents or cotangents), two coefficients.
 * @example
 * const s: LinearSample<readonly number[]> = { x: [1, 2], d1: [1, 0], d2: [0, 1], a: 2, b: 3 };
 * jvpLinearity((v: readonly Real[]) => mul(v[0], v[1]))(s); // => true
 */
export interface LinearSample<X> {
  readonly x: X;
  readonly d1: unknown;
  readonly d2: unknown;
  readonly a: number;
  readonly b: number;
}

/** a·d1 + b·d2 on trees of numbers. */
const mix = (d1: unknown, d2: unknown, a: number, b: number): unknown =>
  fromElements(d1, combine(a, numbersOf(d1, "a direction"), b, numbersOf(d2, "a direction")));

/** `map(a·d1 + b·d2) = a·map(d1) + b·map(d2)` for a map from trees to number leaves. */
function linearVerdict(what: string, map: (d: unknown) => number[], s: LinearSample<unknown>, eq = identityTolerance): Verdict {
  const m1 = map(s.d1);
  const m2 = map(s.d2);
  return compared(what, eq.explain(map(mix(s.d1, s.d2, s.a, s.b)), combine(s.a, m1, s.b, m2), combineScale(s.a, m1, s.b, m2)));
}

/**
 * jvp(f, x, a·v + b·w) = a·jvp(f, x, v) + b·jvp(f, x, w).
 * @example
 * jvpLinearity(sin)({ x: 0.5, d1: 1, d2: 0.25, a: 2, b: -1 }); // => true
 */
export const jvpLinearity =
  <X, Y>(f: (x: X) => Y, options: LawOptions = {}) =>
  (s: LinearSample<X>): boolean =>
    linearVerdict("J·(a·v + b·w) vs a·J·v + b·J·w", (v) => jvpLeaves(f as Fun, s.x, v), s, options.eq) === undefined;

/** One pullback of f at x, applied to each cotangent it is given. */
const pulling = (f: Fun, x: unknown): ((u: unknown) => number[]) => {
  const pb = pullback(f, x)[1];
  return (u) => numbersOf(pb(u), "a pullback's result");
};

/**
 * pullback(a·u + b·w) = a·pullback(u) + b·pullback(w), for one pullback of f at x.
 * @example
 * pullbackLinearity((v: readonly Real[]) => [mul(v[0], v[1])])({ x: [2, 3], d1: [1], d2: [0.5], a: 2, b: -1 }); // => true
 */
export const pullbackLinearity =
  <X, Y>(f: (x: X) => Y, options: LawOptions = {}) =>
  (s: LinearSample<X>): boolean =>
    linearVerdict("Jᵀ·(a·u + b·w) vs a·Jᵀ·u + b·Jᵀ·w", pulling(f as Fun, s.x), s, options.eq) === undefined;

/** Samples: the instance, and two directions shaped like x (forward) or like f(x) (reverse). */
function samples<Fs extends { readonly f: Fun }, X>(subject: Subject<Fs, X>, like: (i: Fs & { x: X }) => unknown) {
  return instancesOf(subject).chain((inst) =>
    fc
      .record({ d1: treeLike(like(inst)), d2: treeLike(like(inst)), a: niceCoefficient, b: niceCoefficient })
      .map((s) => labelled({ ...s, inst }, () => `${fc.stringify(inst)}, directions ${show(s.d1)} and ${show(s.d2)}, a = ${s.a}, b = ${s.b}`)),
  );
}

/**
 * Checks that the derivative of `f` is a linear map at every sampled point: the jvp in its tangent
 * (forward mode) or the pullback in its cotangent (reverse mode).
 * @example
 * const f = (v: readonly Real[]) => [mul(v[0], v[1]), tanh(v[0])];
 * checkLinearity({ f, x: fc.array(nice(), { minLength: 2, maxLength: 2 }) }, { mode: "reverse", runs: 20 }); // => undefined
 */
export function checkLinearity<X, Y>(subject: Subject<Fn<X, Y>, X>, options: LawOptions & RunOptions = {}): void {
  const { mode = "forward", eq } = options;
  const cases = samples(subject as Subject<{ f: Fun }, X>, (i) => (mode === "forward" ? i.x : i.f(i.x)));
  assertLaw(
    `linearity of the ${mode === "forward" ? "jvp in v" : "pullback in u"}`,
    cases,
    ({ inst, d1, d2, a, b }) => {
      const s = { x: inst.x, d1, d2, a, b };
      return mode === "forward"
        ? linearVerdict("J·(a·v + b·w) vs a·J·v + b·J·w", (v) => jvpLeaves(inst.f, inst.x, v), s, eq)
        : linearVerdict("Jᵀ·(a·u + b·w) vs a·Jᵀ·u + b·Jᵀ·w", pulling(inst.f, inst.x), s, eq);
    },
    options,
  );
}

function derivativeLinearityVerdict(f: Fun, g: Fun, options: CombinationOptions) {
  const { mode = "forward", eq = identityTolerance, arithmetic = {} } = options;
  return (x: unknown, d: unknown, a: number, b: number): Verdict => {
    const h: Fun = (t) => combineReals(a, f(t), b, g(t), arithmetic.add, arithmetic.mul);
    const map = mode === "reverse" ? (k: Fun) => pullLeaves(k, x, d) : (k: Fun) => jvpLeaves(k, x, d);
    const df = map(f);
    const dg = map(g);
    return compared(
      `D(a·f + b·g) vs a·Df + b·Dg in ${mode} mode`,
      eq.explain(map(h), combine(a, df, b, dg), combineScale(a, df, b, dg)),
    );
  };
}

/**
 * `D(a·f + b·g) = a·Df + b·Dg` at `x` along `d`: a tangent shaped like `x` (forward mode, comparing
 * jvps) or a cotangent shaped like `f(x)` (reverse mode, comparing pullbacks).
 * @example
 * derivativeLinearity(sin, exp)(0.5, 1, 2, -1); // => true
 */
export const derivativeLinearity =
  <X, Y>(f: (x: X) => Y, g: (x: X) => Y, options: CombinationOptions = {}) =>
  (x: X, d: unknown, a: number, b: number): boolean =>
    derivativeLinearityVerdict(f as Fun, g as Fun, options)(x, d, a, b) === undefined;

/**
 * Checks `D(a·f + b·g) = a·Df + b·Dg` on samples of the subject's input, directions and coefficients.
 * @example
 * checkDerivativeLinearity({ f: sin, g: exp, x: nice() }, { runs: 20 }); // => undefined
 */
export function checkDerivativeLinearity<X, Y>(subject: Subject<Pair<X, Y>, X>, options: CombinationOptions & RunOptions = {}): void {
  const mode = options.mode ?? "forward";
  const cases = samples(subject as Subject<{ f: Fun; g: Fun }, X>, (i) => (mode === "forward" ? i.x : i.f(i.x)));
  assertLaw(
    `linearity of the derivative in the function (${mode})`,
    cases,
    ({ inst, d1, a, b }) => derivativeLinearityVerdict(inst.f, inst.g, options)(inst.x, d1, a, b),
    options,
  );
}
