// The inputs the laws sample: "nice" dyadic numbers (exact in binary, so a law's own arithmetic on them
// adds no rounding), drawn inside each primitive's declared domain and away from its kinks; for tensor
// primitives, tensors of random shapes, with kinks judged over the broadcast tuples.
import fc from "fast-check";
import { type Domain, type Primitive, type Tensor, tensor, type TensorPrimitive } from "../src/index.ts";
import { broadcastKinkDistance, type Shape } from "./broadcast.ts";
import { elementCount, fromElements, sizeOf } from "./trees.ts";

/** Binary digits after the point of a nice number: k / 2⁶, a multiple of 1/64. */
const BITS = 6;

/**
 * A dyadic number k/2^bits strictly inside (lo, hi). With few significant bits, x ± h·v for a dyadic
 * step h is exact, and products and sums of a few of them are too.
 * @example
 * fc.sample(nice(-1, 1), 100).every((x) => x > -1 && x < 1 && Number.isInteger(x * 64)); // => true
 */
export function nice(lo = -2, hi = 2, bits = BITS): fc.Arbitrary<number> {
  const scale = 2 ** bits;
  const min = Math.floor(lo * scale) + 1;
  const max = Math.ceil(hi * scale) - 1;
  if (min > max) throw new RangeError(`nice: no multiple of 2^-${bits} strictly inside (${lo}, ${hi})`);
  return fc.integer({ min, max }).map((k) => k / scale);
}

/**
 * A tangent or cotangent leaf: nice in (−2, 2).
 * @example
 * fc.sample(niceDirection, 50).every((v) => Math.abs(v) < 2); // => true
 */
export const niceDirection: fc.Arbitrary<number> = nice(-2, 2);

/**
 * A scalar coefficient for the linearity laws: nice in (−2, 2).
 * @example
 * fc.sample(niceCoefficient, 50).every((a) => Math.abs(a) < 2 && Number.isInteger(a * 16)); // => true
 */
export const niceCoefficient: fc.Arbitrary<number> = nice(-2, 2, 4);

/**
 * How far from a kink samples stay, as a distance in the primitive's kinkDistance units.
 * @example
 * KINK_MARGIN; // => 1 / 16
 * const [absPrimitive] = primitives.filter((p) => p.name === "abs");
 * fc.sample(argsOf(absPrimitive), 50).every(([x]) => Math.abs(x) >= KINK_MARGIN); // => true
 */
export const KINK_MARGIN = 1 / 16;

/**
 * Arguments for a domain: one nice number per interval (the last interval repeats if there are more
 * arguments than intervals), at least `kinkMargin` from every kink.
 * @example
 * fc.sample(inDomain({ args: [[0, 1]] }, 2), 20).every((xs) => xs.length === 2 && xs.every((x) => x > 0 && x < 1)); // => true
 */
export function inDomain(domain: Domain, arity: number, kinkMargin = KINK_MARGIN): fc.Arbitrary<number[]> {
  const intervals = Array.from({ length: arity }, (_, i) => domain.args[Math.min(i, domain.args.length - 1)]);
  const args = fc.tuple(...intervals.map(([lo, hi]) => nice(lo, hi)));
  const { kinkDistance } = domain;
  return kinkDistance === undefined ? args : args.filter((xs) => kinkDistance(xs) >= kinkMargin);
}

/**
 * A primitive's arguments, from the catalogue's declared domain: the table drives the sampling.
 * @example
 * const [logPrimitive] = primitives.filter((p) => p.name === "log");
 * fc.sample(argsOf(logPrimitive), 50).every(([x]) => x > 0); // => true
 */
export const argsOf = (p: Primitive, kinkMargin = KINK_MARGIN): fc.Arbitrary<number[]> => inDomain(p.domain, p.arity, kinkMargin);

