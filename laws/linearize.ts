// linearize agrees with jvp: `linearize(f, x)` gives jvp's value, and its `jvpAt(v)` gives jvp's
// tangent at every v; and it keeps the linearization: f runs once, in linearize, however often jvpAt
// is called (JAX's linearize, SPEC §3). nabla's linearize keeps the tangent map on a tape and transposes
// it twice, so the law also ties the reverse rules of what computes a tangent to its forward rules.
import fc from "fast-check";
import { linearize } from "../src/index.ts";
import { type ApproxEq, identityTolerance, show } from "./approx.ts";
import { treeLike } from "./arbitraries.ts";
import { type Fun, pushforward } from "./derivatives.ts";
import {
  assertLaw, compared, type Fn, firstFailure, instancesOf, labelled, type RunOptions, type Subject, type Verdict,
} from "./harness.ts";

/**
 * A linearize operator: `[f(x), v ↦ J_f(x)·v]`.
 * @example
 * // jvp at every call: right values, but f runs again each time, so the linearization is not kept
 * const viaJvp: Linearize = (f, x) => [f(x), (v) => jvp(f, x, v as never)[1]];
 * linearizeAgreement((x: Real) => mul(x, x), { linearize: viaJvp })(3, [1]); // => false
 */
export type Linearize = (f: Fun, x: unknown) => readonly [unknown, (v: unknown) => unknown];

/**
 * Options of the linearize law.
 * @example
 * const options: LinearizeOptions = { eq: approxEq({ rtol: 0, atol: 0 }) };
 * linearizeAgreement((x: Real) => mul(x, sin(x)), options)(0.5, [1, -2]); // => true
 */
export interface LinearizeOptions {
  /** The comparison (default `identityTolerance`: both sides are automatic derivatives). */
  readonly eq?: ApproxEq;
  /** The operator under test: nabla's `linearize` unless given (a self-test feeds wrong ones). */
  readonly linearize?: Linearize;
}

function linearizeVerdict(f: Fun, options: LinearizeOptions): (x: unknown, vs: readonly unknown[]) => Verdict {
  const eq = options.eq ?? identityTolerance;
  const op = options.linearize ?? (linearize as unknown as Linearize);
  return (x, vs) => {
    let runs = 0;
    const counted: Fun = (z) => (runs++, f(z));
    const [y, jvpAt] = op(counted, x);
    const runsInLinearize = runs;
    // every tangent first, so that a jvpAt that runs f again is counted before anything else runs
    const tangents = vs.map((v) => jvpAt(v));
    const reruns = runs - runsInLinearize;
    return firstFailure(
      () => (runsInLinearize === 1 ? undefined : `f ran ${runsInLinearize} times in linearize, not once`),
      () => (reruns === 0 ? undefined : `jvpAt ran f again: ${reruns} more run(s) in ${vs.length} calls (the linearization was not kept)`),
      () => compared("linearize's value vs jvp's", eq.explain(y, pushforward(f, x, vs[0])[0])),
      ...tangents.map((t, i) => () => compared(`jvpAt(v${i}) vs jvp's tangent (call ${i + 1} of jvpAt)`, eq.explain(t, pushforward(f, x, vs[i])[1]))),
    );
  };
}

/**
 * linearize agrees with jvp at `x`, for the tangents `vs` (shaped like x): the value is jvp's,
 * `jvpAt(v)` is jvp's tangent for each v in turn (the same jvpAt called again and again), and f ran
 * exactly once.
 * @example
 * linearizeAgreement((x: Real) => mul(x, sin(x)))(0.5, [1, -2]); // => true
 * const f = (p: { a: Real; b: Real }) => [mul(p.a, p.b), sin(p.a)];
 * linearizeAgreement(f)({ a: 2, b: 3 }, [{ a: 1, b: 0 }, { a: 0, b: 1 }]); // => true
 */
export const linearizeAgreement =
  <X, Y>(f: (x: X) => Y, options: LinearizeOptions = {}) =>
  (x: X, vs: readonly unknown[]): boolean =>
    linearizeVerdict(f as Fun, options)(x, vs) === undefined;

/**
 * Checks that linearize agrees with jvp, on samples of the subject's input and three tangents.
 * @example
 * checkLinearizeAgreement({ f: (x: Real) => mul(x, sin(x)), x: nice() }, { runs: 20 }); // => undefined
 * const f = (v: readonly Real[]) => [mul(v[0], v[1]), exp(v[0])];
 * checkLinearizeAgreement({ f, x: fc.array(nice(), { minLength: 2, maxLength: 2 }) }, { runs: 20 }); // => undefined
 */
export function checkLinearizeAgreement<X, Y>(subject: Subject<Fn<X, Y>, X>, options: LinearizeOptions & RunOptions = {}): void {
  const cases = instancesOf(subject as Subject<{ f: Fun }, X>).chain((inst) =>
    fc
      .tuple(treeLike(inst.x), treeLike(inst.x), treeLike(inst.x))
      .map((vs) => labelled({ inst, vs }, () => `${fc.stringify(inst)}, vs = ${show(vs)}`)),
  );
  assertLaw("linearize agrees with jvp", cases, ({ inst, vs }) => linearizeVerdict(inst.f, options)(inst.x, vs), options);
}
