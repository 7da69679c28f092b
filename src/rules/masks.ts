// Kinks: plain 0/1 masks that say which side of a kink each value is on (their own derivative is
// zero), and select, which picks a branch by a mask. A decision on traced values is told to the
// traces that listen (jit guards its replays with it).
import { bindT, decide } from "../core/bind.ts";
import { type Payload, payloadOf, type TensorRule, type Value } from "../core/protocol.ts";
import { shapeOf } from "../core/value.ts";
import { elementwise } from "../tensor/elementwise.ts";
import type { ElementOp } from "../backend/expr.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { sumTo } from "./broadcast.ts";

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
  if (typeof x !== "number") decide(op.code, op.value, [x], m);
  return m;
}
function mask2(op: ElementOp, a: Value, b: Value): Payload {
  const p = payloadOf(a);
  const q = payloadOf(b);
  if (typeof p !== "number" || typeof q !== "number") return elementwise(op, [p, q]);
  const m = op.value(p, q);
  if (typeof a !== "number" || typeof b !== "number") decide(op.code, op.value, [a, b], m);
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
  return bindT(selectRule, [whenTrue, whenFalse], mask);
}

// select is linear in its branches: the tangent selects the tangents, the cotangent goes to the branch chosen.
const selectRule: TensorRule<Tensor> = {
  name: "select",
  value: ([a, b], m) => elementwise(selectOp, [m, a, b]),
  jvp: (_p, [ta, tb], _y, m) => select(m, ta ?? 0, tb ?? 0),
  vjp: ([a, b], _y, m, active) => (ct) => [
    active[0] ? sumTo(select(m, ct, 0), shapeOf(a)) : undefined,
    active[1] ? sumTo(select(m, 0, ct), shapeOf(b)) : undefined,
  ],
};
