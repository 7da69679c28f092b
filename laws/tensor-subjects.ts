// Subjects for the laws from one tensor primitive of the catalogue (`tensorPrimitives`): the primitive
// on random shapes (broadcasting included) inside its domain, reduced to a scalar for the second-order
// laws, on one flat 1-D tensor (for jacfwd, jacrev and hessian), along a line (Real → Real), composed
// with smooth maps and reductions, and beside a companion. Shapes are drawn with the inputs, so each
// subject is an arbitrary of whole instances; a primitive added to the catalogue is covered unchanged.
import fc from "fast-check";
import {
  add, mul, type Real, reshape, sin, slice, square, sub, sum, tanh, type Tensor, tensor, type TensorPrimitive,
} from "../src/index.ts";
import { show } from "./approx.ts";
import { extentsOf, KINK_MARGIN, nice, tensorArgsOf, tensorOf, treeLike } from "./arbitraries.ts";
import { smoothAcross } from "./broadcast.ts";
import type { Composition } from "./chain.ts";
import type { Smooth } from "./finite-differences.ts";
import { type Fn, type Instance, labelled, type Pair } from "./harness.ts";
import { fitInto } from "./programs.ts";
import { sizeOf, tensorElements, tensorShape } from "./trees.ts";

/**
 * A tensor primitive's arguments, and its result: a tensor, or a Real for a full reduction.
 * @example
 * const args: TensorArgs = [tensor([[1, 2]]), tensor([[3], [4]])];
 * tensorPrimitives.filter((p) => p.name === "matmul [n,k]×[k,m]")[0].apply(args); // => tensor([[11]])
 */
export type TensorArgs = readonly Tensor[];
/**
 * A tensor primitive's result: a tensor, or a Real for a full reduction.
 * @example
 * const out: TensorOut = sum(tensor([1, 2]));
 * total(out); // => 3
 */
export type TensorOut = Tensor | Real;

/** Instances of functions drawn with their input (shapes included). */
type Instances<Fs, X> = fc.Arbitrary<Instance<Fs, X>>;

/**
 * The subjects the laws check for one tensor primitive.
 * @example
 * const [softmaxPrimitive] = tensorPrimitives.filter((p) => p.name === "softmax");
 * const subjects: TensorSubjects = tensorSubjectsFor(softmaxPrimitive);
 * checkHessianSymmetry(subjects.flatReduced, { runs: 5 }); // => undefined
 */
export interface TensorSubjects {
  /** `P(args)` on random shapes, args inside the domain and away from kinks (over broadcast tuples). */
  readonly vector: Instances<Smooth<TensorArgs, TensorOut>, TensorArgs>;
  /** `ρ(P(args))` with `ρ(y) = Σ (w ⊙ y + ½ y²)` for a random w: a scalar, on the small shapes. */
  readonly reduced: Instances<Smooth<TensorArgs, Real>, TensorArgs>;
  /** `P` on one 1-D tensor split into the arguments, its result flattened (a 1-D tensor or a Real). */
  readonly flat: Instances<Smooth<Tensor, TensorOut>, Tensor>;
  /** `ρ ∘ P` on one 1-D tensor, on the small shapes (for `hessian` on tensors). */
  readonly flatReduced: Instances<Smooth<Tensor, Real>, Tensor>;
  /** `t ↦ ρ(P(c + t·d))` along a line through the domain, `t ∈ (−1, 1)`: a function Real → Real. */
  readonly scalar: Instances<Fn<Real, Real>, number>;
  /** That scalar function as the inner function (after `y ↦ y·tanh y`) and as the outer one (after a map into (−1, 1)). */
  readonly scalarChains: readonly Instances<Composition<Real, Real, Real>, number>[];
  /**
   * `P ∘ g` with `g` mapping tensors on (−2, 2) smoothly into the domain and mixing in a reduction of
   * the next argument, and `h ∘ P` with `h(y) = [tanh(y), Σ y²]`.
   */
  readonly chains: readonly [
    Instances<Composition<TensorArgs, TensorArgs, TensorOut>, TensorArgs>,
    Instances<Composition<TensorArgs, TensorOut, readonly TensorOut[]>, TensorArgs>,
  ];
  /** `P` beside a companion of its result's shape, `1.5 + sin(r + ½ Σ args)` (in [½, 5/2], for the quotient rule). */
  readonly pair: Instances<Pair<TensorArgs, TensorOut>, TensorArgs>;
}

