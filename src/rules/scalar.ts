// The scalar primitives: each one's value, and its partials written with nabla's own ops (so every
// rule differentiates again, to any order), side by side with the public op built from it.
// Kinks follow SPEC §7: relu'(0) = 0, abs'(0) = 0, max → a when a >= b, min → a when a <= b,
// pow's ∂/∂y = x^y·ln x taken as 0 where x == 0.
import { apply1, apply2, applyN } from "../core/apply.ts";
import { instantiate } from "../base/codegen.ts";
import { describe } from "../base/errors.ts";
import type { Real, Value } from "../core/value.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { Tracked } from "../reverse/tape.ts";
import { Dual } from "../forward/dual.ts";
import type { BinaryRule, Domain, NaryRule, UnaryRule } from "./define.ts";
import { atLeastMask, atMostMask, complement, nonzeroMask, positiveMask, select, signMask } from "./elementwise.ts";

export type UnaryPrim =
  | "neg" | "exp" | "log" | "sin" | "cos" | "tan" | "tanh" | "sigmoid"
  | "relu" | "softplus" | "sqrt" | "square" | "abs";
export type BinaryPrim = "add" | "sub" | "mul" | "div" | "pow" | "max" | "min";
export type NaryPrim = "sum" | "dot";

/** Where to sample inputs: [-4, 4] unless a rule says otherwise (see Domain). */
const everywhere: Domain = { args: [[-4, 4]] };
const positive: Domain = { args: [[1 / 16, 8]] };
const kinkAtZero: Domain = { args: [[-4, 4]], kinkDistance: ([x]) => Math.abs(x) };
const kinkOnDiagonal: Domain = { args: [[-4, 4], [-4, 4]], kinkDistance: ([a, b]) => Math.abs(a - b) };
const plane: Domain = { args: [[-4, 4], [-4, 4]] };

/** A rule: its fused-kernel code, its value on numbers, its partial, and where it is smooth. */
const unary = (
  name: string,
  code: UnaryRule["code"],
  value: UnaryRule["value"],
  d: UnaryRule["d"],
  domain = everywhere,
): UnaryRule => ({ name, arity: 1, code, value, d, domain });
const binary = (
  name: string,
  code: BinaryRule["code"],
  value: BinaryRule["value"],
  da: BinaryRule["da"],
  db: BinaryRule["db"],
  domain = plane,
): BinaryRule => ({ name, arity: 2, code, value, da, db, domain });

/**
 * A partial with its plain-number form beside it. The first-order fast path calls a partial for
 * every node; on numbers, plain arithmetic is several times cheaper than going through nabla's ops.
 * The laws check both forms: first order on numbers takes the first, higher orders and tensors the
 * second.
 */
const onNumbers1 =
  (plain: (x: number, y: number) => number, general: (x: Value, y: Value) => Value) =>
  (x: Value, y: Value): Value =>
    typeof x === "number" && typeof y === "number" ? plain(x, y) : general(x, y);
const onNumbers2 =
  (plain: (a: number, b: number, y: number) => number, general: (a: Value, b: Value, y: Value) => Value) =>
  (a: Value, b: Value, y: Value): Value =>
    typeof a === "number" && typeof b === "number" && typeof y === "number" ? plain(a, b, y) : general(a, b, y);

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
  },
};

/**
 * A public unary op: plain numbers give plain numbers, Reals Reals, tensors tensors (elementwise).
 * The last signature repeats the Real one: TypeScript infers from the last signature when an op is
 * passed to a transform (`grad(sin)`), and that should see a function of Reals.
 */
export interface UnaryOp {
  (x: number): number;
  (x: Real): Real;
  (x: Tensor): Tensor;
  (x: Real | Tensor): Real | Tensor;
  (x: Real): Real;
}
/** A public binary op: elementwise on tensors, with NumPy broadcasting. */
export interface BinaryOp {
  (a: number, b: number): number;
  (a: Real, b: Real): Real;
  (a: Tensor, b: Real | Tensor): Tensor;
  (a: Real | Tensor, b: Tensor): Tensor;
  (a: Real | Tensor, b: Real | Tensor): Real | Tensor;
  (a: Real, b: Real): Real;
}

// The public ops. Each op's fast paths (plain numbers; a value on a first-order tape; a first-order
// dual) are written once below, as source, and instantiated per op with new Function: every op then
// has its own copy of the code, so the calls to its value and partials inside stay monomorphic and
// get inlined (one shared closure would see every op's functions at the same call site). The op
// itself is only the plain-number test, small enough for V8 to inline into the caller, so code on
// plain numbers runs without calls (3× faster); everything else is one call away, in `traced`.
// Where new Function is forbidden (a strict CSP), the same code runs as one shared closure.

const unarySource = `return function op(x) {
  return typeof x === "number" ? value(x) : traced(x);
};
function traced(x) {
  if (x instanceof Tracked) {
    const p = x.primal;
    const t = x.trace;
    if (typeof p === "number" && t.live) {
      const y = value(p);
      return t.record1(y, x.index, typeof d === "number" ? d : d(p, y));
    }
  } else if (x instanceof Dual) {
    const p = x.primal;
    const v = x.tangent;
    const g = x.trace;
    if (typeof p === "number" && typeof v === "number" && g.live) {
      const y = value(p);
      return new Dual(g, y, (typeof d === "number" ? d : d(p, y)) * v);
    }
  }
  return apply1(rule, x);
}`;

