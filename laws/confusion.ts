// Freedom from perturbation confusion: nested derivatives whose inner function closes over the outer
// variable still give the calculus's answers, for every pairing of forward and reverse mode. The
// canonical case, D(x ↦ x·D(y ↦ x + y)(1))(1) = 1 (not 2), is the first identity with f = id.
import { add, derivative, grad, hessian, mul, type Real } from "../src/index.ts";
import { identityTolerance } from "./approx.ts";
import { assertLaw, compared, firstFailure, instancesOf, type LawOptions, type Mode, modes, plain, type RunOptions, type Subject, type Verdict } from "./harness.ts";
import type { Fn } from "./harness.ts";

/**
 * A derivative operator on scalar functions, as `derivative` and `grad` are.
 * @example
 * const d: ScalarDerivative = derivative;
 * d(sin)(0); // => 1
 */
export type ScalarDerivative = (f: (x: Real) => Real) => (x: Real) => Real;

/**
 * Options of the confusion law: `mode` is the outer operator's; the inner one runs in both modes.
 * @example
 * const options: ConfusionOptions = { mode: "reverse", operators: { reverse: grad } };
 * perturbationConfusion(tanh, options)(0.5); // => true
 */
export interface ConfusionOptions extends LawOptions {
  /**
   * The operators to nest, per mode: nabla's `derivative` (forward) and `grad` (reverse) unless given.
   * Give your own to check a derivative operator built on nabla (or to watch the law catch a confused one).
   */
  readonly operators?: { readonly forward?: ScalarDerivative; readonly reverse?: ScalarDerivative };
}

function confusionVerdict(f: (x: Real) => Real, options: ConfusionOptions): (x: number) => Verdict {
  const { mode = "forward", eq = identityTolerance, operators = {} } = options;
  const op = (m: Mode): ScalarDerivative => operators[m] ?? (m === "forward" ? derivative : grad);
  const outer = op(mode);
  return (x0) => {
    const df = plain(outer(f)(x0), "f′(x)");
    const second = (): number => hessian((t: readonly Real[]) => f(t[0]))([x0])[0][0];
    return firstFailure(
      ...modes.map((m) => {
        const inner = op(m);
        const pair = `outer ${mode}, inner ${m}`;
        return () =>
          firstFailure(
            // d/dx [f(x) · d/dy (x + y)] = f′(x): the inner derivative must not see x's perturbation
            () => compared(`D(x ↦ f(x)·D(y ↦ x + y)(0))(x) vs f′(x) (${pair})`,
              eq.explain(plain(outer((x) => mul(f(x), inner((y) => add(x, y))(0)))(x0), "the nested derivative"), df)),
            // d/dx [d/dy (f(x)·y)] = d/dx f(x) = f′(x): the outer derivative must see through the inner one
            () => compared(`D(x ↦ D(y ↦ f(x)·y)(0))(x) vs f′(x) (${pair})`,
              eq.explain(plain(outer((x) => inner((y) => mul(f(x), y))(0))(x0), "the nested derivative"), df)),
            // d/dx [d/dy f(x + y) at 0] = f″(x), as hessian gives it with no closure and no nested operator
            () => compared(`D(x ↦ D(y ↦ f(x + y))(0))(x) vs hessian(f)(x) (${pair})`,
              eq.explain(plain(outer((x) => inner((y) => f(add(x, y)))(0))(x0), "the nested derivative"), second())),
          );
      }),
    );
  };
}

/**
 * Nested-derivative identities for `f: Real → Real` at `x`, the outer derivative in `mode` and the
 * inner in both: D(x ↦ f(x)·D(y ↦ x + y)(0))(x) = f′(x), D(x ↦ D(y ↦ f(x)·y)(0))(x) = f′(x) and
 * D(x ↦ D(y ↦ f(x + y))(0))(x) = f″(x) (by `hessian`, which nests nothing of the user's). A confused
 * implementation, or a rule that mixes another level's tangent into its own, breaks one of them.
 * @example
 * perturbationConfusion(sin)(0.5); // => true
 * perturbationConfusion(exp, { mode: "reverse" })(0.5); // => true
 */
export const perturbationConfusion =
  (f: (x: Real) => Real, options: ConfusionOptions = {}) =>
  (x: number): boolean =>
    confusionVerdict(f, options)(x) === undefined;

/**
 * Checks freedom from perturbation confusion on samples of the subject's input.
 * @example
 * checkPerturbationConfusion({ f: sin, x: nice() }, { runs: 20 }); // => undefined
 */
export function checkPerturbationConfusion(subject: Subject<Fn<Real, Real>, number>, options: ConfusionOptions & RunOptions = {}): void {
  assertLaw(
    `freedom from perturbation confusion (${options.mode ?? "forward"})`,
    instancesOf(subject),
    ({ f, x }) => confusionVerdict(f, options)(x),
    options,
  );
}
