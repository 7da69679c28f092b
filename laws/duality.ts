// Forward and reverse mode agree: the dot-product identity ⟨u, J·v⟩ = ⟨Jᵀ·u, v⟩ ties each jvp to
// each pullback; the Jacobians they build are equal (jacfwd = jacrev); and both report f's own value.
import fc from "fast-check";
import { type Real, valueAndGrad } from "../src/index.ts";
import { identityTolerance, show } from "./approx.ts";
import { treeLike } from "./arbitraries.ts";
import {
  asNested, type Fun, gradient, isVectorArgument, isVectorResult, jacobianForward, jacobianOf, jacobianReverse, pullback, pushforward,
} from "./derivatives.ts";
import {
  assertLaw, compared, type Fn, firstFailure, instancesOf, labelled, type LawOptions, type RunOptions, type Subject, type Verdict,
} from "./harness.ts";
import { inner, numbersOf } from "./trees.ts";

function dotVerdict(f: Fun, options: LawOptions): (x: unknown, v: unknown, u: unknown) => Verdict {
  const eq = options.eq ?? identityTolerance;
  return (x, v, u) => {
    const jv = numbersOf(pushforward(f, x, v)[1], "a jvp's tangent");
    const jtu = numbersOf(pullback(f, x)[1](u), "a pullback's result");
    const left = inner(numbersOf(u, "u"), jv);
    const right = inner(jtu, numbersOf(v, "v"));
    return compared("⟨u, J·v⟩ vs ⟨Jᵀ·u, v⟩", eq.explain(left.value, right.value, [Math.max(left.scale, right.scale)]));
  };
}

/**
 * The dot-product identity `⟨u, J·v⟩ = ⟨Jᵀ·u, v⟩`: a jvp (forward) against a pullback (reverse).
 * @example
 * dotProductIdentity((v: readonly Real[]) => [mul(v[0], v[1])])([2, 3], [1, 1], [1]); // => true
 * const badSin = customJvp(sin, (x: Real, v: Real) => [sin(x), mul(1.01, mul(cos(x), v))] as const);
 * dotProductIdentity(badSin)(0.5, 1, 1); // => false
 */
export const dotProductIdentity =
  <X, Y>(f: (x: X) => Y, options: LawOptions = {}) =>
  (x: X, v: unknown, u: unknown): boolean =>
    dotVerdict(f as Fun, options)(x, v, u) === undefined;

/** Samples: an instance with a tangent shaped like x and a cotangent shaped like f(x). */
function withDirections<X>(subject: Subject<{ f: Fun }, X>) {
  return instancesOf(subject).chain((inst) =>
    fc
      .tuple(treeLike(inst.x), treeLike(inst.f(inst.x)))
      .map(([v, u]) => labelled({ inst, v, u }, () => `${fc.stringify(inst)}, v = ${show(v)}, u = ${show(u)}`)),
  );
}

/**
 * Checks the dot-product identity on samples of the subject's input and random v, u.
 * @example
 * const f = (v: readonly Real[]) => [mul(v[0], v[1]), sin(v[0])];
 * checkDotProductIdentity({ f, x: fc.array(nice(), { minLength: 2, maxLength: 2 }) }, { runs: 20 }); // => undefined
 * // a forward rule that disagrees with reverse mode is caught
 * const badSin = customJvp(sin, (x: Real, v: Real) => [sin(x), mul(1.01, mul(cos(x), v))] as const);
 * checkDotProductIdentity({ f: badSin, x: nice() }); // throws Error /Counterexample/
 */
export function checkDotProductIdentity<X, Y>(subject: Subject<Fn<X, Y>, X>, options: LawOptions & RunOptions = {}): void {
  assertLaw(
    "forward/reverse agreement ⟨u, J·v⟩ = ⟨Jᵀ·u, v⟩",
    withDirections(subject as Subject<{ f: Fun }, X>),
    ({ inst, v, u }) => dotVerdict(inst.f, options)(inst.x, v, u),
    options,
  );
}

