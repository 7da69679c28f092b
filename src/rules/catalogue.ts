// The catalogues of primitives, scalar and tensor, for the laws and table-driven tests, made from the
// rule tables themselves: a primitive added to a table is covered by every such test and law with no
// new test. Tensor primitives come with argument shapes made from a few random extents
// (broadcasting included), how to apply them, and where their elements are smooth.
import type { Shape } from "../base/shape.ts";
import { describe, firstBad } from "../base/errors.ts";
import type { Domain, Real } from "../core/protocol.ts";
import { type Tensor, tensor } from "../tensor/tensor.ts";
import { binaryOp, unaryOp } from "./define.ts";
import { matmul } from "./linalg.ts";
import { conv2d } from "./conv.ts";
import { avgPool2d, maxPool2d } from "./pool.ts";
import { amax, amin, logSumExp, mean, softmax, sum, variance } from "./reduce.ts";
import { take } from "./gather.ts";
import { where } from "./masks.ts";
import { add, applySum, binaryRules, dot, unaryRules } from "./scalar.ts";
import { broadcastTo, concat, expandDims, reshape, slice, squeeze, stack, tensorArg, transpose } from "./structure.ts";

/** `f` behind a check that its argument is an array of at least `n` (an entry is public: anyone may call it). */
function checked<A, R>(name: string, what: string, n: number, f: (xs: readonly A[]) => R, numbers = false): (xs: readonly A[]) => R {
  return (xs) => {
    if (!Array.isArray(xs) || xs.length < n) throw new TypeError(`${name}: ${what} expects an array of ${n}, got ${describe(xs)}`);
    const bad = numbers ? firstBad(xs.slice(0, n), (d) => Number.isInteger(d) && (d as number) >= 0) : -1;
    if (bad >= 0) throw new RangeError(`${name}: ${what} expects extents (integers >= 0), got ${describe(xs[bad])} at [${bad}]`);
    return f(xs);
  };
}

/**
 * A primitive as the laws and tests see it: how to apply it to sampled arguments, and where.
 * @example
 * const p: Primitive | undefined = primitives.find((q) => q.name === "pow");
 * [p?.arity, p?.apply([2, 3])]; // => [2, 8]
 */
export interface Primitive {
  readonly name: string;
  /** How many arguments to sample. */
  readonly arity: number;
  readonly apply: (args: readonly Real[]) => Real;
  readonly domain: Domain;
}

/**
 * The catalogue of scalar primitives, from the rule table itself: a primitive added to the table
 * is covered by every table-driven test and law with no new test.
 * @example
 * primitives.map((p) => p.name).includes("sin"); // => true
 * primitives.find((p) => p.name === "mul")?.apply([3, 4]); // => 12
 */
export const primitives: readonly Primitive[] = Object.freeze(([
  ...Object.values(unaryRules).map((rule): Primitive => {
    const op = unaryOp(rule);
    return { name: rule.name, arity: 1, apply: (xs) => op(xs[0]), domain: rule.domain };
  }),
  ...Object.values(binaryRules).map((rule): Primitive => {
    const op = binaryOp(rule);
    return { name: rule.name, arity: 2, apply: (xs) => op(xs[0], xs[1]), domain: rule.domain };
  }),
  { name: "sum", arity: 3, apply: (xs) => applySum(xs), domain: { args: [[-4, 4], [-4, 4], [-4, 4]] } },
  { name: "dot", arity: 4, apply: (xs) => dot([xs[0], xs[1]], [xs[2], xs[3]]), domain: { args: [[-4, 4], [-4, 4], [-4, 4], [-4, 4]] } },
] as Primitive[]).map((p): Primitive => Object.freeze({ ...p, apply: checked(p.name, "apply", p.arity, p.apply) })));

/**
 * A tensor primitive for tests and laws.
 * @example
 * const t: TensorPrimitive | undefined = tensorPrimitives.find((p) => p.name === "transpose");
 * t?.apply([tensor([[1, 2]])]); // => tensor([[1], [2]])
 */
