// Broadcasting as two linear primitives: a value broadcast up to a shape (its tangent is broadcast
// too, its pullback sums back) and a value summed down to one (the reverse). Elementwise rules use
// them in both directions. Also how batching lines arguments up: batch axes in front, ranks padded.
import { sameShape, type Shape } from "../base/shape.ts";
import { bindT } from "../core/bind.ts";
import type { TensorRule, Value } from "../core/protocol.ts";
import { shapeOf } from "../core/value.ts";
import { broadcastToPlain, sumToPlain } from "../tensor/layout.ts";
import { padRank, reshapeRule, toFront } from "./axes.ts";

const sameTarget = (a: Shape | null, b: Shape | null): boolean =>
  a === null || b === null ? a === b : sameShape(a, b);

/** `x` summed down to `target` (null: to a scalar), the reverse of broadcasting. */
export function sumTo(x: Value, target: Shape | null): Value {
  return sameTarget(shapeOf(x), target) ? x : bindT(sumToRule, [x], target);
}

/** `x` broadcast up to `shape`. */
export function broadcastTo(x: Value, shape: Shape): Value {
  return sameTarget(shapeOf(x), shape) ? x : bindT(broadcastToRule, [x], shape);
}

/** A value fitted to a result's shape (a scalar result takes scalars as they are). */
export const fit = (x: Value, shape: Shape | null): Value => (shape === null ? x : broadcastTo(x, shape));

// Σ over broadcast axes is linear: its tangent is the same sum, its pullback a broadcast.
const sumToRule: TensorRule<Shape | null> = {
  name: "sumTo",
  value: ([x], target) => (typeof x === "number" ? x : sumToPlain(x, target)),
  jvp: (_p, [t], _y, target) => sumTo(t!, target),
  vjp: ([x]) => (ct) => [fit(ct, shapeOf(x!))],
  // each example summed down on its own: the target gets the batch axis in front, after the same padding
  batch: ([x], [axis], target, size) => {
    const front = toFront(x!, axis!);
    const rank = shapeOf(front)!.length - 1;
    const t = target ?? [];
    const padded = [size, ...new Array<number>(rank - t.length).fill(1), ...t];
    return [bindT(reshapeRule, [sumTo(front, padded)], [size, ...t]), 0];
  },
};

// Broadcasting is linear: its tangent is broadcast too, its pullback sums back.
const broadcastToRule: TensorRule<Shape> = {
  name: "broadcastTo",
  value: ([x], shape) => broadcastToPlain(x!, shape),
  jvp: (_p, [t], _y, shape) => broadcastTo(t!, shape),
  vjp: ([x]) => (ct) => [sumTo(ct, shapeOf(x!))],
  batch: ([x], [axis], shape, size) => [broadcastTo(padRank(toFront(x!, axis!), shape.length), [size, ...shape]), 0],
};

/**
 * Elementwise arguments lined up for one batched computation: each batched one with its batch axis
 * in front and padded to the largest example rank (so NumPy broadcasting, which aligns trailing
 * axes, pairs example with example); shared ones as they are. The result's batch axis is 0.
 */
export function alignBatched(args: readonly Value[], axes: readonly (number | null)[]): Value[] {
  let rank = 0;
  args.forEach((a, i) => {
    const r = shapeOf(a)?.length ?? 0;
    rank = Math.max(rank, axes[i] === null ? r : r - 1);
  });
  return args.map((a, i) => (axes[i] === null ? a : padRank(toFront(a, axes[i]!), rank)));
}

/** An argument with its examples along axis 0: moved there, or (shared) repeated `size` times. */
export function materialize(x: Value, axis: number | null, size: number): Value {
  if (axis !== null) return toFront(x, axis);
  const shape = shapeOf(x);
  if (shape === null) return broadcastTo(x, [size]);
  return broadcastTo(bindT(reshapeRule, [x], [1, ...shape]), [size, ...shape]);
}
