// Elementwise rules on tensors, made from the scalar rules: the same partials, with broadcasting's
// forward (a tangent broadcast to the result's shape) and its reverse (a cotangent summed back to
// each operand's shape). Also the structural primitives broadcasting needs, and select.
import { add } from "./scalar.ts";
import { applyT, binaryOnTensors, d1, da, db, scale, unaryOnTensor } from "../core/apply.ts";
import { type Payload, payloadOf, shapeOf, type Value } from "../core/value.ts";
import { guardMask } from "../jit/recorder.ts";
import { elementwise } from "../tensor/elementwise.ts";
import type { ElementOp } from "../backend/expr.ts";
import { broadcastToPlain, sumToPlain } from "../tensor/layout.ts";
import { type Tensor } from "../tensor/tensor.ts";
import { sameShape, type Shape } from "../base/shape.ts";
import type { BinaryRule, TensorRule, UnaryRule } from "./define.ts";

const sameTarget = (a: Shape | null, b: Shape | null): boolean =>
  a === null || b === null ? a === b : sameShape(a, b);

/** `x` summed down to `target` (null: to a scalar), the reverse of broadcasting. */
export function sumTo(x: Value, target: Shape | null): Value {
  return sameTarget(shapeOf(x), target) ? x : applyT(sumToRule, [x], target);
}

/** `x` broadcast up to `shape`. */
export function broadcastTo(x: Value, shape: Shape): Value {
  return sameTarget(shapeOf(x), shape) ? x : applyT(broadcastToRule, [x], shape);
}

/** A value fitted to a result's shape (a scalar result takes scalars as they are). */
const fit = (x: Value, shape: Shape | null): Value => (shape === null ? x : broadcastTo(x, shape));

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

const unaryCache = new WeakMap<UnaryRule, TensorRule<undefined>>();
const binaryCache = new WeakMap<BinaryRule, TensorRule<undefined>>();

/** The tensor rule of a unary scalar rule: tangent ∂⊙t, cotangent ∂⊙ct. */
export function elementwise1(rule: UnaryRule): TensorRule<undefined> {
  let t = unaryCache.get(rule);
  if (t === undefined) {
    t = {
      name: rule.name,
      value: ([x]) => (typeof x === "number" ? rule.value(x) : unaryOnTensor(rule, x)),
      jvp: ([x], [t], y) => scale(d1(rule, x, y), t!),
      vjp: ([x], y) => (ct) => [scale(d1(rule, x, y), ct)],
    };
    unaryCache.set(rule, t);
  }
  return t;
}

/** The tensor rule of a binary scalar rule, with broadcasting in both directions. */
export function elementwise2(rule: BinaryRule): TensorRule<undefined> {
  let t = binaryCache.get(rule);
  if (t === undefined) {
    t = {
      name: rule.name,
      value: ([a, b]) =>
        typeof a === "number" && typeof b === "number" ? rule.value(a, b) : binaryOnTensors(rule, a, b),
      jvp: ([a, b], [ta, tb], y) => {
        const shape = shapeOf(y);
        const fromA = ta === undefined ? undefined : fit(scale(da(rule, a, b, y), ta), shape);
        const fromB = tb === undefined ? undefined : fit(scale(db(rule, a, b, y), tb), shape);
        return fromA === undefined ? fromB! : fromB === undefined ? fromA : add(fromA, fromB);
      },
      vjp: ([a, b], y, _params, active) => (ct) => [
        active[0] ? sumTo(scale(da(rule, a, b, y), ct), shapeOf(a)) : undefined,
        active[1] ? sumTo(scale(db(rule, a, b, y), ct), shapeOf(b)) : undefined,
      ],
    };
    binaryCache.set(rule, t);
  }
  return t;
}

// ---- masks: plain 0/1 constants for kinks (their own derivative is zero) ----