/**
 * Where the subjects draw their shapes.
 * @example
 * const [matmulPrimitive] = tensorPrimitives.filter((p) => p.name === "matmul [n,k]×[k,m]");
 * const options: TensorSubjectOptions = { extents: [1, 2], smallExtents: [1, 1] };
 * checkJacobianAgreement(tensorSubjectsFor(matmulPrimitive, options).flat, { runs: 5 }); // => undefined
 */
export interface TensorSubjectOptions {
  /** Extents for `vector`, `flat` and `pair` (default 1 to 3). */
  readonly extents?: readonly [number, number];
  /**
   * Extents for the subjects whose laws build whole Jacobians (one jvp or pullback per element) or
   * Hessians (one per pair of elements): `chains`, `reduced`, `flatReduced`, `scalar` (default 1 to 2).
   */
  readonly smallExtents?: readonly [number, number];
  /** Least kink distance over broadcast tuples (default KINK_MARGIN; 0: kinks allowed, as purity needs none). */
  readonly kinkMargin?: number;
}

/**
 * Σ of every element of a tensor, or the Real itself.
 * @example
 * [total(tensor([1, 2, 3])), total(4)]; // => [6, 4]
 */
export const total = (y: TensorOut): Real => (tensorShape(y) === undefined ? (y as Real) : sum(y as Tensor));

/**
 * `ρ(y) = Σ (w ⊙ y + ½ y²)`: curved, so that even a linear primitive has a Hessian (its Jᵀ·J) to check.
 * @example
 * reducer(tensor([1, 1]))(tensor([2, 4])); // => (1 * 2 + 2) + (1 * 4 + 8)
 */
export const reducer =
  (w: TensorOut) =>
  (y: TensorOut): Real =>
    total(mul(y as Tensor, add(w as Tensor, mul(0.5, y as Tensor))));

/** `mid + 0.9·half·sin((e − mid)/half)` elementwise: a smooth map into (lo, hi), as `fitInto` on Reals. */
const fitTensor = (lo: number, hi: number, e: Tensor): Tensor => {
  const mid = (lo + hi) / 2;
  const half = (hi - lo) / 2;
  return add(mid, mul(0.9 * half, sin(mul(1 / half, sub(e, mid)))));
};

const interval = (p: TensorPrimitive, i: number): readonly [number, number] => p.domain.args[Math.min(i, p.domain.args.length - 1)];

/** One 1-D tensor holding every argument's elements, and the function splitting such a tensor back. */
function flatten(args: TensorArgs): { readonly flat: Tensor; readonly split: (z: Tensor) => Tensor[] } {
  const shapes = args.map((a) => a.shape);
  const sizes = shapes.map(sizeOf);
  const starts = sizes.map((_, i) => sizes.slice(0, i).reduce((s, n) => s + n, 0));
  return {
    flat: tensor(args.flatMap(tensorElements), [sizes.reduce((s, n) => s + n, 0)]),
    split: (z) => shapes.map((s, i) => reshape(slice(z, starts[i], starts[i] + sizes[i]), s)),
  };
}

/** A result flattened to one axis (a Real stays a Real). */
const flattened = (y: TensorOut): TensorOut => (tensorShape(y) === undefined ? y : reshape(y as Tensor, [-1]));

/**
 * The subjects for tensor primitive `p`, from its catalogue entry alone.
 * @example
 * const [matmulPrimitive] = tensorPrimitives.filter((p) => p.name === "matmul [n,k]×[k,m]");
 * checkDotProductIdentity(tensorSubjectsFor(matmulPrimitive).vector, { runs: 10 }); // => undefined
 */
