// Subjects for the laws from one primitive of the catalogue: the primitive on its declared domain, as
// the outer and as the inner function of a composition, along a line through its domain (a scalar
// function), and beside a companion for the linearity and product laws. A table-driven suite maps every
// primitive through these, so a primitive added to the table is covered with no new test.
import type { Primitive, Real } from "../src/index.ts";
import { add, mul, sin, square, tanh } from "../src/index.ts";
import { argsOf, nice } from "./arbitraries.ts";
import type { Composition } from "./chain.ts";
import { awayFromKinks, type Smooth } from "./finite-differences.ts";
import type { Fn, Pair, Subject } from "./harness.ts";
import { fitInto } from "./programs.ts";

type Vec = readonly Real[];

/**
 * The subjects the laws check for one primitive.
 * @example
 * const [expPrimitive] = primitives.filter((p) => p.name === "exp");
 * const subjects: PrimitiveSubjects = subjectsFor(expPrimitive);
 * checkChainRule(subjects.scalarChains[0], { runs: 20 }); // => undefined
 */
export interface PrimitiveSubjects {
  /** `P(args)` with args inside the domain and away from kinks (smooth between kinks). */
  readonly vector: Subject<Smooth<Vec, Real>, Vec>;
  /** A scalar function: `P` itself when unary, else `P` along a line through its domain, `t ∈ (−1, 1)`. */
  readonly scalar: Subject<Fn<Real, Real>, number>;
  /** Scalar compositions: `P ∘ g` with `g` a smooth map into the domain, and `h ∘ P` with `h` smooth. */
  readonly scalarChains: readonly Subject<Composition<Real, Real, Real>, number>[];
  /** `P ∘ g` with `g: (−2, 2)ᵏ → domain` mixing its inputs, and `[tanh y, y²] ∘ P`. */
  readonly chains: readonly [Subject<Composition<Vec, Vec, Real>, Vec>, Subject<Composition<Vec, Real, Vec>, Vec>];
  /** `P` beside a companion `g(args) = 3/2 + sin(Σ args)`, which lies in [1/2, 5/2] (for the quotient rule too). */
  readonly pair: Subject<Pair<Vec, Real>, Vec>;
}

/** The interval of argument i. */
const interval = (p: Primitive, i: number): readonly [number, number] => p.domain.args[Math.min(i, p.domain.args.length - 1)];

/**
 * `t ↦ args(t)`: a line through the domain's centre, `t ∈ (−1, 1)`, alternating direction per
 * argument so that it crosses diagonals (where max and min have their kinks).
 */
function line(p: Primitive): (t: Real) => Real[] {
  return (t) =>
    Array.from({ length: p.arity }, (_, i) => {
      const [lo, hi] = interval(p, i);
      return add((lo + hi) / 2, mul((i % 2 === 0 ? 0.45 : -0.3) * (hi - lo), t));
    });
}

const sumReals = (xs: Vec): Real => xs.reduce<Real>((s, x) => add(s, x), 0);

/**
 * The subjects for primitive `p`, from its catalogue entry alone.
 * @example
 * const [tanhPrimitive] = primitives.filter((p) => p.name === "tanh");
 * checkFiniteDifferences(subjectsFor(tanhPrimitive).vector, { runs: 20 }); // => undefined
 */
export function subjectsFor(p: Primitive): PrimitiveSubjects {
  const f = (xs: Vec): Real => p.apply(xs);
  const args = argsOf(p);
  const { kinkDistance } = p.domain;
  const [lo, hi] = interval(p, 0);
  const scalar: Fn<Real, Real> & { readonly domain: readonly [number, number] } =
    p.arity === 1 ? { f: (x) => p.apply([x]), domain: [lo, hi] } : { f: (t) => p.apply(line(p)(t)), domain: [-1, 1] };
  const into = (t: Real): Real => fitInto(scalar.domain[0], scalar.domain[1], t);
  const h = (y: Real): Real => mul(y, tanh(y));
  return {
    vector: kinkDistance === undefined ? { f, x: args } : { f, x: args, smoothOn: awayFromKinks(kinkDistance) },
    scalar: { f: scalar.f, x: nice(scalar.domain[0], scalar.domain[1]) },
    scalarChains: [
      { f: scalar.f, g: into, x: nice(-2, 2) },
      { f: h, g: scalar.f, x: nice(scalar.domain[0], scalar.domain[1]) },
    ],
    chains: [
      {
        f,
        g: (t) => t.map((ti, i) => fitInto(...interval(p, i), add(ti, mul(0.5, t[(i + 1) % t.length])))),
        x: argsOf({ ...p, domain: { args: [[-2, 2]] } }),
      },
      { f: (y) => [tanh(y), square(y)], g: f, x: args },
    ],
    pair: { f, g: (xs) => add(1.5, sin(sumReals(xs))), x: args },
  };
}
