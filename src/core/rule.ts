// The shapes of rules. A scalar primitive gives its value on numbers, its code for fused loops and
// replays, and its partials written with nabla's own ops (so they differentiate again); a tensor
// primitive gives its value, its forward rule and its pullback. Every interpreter reads these.
import type { Payload, Value } from "./value.ts";

/**
 * Where a primitive is smooth and finite, for sampling inputs in tests and laws: an open interval per
 * argument, and the distance from a point to the nearest kink (where the derivative jumps).
 */
export interface Domain {
  readonly args: readonly (readonly [number, number])[];
  readonly kinkDistance?: (args: readonly number[]) => number;
}

/**
 * Per-interpreter fast paths of one scalar rule, by trace kind (see Trace.kind): each interpreter
 * fills its slot with a copy of its first-order path made for this rule, so that the op calls it
 * without naming the interpreter. Empty until the interpreter first sees the rule.
 */
export type FastPaths = unknown[];

/**
 * y = f(x), elementwise on tensors. `d` is ∂y/∂x from the primal and the result, so it
 * differentiates again; a constant partial (as for neg) is a number, which saves the call.
 */
export interface UnaryRule {
  readonly name: string;
  readonly arity: 1;
  readonly domain: Domain;
  readonly value: (x: number) => number;
  /** The value as a JavaScript expression over `x` (a variable), for fused tensor kernels and jit. */
  readonly code: (x: string) => string;
  readonly d: ((x: Value, y: Value) => Value) | number;
  readonly fast: FastPaths;
}

/** y = f(a, b), elementwise with broadcasting, with both partials (numbers when constant). */
export interface BinaryRule {
  readonly name: string;
  readonly arity: 2;
  readonly domain: Domain;
  readonly value: (a: number, b: number) => number;
  readonly code: (a: string, b: string) => string;
  readonly da: ((a: Value, b: Value, y: Value) => Value) | number;
  readonly db: ((a: Value, b: Value, y: Value) => Value) | number;
  readonly fast: FastPaths;
}

/** y = f(x₁ … xₙ) on scalars, with the partial for argument i. */
export interface NaryRule {
  readonly name: string;
  readonly value: (xs: readonly number[]) => number;
  /** The value as a JavaScript expression over the arguments, evaluated in the same order as `value`. */
  readonly code: (xs: readonly string[]) => string;
  readonly d: (xs: readonly Value[], y: Value, i: number) => Value;
}

/**
 * A tensor primitive with static parameters P (an axis, a shape, ...): its value on plain
 * arguments, its forward rule J·t (an undefined tangent is a symbolic zero), and its pullback
 * (`active[i]`: whether argument i needs a cotangent; return undefined for the others).
 */
export interface TensorRule<P> {
  readonly name: string;
  readonly value: (args: readonly Payload[], params: P) => Payload;
  readonly jvp: (primals: readonly Value[], tangents: readonly (Value | undefined)[], y: Value, params: P) => Value;
  readonly vjp: (
    primals: readonly Value[],
    y: Value,
    params: P,
    active: readonly boolean[],
  ) => (cotangent: Value) => readonly (Value | undefined)[];
}

/** A unary rule's partial: a constant, or computed from the primal and the result. */
export const partialOf = (rule: UnaryRule, x: Value, y: Value): Value => (typeof rule.d === "number" ? rule.d : rule.d(x, y));
/** A binary rule's partial in its first argument. */
export const partialA = (rule: BinaryRule, a: Value, b: Value, y: Value): Value =>
  typeof rule.da === "number" ? rule.da : rule.da(a, b, y);
/** A binary rule's partial in its second argument. */
export const partialB = (rule: BinaryRule, a: Value, b: Value, y: Value): Value =>
  typeof rule.db === "number" ? rule.db : rule.db(a, b, y);
