// What every law shares: subjects (the functions under test with where to sample their inputs), the
// verdict a law gives on one sample, and the fast-check run that turns a failing verdict into an Error
// carrying the law's reason and the shrunk counterexample.
import fc from "fast-check";
import type { Real } from "../src/index.ts";
import { type ApproxEq, show } from "./approx.ts";

/**
 * The two ways to differentiate: dual numbers forward, pullbacks in reverse.
 * @example
 * const mode: Mode = "reverse";
 * checkChainRule({ f: exp, g: sin, x: nice() }, { mode, runs: 20 }); // => undefined
 */
export type Mode = "forward" | "reverse";
/**
 * Both modes, forward first: to run a law in each.
 * @example
 * modes; // => ["forward", "reverse"]
 * for (const mode of modes) checkChainRule({ f: sin, g: square, x: nice() }, { mode, runs: 20 });
 * modes.length; // => 2
 */
export const modes: readonly Mode[] = Object.freeze(["forward", "reverse"] as const);

/**
 * A law's finding on one sample: undefined when it holds, else why it does not.
 * @example
 * const positive = (x: number): Verdict => (x > 0 ? undefined : `${x} is not positive`);
 * [positive(1), positive(-1)]; // => [undefined, "-1 is not positive"]
 */
export type Verdict = string | undefined;

/**
 * Functions under test, `Fs` (e.g. `{ f }` or `{ f, g }`), with an arbitrary for their input `x`,
 * or an arbitrary of whole instances (functions and input drawn together, as random programs are).
 * @example
 * // a function with an arbitrary for its input, or an arbitrary of whole instances
 * const subject: Subject<Fn<Real, Real>, number> = { f: softplus, x: nice(-3, 3) };
 * checkPrimalAgreement(subject, { runs: 20 }); // => undefined
 * checkPrimalAgreement(fc.constant({ f: softplus, x: 0.5 })); // => undefined
 */
export type Subject<Fs, X> = (Fs & { readonly x: fc.Arbitrary<X> }) | fc.Arbitrary<Instance<Fs, X>>;
/**
 * Functions under test at one input.
 * @example
 * const instance: Instance<Fn<Real, Real>, number> = { f: sin, x: 0.5 };
 * dotProductIdentity(instance.f)(instance.x, 1, 1); // => true
 */
export type Instance<Fs, X> = Fs & { readonly x: X };

/**
 * One function `f: X → Y`.
 * @example
 * const subject: Fn<Real, Real> & { x: fc.Arbitrary<number> } = { f: tanh, x: nice() };
 * checkLinearity(subject, { runs: 20 }); // => undefined
 */
export interface Fn<X, Y> {
  readonly f: (x: X) => Y;
}
/**
 * Two functions of the same input with results of the same structure (linearity, product rule).
 * @example
 * const pair: Pair<Real, Real> = { f: sin, g: exp };
 * productRule(pair.f, pair.g)(0.5, 1); // => true
 */
export interface Pair<X, Y> {
  readonly f: (x: X) => Y;
  readonly g: (x: X) => Y;
}

/**
 * How a law is checked: the mode (default forward) and the comparison (each law has its default).
 * @example
 * const options: LawOptions = { mode: "reverse", eq: approxEq({ rtol: 1e-12, atol: 1e-12 }) };
 * chainRule(sin, square, options)(0.5); // => true
 */
export interface LawOptions {
  readonly mode?: Mode;
  readonly eq?: ApproxEq;
}

/**
 * The operations a law combines functions with (the linearity and product laws).
 * @example
 * // check the product rule for a multiplication of your own
 * const myMul: Arithmetic["mul"] = (a, b) => mul(b, a);
 * checkProductRule({ f: sin, g: exp, x: nice() }, { arithmetic: { mul: myMul }, runs: 20 }); // => undefined
 */
export interface Arithmetic {
  readonly add: (a: Real, b: Real) => Real;
  readonly mul: (a: Real, b: Real) => Real;
  readonly div: (a: Real, b: Real) => Real;
}

/**
 * Options of the laws that build `a·f + b·g`, `f·g` or `f/g`.
 * @example
 * const options: CombinationOptions = { mode: "reverse", runs: 20 } as CombinationOptions & RunOptions;
 * checkQuotientRule({ f: sin, g: (x: Real) => add(2, cos(x)), x: nice() }, options); // => undefined
 */
