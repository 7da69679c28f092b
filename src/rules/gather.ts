// take: rows of an axis gathered by plain integer indices, and its transpose scatterAdd, which adds
// cotangent rows back where they came from (repeated indices accumulate) — each the other's pullback.
import { kernels } from "../backend/index.ts";
import { describe } from "../base/errors.ts";
import { formatShape, normalizeAxis, type Shape } from "../base/shape.ts";
import { bindT } from "../core/bind.ts";
import { type TensorRule, Tracer, type Value } from "../core/protocol.ts";
import { shapeOf } from "../core/value.ts";
import { data, fromData, Tensor, tensor } from "../tensor/tensor.ts";
import { toFront } from "./axes.ts";
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
 */
export function take(t: Tensor, indices: number | readonly unknown[] | Tensor, axis = 0): Tensor {
  const x = tensorArg(t, "take");
  const shape = shapeOf(x)!;
  const a = normalizeAxis(axis, shape.length, "take", shape);
  if (indices instanceof Tracer) {
    throw new TypeError("take: the indices must be plain integers (a number, an array or a Tensor), not a value from a transform");
  }
  let parsed: Tensor;
  try {
    parsed = indices instanceof Tensor ? indices : tensor(indices as number);
  } catch (e) {
    throw new TypeError(`take: the indices must be integers in nested arrays or a Tensor, got ${describe(indices)} (${(e as Error).message})`);
  }
  const values = data(parsed);
  const len = shape[a]!;
  const normalized = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v) || v < -len || v >= len) {
      throw new RangeError(`take: index ${v} (element ${i} of the indices) is not an integer in [${-len}, ${len}) for axis ${a} of shape ${formatShape(shape)}`);
    }
    normalized[i] = v < 0 ? v + len : v;
  }
  const g: Gather = { indices: normalized, indexShape: parsed.shape, axis: a };
  return bindT(takeRule, [x as Value], g) as Tensor;
}
