// Elementwise rules on tensors, made from the scalar rules: the same partials, with broadcasting's
// forward (a tangent broadcast to the result's shape) and its reverse (a cotangent summed back to
// each operand's shape). Also the structural primitives broadcasting needs, and select.
import { add } from "./scalar.ts";
import { applyT, binaryOnTensors, d1, da, db, scale, unaryOnTensor } from "../core/apply.ts";
import { type Payload, payloadOf, shapeOf, type Value } from "../core/value.ts";
import { allocateUninitialized } from "../tensor/buffers.ts";
import { broadcastShapes } from "../tensor/broadcast.ts";
import { broadcastToKernel, sumToKernel } from "../tensor/layout.ts";
import { data, fromData, sameShape, type Shape, Tensor } from "../tensor/tensor.ts";
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
  value: ([x], target) => (typeof x === "number" ? x : sumToKernel(x, target)),
  jvp: (_p, [t], _y, target) => sumTo(t!, target),
  vjp: ([x]) => (ct) => [fit(ct, shapeOf(x))],
};

// Broadcasting is linear: its tangent is broadcast too, its pullback sums back.
const broadcastToRule: TensorRule<Shape> = {
  name: "broadcastTo",
  value: ([x], shape) => broadcastToKernel(x, shape),
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

function mask2(a: Value, b: Value, test: (x: number, y: number) => boolean): Payload {
  const pa = payloadOf(a);
  const pb = payloadOf(b);
  if (typeof pa === "number" && typeof pb === "number") return test(pa, pb) ? 1 : 0;
  const as = typeof pa === "number" ? [] : pa.shape;
  const bs = typeof pb === "number" ? [] : pb.shape;
  const shape = broadcastShapes(as, bs, "mask");
  const A = typeof pa === "number" ? pa : broadcastToKernel(pa, shape);
  const B = typeof pb === "number" ? pb : broadcastToKernel(pb, shape);
  const ad = typeof A === "number" ? undefined : data(A);
  const bd = typeof B === "number" ? undefined : data(B);
  const out = allocateUninitialized(ad?.length ?? bd!.length);
  for (let i = 0; i < out.length; i++) out[i] = test(ad ? ad[i] : (A as number), bd ? bd[i] : (B as number)) ? 1 : 0;
  return fromData(out, shape);
}

/** 1 where x > 0 (relu's derivative; 0 at the kink and at NaN). */
export const positiveMask = (x: Value): Payload => mask2(x, 0, (v, z) => v > z);
/** sign(x), 0 at 0 and at NaN (abs's derivative). */
export const signMask = (x: Value): Payload => {
  const p = payloadOf(x);
  if (typeof p === "number") return p > 0 ? 1 : p < 0 ? -1 : 0;
  const xd = data(p);
  const out = allocateUninitialized(xd.length);
  for (let i = 0; i < xd.length; i++) out[i] = xd[i] > 0 ? 1 : xd[i] < 0 ? -1 : 0;
  return fromData(out, p.shape);
};
/** 1 where a >= b, else 0 (max sends the gradient to a there). */
export const atLeastMask = (a: Value, b: Value): Payload => mask2(a, b, (x, y) => x >= y);
/** 1 where a <= b, else 0 (min sends the gradient to a there). */
export const atMostMask = (a: Value, b: Value): Payload => mask2(a, b, (x, y) => x <= y);
/** 1 where the mask is 0 and 0 where it is 1. */
export const complement = (m: Payload): Payload => (typeof m === "number" ? 1 - m : mask2(m, 0, (x) => x === 0));

/** `whenTrue` where the mask is 1 and `whenFalse` elsewhere, chosen (not blended: no 0·∞). */
export function select(mask: Payload, whenTrue: Value, whenFalse: Value): Value {
  if (typeof mask === "number") return mask === 1 ? whenTrue : whenFalse;
  return applyT(selectRule, [whenTrue, whenFalse], mask);
}

const selectRule: TensorRule<Tensor> = {
  name: "select",
  value: ([a, b], mask) => {
    const shape = broadcastShapes(broadcastShapes(mask.shape, typeof a === "number" ? [] : a.shape, "select"), typeof b === "number" ? [] : b.shape, "select");
    const m = data(broadcastToKernel(mask, shape));
    const ad = data(broadcastToKernel(a, shape));
    const bd = data(broadcastToKernel(b, shape));
    const out = allocateUninitialized(m.length);
    for (let i = 0; i < m.length; i++) out[i] = m[i] === 1 ? ad[i] : bd[i];
    return fromData(out, shape);
  },
  jvp: (_p, [ta, tb], _y, mask) => select(mask, ta ?? 0, tb ?? 0),
  vjp: ([a, b], _y, mask, active) => (ct) => [
    active[0] ? sumTo(select(mask, ct, 0), shapeOf(a)) : undefined,
    active[1] ? sumTo(select(mask, 0, ct), shapeOf(b)) : undefined,
  ],
};

/** 1 where x ≠ 0. */
export const nonzeroMask = (x: Value): Payload => mask2(x, 0, (v) => v !== 0);
