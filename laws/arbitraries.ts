// The inputs the laws sample: "nice" dyadic numbers (exact in binary, so a law's own arithmetic on them
// adds no rounding), drawn inside each primitive's declared domain and away from its kinks.
import fc from "fast-check";
import type { Domain, Primitive } from "../src/index.ts";
import { leavesOf, rebuild } from "./trees.ts";

/** Binary digits after the point of a nice number: k / 2⁶, a multiple of 1/64. */
const BITS = 6;

/**
 * A dyadic number k/2^bits strictly inside (lo, hi). With few significant bits, x ± h·v for a dyadic
 * step h is exact, and products and sums of a few of them are too.
 */
export function nice(lo = -2, hi = 2, bits = BITS): fc.Arbitrary<number> {
  const scale = 2 ** bits;
  const min = Math.floor(lo * scale) + 1;
  const max = Math.ceil(hi * scale) - 1;
  if (min > max) throw new RangeError(`nice: no multiple of 2^-${bits} strictly inside (${lo}, ${hi})`);
  return fc.integer({ min, max }).map((k) => k / scale);
}

/** A tangent or cotangent leaf: nice in (−2, 2). */
export const niceDirection: fc.Arbitrary<number> = nice(-2, 2);

/** A scalar coefficient for the linearity laws: nice in (−2, 2). */
export const niceCoefficient: fc.Arbitrary<number> = nice(-2, 2, 4);

/** How far from a kink samples stay, as a distance in the primitive's kinkDistance units. */
export const KINK_MARGIN = 1 / 16;

/**
 * Arguments for a domain: one nice number per interval (the last interval repeats if there are more
 * arguments than intervals), at least `kinkMargin` from every kink.
 */
export function inDomain(domain: Domain, arity: number, kinkMargin = KINK_MARGIN): fc.Arbitrary<number[]> {
  const intervals = Array.from({ length: arity }, (_, i) => domain.args[Math.min(i, domain.args.length - 1)]);
  const args = fc.tuple(...intervals.map(([lo, hi]) => nice(lo, hi)));
  const { kinkDistance } = domain;
  return kinkDistance === undefined ? args : args.filter((xs) => kinkDistance(xs) >= kinkMargin);
}

/** A primitive's arguments, from the catalogue's declared domain: the table drives the sampling. */
export const argsOf = (p: Primitive, kinkMargin = KINK_MARGIN): fc.Arbitrary<number[]> => inDomain(p.domain, p.arity, kinkMargin);

/** A tree shaped like `like` with leaves drawn from `leaf`: a tangent for an input, a cotangent for an output. */
export function treeLike<T>(like: T, leaf: fc.Arbitrary<number> = niceDirection): fc.Arbitrary<T> {
  const n = leavesOf(like).length;
  return fc.array(leaf, { minLength: n, maxLength: n }).map((ls) => rebuild(like, ls) as T);
}
