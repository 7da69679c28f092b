// Second order, for scalar functions of trees: the Hessian is symmetric, hvp(x, v) equals H·v, and a
// gradient of a gradient is the Hessian. H is built forward over forward (forward mode) or reverse over
// reverse (reverse mode), so it is independent of hvp and hessian, which are forward over reverse.
import fc from "fast-check";
import { derivative, grad, hvp, type Real } from "../src/index.ts";
import { identityTolerance, show } from "./approx.ts";
import { treeLike } from "./arbitraries.ts";
import { asNested, type Fun, gradient, hessianOf, isVectorArgument, jacobianOf, matmul, pushforward } from "./derivatives.ts";
import {
  assertLaw, compared, type Fn, firstFailure, instancesOf, labelled, type LawOptions, type Mode, plain, type RunOptions, type Subject,
  type Verdict,
} from "./harness.ts";
import { elementCount, inner, innerReals, leavesOf, numbersOf, unitLike } from "./trees.ts";

/**
 * ∇f as a flat array: one Real per number of y by jvps of unit tangents (forward), or grad's leaves,
 * tensors included (reverse).
 */
const gradientLeaves =
  (mode: Mode, f: Fun) =>
  (y: unknown): unknown[] =>
    mode === "forward"
      ? Array.from({ length: elementCount(y) }, (_, j) => pushforward(f, y, unitLike(y, j))[1])
      : leavesOf(gradient(f)(y));

/**
 * H over x's leaves: the Jacobian of ∇f, forward over forward or reverse over reverse.
 * @example
 * const f = (x: unknown) => mul(square((x as Real[])[0]), (x as Real[])[1]);
 * hessianBy("reverse", f, [3, 5]); // => [[10, 6], [6, 0]]
 */
export const hessianBy = (mode: Mode, f: Fun, x: unknown): number[][] => jacobianOf(mode, gradientLeaves(mode, f), x);

const transpose = (m: readonly (readonly number[])[]): number[][] => m.map((_, i) => m.map((row) => row[i]));
/** `hessian(f)(x)` as nested arrays, for a `Real[]` or a 1-D tensor x. */
const hessianMatrix = (f: Fun, x: unknown): number[][] => asNested(hessianOf(f)(x)) as number[][];
const hvpOf = (f: Fun, x: unknown, v: unknown): number[] =>
  numbersOf((hvp(f as (x: unknown) => Real) as (x: unknown, v: unknown) => unknown)(x, v), "hvp's result");

function symmetryVerdict(f: Fun, options: LawOptions): (x: unknown, v: unknown, w: unknown) => Verdict {
  const { mode = "forward", eq = identityTolerance } = options;
  return (x, v, w) => {
    const h = hessianBy(mode, f, x);
    const left = inner(numbersOf(w, "w"), hvpOf(f, x, v));
    const right = inner(numbersOf(v, "v"), hvpOf(f, x, w));
    return firstFailure(
      () => compared(`H vs Hᵀ (H ${mode} over ${mode})`, eq.explain(h, transpose(h))),
      () => compared("⟨w, H·v⟩ vs ⟨v, H·w⟩ by hvp", eq.explain(left.value, right.value, [Math.max(left.scale, right.scale)])),
      () => {
        if (!isVectorArgument(x)) return undefined;
        const hx = hessianMatrix(f, x);
        return compared("hessian(f)(x) vs its transpose", eq.explain(hx, transpose(hx)));
      },
    );
  };
}

/**
 * The Hessian is symmetric: H = Hᵀ (built in `mode` over `mode`), ⟨w, H·v⟩ = ⟨v, H·w⟩ by hvp, and `hessian`'s too.
 * @example
 * hessianSymmetry((v: readonly Real[]) => mul(square(v[0]), v[1]))([3, 5], [1, 0], [0, 1]); // => true
 */
export const hessianSymmetry =
  <X>(f: (x: X) => Real, options: LawOptions = {}) =>
  (x: X, v: unknown, w: unknown): boolean =>
    symmetryVerdict(f as Fun, options)(x, v, w) === undefined;

function hvpVerdict(f: Fun, options: LawOptions): (x: unknown, v: unknown) => Verdict {
  const { mode = "forward", eq = identityTolerance } = options;
  return (x, v) => {
    const vs = numbersOf(v, "v");
    const hv = hvpOf(f, x, v);
    const column = vs.map((vi) => [vi]);
    const byMode = matmul(hessianBy(mode, f, x), column);
    return firstFailure(
      () => compared(`hvp(f)(x, v) vs H·v (H ${mode} over ${mode})`, eq.explain(hv, byMode.product.flat(), byMode.scale.flat())),
      () => {
        if (!isVectorArgument(x)) return undefined;
        const byHessian = matmul(hessianMatrix(f, x), column);
        return compared("hvp(f)(x, v) vs hessian(f)(x)·v", eq.explain(hv, byHessian.product.flat(), byHessian.scale.flat()));
      },
    );
  };
}