/** An elementwise test as a 0/1 op, fused like any other. */
const test = (name: string, arity: number, value: (...v: number[]) => boolean, code: (...v: string[]) => string): ElementOp => ({
  name,
  arity,
  value: (...v) => (value(...v) ? 1 : 0),
  code: (...v) => `(${code(...v)} ? 1 : 0)`,
});

const positiveOp = test("positive", 1, (x) => x > 0, (x) => `${x} > 0`);
const atLeastOp = test("atLeast", 2, (a, b) => a >= b, (a, b) => `${a} >= ${b}`);
const atMostOp = test("atMost", 2, (a, b) => a <= b, (a, b) => `${a} <= ${b}`);
const isZeroOp = test("isZero", 1, (x) => x === 0, (x) => `${x} === 0`);
const nonzeroOp = test("nonzero", 1, (x) => x !== 0, (x) => `${x} !== 0`);
const signOp: ElementOp = {
  name: "sign",
  arity: 1,
  value: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0),
  code: (x) => `(${x} > 0 ? 1 : ${x} < 0 ? -1 : 0)`,
};
const selectOp: ElementOp = {
  name: "select",
  arity: 3,
  value: (m, a, b) => (m === 1 ? a : b),
  code: (m, a, b) => `(${m} === 1 ? ${a} : ${b})`,
};

/** A mask of plain values: a number for numbers (no allocation: masks run per node), a (pending) tensor otherwise. */
function mask1(op: ElementOp, x: Value): Payload {
  const p = payloadOf(x);
  if (typeof p !== "number") return elementwise(op, [p]);
  const m = op.value(p);
  if (typeof x !== "number") guardMask(op.code, op.value, [x], m); // under jit, a decision to check on replay
  return m;
}
function mask2(op: ElementOp, a: Value, b: Value): Payload {
  const p = payloadOf(a);
  const q = payloadOf(b);
  if (typeof p !== "number" || typeof q !== "number") return elementwise(op, [p, q]);
  const m = op.value(p, q);
  if (typeof a !== "number" || typeof b !== "number") guardMask(op.code, op.value, [a, b], m);
  return m;
}

/** 1 where x > 0 (relu's derivative; 0 at the kink and at NaN). */
export const positiveMask = (x: Value): Payload => mask1(positiveOp, x);
/** sign(x), 0 at 0 and at NaN (abs's derivative). */
export const signMask = (x: Value): Payload => mask1(signOp, x);
/** 1 where a >= b, else 0 (max sends the gradient to a there). */
export const atLeastMask = (a: Value, b: Value): Payload => mask2(atLeastOp, a, b);
/** 1 where a <= b, else 0 (min sends the gradient to a there). */
export const atMostMask = (a: Value, b: Value): Payload => mask2(atMostOp, a, b);
/** 1 where the mask is 0 and 0 where it is 1. */
export const complement = (m: Payload): Payload => mask1(isZeroOp, m);
/** 1 where x ≠ 0. */
export const nonzeroMask = (x: Value): Payload => mask1(nonzeroOp, x);

/** `whenTrue` where the mask is 1 and `whenFalse` elsewhere, chosen (not blended: no 0·∞). */
export function select(mask: Payload, whenTrue: Value, whenFalse: Value): Value {
  if (typeof mask === "number") return mask === 1 ? whenTrue : whenFalse;
  return applyT(selectRule, [whenTrue, whenFalse], mask);
}

const selectRule: TensorRule<Tensor> = {
  name: "select",
  value: ([a, b], m) => elementwise(selectOp, [m, a, b]),
  jvp: (_p, [ta, tb], _y, m) => select(m, ta ?? 0, tb ?? 0),
  vjp: ([a, b], _y, m, active) => (ct) => [
    active[0] ? sumTo(select(m, ct, 0), shapeOf(a)) : undefined,
    active[1] ? sumTo(select(m, 0, ct), shapeOf(b)) : undefined,
  ],
};
