// The scalar primitives: each one's value, and its partials written with nabla's own ops (so every
// rule differentiates again, to any order), side by side with the public op built from it.
// Kinks follow SPEC §7: relu'(0) = 0, abs'(0) = 0, max → a when a >= b, min → a when a <= b,
// pow's ∂/∂y = x^y·ln x taken as 0 where x == 0.
import { apply1, apply2, applyN } from "../core/apply.ts";
import { describe } from "../core/errors.ts";
import { primalValue, type Real, type Value } from "../core/value.ts";
import type { BinaryRule, NaryRule, UnaryRule } from "./define.ts";

export type UnaryPrim =
  | "neg" | "exp" | "log" | "sin" | "cos" | "tan" | "tanh" | "sigmoid"
  | "relu" | "softplus" | "sqrt" | "square" | "abs";
export type BinaryPrim = "add" | "sub" | "mul" | "div" | "pow" | "max" | "min";
export type NaryPrim = "sum" | "dot";

const unary = (name: string, value: UnaryRule["value"], d: UnaryRule["d"]): UnaryRule => ({ name, value, d });
const binary = (name: string, value: BinaryRule["value"], da: BinaryRule["da"], db: BinaryRule["db"]): BinaryRule =>
  ({ name, value, da, db });
const one = (): Value => 1;

/** The unary primitives. The type makes a primitive without a rule a compile error. */
export const unaryRules: { readonly [P in UnaryPrim]: UnaryRule } = {
  // d(−x) = −dx
  neg: unary("neg", (x) => -x, () => -1),
  // d(eˣ) = eˣ dx
  exp: unary("exp", Math.exp, (_x, y) => y),
  // d(log x) = dx / x
  log: unary("log", Math.log, (x) => div(1, x)),
  // d(sin x) = cos x dx
  sin: unary("sin", Math.sin, (x) => cos(x)),
  // d(cos x) = −sin x dx
  cos: unary("cos", Math.cos, (x) => neg(sin(x))),
  // d(tan x) = (1 + tan² x) dx
  tan: unary("tan", Math.tan, (_x, y) => add(1, square(y))),
  // d(tanh x) = (1 − tanh² x) dx
  tanh: unary("tanh", Math.tanh, (_x, y) => sub(1, square(y))),
  // d(σ(x)) = σ(x)(1 − σ(x)) dx
  sigmoid: unary("sigmoid", (x) => 1 / (1 + Math.exp(-x)), (_x, y) => mul(y, sub(1, y))),
  // d(relu x) = [x > 0] dx; relu'(0) = 0. Math.max keeps NaN.
  relu: unary("relu", (x) => Math.max(x, 0), (x) => (primalValue(x) > 0 ? 1 : 0)),
  // softplus x = log(1 + eˣ), evaluated without overflow; d = σ(x) dx
  softplus: unary("softplus", (x) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))), (x) => sigmoid(x)),
  // d(√x) = dx / (2√x)
  sqrt: unary("sqrt", Math.sqrt, (_x, y) => div(0.5, y)),
  // d(x²) = 2x dx
  square: unary("square", (x) => x * x, (x) => mul(2, x)),
  // d|x| = sign(x) dx; abs'(0) = 0
  abs: unary("abs", Math.abs, (x) => Math.sign(primalValue(x)) || 0),
};

/** The binary primitives. */
export const binaryRules: { readonly [P in BinaryPrim]: BinaryRule } = {
  // d(a + b) = da + db
  add: binary("add", (a, b) => a + b, one, one),
  // d(a − b) = da − db
  sub: binary("sub", (a, b) => a - b, one, () => -1),
  // d(a·b) = b da + a db
  mul: binary("mul", (a, b) => a * b, (_a, b) => b, (a) => a),
  // d(a / b) = da / b − (a/b²) db
  div: binary("div", (a, b) => a / b, (_a, b) => div(1, b), (_a, b, y) => neg(div(y, b))),
  // d(xʸ) = y·xʸ⁻¹ dx + xʸ·ln x dy, the second taken as 0 where x == 0
  pow: binary(
    "pow",
    (a, b) => a ** b,
    (a, b) => mul(b, pow(a, sub(b, 1))),
    (a, _b, y) => (primalValue(a) === 0 ? 0 : mul(y, log(a))),
  ),
  // the gradient goes to a when a >= b
  max: binary("max", (a, b) => Math.max(a, b), (a, b) => (primalValue(a) >= primalValue(b) ? 1 : 0),
    (a, b) => (primalValue(a) >= primalValue(b) ? 0 : 1)),
  // the gradient goes to a when a <= b
  min: binary("min", (a, b) => Math.min(a, b), (a, b) => (primalValue(a) <= primalValue(b) ? 1 : 0),
    (a, b) => (primalValue(a) <= primalValue(b) ? 0 : 1)),
};

