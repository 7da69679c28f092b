// The scalar primitives: each one's value, its code (for fused loops and jit) and its partials
// written with nabla's own ops (so every rule differentiates again, to any order), one row each with
// its math comment, and the public op built from it. Kinks follow SPEC §7: relu'(0) = 0, abs'(0) = 0,
// max → a when a >= b, min → a when a <= b, pow's ∂/∂y = x^y·ln x taken as 0 where x == 0.
import { describe, firstBad, notAReal } from "../base/errors.ts";
import { Tensor } from "../tensor/tensor.ts";
import { bind1, bindN } from "../core/bind.ts";
import { type BinaryRule, type NaryRule, type Real, Tracer, type UnaryRule, type Value } from "../core/protocol.ts";
import {
  binary, binaryOp, everywhere, kinkAtZero, kinkOnDiagonal, onNumbers1, onNumbers2, plane, positive, unary, unaryOp,
} from "./define.ts";
import { atLeastMask, atMostMask, complement, nonzeroMask, positiveMask, select, signMask } from "./masks.ts";

export type UnaryPrim =
  | "neg" | "exp" | "log" | "sin" | "cos" | "tan" | "tanh" | "sigmoid"
  | "relu" | "softplus" | "sqrt" | "square" | "abs";
export type BinaryPrim = "add" | "sub" | "mul" | "div" | "pow" | "max" | "min";
export type NaryPrim = "sum" | "dot";

/** σ(x) = 1 / (1 + e⁻ˣ): sigmoid's value and softplus's derivative. */
const logistic = (x: number): number => 1 / (1 + Math.exp(-x));

/** The unary primitives. The type makes a primitive without a rule a compile error. */
export const unaryRules: { readonly [P in UnaryPrim]: UnaryRule } = {
  // d(−x) = −dx
  neg: unary("neg", (x) => `(-${x})`, (x) => -x, -1, everywhere),
  // d(eˣ) = eˣ dx
  exp: unary("exp", (x) => `Math.exp(${x})`, Math.exp, (_x, y) => y, everywhere),
  // d(log x) = dx / x
  log: unary("log", (x) => `Math.log(${x})`, Math.log, onNumbers1((x) => 1 / x, (x) => div(1, x)), positive),
  // d(sin x) = cos x dx
  sin: unary("sin", (x) => `Math.sin(${x})`, Math.sin, onNumbers1(Math.cos, (x) => cos(x)), everywhere),
  // d(cos x) = −sin x dx
  cos: unary("cos", (x) => `Math.cos(${x})`, Math.cos, onNumbers1((x) => -Math.sin(x), (x) => neg(sin(x))), everywhere),
  // d(tan x) = (1 + tan² x) dx
  tan: unary("tan", (x) => `Math.tan(${x})`, Math.tan, onNumbers1((_x, y) => 1 + y * y, (_x, y) => add(1, square(y))), { args: [[-1.2, 1.2]] }),
  // d(tanh x) = (1 − tanh² x) dx
  tanh: unary("tanh", (x) => `Math.tanh(${x})`, Math.tanh, onNumbers1((_x, y) => 1 - y * y, (_x, y) => sub(1, square(y))), everywhere),
  // d(σ(x)) = σ(x)(1 − σ(x)) dx
  sigmoid: unary("sigmoid", (x) => `(1 / (1 + Math.exp(-${x})))`, logistic, onNumbers1((_x, y) => y * (1 - y), (_x, y) => mul(y, sub(1, y))), everywhere),
  // d(relu x) = [x > 0] dx; relu'(0) = 0. Math.max keeps NaN.
  relu: unary("relu", (x) => `Math.max(${x}, 0)`, (x) => Math.max(x, 0), positiveMask, kinkAtZero),
  // softplus x = log(1 + eˣ), evaluated without overflow; d = σ(x) dx
  softplus: unary("softplus", (x) => `(${x} > 0 ? ${x} + Math.log1p(Math.exp(-${x})) : Math.log1p(Math.exp(${x})))`, (x) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))), onNumbers1(logistic, (x) => sigmoid(x))),
  // d(√x) = dx / (2√x)
  sqrt: unary("sqrt", (x) => `Math.sqrt(${x})`, Math.sqrt, onNumbers1((_x, y) => 0.5 / y, (_x, y) => div(0.5, y)), positive),
  // d(x²) = 2x dx
  square: unary("square", (x) => `(${x} * ${x})`, (x) => x * x, onNumbers1((x) => 2 * x, (x) => mul(2, x)), everywhere),
  // d|x| = sign(x) dx; abs'(0) = 0
  abs: unary("abs", (x) => `Math.abs(${x})`, Math.abs, signMask, kinkAtZero),
};