export interface TensorPrimitive {
  readonly name: string;
  /** How many random extents (each ≥ 1) `shapes` takes. */
  readonly dims: number;
  /** The arguments' shapes for extents `d`. */
  readonly shapes: (d: readonly number[]) => readonly Shape[];
  readonly apply: (args: readonly Tensor[]) => Tensor | Real;
  /** Element intervals per argument, and the distance to a kink, as for the scalar primitives. */
  readonly domain: Domain;
}

const op = (name: string) => primitives.find((p) => p.name === name)!;
const plane: Domain = { args: [[-2, 2], [-2, 2]] };
const line: Domain = { args: [[-2, 2]] };

/** Each binary rule under three broadcasting patterns: equal shapes, a row, and an outer product. */
const broadcasts: readonly [string, (d: readonly number[]) => readonly Shape[]][] = [
  ["[a,b]⊕[a,b]", ([a, b]) => [[a, b], [a, b]]],
  ["[a,b]⊕[b]", ([a, b]) => [[a, b], [b]]],
  ["[a,1]⊕[1,b]", ([a, b]) => [[a, 1], [1, b]]],
];

/**
 * The catalogue of tensor primitives (with the argument shapes to draw), for table-driven tests and laws.
 * @example
 * const m = tensorPrimitives.find((p) => p.name === "matmul [n,k]×[k,m]");
 * m?.shapes([2, 3, 4]); // => [[2, 3], [3, 4]]
 */