function jacobianVerdict(f: Fun, options: LawOptions): (x: unknown) => Verdict {
  const eq = options.eq ?? identityTolerance;
  return (x) => {
    const y = f(x);
    const forward = jacobianOf("forward", f, x);
    const vector = isVectorArgument(x) && isVectorResult(x, y);
    // jacfwd / jacrev give one row for a scalar function, else rows of columns (as a tensor for a tensor x)
    const expected = typeof y === "number" ? forward[0] : forward;
    return firstFailure(
      () => compared("the Jacobian by jvps vs by pullbacks", eq.explain(forward, jacobianOf("reverse", f, x))),
      () => (vector ? compared("jacfwd vs jvps", eq.explain(asNested(jacobianForward(f)(x)), expected)) : undefined),
      () => (vector ? compared("jacrev vs jvps", eq.explain(asNested(jacobianReverse(f)(x)), expected)) : undefined),
      () => (typeof y === "number" ? compared("grad vs jvps", eq.explain(numbersOf(gradient(f)(x), "a gradient"), forward[0])) : undefined),
    );
  };
}

/**
 * Forward and reverse Jacobians agree: the Jacobian built by jvps equals the one built by pullbacks,
 * and, for functions of a `Real[]` or a 1-D tensor, `jacfwd` and `jacrev` (and `grad` for a scalar
 * function) equal it too.
 * @example
 * jacobianAgreement((v: readonly Real[]) => [mul(v[0], v[1]), sin(v[0])])([2, 3]); // => true
 */
export const jacobianAgreement =
  <X, Y>(f: (x: X) => Y, options: LawOptions = {}) =>
  (x: X): boolean =>
    jacobianVerdict(f as Fun, options)(x) === undefined;

/**
 * Checks that forward and reverse Jacobians agree on samples of the subject's input.
 * @example
 * const f = (v: readonly Real[]) => [mul(v[0], v[1]), sin(v[0])];
 * checkJacobianAgreement({ f, x: fc.array(nice(), { minLength: 2, maxLength: 2 }) }, { runs: 20 }); // => undefined
 */
export function checkJacobianAgreement<X, Y>(subject: Subject<Fn<X, Y>, X>, options: LawOptions & RunOptions = {}): void {
  assertLaw("forward/reverse agreement of Jacobians", instancesOf(subject as Subject<{ f: Fun }, X>), ({ f, x }) => jacobianVerdict(f, options)(x), options);
}

function primalVerdict(f: Fun, options: LawOptions): (x: unknown, v: unknown) => Verdict {
  const eq = options.eq ?? identityTolerance;
  return (x, v) => {
    const y = f(x);
    return firstFailure(
      () => compared("jvp's value vs f(x)", eq.explain(pushforward(f, x, v)[0], y)),
      () => compared("vjp's value vs f(x)", eq.explain(pullback(f, x)[0], y)),
      () => (typeof y === "number" ? compared("valueAndGrad's value vs f(x)", eq.explain(valueAndGrad(f as (x: unknown) => Real)(x)[0], y)) : undefined),
    );
  };
}

/**
 * Both modes compute f's own value: jvp's and vjp's (and valueAndGrad's) primal equals `f(x)`.
 * @example
 * primalAgreement(tanh)(0.5, 1); // => true
 */
export const primalAgreement =
  <X, Y>(f: (x: X) => Y, options: LawOptions = {}) =>
  (x: X, v: unknown): boolean =>
    primalVerdict(f as Fun, options)(x, v) === undefined;

/**
 * Checks that both modes compute f's value, on samples of the subject's input and a tangent.
 * @example
 * checkPrimalAgreement({ f: (p: { a: Real; b: Real }) => mul(p.a, exp(p.b)), x: fc.record({ a: nice(), b: nice() }) }, { runs: 20 }); // => undefined
 */
export function checkPrimalAgreement<X, Y>(subject: Subject<Fn<X, Y>, X>, options: LawOptions & RunOptions = {}): void {
  assertLaw("primal agreement", withDirections(subject as Subject<{ f: Fun }, X>), ({ inst, v }) => primalVerdict(inst.f, options)(inst.x, v), options);
}
