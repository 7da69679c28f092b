// How rules and their public ops are made. An op computes plain numbers itself (small enough for V8
// to inline into the caller) and hands anything else to its rule's chain of fast paths, which the
// interpreters extend and which ends in the core's bind.
import { specialize } from "../base/codegen.ts";
import { bind1, bind2 } from "../core/bind.ts";
import { noFastPaths } from "../core/rule.ts";
import type { BinaryRule, Domain, Real, UnaryRule, Value } from "../core/protocol.ts";
import type { Tensor } from "../tensor/tensor.ts";

/** Where to sample inputs: [-4, 4] unless a rule says otherwise (see Domain). */
export const everywhere: Domain = { args: [[-4, 4]] };
export const positive: Domain = { args: [[1 / 16, 8]] };
export const kinkAtZero: Domain = { args: [[-4, 4]], kinkDistance: ([x]) => Math.abs(x) };
export const kinkOnDiagonal: Domain = { args: [[-4, 4], [-4, 4]], kinkDistance: ([a, b]) => Math.abs(a - b) };
export const plane: Domain = { args: [[-4, 4], [-4, 4]] };

/** A rule: its fused-kernel code, its value on numbers, its partial, and where it is smooth. */
export const unary = (
  name: string,
  code: UnaryRule["code"],
  value: UnaryRule["value"],
  d: UnaryRule["d"],
  domain = everywhere,
): UnaryRule => {
  const rule: UnaryRule = { name, arity: 1, code, value, d, domain, fast: noFastPaths() };
  rule.fast.entry = specialize(unaryBindFactory)(rule, bind1);
  return rule;
};

export const binary = (
  name: string,
  code: BinaryRule["code"],
  value: BinaryRule["value"],
  da: BinaryRule["da"],
  db: BinaryRule["db"],
  domain = plane,
): BinaryRule => {
  const rule: BinaryRule = { name, arity: 2, code, value, da, db, domain, fast: noFastPaths() };
  rule.fast.entry = specialize(binaryBindFactory)(rule, bind2);
  return rule;
};

/**
 * A partial with its plain-number form beside it. The first-order fast paths call a partial for
 * every node; on numbers, plain arithmetic is several times cheaper than going through nabla's ops.
 * The laws check both forms: first order on numbers takes the first, higher orders and tensors the
 * second.
 */
export const onNumbers1 =
  (plain: (x: number, y: number) => number, general: (x: Value, y: Value) => Value) =>
  (x: Value, y: Value): Value =>
    typeof x === "number" && typeof y === "number" ? plain(x, y) : general(x, y);
export const onNumbers2 =
  (plain: (a: number, b: number, y: number) => number, general: (a: Value, b: Value, y: Value) => Value) =>
  (a: Value, b: Value, y: Value): Value =>
    typeof a === "number" && typeof b === "number" && typeof y === "number" ? plain(a, b, y) : general(a, b, y);

/**
 * A public unary op: plain numbers give plain numbers, Reals Reals, tensors tensors (elementwise).
 * The last signature repeats the Real one: TypeScript infers from the last signature when an op is
 * passed to a transform (`grad(sin)`), and that should see a function of Reals.
 * @example
 * const op: UnaryOp = sin;
 * derivative(op)(0); // => 1
 */
export interface UnaryOp {
  (x: number): number;
  (x: Real): Real;
  (x: Tensor): Tensor;
  (x: Real | Tensor): Real | Tensor;
  (x: Real): Real;
}
/**
 * A public binary op: elementwise on tensors, with NumPy broadcasting.
 * @example
 * const op: BinaryOp = add;
 * op(1, 2); // => 3
 */
export interface BinaryOp {
  (a: number, b: number): number;
  (a: Real, b: Real): Real;
  (a: Tensor, b: Real | Tensor): Tensor;
  (a: Real | Tensor, b: Tensor): Tensor;
  (a: Real | Tensor, b: Real | Tensor): Real | Tensor;
  (a: Real, b: Real): Real;
}

// The ops and the ends of their chains, written once and copied per rule (base/codegen's specialize):
// each op's calls to its own value function and fast paths stay monomorphic and inline. No function
// inside is named (see specialize).
const unaryOpFactory = (value: UnaryRule["value"], fast: UnaryRule["fast"]) => (x: Value): Value =>
  typeof x === "number" ? value(x) : fast.entry(x);

const binaryOpFactory = (value: BinaryRule["value"], fast: BinaryRule["fast"]) => (a: Value, b: Value): Value =>
  typeof a === "number" && typeof b === "number" ? value(a, b) : fast.entry(a, b);

/** The end of a rule's chain of fast paths: bind, for this rule. */
const unaryBindFactory = (rule: UnaryRule, bind: typeof bind1) => (x: Value): Value => bind(rule, x);
const binaryBindFactory = (rule: BinaryRule, bind: typeof bind2) => (a: Value, b: Value): Value => bind(rule, a, b);

/** The public op of a unary rule. */
export const unaryOp = (rule: UnaryRule): UnaryOp => specialize(unaryOpFactory)(rule.value, rule.fast) as UnaryOp;

/** The public op of a binary rule. */
export const binaryOp = (rule: BinaryRule): BinaryOp => specialize(binaryOpFactory)(rule.value, rule.fast) as BinaryOp;