/** The n-ary primitives: one node however many arguments. */
export const naryRules: { readonly [P in NaryPrim]: NaryRule } = {
  // d(Σ xᵢ) = Σ dxᵢ
  sum: {
    name: "sum",
    value: (xs) => {
      let s = 0;
      for (let i = 0; i < xs.length; i++) s += xs[i];
      return s;
    },
    d: one,
  },
  // d(Σ xᵢyᵢ) = Σ yᵢ dxᵢ + xᵢ dyᵢ, over the arguments x₁…xₙ, y₁…yₙ
  dot: {
    name: "dot",
    value: (xys) => {
      const n = xys.length / 2;
      let s = 0;
      for (let i = 0; i < n; i++) s += xys[i] * xys[n + i];
      return s;
    },
    d: (xys, _y, i) => {
      const n = xys.length / 2;
      return i < n ? xys[n + i] : xys[i - n];
    },
  },
};

/** A public unary op: on plain numbers, the plain value; otherwise the interpreter. */
export interface UnaryOp {
  (x: number): number;
  (x: Real): Real;
}
/** A public binary op. */
export interface BinaryOp {
  (a: number, b: number): number;
  (a: Real, b: Real): Real;
}

function unaryOp(rule: UnaryRule): UnaryOp {
  return ((x: Value) => (typeof x === "number" ? rule.value(x) : apply1(rule, x))) as UnaryOp;
}
function binaryOp(rule: BinaryRule): BinaryOp {
  return ((a: Value, b: Value) =>
    typeof a === "number" && typeof b === "number" ? rule.value(a, b) : apply2(rule, a, b)) as BinaryOp;
}

export const neg = unaryOp(unaryRules.neg);
export const exp = unaryOp(unaryRules.exp);
export const log = unaryOp(unaryRules.log);
export const sin = unaryOp(unaryRules.sin);
export const cos = unaryOp(unaryRules.cos);
export const tan = unaryOp(unaryRules.tan);
export const tanh = unaryOp(unaryRules.tanh);
export const sigmoid = unaryOp(unaryRules.sigmoid);
export const relu = unaryOp(unaryRules.relu);
export const softplus = unaryOp(unaryRules.softplus);
export const sqrt = unaryOp(unaryRules.sqrt);
export const square = unaryOp(unaryRules.square);
export const abs = unaryOp(unaryRules.abs);

export const add = binaryOp(binaryRules.add);
export const sub = binaryOp(binaryRules.sub);
export const mul = binaryOp(binaryRules.mul);
export const div = binaryOp(binaryRules.div);
export const pow = binaryOp(binaryRules.pow);
export const max = binaryOp(binaryRules.max);
export const min = binaryOp(binaryRules.min);

/** Σ xᵢ as one node, however many terms. */
export function sum(xs: readonly number[]): number;
export function sum(xs: readonly Real[]): Real;
export function sum(xs: readonly Real[]): Real {
  if (!Array.isArray(xs)) throw new TypeError(`sum: expected an array of Reals, got ${describe(xs)}`);
  return applyN(naryRules.sum, xs) as Real;
}

/** Σ xᵢ·yᵢ as one node. The arrays must have the same length. */
export function dot(xs: readonly number[], ys: readonly number[]): number;
export function dot(xs: readonly Real[], ys: readonly Real[]): Real;
export function dot(xs: readonly Real[], ys: readonly Real[]): Real {
  if (!Array.isArray(xs) || !Array.isArray(ys)) {
    throw new TypeError(`dot: expected two arrays of Reals, got ${describe(xs)} and ${describe(ys)}`);
  }
  if (xs.length !== ys.length) {
    throw new RangeError(`dot: the arrays have different lengths, [${xs.length}] and [${ys.length}]`);
  }
  return applyN(naryRules.dot, [...xs, ...ys]) as Real;
}