export interface CombinationOptions extends LawOptions {
  /**
   * The operations to combine with: nabla's `add`, `mul` and `div` unless given. Give your own (say,
   * with a custom rule) to check that the law holds for them.
   */
  readonly arithmetic?: Partial<Arithmetic>;
}

/**
 * Options every harness takes.
 * @example
 * const options: RunOptions = { runs: 10, parameters: { seed: 42 } };
 * checkFiniteDifferences({ f: sin, x: nice() }, options); // => undefined
 */
export interface RunOptions {
  /** How many samples to check (fast-check's numRuns). Default 100. */
  readonly runs?: number;
  /** Further fast-check parameters, e.g. the `seed` and `path` a failure printed, to replay it. */
  readonly parameters?: Pick<fc.Parameters, "seed" | "path" | "endOnFailure" | "verbose" | "maxSkipsPerRun" | "interruptAfterTimeLimit">;
}

/** The instances of a subject: as given, or its input arbitrary paired with its functions. */
export function instancesOf<Fs extends object, X>(subject: Subject<Fs, X>): fc.Arbitrary<Instance<Fs, X>> {
  if (subject instanceof fc.Arbitrary) return subject;
  const { x, ...fs } = subject as Fs & { readonly x: fc.Arbitrary<X> };
  return x.map((x0) => labelled({ ...(fs as Fs), x: x0 }, () => `x = ${show(x0)}`));
}

/** `value` printed by `label` in counterexamples (fast-check's toString hook), not as its fields. */
export function labelled<T extends object>(value: T, label: () => string): T {
  return Object.defineProperty(value, fc.toStringMethod, { value: label, enumerable: false });
}

/**
 * Instances mapped to another form (e.g. a program's arrays to scalars), printed as the originals were.
 * @example
 * // draw the input, then build the instance from it
 * const instances = mapInstances(nice(0.5, 2), (x) => ({ f: (y: Real) => pow(y, x), x }));
 * checkFiniteDifferences(instances, { runs: 20 }); // => undefined
 */
export const mapInstances = <A, B extends object>(instances: fc.Arbitrary<A>, to: (a: A) => B): fc.Arbitrary<B> =>
  instances.map((a) => labelled(to(a), () => fc.stringify(a)));

/** Thrown inside a property to carry a law's reason out of fast-check. */
class Violation extends Error {}

/**
 * Checks `verdict` on samples of `cases`; returns when it held on every one, else throws an Error
 * whose message has the law, why it failed, and fast-check's report with the shrunk counterexample.
 * @example
 * // a law of your own: a verdict is undefined when it holds, else the reason
 * assertLaw("sin² + cos² = 1", nice(-3, 3), (x) => (Math.abs(primal(add(square(sin(x)), square(cos(x)))) - 1) < 1e-12 ? undefined : "not 1")); // => undefined
 * assertLaw("x < 1", nice(-2, 2), (x) => (x < 1 ? undefined : `x = ${x}`)); // throws Error /x < 1/
 */
export function assertLaw<C>(law: string, cases: fc.Arbitrary<C>, verdict: (c: C) => Verdict, options: RunOptions = {}): void {
  const property = fc.property(cases, (c) => {
    const why = verdict(c);
    if (why !== undefined) throw new Violation(why);
  });
  const details = fc.check(property, { numRuns: options.runs ?? 100, ...options.parameters });
  if (!details.failed) return;
  const cause = details.errorInstance;
  const why =
    cause instanceof Violation
      ? cause.message
      : cause === null || cause === undefined
        ? "fast-check could not run it (see below)"
        : `checking it threw ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}`;
  throw new Error(`Law "${law}" does not hold: ${why}\n${fc.defaultReportMessage(details)}`, { cause });
}

/** The first reason among several checks of one sample, or undefined when all hold. */
export function firstFailure(...checks: readonly (() => Verdict)[]): Verdict {
  for (const check of checks) {
    const why = check();
    if (why !== undefined) return why;
  }
  return undefined;
}

/** A verdict that names what was compared: `what` + the comparison's explanation. */
export const compared = (what: string, explanation: string | undefined): Verdict =>
  explanation === undefined ? undefined : `${what}: ${explanation}`;

/** A plain number, or a TypeError naming what should have been one. */
export function plain(x: unknown, what: string): number {
  if (typeof x !== "number") throw new TypeError(`nabla/laws: ${what} should be a plain number, got ${String(x)}`);
  return x;
}
