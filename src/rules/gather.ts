// take: rows of an axis gathered by plain integer indices, and its transpose scatterAdd, which adds
// cotangent rows back where they came from (repeated indices accumulate) — each the other's pullback.
import { kernels } from "../backend/index.ts";
import { describe } from "../base/errors.ts";
import { formatShape, normalizeAxis, type Shape } from "../base/shape.ts";
import { bindT, withoutDerivatives } from "../core/bind.ts";
import { payloadOf, type TensorRule, Tracer, type Value } from "../core/protocol.ts";
import { shapeOf } from "../core/value.ts";
import { data, fromData, Tensor, tensor } from "../tensor/tensor.ts";
import { reshapeRule, toFront, transposeRule } from "./axes.ts";
import { materialize } from "./broadcast.ts";
import { atLeastMask, complement } from "./masks.ts";
import { add, mul } from "./scalar.ts";
import { tensorArg } from "./structure.ts";

/** Indices normalized into [0, len), the shape they came in, and the axis they index. */
interface Gather {
  readonly indices: Int32Array;
  readonly indexShape: Shape;
  readonly axis: number;
}

/** The shape of `take`'s result: the axis replaced by the indices' shape. */
const takenShape = (shape: Shape, g: Gather): Shape => [...shape.slice(0, g.axis), ...g.indexShape, ...shape.slice(g.axis + 1)];

const takeRule: TensorRule<Gather> = {
  name: "take",
  value: ([x], g) => {
    const t = x as Tensor;
    return fromData(kernels.take(data(t), t.shape, g.indices, g.axis), takenShape(t.shape, g));
  },
  jvp: (_p, [t], _y, g) => bindT(takeRule, [t!], g),
  vjp: ([x], _y, g) => (ct) => [bindT(scatterAddRule, [ct], { ...g, shape: shapeOf(x!)! })],
  batch: ([x], [axis], g) => [bindT(takeRule, [toFront(x!, axis!)], { ...g, axis: g.axis + 1 }), 0],
};

const scatterAddRule: TensorRule<Gather & { readonly shape: Shape }> = {
  name: "scatterAdd",
  value: ([ct], g) => fromData(kernels.scatterAdd(data(ct as Tensor), g.shape, g.indices, g.axis), g.shape),
  jvp: (_p, [t], _y, g) => bindT(scatterAddRule, [t!], g),
  vjp: (_p, _y, g) => (ct) => [bindT(takeRule, [ct], g)],
  batch: ([ct], [axis], g, size) => [bindT(scatterAddRule, [toFront(ct!, axis!)], { ...g, axis: g.axis + 1, shape: [size, ...g.shape] }), 0],
};

/**
 * Rows of `axis` gathered by plain integer `indices` of any shape (a number, nested arrays, or a
 * Tensor of integers; negative counts from the end, as in NumPy): the result's shape is `t`'s with
 * that axis replaced by the indices' shape. Its gradient adds back into the rows taken (repeated
 * indices accumulate). An index outside [−n, n) is a RangeError.
 * @example
 * take(tensor([10, 20, 30]), [2, 0, -1]); // => tensor([30, 10, 30])
 * take(tensor([[1, 2], [3, 4]]), [1], 1); // => tensor([[2], [4]])
 * grad((t: Tensor) => sum(take(t, [0, 0, 2])))(tensor([0, 0, 0])); // => tensor([2, 0, 1])
 */
export function take(t: Tensor, indices: number | readonly unknown[] | Tensor, axis = 0): Tensor {
  const x = tensorArg(t, "take");
  const shape = shapeOf(x)!;
  const a = normalizeAxis(axis, shape.length, "take", shape);
  if (indices instanceof Tracer) {
    // indices of a level that is not a derivative (vmap's): a gather per example, by its batching rule
    const idx = withoutDerivatives(indices);
    if (idx instanceof Tracer) return bindT(takeByRule, [x as Value, idx], a) as Tensor;
    indices = idx as Tensor;
  }
  let parsed: Tensor;
  try {
    parsed = indices instanceof Tensor ? indices : tensor(indices as number);
  } catch (e) {
    throw new TypeError(`take: the indices must be integers in nested arrays or a Tensor, got ${describe(indices)} (${(e as Error).message})`);
  }
  return bindT(takeRule, [x as Value], gatherOf(data(parsed), parsed.shape, shape, a)) as Tensor;
}

/** A plain tensor of indices, checked and normalized for axis `axis` of `shape`. */
function gatherOf(values: Float64Array, indexShape: Shape, shape: Shape, axis: number): Gather {
  const len = shape[axis]!;
  const normalized = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v) || v < -len || v >= len) {
      throw new RangeError(`take: index ${v} (element ${i} of the indices) is not an integer in [${-len}, ${len}) for axis ${axis} of shape ${formatShape(shape)}`);
    }
    normalized[i] = v < 0 ? v + len : v;
  }
  return { indices: normalized, indexShape, axis };
}