/** The binary primitives. */
export const binaryRules: { readonly [P in BinaryPrim]: BinaryRule } = {
  // d(a + b) = da + db
  add: binary("add", (a, b) => `(${a} + ${b})`, (a, b) => a + b, 1, 1, plane),
  // d(a − b) = da − db
  sub: binary("sub", (a, b) => `(${a} - ${b})`, (a, b) => a - b, 1, -1, plane),
  // d(a·b) = b da + a db
  mul: binary("mul", (a, b) => `(${a} * ${b})`, (a, b) => a * b, (_a, b) => b, (a) => a, plane),
  // d(a / b) = da / b − (a/b²) db
  div: binary("div", (a, b) => `(${a} / ${b})`, (a, b) => a / b, onNumbers2((_a, b) => 1 / b, (_a, b) => div(1, b)), onNumbers2((_a, b, y) => -(y / b), (_a, b, y) => neg(div(y, b))), { args: [[-4, 4], [1 / 4, 4]] }),
  // d(xʸ) = y·xʸ⁻¹ dx + xʸ·ln x dy, the second taken as 0 where x == 0
  pow: binary(
    "pow",
    (a, b) => `(${a} ** ${b})`,
    (a, b) => a ** b,
    onNumbers2((a, b) => b * a ** (b - 1), (a, b) => mul(b, pow(a, sub(b, 1)))),
    onNumbers2((a, _b, y) => (a !== 0 ? y * Math.log(a) : 0), (a, _b, y) => select(nonzeroMask(a), mul(y, log(a)), 0)),
    { args: [[1 / 4, 4], [-2, 3]] },
  ),
  // the gradient goes to a when a >= b
  max: binary("max", (a, b) => `Math.max(${a}, ${b})`, (a, b) => Math.max(a, b), atLeastMask, (a, b) => complement(atLeastMask(a, b)), kinkOnDiagonal),
  // the gradient goes to a when a <= b
  min: binary("min", (a, b) => `Math.min(${a}, ${b})`, (a, b) => Math.min(a, b), atMostMask, (a, b) => complement(atMostMask(a, b)), kinkOnDiagonal),
};

/** The n-ary primitives: one node however many arguments. */
export const naryRules: { readonly [P in NaryPrim]: NaryRule } = {
  // d(Σ xᵢ) = Σ dxᵢ
  sum: {
    name: "sum",
    code: (xs) => xs.reduce((s, x) => `(${s} + ${x})`, "0"),
    value: (xs) => {
      let s = 0;
      for (let i = 0; i < xs.length; i++) s += xs[i];
      return s;
    },
    d: () => 1,
    elementwise: (xs) => xs.reduce((s: Value, x) => add(s, x), 0),
  },
  // d(Σ xᵢyᵢ) = Σ yᵢ dxᵢ + xᵢ dyᵢ, over the arguments x₁…xₙ, y₁…yₙ
  dot: {
    name: "dot",
    code: (xys) => {
      const n = xys.length / 2;
      return xys.slice(0, n).reduce((s, x, i) => `(${s} + ${x} * ${xys[n + i]})`, "0");
    },
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
    elementwise: (xys) => {
      const n = xys.length / 2;
      let s: Value = 0;
      for (let i = 0; i < n; i++) s = add(s, mul(xys[i]!, xys[n + i]!));
      return s;
    },
  },
};