/**
 * `hvp(f)(x, v) = H·v`, with H built in `mode` over `mode` (and, for `Real[]` or 1-D tensor inputs, by `hessian`).
 * @example
 * hvpMatchesHessian((v: readonly Real[]) => mul(square(v[0]), v[1]))([3, 5], [1, 0]); // => true
 */
export const hvpMatchesHessian =
  <X>(f: (x: X) => Real, options: LawOptions = {}) =>
  (x: X, v: unknown): boolean =>
    hvpVerdict(f as Fun, options)(x, v) === undefined;

function gradOfGradVerdict(f: Fun, options: LawOptions): (x: unknown, v: unknown) => Verdict {
  const { mode = "forward", eq = identityTolerance } = options;
  return (x, v) => {
    if (typeof x === "number") {
      // f: Real → Real: the second derivative by nesting one transform in itself, against hessian
      const g = f as (x: Real) => Real;
      const twice = plain(mode === "forward" ? derivative(derivative(g))(x) : grad(grad(g))(x), "the second derivative");
      const h = (hessianOf((t) => g((t as readonly Real[])[0]))([x]) as number[][])[0][0];
      return compared(`${mode === "forward" ? "derivative∘derivative" : "grad∘grad"} vs hessian`, eq.explain(twice, h));
    }
    // H·v as the derivative of ∇f along v: forward over forward, or the gradient of ⟨∇f, v⟩
    const nested =
      mode === "forward"
        ? numbersOf(pushforward(gradientLeaves("forward", f), x, v)[1], "a jvp's tangent")
        : numbersOf(gradient((y) => innerReals(gradient(f)(y), v))(x), "a gradient");
    return compared(`${mode === "forward" ? "jvp∘jvp" : "grad∘grad"} along v vs hvp`, eq.explain(nested, hvpOf(f, x, v)));
  };
}

/**
 * A gradient of a gradient is the Hessian: for `f: Real → Real`, `derivative(derivative(f))` (forward)
 * or `grad(grad(f))` (reverse) equals `hessian`; for a tree input, the derivative of ∇f along v (by jvp
 * of jvps, or by grad of ⟨grad f, v⟩) equals `hvp(f)(x, v)`.
 * @example
 * gradOfGrad((x: Real) => mul(x, sin(x)))(0.5, 1); // => true
 */
export const gradOfGrad =
  <X>(f: (x: X) => Real, options: LawOptions = {}) =>
  (x: X, v: unknown): boolean =>
    gradOfGradVerdict(f as Fun, options)(x, v) === undefined;

type SecondOrderLaw = "Hessian symmetry" | "hvp = H·v" | "grad∘grad = hessian";
const verdicts: { readonly [L in SecondOrderLaw]: (f: Fun, o: LawOptions) => (x: unknown, v: unknown, w: unknown) => Verdict } = {
  "Hessian symmetry": symmetryVerdict,
  "hvp = H·v": hvpVerdict,
  "grad∘grad = hessian": gradOfGradVerdict,
};

function check<X>(law: SecondOrderLaw, subject: Subject<Fn<X, Real>, X>, options: LawOptions & RunOptions): void {
  const cases = instancesOf(subject as Subject<{ f: Fun }, X>).chain((inst) =>
    fc
      .tuple(treeLike<unknown>(inst.x), treeLike<unknown>(inst.x))
      .map(([v, w]) => labelled({ inst, v, w }, () => `${fc.stringify(inst)}, v = ${show(v)}, w = ${show(w)}`)),
  );
  assertLaw(`${law} (${options.mode ?? "forward"})`, cases, ({ inst, v, w }) => verdicts[law](inst.f, options)(inst.x, v, w), options);
}

/**
 * Checks Hessian symmetry on samples of the subject's input and two directions.
 * @example
 * checkHessianSymmetry({ f: (v: readonly Real[]) => mul(sin(v[0]), exp(v[1])), x: fc.array(nice(), { minLength: 2, maxLength: 2 }) }, { runs: 20 }); // => undefined
 */
export const checkHessianSymmetry = <X>(subject: Subject<Fn<X, Real>, X>, options: LawOptions & RunOptions = {}): void =>
  check("Hessian symmetry", subject, options);

/**
 * Checks `hvp(f)(x, v) = H·v` on samples of the subject's input and a direction.
 * @example
 * checkHvpMatchesHessian({ f: (v: readonly Real[]) => mul(sin(v[0]), exp(v[1])), x: fc.array(nice(), { minLength: 2, maxLength: 2 }) }, { runs: 20 }); // => undefined
 */
export const checkHvpMatchesHessian = <X>(subject: Subject<Fn<X, Real>, X>, options: LawOptions & RunOptions = {}): void =>
  check("hvp = H·v", subject, options);

/**
 * Checks that a gradient of a gradient is the Hessian, on samples of the subject's input and a direction.
 * @example
 * checkGradOfGrad({ f: (v: readonly Real[]) => mul(sin(v[0]), v[1]), x: fc.array(nice(), { minLength: 2, maxLength: 2 }) }, { runs: 20 }); // => undefined
 */
export const checkGradOfGrad = <X>(subject: Subject<Fn<X, Real>, X>, options: LawOptions & RunOptions = {}): void =>
  check("grad∘grad = hessian", subject, options);
