// The two primitives that only move elements, reshape and transpose, kept lowest among the rules:
// every batching rule uses them to bring a batch axis to the front. Each is linear, its own tangent;
// its pullback undoes it.
import type { Shape } from "../base/shape.ts";
import { bindT } from "../core/bind.ts";
import type { TensorRule, Value } from "../core/protocol.ts";
import { shapeOf } from "../core/value.ts";
import { transposePlain } from "../tensor/layout.ts";
import { data, fromData, type Tensor } from "../tensor/tensor.ts";

export const reshapeRule: TensorRule<Shape> = {
  name: "reshape",
  value: ([x], shape) => fromData(data(x as Tensor), shape), // immutable data can be shared
  jvp: (_p, [t], _y, shape) => bindT(reshapeRule, [t!], shape),
  vjp: ([x]) => (ct) => [bindT(reshapeRule, [ct], shapeOf(x!)!)],
  // each example's elements stay together once the batch axis is in front
  batch: ([x], [axis], shape, size) => [bindT(reshapeRule, [toFront(x!, axis!)], [size, ...shape]), 0],
};

export const transposeRule: TensorRule<readonly number[]> = {
  name: "transpose",
  value: ([x], perm) => transposePlain(x as Tensor, perm),
  jvp: (_p, [t], _y, perm) => bindT(transposeRule, [t!], perm),
  vjp: (_p, _y, perm) => {
    const inverse = new Array<number>(perm.length);
    perm.forEach((p, k) => (inverse[p] = k));
    return (ct) => [bindT(transposeRule, [ct], inverse)];
  },
  batch: ([x], [axis], perm) => [bindT(transposeRule, [toFront(x!, axis!)], [0, ...perm.map((p) => p + 1)]), 0],
};

/** `x` with its axis `axis` moved to the front (the batch axis, for the batching rules). */
export function toFront(x: Value, axis: number): Value {
  if (axis === 0) return x;
  const rank = shapeOf(x)!.length;
  const perm = [axis];
  for (let k = 0; k < rank; k++) if (k !== axis) perm.push(k);
  return bindT(transposeRule, [x], perm);
}

/** `x` with its front axis moved to `axis`. */
export function fromFront(x: Value, axis: number): Value {
  if (axis === 0) return x;
  const rank = shapeOf(x)!.length;
  const perm: number[] = [];
  for (let k = 1; k < rank; k++) {
    if (perm.length === axis) perm.push(0);
    perm.push(k);
  }
  if (perm.length === axis) perm.push(0);
  return bindT(transposeRule, [x], perm);
}

/** `x` (batch axis in front) reshaped to `[size, …1, …rest]` with `rank` axes after the batch axis. */
export function padRank(x: Value, rank: number): Value {
  const shape = shapeOf(x)!;
  const missing = rank - (shape.length - 1);
  if (missing <= 0) return x;
  return bindT(reshapeRule, [x], [shape[0], ...new Array<number>(missing).fill(1), ...shape.slice(1)]);
}
