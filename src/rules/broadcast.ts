// Broadcasting as two linear primitives: a value broadcast up to a shape (its tangent is broadcast
// too, its pullback sums back) and a value summed down to one (the reverse). Elementwise rules use
// them in both directions.
import { sameShape, type Shape } from "../base/shape.ts";
import { bindT } from "../core/bind.ts";
import type { TensorRule, Value } from "../core/protocol.ts";
import { shapeOf } from "../core/value.ts";
import { broadcastToPlain, sumToPlain } from "../tensor/layout.ts";

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
  vjp: ([x]) => (ct) => [fit(ct, shapeOf(x))],
};

// Broadcasting is linear: its tangent is broadcast too, its pullback sums back.
const broadcastToRule: TensorRule<Shape> = {
  name: "broadcastTo",
  value: ([x], shape) => broadcastToPlain(x, shape),
  jvp: (_p, [t], _y, shape) => broadcastTo(t!, shape),
  vjp: ([x]) => (ct) => [sumTo(ct, shapeOf(x))],
};