/**
 * `−x`; elementwise on tensors.
 * @example
 * neg(tensor([1, -2])); // => tensor([-1, 2])
 */
export const neg = unaryOp(unaryRules.neg);
/**
 * `eˣ`; elementwise on tensors. Its derivative reuses its value.
 * @example
 * derivative(exp)(0); // => 1
 */
export const exp = unaryOp(unaryRules.exp);
/**
 * The natural logarithm (smooth for x > 0; NaN below, −Infinity at 0, as Math.log); elementwise on tensors.
 * @example
 * derivative(log)(4); // => 0.25
 */
export const log = unaryOp(unaryRules.log);
/**
 * `sin x` (radians); elementwise on tensors.
 * @example
 * grad(sin)(0); // => 1
 */
export const sin = unaryOp(unaryRules.sin);
/**
 * `cos x` (radians); elementwise on tensors.
 * @example
 * derivative(cos)(Math.PI / 2); // => -1
 */
export const cos = unaryOp(unaryRules.cos);
/**
 * `tan x` (radians); elementwise on tensors.
 * @example
 * derivative(tan)(0); // => 1
 */
export const tan = unaryOp(unaryRules.tan);
/**
 * The hyperbolic tangent; elementwise on tensors.
 * @example
 * derivative(tanh)(0); // => 1
 */
export const tanh = unaryOp(unaryRules.tanh);
/**
 * The logistic function σ(x) = 1 / (1 + e⁻ˣ), computed stably; elementwise on tensors.
 * @example
 * [sigmoid(0), derivative(sigmoid)(0)]; // => [0.5, 0.25]
 */
export const sigmoid = unaryOp(unaryRules.sigmoid);
/**
 * `max(x, 0)`, with relu′(0) = 0; elementwise on tensors.
 * @example
 * [relu(-3), relu(2), grad(relu)(0)]; // => [0, 2, 0]
 */
export const relu = unaryOp(unaryRules.relu);
/**
 * `log(1 + eˣ)`, computed stably (softplus(−100) ≈ 3.72e-44, softplus(1000) = 1000); elementwise on tensors.
 * @example
 * [softplus(0), softplus(1000), derivative(softplus)(0)]; // => [Math.log(2), 1000, 0.5]
 */
export const softplus = unaryOp(unaryRules.softplus);
/**
 * `√x` (smooth for x > 0); elementwise on tensors.
 * @example
 * [sqrt(9), derivative(sqrt)(9)]; // => [3, 1 / 6]
 */
export const sqrt = unaryOp(unaryRules.sqrt);
/**
 * `x²`; elementwise on tensors.
 * @example
 * grad(square)(3); // => 6
 */
export const square = unaryOp(unaryRules.square);
/**
 * `|x|`, with abs′(0) = 0; elementwise on tensors.
 * @example
 * [abs(-2), derivative(abs)(-2), derivative(abs)(0)]; // => [2, -1, 0]
 */
export const abs = unaryOp(unaryRules.abs);

/**
 * `a + b`; elementwise on tensors, with NumPy broadcasting.
 * @example
 * add(tensor([[1], [2]]), tensor([10, 20])); // => tensor([[11, 21], [12, 22]])
 */
export const add = binaryOp(binaryRules.add);
/**
 * `a − b`; elementwise on tensors, with NumPy broadcasting.
 * @example
 * sub(tensor([5, 6]), 1); // => tensor([4, 5])
 */
export const sub = binaryOp(binaryRules.sub);
/**
 * `a · b`; elementwise on tensors, with NumPy broadcasting.
 * @example
 * grad((x: Real) => mul(x, sin(x)))(0); // => 0
 */
