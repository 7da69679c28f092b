// Purity: a function and its transforms leave their inputs unchanged, transforms return deeply frozen
// results that stay as they were (whatever runs later), the same input gives the same output (bit for
// bit), and a pullback may be called again and again, in any order, with the same answers.
import fc from "fast-check";
import { derivative, grad, hessian, hvp, jacfwd, jacrev, valueAndGrad } from "../src/index.ts";
import { show } from "./approx.ts";
import { treeLike } from "./arbitraries.ts";
import { type Fun, isVectorArgument, isVectorResult, pullback, pushforward } from "./derivatives.ts";
import { assertLaw, type Fn, firstFailure, instancesOf, labelled, type LawOptions, type RunOptions, type Subject, type Verdict } from "./harness.ts";
import { copyTree, elementsOf, isContainer, sameStructure, snapshot } from "./trees.ts";

/**
 * The transforms the purity law exercises, untyped.
 * @example
 * // check a wrapper of nabla's grad (here one that logs its calls) for purity
 * const transforms: Partial<Transforms> = { grad: (f) => nablaTransforms.grad(f) };
 * purity(sin, { mode: "reverse", transforms })(0.5, 1, 1, 1); // => true
 */
export interface Transforms {
  readonly jvp: (f: Fun, x: unknown, v: unknown) => readonly [unknown, unknown];
  readonly vjp: (f: Fun, x: unknown) => readonly [unknown, (u: unknown) => unknown];
  readonly derivative: (f: Fun) => Fun;
  readonly grad: (f: Fun) => Fun;
  readonly valueAndGrad: (f: Fun) => (x: unknown) => readonly [unknown, unknown];
  readonly jacfwd: (f: Fun) => Fun;
  readonly jacrev: (f: Fun) => Fun;
  readonly hvp: (f: Fun) => (x: unknown, v: unknown) => unknown;
  readonly hessian: (f: Fun) => Fun;
}

/**
 * nabla's own transforms.
 * @example
 * Object.keys(nablaTransforms).includes("grad"); // => true
 * purity(sin, { transforms: { grad: nablaTransforms.grad } })(0.5, 1, 1, 1); // => true
 */
export const nablaTransforms: Transforms = Object.freeze({
  jvp: pushforward,
  vjp: pullback,
  derivative: derivative as unknown as (f: Fun) => Fun,
  grad: grad as unknown as (f: Fun) => Fun,
  valueAndGrad: valueAndGrad as unknown as (f: Fun) => (x: unknown) => readonly [unknown, unknown],
  jacfwd: jacfwd as unknown as (f: Fun) => Fun,
  jacrev: jacrev as unknown as (f: Fun) => Fun,
  hvp: hvp as unknown as (f: Fun) => (x: unknown, v: unknown) => unknown,
  hessian: hessian as unknown as (f: Fun) => Fun,
});

/**
 * Options of the purity law: `transforms` replaces some of nabla's (to check a wrapper of them).
 * @example
 * const options: PurityOptions = { mode: "reverse" };
 * purity(tanh, options)(0.5, 1, 1, 1); // => true
 */
export interface PurityOptions extends Omit<LawOptions, "eq"> {
  readonly transforms?: Partial<Transforms>;
}

/** Every array, record and function reachable from `x` is frozen; the path of the first that is not. */
function unfrozenPath(x: unknown, path = "the result"): string | undefined {
  if ((typeof x !== "object" || x === null) && typeof x !== "function") return undefined;
  if (!Object.isFrozen(x)) return path;
  if (!isContainer(x)) return undefined;
  for (const [k, v] of Object.entries(x)) {
    const p = unfrozenPath(v, Array.isArray(x) ? `${path}[${k}]` : `${path}.${k}`);
    if (p !== undefined) return p;
  }
  return undefined;
}

/** The same tree, bit for bit, tensors element by element (NaN is the same as NaN; 0 and −0 are not). */
function identical(a: unknown, b: unknown): boolean {
  if (!sameStructure(a, b)) return false;
  const eb = elementsOf(b);
  return elementsOf(a).every((l, i) => Object.is(l, eb[i]));
}

