// The chain rule, in both modes: (f∘g)′(x) = f′(g(x))·g′(x) for scalar functions, and
// J_{f∘g}(x) = J_f(g(x))·J_g(x) for functions between trees (Jacobians taken over their leaves).
import type { Real } from "../src/index.ts";
import { identityTolerance } from "./approx.ts";
import { type Fun, jacobianOf, matmul, scalarDerivative } from "./derivatives.ts";
import {
  assertLaw, compared, instancesOf, type LawOptions, plain, type RunOptions, type Subject, type Verdict,
} from "./harness.ts";

/**
 * `f ∘ g`: the outer `f` and the inner `g`.
 * @example
 * const c: Composition<Real, Real, Real> = { f: exp, g: sin };
 * chainRule(c.f, c.g)(1); // => true
 */
export interface Composition<X, Z, Y> {
  readonly f: (z: Z) => Y;
  readonly g: (x: X) => Z;
}

function chainVerdict(f: (z: Real) => Real, g: (x: Real) => Real, options: LawOptions): (x: number) => Verdict {
  const { mode = "forward", eq = identityTolerance } = options;
  const d = scalarDerivative(mode);
  return (x) => {
    const whole = plain(d((t) => f(g(t)))(x), "(f∘g)′(x)");
    const z = plain(g(x), "g(x)");
    const outer = plain(d(f)(z), "f′(g(x))");
    const inner = plain(d(g)(x), "g′(x)");
    return compared(`(f∘g)′(x) vs f′(g(x))·g′(x) in ${mode} mode`, eq.explain(whole, outer * inner));
  };
}

/**
 * The scalar chain rule `(f∘g)′(x) = f′(g(x))·g′(x)` at `x`, by `derivative` (forward) or `grad` (reverse).
 * @example
 * chainRule(sin, square)(0.5); // => true
 * chainRule(sin, square, { mode: "reverse" })(0.5); // => true
 */
export const chainRule =
  (f: (z: Real) => Real, g: (x: Real) => Real, options: LawOptions = {}) =>
  (x: number): boolean =>
    chainVerdict(f, g, options)(x) === undefined;

/**
 * Checks the scalar chain rule on samples of `subject`'s input; throws with a counterexample if it fails.
 * @example
 * checkChainRule({ f: sin, g: square, x: nice() }, { runs: 20 }); // => undefined
 */
export function checkChainRule(subject: Subject<Composition<Real, Real, Real>, number>, options: LawOptions & RunOptions = {}): void {
  assertLaw(
    `chain rule (${options.mode ?? "forward"})`,
    instancesOf(subject),
    ({ f, g, x }) => chainVerdict(f, g, options)(x),
    options,
  );
}

function jacobianChainVerdict(f: Fun, g: Fun, options: LawOptions): (x: unknown) => Verdict {
  const { mode = "forward", eq = identityTolerance } = options;
  return (x) => {
    const whole = jacobianOf(mode, (t) => f(g(t)), x);
    const { product, scale } = matmul(jacobianOf(mode, f, g(x)), jacobianOf(mode, g, x));
    return compared(`J_{f∘g}(x) vs J_f(g(x))·J_g(x) in ${mode} mode`, eq.explain(whole, product, scale.flat()));
  };
}

/**
 * The chain rule for Jacobians, `J_{f∘g}(x) = J_f(g(x))·J_g(x)`, at `x`: each Jacobian is built by
 * jvps of unit tangents (forward) or pullbacks of unit cotangents (reverse) over the trees' leaves.
 * @example
 * const g = (x: readonly Real[]) => [sin(x[0]), exp(x[1])];
 * jacobianChainRule((z: readonly Real[]) => [mul(z[0], z[1])], g)([0.5, 1]); // => true
 */
export const jacobianChainRule =
  <X, Z, Y>(f: (z: Z) => Y, g: (x: X) => Z, options: LawOptions = {}) =>
  (x: X): boolean =>
    jacobianChainVerdict(f as Fun, g as Fun, options)(x) === undefined;

/**
 * Checks the Jacobian chain rule on samples of `subject`'s input.
 * @example
 * const g = (x: readonly Real[]) => [sin(x[0]), exp(x[1])];
 * const f = (z: readonly Real[]) => [mul(z[0], z[1])];
 * checkJacobianChainRule({ f, g, x: fc.array(nice(), { minLength: 2, maxLength: 2 }) }, { mode: "reverse", runs: 20 }); // => undefined
 */
export function checkJacobianChainRule<X, Z, Y>(
  subject: Subject<Composition<X, Z, Y>, X>,
  options: LawOptions & RunOptions = {},
): void {
  assertLaw(
    `Jacobian chain rule (${options.mode ?? "forward"})`,
    instancesOf(subject),
    ({ f, g, x }) => jacobianChainVerdict(f as Fun, g as Fun, options)(x),
    options,
  );
}
