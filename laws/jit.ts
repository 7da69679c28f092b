// jit(f) agrees with f (SPEC §3): one jitted function called on several inputs of one structure —
// the first call records, later ones replay (or record again where a kink falls elsewhere) — gives
// f's value at each, the first input again last, so a replay that is right only where it was recorded,
// or that ignores its argument, is caught.
import fc from "fast-check";
import { jit } from "../src/index.ts";
import { type ApproxEq, identityTolerance, show } from "./approx.ts";
import { treeLike } from "./arbitraries.ts";
import type { Fun } from "./derivatives.ts";
import { assertLaw, compared, type Fn, firstFailure, labelled, type RunOptions, type Subject, type Verdict } from "./harness.ts";
import { elementsOf, fromElements } from "./trees.ts";

/**
 * A jit operator: a function to one that computes the same.
 * @example
 * // a wrong one: it keeps the first result and ignores its argument from then on
 * const first: Jit = (f) => {
 *   let kept: unknown;
 *   return (x) => (kept ??= f(x));
 * };
 * jitAgreement((x: Real) => mul(x, x), { jit: first })([1, 2]); // => false
 */
export type Jit = (f: Fun) => Fun;

/**
 * Options of the jit law.
 * @example
 * const options: JitOptions = { eq: approxEq({ rtol: 0, atol: 0 }) };
 * jitAgreement((x: Real) => mul(x, sin(x)), options)([0.5, 1, 2]); // => true
 */
export interface JitOptions {
  /**
   * The comparison (default `identityTolerance`; nabla's scalar replays are exact, tensor programs
   * may round differently where kernels sum in another order). `approxEq({ rtol: 0, atol: 0 })` asks
   * for the same numbers.
   */
  readonly eq?: ApproxEq;
  /** The operator under test: nabla's `jit` unless given (a self-test feeds wrong ones). */
  readonly jit?: Jit;
}

function jitVerdict(f: Fun, options: JitOptions): (xs: readonly unknown[]) => Verdict {
  const eq = options.eq ?? identityTolerance;
  const op = options.jit ?? (jit as unknown as Jit);
  return (xs) => {
    const jitted = op(f);
    // one jitted function through every input, in order, before f runs: its state is only its own
    const results = xs.map((x) => jitted(x));
    return firstFailure(...xs.map((x, i) => () => compared(`jit(f) vs f at input ${i} (call ${i + 1} of the jitted function)`, eq.explain(results[i], f(x)))));
  };
}

/**
 * `jit(f)` called on each of `xs` in turn (one jitted function) gives what `f` gives at each.
 * @example
 * jitAgreement((x: Real) => mul(x, sin(x)))([0.5, 1, 2, 0.5]); // => true
 * // a kink between the inputs: relu's other side is recorded again
 * jitAgreement((x: Real) => relu(sub(mul(x, x), 1)))([2, 0.5, -3, 2]); // => true
 */
export const jitAgreement =
  <X, Y>(f: (x: X) => Y, options: JitOptions = {}) =>
  (xs: readonly X[]): boolean =>
    jitVerdict(f as Fun, options)(xs) === undefined;

/** `x` moved by `v/16`: a nearby input of the same structure (on the same side of most kinks). */
const nearby = (x: unknown, v: unknown): unknown => {
  const vs = elementsOf(v) as number[];
  return fromElements(x, (elementsOf(x) as number[]).map((xi, i) => xi + vs[i] / 16));
};

/**
 * Checks that jit(f) agrees with f. Each sample calls one jitted function on x, then two more inputs
 * of x's structure, then x again: for a subject `{ f, x }`, two more draws of `x`; for an arbitrary of
 * instances (a random program with its input), x moved by a sixteenth of a random direction and a
 * random tree of x's structure (which may leave f's domain: f and jit(f) must agree there too).
 * @example
 * checkJitAgreement({ f: (x: Real) => mul(x, sin(x)), x: nice() }, { runs: 20 }); // => undefined
 * const f = (v: readonly Real[]) => add(mul(v[0], v[1]), relu(v[0]));
 * checkJitAgreement({ f, x: fc.array(nice(), { minLength: 2, maxLength: 2 }) }, { runs: 20 }); // => undefined
 */
export function checkJitAgreement<X, Y>(subject: Subject<Fn<X, Y>, X>, options: JitOptions & RunOptions = {}): void {
  const cases =
    subject instanceof fc.Arbitrary
      ? (subject as fc.Arbitrary<{ readonly f: Fun; readonly x: unknown }>).chain((inst) =>
          fc.tuple(treeLike(inst.x), treeLike(inst.x)).map(([v, w]) =>
            labelled({ f: inst.f, xs: [inst.x, nearby(inst.x, v), w, inst.x] }, () => `${fc.stringify(inst)}, then ${show([nearby(inst.x, v), w])}`),
          ),
        )
      : fc
          .tuple(subject.x, subject.x, subject.x)
          .map(([a, b, c]) => labelled({ f: subject.f as Fun, xs: [a, b, c, a] }, () => `inputs ${show([a, b, c, a])}`));
  assertLaw("jit(f) agrees with f", cases, ({ f, xs }) => jitVerdict(f, options)(xs), options);
}