export const tensorPrimitives: readonly TensorPrimitive[] = Object.freeze(([
  ...Object.values(unaryRules).map((rule): TensorPrimitive => {
    const p = op(rule.name);
    return { name: rule.name, dims: 2, shapes: ([a, b]) => [[a, b]], apply: ([t]) => p.apply([t as unknown as Real]) as unknown as Tensor, domain: rule.domain };
  }),
  ...Object.values(binaryRules).flatMap((rule) =>
    broadcasts.map(([pattern, shapes]): TensorPrimitive => {
      const p = op(rule.name);
      return {
        name: `${rule.name} ${pattern}`,
        dims: 2,
        shapes,
        apply: ([x, y]) => p.apply([x as unknown as Real, y as unknown as Real]) as unknown as Tensor,
        domain: rule.domain,
      };
    }),
  ),
  { name: "matmul [n,k]×[k,m]", dims: 3, shapes: ([n, k, m]) => [[n, k], [k, m]], apply: ([a, b]) => matmul(a, b), domain: plane },
  { name: "matmul [k]×[k,m]", dims: 2, shapes: ([k, m]) => [[k], [k, m]], apply: ([a, b]) => matmul(a, b), domain: plane },
  { name: "matmul [n,k]×[k]", dims: 2, shapes: ([n, k]) => [[n, k], [k]], apply: ([a, b]) => matmul(a, b), domain: plane },
  { name: "transpose", dims: 2, shapes: ([a, b]) => [[a, b]], apply: ([t]) => transpose(t), domain: line },
  { name: "reshape", dims: 2, shapes: ([a, b]) => [[a, b]], apply: ([t]) => reshape(t, [tensorArg(t, "reshape").shape[1], -1]), domain: line },
  { name: "sum", dims: 2, shapes: ([a, b]) => [[a, b]], apply: ([t]) => sum(t), domain: line },
  { name: "sum axis 0", dims: 2, shapes: ([a, b]) => [[a, b]], apply: ([t]) => sum(t, 0), domain: line },
  { name: "mean axis -1", dims: 2, shapes: ([a, b]) => [[a, b]], apply: ([t]) => mean(t, -1), domain: line },
  { name: "logSumExp", dims: 2, shapes: ([a, b]) => [[a, b]], apply: ([t]) => logSumExp(t), domain: line },
  { name: "logSumExp axis 1", dims: 2, shapes: ([a, b]) => [[a, b]], apply: ([t]) => logSumExp(t, 1), domain: line },
  { name: "softmax", dims: 2, shapes: ([a, b]) => [[a, b]], apply: ([t]) => softmax(t), domain: line },
  { name: "softmax axis 0", dims: 2, shapes: ([a, b]) => [[a, b]], apply: ([t]) => softmax(t, 0), domain: line },
  { name: "slice axis 1", dims: 2, shapes: ([a, b]) => [[a, b + 1]], apply: ([t]) => slice(t, 1, undefined, 1), domain: line },
  { name: "slice axis 0, negative", dims: 2, shapes: ([a, b]) => [[a + 1, b]], apply: ([t]) => slice(t, 0, -1), domain: line },
  { name: "concat axis 1", dims: 3, shapes: ([a, b, c]) => [[a, b], [a, c]], apply: ([x, y]) => concat([x, y], 1), domain: plane },
  // amax and amin away from ties: a ramp of steps far larger than the domain keeps the elements apart
  { name: "amax", dims: 2, shapes: ([a, b]) => [[a, b]], apply: ([t]) => amax(apart(t)), domain: line },
  { name: "amax axis 0", dims: 2, shapes: ([a, b]) => [[a, b]], apply: ([t]) => amax(apart(t), 0), domain: line },
  { name: "amin axis -1", dims: 2, shapes: ([a, b]) => [[a, b]], apply: ([t]) => amin(apart(t), -1), domain: line },
  { name: "variance", dims: 2, shapes: ([a, b]) => [[a, b]], apply: ([t]) => variance(t), domain: line },
  { name: "variance axis 1", dims: 2, shapes: ([a, b]) => [[a, b]], apply: ([t]) => variance(t, 1), domain: line },
  { name: "take axis 0, repeated and negative", dims: 2, shapes: ([a, b]) => [[a + 1, b]], apply: ([t]) => take(t, [0, -1, 0], 0), domain: line },
  { name: "take axis 1", dims: 2, shapes: ([a, b]) => [[a, b + 1]], apply: ([t]) => take(t, [1, 0, 1], 1), domain: line },
  { name: "take, 2-D indices", dims: 1, shapes: ([a]) => [[a + 1]], apply: ([t]) => take(t, [[0, -1], [1, 0]]), domain: line },
  { name: "stack axis 1", dims: 1, shapes: ([a]) => [[a], [a]], apply: ([x, y]) => stack([x, y], 1), domain: plane },
  { name: "expandDims axis 0", dims: 1, shapes: ([a]) => [[a]], apply: ([t]) => expandDims(t, 0), domain: line },
  { name: "squeeze axis 1", dims: 1, shapes: ([a]) => [[a, 1]], apply: ([t]) => squeeze(t, 1), domain: line },
  { name: "broadcastTo [a,1] to [a,3]", dims: 1, shapes: ([a]) => [[a, 1]], apply: ([t]) => broadcastTo(t, [t.shape[0]!, 3]), domain: line },
  { name: "broadcastTo [a] to [2,a]", dims: 1, shapes: ([a]) => [[a]], apply: ([t]) => broadcastTo(t, [2, t.shape[0]!]), domain: line },
  // convolution and pooling, on matrices seen as NHWC images (so random programs, which draw ranks up to
  // 2, use them too): a channel-mixing 1×1 kernel, images, strides, dilations and each padding
  { name: "conv2d 2×2 valid", dims: 2, shapes: ([h, w]) => [[h + 1, w + 1], [2, 2]], apply: ([x, k]) => image(conv2d(nhwc(x, 1, 1), reshape(k, [2, 2, 1, 1]))), domain: plane },
  { name: "conv2d 1×1, 3 channels to 2, stride 2, same", dims: 1, shapes: ([h]) => [[h, 3], [3, 2]], apply: ([x, k]) => image(conv2d(reshape(x, [1, -1, 1, 3]), reshape(k, [1, 1, 3, 2]), { stride: 2, padding: "same" })), domain: plane },
  { name: "conv2d dilation [1,2], same, 2 images", dims: 1, shapes: ([w]) => [[2, w], [1, 2]], apply: ([x, k]) => image(conv2d(reshape(x, [2, 1, -1, 1]), reshape(k, [1, 2, 1, 1]), { dilation: [1, 2], padding: "same" })), domain: plane },
  { name: "conv2d stride [2,1], explicit padding", dims: 2, shapes: ([h, w]) => [[h, w], [3, 2]], apply: ([x, k]) => image(conv2d(nhwc(x, 1, 1), reshape(k, [3, 2, 1, 1]), { stride: [2, 1], padding: [[1, 1], [0, 1]] })), domain: plane },
  // maxPool2d away from ties, as amax
  { name: "maxPool2d 2×2, stride 1, same", dims: 2, shapes: ([h, w]) => [[h, w]], apply: ([x]) => image(maxPool2d(nhwc(apart(x), 1, 1), 2, { stride: 1, padding: "same" })), domain: line },
  { name: "maxPool2d [2,1], stride 1, same, 2 channels", dims: 1, shapes: ([h]) => [[h, 2]], apply: ([x]) => image(maxPool2d(reshape(apart(x), [1, -1, 1, 2]), [2, 1], { stride: 1, padding: "same" })), domain: line },
  { name: "avgPool2d [2,3], stride [1,2], same", dims: 2, shapes: ([h, w]) => [[h, w]], apply: ([x]) => image(avgPool2d(nhwc(x, 1, 1), [2, 3], { stride: [1, 2], padding: "same" })), domain: line },
  { name: "where, a checkerboard", dims: 2, shapes: ([a, b]) => [[a, b], [a, b]], apply: ([x, y]) => where(checkerboard(x.shape), x, y) as Tensor, domain: plane },
] as TensorPrimitive[]).map((p): TensorPrimitive => {
  const fixed = fixedShapes(p);
  return Object.freeze({
    ...p,
    shapes: checked(p.name, "shapes", p.dims, p.shapes, true),
    apply: checked(p.name, "apply", fixed.length, (ts) => p.apply(tensorsIn(ts, p.name, fixed))),
  });
}));