const frozen = (what: string, x: unknown): Verdict => {
  const p = unfrozenPath(x, what);
  return p === undefined ? undefined : `${p} is not frozen`;
};
const same = (what: string, a: unknown, b: unknown): Verdict =>
  identical(a, b) ? undefined : `${what} differs between calls with the same input: ${show(a)} vs ${show(b)}`;
const unchanged = (what: string, before: unknown, after: unknown): Verdict =>
  identical(before, after) ? undefined : `${what} was changed: ${show(before)} became ${show(after)}`;
/**
 * Values read again after everything else ran, against snapshots taken when they were made: a
 * tensor's memory handed to a later computation while it was still reachable would show here.
 */
const kept = (values: readonly (readonly [string, unknown, unknown])[]): Verdict =>
  firstFailure(...values.map(([what, before, now]) => () => unchanged(`${what} (read again after later transforms)`, before, now)));

interface PuritySample {
  readonly v: unknown;
  readonly u: unknown;
  readonly w: unknown;
}

function purityVerdict(f: Fun, options: PurityOptions): (x: unknown, s: PuritySample) => Verdict {
  const mode = options.mode ?? "forward";
  const t = { ...nablaTransforms, ...options.transforms };
  // Each check runs only once the ones before it held, in order: f itself first, then its transforms.
  // Inputs are fresh unfrozen copies, so that a mutation shows in them instead of being stopped.
  return (x, { v, u, w }) => {
    const x0 = snapshot(x);
    const xc = copyTree(x);
    const y = f(xc);
    const direct = firstFailure(
      () => unchanged("f's input", x, xc),
      () => same("f(x)", y, f(copyTree(x))),
    );
    if (direct !== undefined) return direct;
    const y0 = snapshot(y);
    if (mode === "forward") {
      const v0 = snapshot(v);
      const vc = copyTree(v);
      const r = t.jvp(f, xc, vc);
      const r0 = snapshot(r);
      return firstFailure(
        () => unchanged("jvp's input x", x, xc),
        () => unchanged("jvp's tangent v", v, vc),
        () => frozen("jvp's result", r),
        () => same("jvp", r, t.jvp(f, copyTree(x), copyTree(v))),
        () => (typeof x === "number" && typeof y === "number" ? same("derivative", t.derivative(f)(x), t.derivative(f)(x)) : undefined),
        () => (isVectorArgument(x) && isVectorResult(x, y) ? matrixPurity("jacfwd", t.jacfwd(f), x) : undefined),
        () => (typeof y === "number" ? secondOrderPurity(t, f, x, v) : undefined),
        () => kept([["x", x0, x], ["f(x)", y0, y], ["v", v0, v], ["jvp's result", r0, r]]),
      );
    }
    const u0 = snapshot(u);
    const pair = t.vjp(f, xc);
    const pair0 = snapshot(pair[0]);
    const pb = pair[1];
    const uc = copyTree(u);
    const first = pb(uc);
    const first0 = snapshot(first);
    return firstFailure(
      () => unchanged("vjp's input x", x, xc),
      () => frozen("vjp's result", pair),
      () => frozen("the pullback's result", first),
      () => unchanged("the pullback's cotangent u", u, uc),
      // reusable: again, after another cotangent, and beside a second recording of f
      () => same("the pullback", first, pb(copyTree(u))),
      () => (pb(copyTree(w)), same("the pullback (called after another cotangent)", first, pb(copyTree(u)))),
      () => same("vjp's pullback (from a second vjp)", first, t.vjp(f, copyTree(x))[1](copyTree(u))),
      () => (typeof y === "number" ? scalarPurity(t, f, x) : undefined),
      () => (isVectorArgument(x) && isVectorResult(x, y) ? matrixPurity("jacrev", t.jacrev(f), x) : undefined),
      () => kept([["x", x0, x], ["f(x)", y0, y], ["u", u0, u], ["vjp's value", pair0, pair[0]], ["the pullback's result", first0, first]]),
    );
  };
}