export function tensorSubjectsFor(p: TensorPrimitive, options: TensorSubjectOptions = {}): TensorSubjects {
  const { extents = [1, 3], smallExtents = [1, 2], kinkMargin = KINK_MARGIN } = options;
  const f = (xs: TensorArgs): TensorOut => p.apply(xs);
  const { kinkDistance } = p.domain;
  const smooth = <X>(split: (x: X) => readonly unknown[]): { smoothOn?: (x: X, s: X) => boolean } =>
    kinkDistance === undefined ? {} : { smoothOn: (x, s) => smoothAcross(kinkDistance, split(x), split(s)) };
  const args = tensorArgsOf(p, { extents, kinkMargin });
  const smallArgs = tensorArgsOf(p, { extents: smallExtents, kinkMargin });
  const at = (x: unknown) => () => `${p.name} at x = ${show(x)}`;

  const vector = args.map((x) => labelled({ f, x, ...smooth<TensorArgs>((a) => a) }, at(x)));
  // w is drawn after the shapes, shaped like P's result
  const withWeights = (xs: fc.Arbitrary<Tensor[]>) => xs.chain((x) => treeLike(f(x)).map((w) => ({ x, w, rho: reducer(w) })));
  const rhoLabel = (x: unknown, w: unknown) => () => `ρ(${p.name}) with w = ${show(w)} at x = ${show(x)}`;
  const reduced = withWeights(smallArgs).map(({ x, w, rho }) =>
    labelled({ f: (xs: TensorArgs) => rho(f(xs)), x, ...smooth<TensorArgs>((a) => a) }, rhoLabel(x, w)),
  );
  const flat = args.map((x) => {
    const { flat: z, split } = flatten(x);
    return labelled({ f: (t: Tensor) => flattened(f(split(t))), x: z, ...smooth<Tensor>(split) }, at(z));
  });
  const flatReduced = withWeights(smallArgs).map(({ x, w, rho }) => {
    const { flat: z, split } = flatten(x);
    return labelled({ f: (t: Tensor) => rho(f(split(t))), x: z, ...smooth<Tensor>(split) }, rhoLabel(z, w));
  });

  // c inside the middle half of each interval, d within a quarter of its width: c ± d stays inside
  const lines = extentsOf(p, smallExtents).chain((d) => {
    const shapes = p.shapes(d);
    const cds = shapes.map((s, i) => {
      const [lo, hi] = interval(p, i);
      const q = (hi - lo) / 4;
      return fc.record({ c: tensorOf(s, nice(lo + q, hi - q)), d: tensorOf(s, nice(-q, q)) });
    });
    return fc.tuple(...cds).chain((ls) => {
      const along = (r: Real): Tensor[] => ls.map(({ c, d: dir }) => add(c, mul(r, dir)));
      return treeLike(f(along(0))).map((w) => ({
        s: (r: Real): Real => reducer(w)(f(along(r))),
        name: `(t ↦ ρ(${p.name}(c + t·d)) with c = ${show(ls.map((l) => l.c))}, d = ${show(ls.map((l) => l.d))}, w = ${show(w)})`,
      }));
    });
  });
  const scalar = fc.tuple(lines, nice(-1, 1)).map(([l, t]) => labelled({ f: l.s, x: t }, () => `${l.name} at t = ${t}`));
  const scalarChains = [
    fc.tuple(lines, nice(-1, 1)).map(([l, t]) =>
      labelled({ f: (y: Real) => mul(y, tanh(y)), g: l.s, x: t }, () => `(y ↦ y·tanh y) ∘ ${l.name} at t = ${t}`),
    ),
    fc.tuple(lines, nice(-2, 2)).map(([l, x]) =>
      labelled({ f: l.s, g: (y: Real) => fitInto(-1, 1, y), x }, () => `${l.name} ∘ fit[-1, 1] at x = ${x}`),
    ),
  ];

  const unit = tensorArgsOf(p, { extents: smallExtents, domain: { args: [[-2, 2]] } });
  const inner = unit.map((x) =>
    labelled(
      {
        f,
        g: (ts: TensorArgs): Tensor[] =>
          ts.map((t, i) => fitTensor(...interval(p, i), add(t, mul(0.25, tanh(total(ts[(i + 1) % ts.length])))))),
        x,
      },
      () => `${p.name} ∘ g at x = ${show(x)}`,
    ),
  );
  const outer = smallArgs.map((x) =>
    labelled({ f: (y: TensorOut): TensorOut[] => [tanh(y as Tensor), total(square(y as Tensor))], g: f, x }, () => `h ∘ ${p.name} at x = ${show(x)}`),
  );

  const pair = args.chain((x) =>
    treeLike(f(x)).map((r) =>
      labelled(
        {
          f,
          g: (xs: TensorArgs): TensorOut => add(1.5, sin(add(r as Tensor, mul(0.5, xs.reduce<Real>((s, t) => add(s, total(t)), 0))))),
          x,
        },
        () => `${p.name} beside 1.5 + sin(r + ½Σx), r = ${show(r)}, at x = ${show(x)}`,
      ),
    ),
  );

  return { vector, reduced, flat, flatReduced, scalar, scalarChains, chains: [inner, outer], pair };
}