const binarySource = `return function op(a, b) {
  return typeof a === "number" && typeof b === "number" ? value(a, b) : traced(a, b);
};
function traced(a, b) {
  if (typeof a === "number") {
    if (b instanceof Tracked) {
      const q = b.primal;
      const t = b.trace;
      if (typeof q === "number" && t.live) {
        const y = value(a, q);
        return t.record1(y, b.index, typeof db === "number" ? db : db(a, q, y));
      }
    }
  } else if (a instanceof Tracked) {
    const p = a.primal;
    const t = a.trace;
    if (typeof p === "number" && t.live) {
      if (typeof b === "number") {
        const y = value(p, b);
        return t.record1(y, a.index, typeof da === "number" ? da : da(p, b, y));
      }
      if (b instanceof Tracked && b.trace === t && typeof b.primal === "number") {
        const q = b.primal;
        const y = value(p, q);
        return t.record2(y, a.index, typeof da === "number" ? da : da(p, q, y), b.index, typeof db === "number" ? db : db(p, q, y));
      }
    }
  }
  return forward(a, b);
}
// first-order forward mode on numbers: tangent = ∂a·ta + ∂b·tb, the general path's arithmetic exactly
function forward(a, b) {
  if (typeof a === "number") {
    if (b instanceof Dual) {
      const q = b.primal;
      const v = b.tangent;
      const g = b.trace;
      if (typeof q === "number" && typeof v === "number" && g.live) {
        const y = value(a, q);
        return new Dual(g, y, (typeof db === "number" ? db : db(a, q, y)) * v);
      }
    }
  } else if (a instanceof Dual) {
    const p = a.primal;
    const u = a.tangent;
    const g = a.trace;
    if (typeof p === "number" && typeof u === "number" && g.live) {
      if (typeof b === "number") {
        const y = value(p, b);
        return new Dual(g, y, (typeof da === "number" ? da : da(p, b, y)) * u);
      }
      if (b instanceof Dual && b.trace === g && typeof b.primal === "number" && typeof b.tangent === "number") {
        const q = b.primal;
        const y = value(p, q);
        return new Dual(g, y, (typeof da === "number" ? da : da(p, q, y)) * u + (typeof db === "number" ? db : db(p, q, y)) * b.tangent);
      }
    }
  }
  return apply2(rule, a, b);
}`;

function unaryOp(rule: UnaryRule): UnaryOp {
  const op = instantiate(unarySource, ["rule", "value", "d", "Tracked", "Dual", "apply1"], [rule, rule.value, rule.d, Tracked, Dual, apply1]);
  if (op !== undefined) return op as UnaryOp;
  const { value, d } = rule;
  return ((x: Value) => {
    if (x instanceof Tracked) {
      const p = x.primal;
      if (typeof p === "number" && x.trace.live) {
        const y = value(p);
        return x.trace.record1(y, x.index, typeof d === "number" ? d : d(p, y));
      }
    }
    return typeof x === "number" ? value(x) : apply1(rule, x);
  }) as UnaryOp;
}

function binaryOp(rule: BinaryRule): BinaryOp {
  const op = instantiate(binarySource, ["rule", "value", "da", "db", "Tracked", "Dual", "apply2"], [rule, rule.value, rule.da, rule.db, Tracked, Dual, apply2]);
  if (op !== undefined) return op as BinaryOp;
  const { value } = rule;
  return ((a: Value, b: Value) => (typeof a === "number" && typeof b === "number" ? value(a, b) : apply2(rule, a, b))) as BinaryOp;
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

/** Σ xᵢ over an array of Reals, as one node however many terms (the public `sum` also takes tensors). */
export function applySum(xs: readonly Real[]): Real {
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

/** A primitive as the laws and tests see it: how to apply it to sampled arguments, and where. */
export interface Primitive {
  readonly name: string;
  /** How many arguments to sample. */
  readonly arity: number;
  readonly apply: (args: readonly Real[]) => Real;
  readonly domain: Domain;
}

/**
 * The catalogue of scalar primitives, from the rule table itself: a primitive added to the table
 * is covered by every table-driven test and law with no new test.
 */
export const primitives: readonly Primitive[] = Object.freeze([
  ...Object.values(unaryRules).map((rule): Primitive => {
    const op = unaryOp(rule);
    return { name: rule.name, arity: 1, apply: (xs) => op(xs[0]), domain: rule.domain };
  }),
  ...Object.values(binaryRules).map((rule): Primitive => {
    const op = binaryOp(rule);
    return { name: rule.name, arity: 2, apply: (xs) => op(xs[0], xs[1]), domain: rule.domain };
  }),
  { name: "sum", arity: 3, apply: (xs) => applySum(xs), domain: { args: [[-4, 4], [-4, 4], [-4, 4]] } },
  { name: "dot", arity: 4, apply: (xs) => dot(xs.slice(0, 2), xs.slice(2)), domain: { args: [[-4, 4], [-4, 4], [-4, 4], [-4, 4]] } },
]);