export const mul = binaryOp(binaryRules.mul);
/**
 * `a / b`; elementwise on tensors, with NumPy broadcasting.
 * @example
 * grad((v: readonly Real[]) => div(v[0], v[1]))([1, 2]); // => [0.5, -0.25]
 */
export const div = binaryOp(binaryRules.div);
/**
 * `xʸ`: ∂/∂x = y·xʸ⁻¹, ∂/∂y = xʸ·ln x (taken as 0 where x = 0); elementwise on tensors, with broadcasting.
 * @example
 * grad((v: readonly Real[]) => pow(v[0], v[1]))([2, 3]); // => [12, 8 * Math.log(2)]
 */
export const pow = binaryOp(binaryRules.pow);
/**
 * The larger of `a` and `b`; the gradient goes to `a` when a >= b. Elementwise on tensors, with broadcasting.
 * @example
 * grad((v: readonly Real[]) => max(v[0], v[1]))([1, 1]); // => [1, 0]
 */
export const max = binaryOp(binaryRules.max);
/**
 * The smaller of `a` and `b`; the gradient goes to `a` when a <= b. Elementwise on tensors, with broadcasting.
 * @example
 * min(tensor([1, 5]), 3); // => tensor([1, 3])
 */
export const min = binaryOp(binaryRules.min);

/** Σ xᵢ over an array of Reals, as one node however many terms (the public `sum` also takes tensors). */
export function applySum(xs: readonly Real[]): Real {
  const bad = firstBad(xs, isValue);
  if (bad >= 0) throw notAReal(`sum: the element at [${bad}]`, xs[bad]);
  return bindN(naryRules.sum, xs) as Real;
}

/** A number, a tensor or a tracer (what an op takes), checked without a call per kind. */
const isValue = (x: unknown): boolean => typeof x === "number" || x instanceof Tracer || x instanceof Tensor;

/**
 * Σ xᵢ·yᵢ as one node. The arrays must have the same length.
 * @example
 * dot([1, 2, 3], [4, 5, 6]); // => 32
 * grad((w: readonly Real[]) => dot(w, [4, 5, 6]))([1, 2, 3]); // => [4, 5, 6]
 */
export function dot(xs: readonly number[], ys: readonly number[]): number;
export function dot(xs: readonly Real[], ys: readonly Real[]): Real;
export function dot(xs: readonly Real[], ys: readonly Real[]): Real {
  if (!Array.isArray(xs) || !Array.isArray(ys)) {
    throw new TypeError(`dot: expected two arrays of Reals, got ${describe(xs)} and ${describe(ys)}`);
  }
  if (xs.length !== ys.length) {
    throw new RangeError(`dot: the arrays have different lengths, [${xs.length}] and [${ys.length}]`);
  }
  for (const [v, name] of [[xs, "first"], [ys, "second"]] as const) {
    const bad = firstBad(v, isValue);
    if (bad >= 0) throw notAReal(`dot: the ${name} array's element at [${bad}]`, v[bad]);
  }
  return bindN(naryRules.dot, [...xs, ...ys]) as Real;
}

/** ∂·t, short-circuiting the exact cases ∂ = ±1 (the chain rule's one product, in every mode). */
export function scale(partial: Value, tangent: Value): Value {
  if (partial === 1) return tangent;
  if (partial === -1) return neg(tangent);
  return mul(partial, tangent);
}

/** x + 0: −0 becomes 0, everything else (NaN included) stays. How derivatives are handed back. */
const unsignedRule: UnaryRule = unary("unsigned", (x) => `(${x} + 0)`, (x) => x + 0, 1);

/**
 * A derivative as handed back to the caller: −0 written 0 (the sign of a zero derivative means
 * nothing), fused into a tensor's loop, and a step of its own on a level that is not a derivative
 * (under jit, so that replays write −0 as 0 as well). A derivative level's value stays as it is.
 */
export function unsigned(d: Value): Value {
  if (typeof d === "number") return d + 0;
  if (d instanceof Tracer && d.trace.derivative) return d;
  return bind1(unsignedRule, d);
}