/**
 * A tree shaped like `like` with numbers drawn from `leaf` (a tensor leaf gets a tensor of its shape):
 * a tangent for an input, a cotangent for an output.
 * @example
 * const [v] = fc.sample(treeLike({ w: [0, 0], b: tensor([0, 0, 0]) }), 1);
 * [v.w.length, v.b.shape]; // => [2, [3]]
 */
export function treeLike<T>(like: T, leaf: fc.Arbitrary<number> = niceDirection): fc.Arbitrary<T> {
  const n = elementCount(like);
  return fc.array(leaf, { minLength: n, maxLength: n }).map((ls) => fromElements(like, ls) as T);
}

/**
 * A tensor of `shape` whose elements are nice numbers drawn from `element` (default: inside (−2, 2)).
 * @example
 * fc.sample(tensorOf([2, 3]), 5).every((t) => t.size === 6); // => true
 */
export function tensorOf(shape: Shape, element: fc.Arbitrary<number> = nice(-2, 2)): fc.Arbitrary<Tensor> {
  const n = sizeOf(shape);
  return fc.array(element, { minLength: n, maxLength: n }).map((xs) => tensor(xs, shape));
}

/**
 * Where a tensor primitive's arguments are drawn.
 * @example
 * const [addPrimitive] = tensorPrimitives.filter((p) => p.name === "add [a,b]⊕[b]");
 * const options: TensorArgsOptions = { extents: [2, 2] };
 * fc.sample(tensorArgsOf(addPrimitive, options), 5).every(([a]) => a.shape[0] === 2 && a.shape[1] === 2); // => true
 */
export interface TensorArgsOptions {
  /** The least and greatest random extent (default 1 and 3). */
  readonly extents?: readonly [number, number];
  /** Least kink distance over the broadcast tuples (default KINK_MARGIN; 0 or less: kinks allowed). */
  readonly kinkMargin?: number;
  /** Element intervals to use instead of the primitive's own (e.g. the (−2, 2) before a map into it). */
  readonly domain?: Domain;
}

/**
 * Random extents for a tensor primitive: `p.dims` integers in [lo, hi].
 * @example
 * const [matmulPrimitive] = tensorPrimitives.filter((p) => p.name === "matmul [n,k]×[k,m]");
 * fc.sample(extentsOf(matmulPrimitive), 20).every((d) => d.length === 3 && d.every((e) => e >= 1 && e <= 3)); // => true
 */
export const extentsOf = (p: Pick<TensorPrimitive, "dims">, [lo, hi]: readonly [number, number] = [1, 3]): fc.Arbitrary<number[]> =>
  fc.array(fc.integer({ min: lo, max: hi }), { minLength: p.dims, maxLength: p.dims });

/**
 * A tensor primitive's arguments: shapes from random extents (`p.shapes(d)`, broadcasting patterns
 * included), elements nice inside each argument's interval, and, when the primitive has kinks, at
 * least `kinkMargin` from every kink over the tuples of elements that broadcasting pairs up.
 * @example
 * const [addPrimitive] = tensorPrimitives.filter((p) => p.name === "add [a,b]⊕[b]");
 * fc.sample(tensorArgsOf(addPrimitive), 5).every(([a, b]) => a.shape[1] === b.shape[0]); // => true
 */
export function tensorArgsOf(p: TensorPrimitive, options: TensorArgsOptions = {}): fc.Arbitrary<Tensor[]> {
  const { extents = [1, 3], kinkMargin = KINK_MARGIN, domain = p.domain } = options;
  const args = extentsOf(p, extents).chain((d) =>
    fc.tuple(
      ...p.shapes(d).map((s, i) => {
        const [lo, hi] = domain.args[Math.min(i, domain.args.length - 1)];
        return tensorOf(s, nice(lo, hi));
      }),
    ),
  );
  const { kinkDistance } = domain;
  return kinkDistance === undefined || kinkMargin <= 0 ? args : args.filter((xs) => broadcastKinkDistance(kinkDistance, xs) >= kinkMargin);
}