/**
 * take with indices given as an argument (a value of vmap's level: each example has its own), not
 * differentiated in the indices; its transpose is scatterAddBy. Batched, every example's rows are
 * laid end to end along the axis and its indices shifted into its own rows, so one plain take (or
 * scatterAdd) does all the examples.
 */
const takeByRule: TensorRule<number> = {
  name: "take",
  value: ([x, i], axis) => take(x as Tensor, i as Tensor, axis),
  jvp: ([, i], [t], _y, axis) => bindT(takeByRule, [t!, i!], axis),
  vjp: ([x, i], _y, axis) => (ct) => [bindT(scatterAddByRule, [ct, i!], { axis, shape: shapeOf(x!)! }), undefined],
  batch: ([x, i], [ax, ai], axis, size) => {
    if (ai === null) return [take(toFront(x!, ax!) as Tensor, i as Tensor, axis + 1), 0];
    const xs = materialize(x!, ax, size); // [size, …before, n, …after]
    const shape = shapeOf(xs)!;
    const n = shape[axis + 1]!;
    const rest = shape.filter((_, k) => k !== 0 && k !== axis + 1);
    const rows = bindT(reshapeRule, [bindT(transposeRule, [xs], [0, axis + 1, ...range(1, axis + 1), ...range(axis + 2, shape.length)])], [size * n, ...rest]);
    const idx = rowsOf(toFront(i!, ai), n, size);
    const k = shapeOf(idx)!.length - 1;
    const taken = take(rows as Tensor, idx as Tensor, 0); // [size, …idx, …before, …after]
    return [bindT(transposeRule, [taken], [0, ...range(1 + k, 1 + k + axis), ...range(1, 1 + k), ...range(1 + k + axis, k + rest.length + 1)]), 0];
  },
};

const scatterAddByRule: TensorRule<{ readonly axis: number; readonly shape: Shape }> = {
  name: "scatterAdd",
  value: ([ct, i], { axis, shape }) => {
    const g = gatherOf(data(i as Tensor), (i as Tensor).shape, shape, axis);
    return fromData(kernels.scatterAdd(data(ct as Tensor), shape, g.indices, axis), shape);
  },
  jvp: ([, i], [t], _y, p) => bindT(scatterAddByRule, [t!, i!], p),
  vjp: ([, i], _y, { axis }) => (ct) => [bindT(takeByRule, [ct, i!], axis), undefined],
  batch: ([ct, i], [ac, ai], { axis, shape }, size) => {
    const n = shape[axis]!;
    if (ai === null) return [bindT(scatterAddByRule, [toFront(ct!, ac!), i!], { axis: axis + 1, shape: [size, ...shape] }), 0];
    const idx = rowsOf(toFront(i!, ai), n, size);
    const k = shapeOf(idx)!.length - 1;
    const cs = materialize(ct!, ac, size); // [size, …before, …idx, …after]
    const rank = shapeOf(cs)!.length;
    // [size, …idx, …before, …after], as take along axis 0 of the rows lays them out
    const laid = bindT(transposeRule, [cs], [0, ...range(1 + axis, 1 + axis + k), ...range(1, 1 + axis), ...range(1 + axis + k, rank)]);
    const rest = [...shape.slice(0, axis), ...shape.slice(axis + 1)];
    const rows = bindT(scatterAddByRule, [laid, idx], { axis: 0, shape: [size * n, ...rest] });
    const back = bindT(reshapeRule, [rows], [size, n, ...rest]); // [size, n, …before, …after]
    return [bindT(transposeRule, [back], [0, ...range(2, 2 + axis), 1, ...range(2 + axis, rest.length + 2)]), 0];
  },
};

/**
 * Each example's indices (batch axis in front, `size` examples, into an axis of extent `n`) checked
 * and shifted into its own rows of the examples laid end to end: b·n + (i mod n).
 */
function rowsOf(idx: Value, n: number, size: number): Value {
  const values = data(payloadOf(idx) as Tensor);
  for (let j = 0; j < values.length; j++) {
    const v = values[j]!;
    if (!Number.isInteger(v) || v < -n || v >= n) throw new RangeError(`take: index ${v} is not an integer in [${-n}, ${n}) for an axis of extent ${n}`);
  }
  const rank = shapeOf(idx)!.length;
  const offsets = tensor(Array.from({ length: size }, (_, b) => b * n), [size, ...new Array<number>(rank - 1).fill(1)]);
  return add(add(idx, mul(complement(atLeastMask(idx, 0)), n)), offsets);
}

const range = (from: number, to: number): number[] => Array.from({ length: Math.max(0, to - from) }, (_, j) => from + j);
