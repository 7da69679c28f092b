// Kinks: plain 0/1 masks that say which side of a kink each value is on (their own derivative is
// zero), and select, which picks a branch by a mask. A mask strips derivative levels; a level that
// is not one decides how it is computed (jit guards its replay on it, vmap computes it per example).
import { bindT, innermost, withoutDerivatives } from "../core/bind.ts";
import { type BinaryRule, type Payload, type Real, type TensorRule, Tracer, type UnaryRule, type Value } from "../core/protocol.ts";
import { describe } from "../base/errors.ts";
import { broadcastShapes, type Shape } from "../base/shape.ts";
import { live, shapeOf } from "../core/value.ts";
import { elementwise } from "../tensor/elementwise.ts";
import { Tensor, tensor } from "../tensor/tensor.ts";
import { alignBatched, fit, sumTo } from "./broadcast.ts";
import { binary, unary } from "./define.ts";

/** An elementwise test as a 0/1 rule of zero derivative, fused like any other op on tensors. */
const test1 = (name: string, value: (x: number) => boolean, code: (x: string) => string): UnaryRule =>
  unary(name, (x) => `(${code(x)} ? 1 : 0)`, (x) => (value(x) ? 1 : 0), 0);
const test2 = (name: string, value: (a: number, b: number) => boolean, code: (a: string, b: string) => string): BinaryRule =>
  binary(name, (a, b) => `(${code(a, b)} ? 1 : 0)`, (a, b) => (value(a, b) ? 1 : 0), 0, 0);

const positiveRule = test1("positive", (x) => x > 0, (x) => `${x} > 0`);
const isZeroRule = test1("isZero", (x) => x === 0, (x) => `${x} === 0`);
const nonzeroRule = test1("nonzero", (x) => x !== 0, (x) => `${x} !== 0`);
const atLeastRule = test2("atLeast", (a, b) => a >= b, (a, b) => `${a} >= ${b}`);
const atMostRule = test2("atMost", (a, b) => a <= b, (a, b) => `${a} <= ${b}`);
const equalRule = test2("equal", (a, b) => a === b, (a, b) => `${a} === ${b}`);
const signRule = unary("sign", (x) => `(${x} > 0 ? 1 : ${x} < 0 ? -1 : 0)`, (x) => (x > 0 ? 1 : x < 0 ? -1 : 0), 0);

/** A mask of values: plain for plain values (a number for numbers: masks run per node), else by the innermost level that is not a derivative. */
function mask(rule: UnaryRule | BinaryRule, args: readonly Value[]): Value {
  const vs = args.map(withoutDerivatives);
  const top = innermost(vs);
  if (top !== undefined) return top.mask(rule, vs, (lower) => mask(rule, lower));
  if (rule.arity === 1) return typeof vs[0] === "number" ? rule.value(vs[0]) : elementwise(rule, vs as Payload[]);
  const [a, b] = vs as Payload[];
  return typeof a === "number" && typeof b === "number" ? rule.value(a, b) : elementwise(rule, [a!, b!]);
}
const mask1 = (rule: UnaryRule, x: Value): Value => (typeof x === "number" ? rule.value(x) : mask(rule, [x]));
const mask2 = (rule: BinaryRule, a: Value, b: Value): Value =>
  typeof a === "number" && typeof b === "number" ? rule.value(a, b) : mask(rule, [a, b]);

/** 1 where x > 0 (relu's derivative; 0 at the kink and at NaN). */
export const positiveMask = (x: Value): Value => mask1(positiveRule, x);
/** sign(x), 0 at 0 and at NaN (abs's derivative). */
export const signMask = (x: Value): Value => mask1(signRule, x);
/** 1 where a >= b, else 0 (max sends the gradient to a there). */
export const atLeastMask = (a: Value, b: Value): Value => mask2(atLeastRule, a, b);
/** 1 where a <= b, else 0 (min sends the gradient to a there). */
export const atMostMask = (a: Value, b: Value): Value => mask2(atMostRule, a, b);
/** 1 where a == b (amax's and amin's ties). */
export const equalMask = (a: Value, b: Value): Value => mask2(equalRule, a, b);
/** 1 where the mask is 0 and 0 where it is 1. */
export const complement = (m: Value): Value => mask1(isZeroRule, m);
/** 1 where x ≠ 0. */
export const nonzeroMask = (x: Value): Value => mask1(nonzeroRule, x);