/** A Jacobian or Hessian transform on a vector (a `number[]` or a 1-D tensor): input unchanged, result frozen, the same each time. */
function matrixPurity(name: string, transform: Fun, x: unknown): Verdict {
  const xc = copyTree(x);
  const m = transform(xc);
  return firstFailure(
    () => unchanged(`${name}'s input`, x, xc),
    () => frozen(`${name}'s result`, m),
    () => same(name, m, transform(copyTree(x))),
  );
}

/** hvp (and hessian, on a vector) of a scalar-valued f: inputs unchanged, results frozen, the same each time. */
function secondOrderPurity(t: Transforms, f: Fun, x: unknown, v: unknown): Verdict {
  const xc = copyTree(x);
  const vc = copyTree(v);
  const hv = t.hvp(f)(xc, vc);
  return firstFailure(
    () => unchanged("hvp's input x", x, xc),
    () => unchanged("hvp's direction v", v, vc),
    () => frozen("hvp's result", hv),
    () => same("hvp", hv, t.hvp(f)(copyTree(x), copyTree(v))),
    () => (isVectorArgument(x) ? matrixPurity("hessian", t.hessian(f), x) : undefined),
  );
}

/** grad and valueAndGrad of a scalar-valued f: inputs unchanged, results frozen, the same each time. */
function scalarPurity(t: Transforms, f: Fun, x: unknown): Verdict {
  const xc = copyTree(x);
  const g = t.grad(f)(xc);
  const vg = t.valueAndGrad(f)(xc);
  return firstFailure(
    () => unchanged("grad's input", x, xc),
    () => frozen("grad's result", g),
    () => frozen("valueAndGrad's result", vg),
    () => same("grad", g, t.grad(f)(copyTree(x))),
    () => same("valueAndGrad", vg, t.valueAndGrad(f)(copyTree(x))),
  );
}

/**
 * Purity at `x` (with a tangent `v`, and cotangents `u`, `w` shaped like f(x)): f itself, then in
 * forward mode `jvp`, `derivative`, `jacfwd`, `hvp` and `hessian` (forward over reverse), in reverse
 * mode `vjp` and its pullback, `grad`, `valueAndGrad` and `jacrev`, as they apply to f's shapes.
 * @example
 * purity(sin)(0.5, 1, 1, 1); // => true
 * purity((v: readonly Real[]) => [mul(v[0], v[1])])([2, 3], [1, 1], [1], [2]); // => true
 */
export const purity =
  <X, Y>(f: (x: X) => Y, options: PurityOptions = {}) =>
  (x: X, v: unknown, u: unknown, w: unknown): boolean =>
    purityVerdict(f as Fun, options)(x, { v, u, w }) === undefined;

/**
 * Checks purity on samples of the subject's input, a tangent and two cotangents.
 * @example
 * checkPurity({ f: (p: { w: readonly Real[] }) => [sum(p.w), mul(p.w[0], p.w[1])], x: fc.record({ w: fc.array(nice(), { minLength: 2, maxLength: 2 }) }) }, { runs: 20 }); // => undefined
 * let calls = 0;
 * checkPurity({ f: (x: Real) => mul(x, ++calls), x: nice() }); // throws Error
 */
export function checkPurity<X, Y>(subject: Subject<Fn<X, Y>, X>, options: PurityOptions & RunOptions = {}): void {
  const cases = instancesOf(subject as Subject<{ f: Fun }, X>).chain((inst) => {
    const y = inst.f(inst.x);
    return fc
      .record({ v: treeLike<unknown>(inst.x), u: treeLike<unknown>(y), w: treeLike<unknown>(y) })
      .map((s) => labelled({ inst, s }, () => `${fc.stringify(inst)}, v = ${show(s.v)}, u = ${show(s.u)}, w = ${show(s.w)}`));
  });
  assertLaw(`purity (${options.mode ?? "forward"})`, cases, ({ inst, s }) => purityVerdict(inst.f, options)(inst.x, s), options);
}