/** What `shapes` fixes about each argument: its rank, each extent's least value (at extents of 1), and whether it is the same whatever the extents. */
function fixedShapes(p: TensorPrimitive): readonly (readonly { readonly least: number; readonly fixed: boolean }[])[] {
  const [ones, twos] = [1, 2].map((d) => p.shapes(new Array<number>(p.dims).fill(d)));
  return ones!.map((s, i) => s.map((d, k) => ({ least: d, fixed: d === twos![i]![k] })));
}

/** The entry's arguments, each a Tensor of a shape its `shapes` could give, or an error naming the entry. */
function tensorsIn(ts: readonly unknown[], name: string, like: ReturnType<typeof fixedShapes>): readonly Tensor[] {
  const out: Tensor[] = [];
  for (let i = 0; i < ts.length; i++) {
    const t = tensorArg(ts[i], name, `argument at [${i}]`);
    const want = like[i];
    const shape = t.shape;
    if (want !== undefined && (shape.length !== want.length || want.some((e, k) => (e.fixed ? shape[k] !== e.least : shape[k]! < e.least)))) {
      const wanted = want.map((e) => (e.fixed ? `${e.least}` : `≥${e.least}`)).join(",");
      throw new RangeError(`${name}: the argument at [${i}] must have a shape like [${wanted}], got [${shape.join(",")}]`);
    }
    out.push(t);
  }
  return out;
}

/** `t` plus 10·(its flat index): elements 10 apart, so no two are within the sampling domain of each other. */
const apart = (t: Tensor): Tensor => add(t, tensor(Array.from({ length: t.shape.reduce((p, d) => p * d, 1) }, (_, i) => 10 * i), t.shape)) as Tensor;

/** A matrix [rows, cols] as NHWC images: `images` of rows/images × cols/channels, with `channels` channels. */
const nhwc = (t: Tensor, images: number, channels: number): Tensor => reshape(t, [images, t.shape[0]! / images, t.shape[1]! / channels, channels]);

/** NHWC images back as a matrix: images·height rows of width·channels. */
const image = (t: Tensor): Tensor => reshape(t, [t.shape[0]! * t.shape[1]!, t.shape[2]! * t.shape[3]!]);

/** Alternating 1 and 0 in row-major order. */
const checkerboard = (shape: Shape): Tensor => tensor(Array.from({ length: shape.reduce((p, d) => p * d, 1) }, (_, i) => (i % 2 === 0 ? 1 : 0)), shape);