const selectRule = {
  name: "select",
  arity: 3,
  value: (m: number, a: number, b: number) => (m === 1 ? a : b),
  code: (m: string, a: string, b: string) => `(${m} === 1 ? ${a} : ${b})`,
};

/** `whenTrue` where the mask is 1 and `whenFalse` elsewhere, chosen (not blended: no 0·∞). */
export function select(mask: Value, whenTrue: Value, whenFalse: Value): Value {
  if (typeof mask === "number") return mask === 1 ? whenTrue : whenFalse;
  return bindT(selectTensorRule, [mask, whenTrue, whenFalse], undefined);
}

// select is linear in its branches: the tangent selects the tangents, the cotangent goes to the
// branch chosen; the mask is not differentiated.
const selectTensorRule: TensorRule<undefined> = {
  name: "select",
  value: ([m, a, b]) => elementwise(selectRule, [m as Tensor, a!, b!]),
  jvp: ([m], [, ta, tb]) => select(m!, ta ?? 0, tb ?? 0),
  vjp: ([m, a, b], _y, _p, active) => (ct) => [
    undefined,
    active[1] ? sumTo(select(m!, ct, 0), shapeOf(a!)) : undefined,
    active[2] ? sumTo(select(m!, 0, ct), shapeOf(b!)) : undefined,
  ],
  batch: (args, axes) => [bindT(selectTensorRule, alignBatched(args, axes), undefined), 0],
};

/** A condition as a 0/1 mask: plain booleans or numbers (nonzero is true) in nested arrays or a Tensor, or a value of vmap. */
function conditionMask(condition: unknown): Value {
  if (typeof condition === "boolean") return condition ? 1 : 0;
  if (Array.isArray(condition)) {
    // a loop that stops at the first element that is not there (map would walk all of a sparse array's length)
    const numbers = (x: unknown): unknown => {
      if (!Array.isArray(x)) return typeof x === "boolean" ? (x ? 1 : 0) : x;
      const out: unknown[] = [];
      for (let i = 0; i < x.length; i++) {
        const v: unknown = x[i];
        if (v === undefined) throw new TypeError(`the element at [${i}] is undefined`);
        out.push(numbers(v));
      }
      return out;
    };
    try {
      return nonzeroMask(tensor(numbers(condition) as number[]));
    } catch (e) {
      throw new TypeError(`where: the condition must be booleans or numbers in nested arrays or a Tensor (${(e as Error).message})`);
    }
  }
  if (typeof condition === "number" || condition instanceof Tensor || condition instanceof Tracer) return nonzeroMask(condition);
  throw new TypeError(`where: the condition must be a boolean, booleans or numbers in nested arrays, or a Tensor; got ${describe(condition)}`);
}

/**
 * Elementwise choice: `a` where the condition is true (nonzero), `b` elsewhere, all three broadcast
 * together (NumPy's where). The condition is not differentiated; the gradient flows to the branch chosen.
 * @example
 * where([true, false], tensor([1, 2]), tensor([10, 20])); // => tensor([1, 20])
 * where(tensor([0, 1]), tensor([1, 2]), 0); // => tensor([0, 2])
 */
export function where(condition: unknown, a: Real | Tensor, b: Real | Tensor): Real | Tensor {
  for (const [what, v] of [["a", a], ["b", b]] as const) {
    if (!(typeof v === "number" || v instanceof Tensor || v instanceof Tracer)) throw new TypeError(`where: ${what} must be a Real or a Tensor, got ${describe(v)}`);
    live(v, "where"); // an escaped value is an Error naming where
  }
  const m = conditionMask(condition);
  let shape: Shape | null = null;
  for (const v of [m, a, b] as Value[]) {
    const s = shapeOf(v);
    if (s !== null) shape = shape === null ? s : broadcastShapes(shape, s, "where");
  }
  return select(m, fit(a as Value, shape), fit(b as Value, shape)) as Real | Tensor;
}
