// The protocol, in one module because its four ideas refer to each other: values (payloads and
// Tracers), the Trace every interpreter implements, and the shapes of the rules a trace applies. A
// transform opens a level (a Trace) and hands the function values of that level (Tracers); an op on
// them asks the innermost live trace among its arguments to apply the primitive (JAX's
// process_primitive). Levels are ordered by creation, so nested levels never mix. Nothing here
// names an interpreter: forward, reverse and jit's recording implement Trace in their own folders.
import type { Shape } from "../base/shape.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { nameScope } from "../backend/memory.ts";

// ---- rules ----------------------------------------------------------------------------------

/**
 * Where a primitive is smooth and finite, for sampling inputs in tests and laws: an open interval per
 * argument, and the distance from a point to the nearest kink (where the derivative jumps).
 * @example
 * const logPrimitive = primitives.find((p) => p.name === "log");
 * logPrimitive?.domain.args; // => [[0.0625, 8]]
 */
export interface Domain {
  readonly args: readonly (readonly [number, number])[];
  readonly kinkDistance?: (args: readonly number[]) => number;
}

/**
 * The fast paths of one scalar rule. The first time an interpreter applies the rule it leaves its
 * first-order path (see Trace.kind), put in front of the ones left before: `entry`, what the op calls
 * for anything but plain numbers, is a chain in which each path takes its own values and hands the
 * rest on, the last link being bind. Each link is a copy made for this rule, so each call along the
 * chain has one target and inlines.
 */
export interface FastPaths<F> {
  /** Which kinds have left a path. */
  readonly kinds: boolean[];
  entry: F;
}

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
  readonly fast: FastPaths<(x: Value) => Value>;
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
  readonly fast: FastPaths<(a: Value, b: Value) => Value>;
}

/** y = f(x₁ … xₙ) on scalars, with the partial for argument i. */
export interface NaryRule {
  readonly name: string;
  readonly value: (xs: readonly number[]) => number;
  /** The value as a JavaScript expression over the arguments, evaluated in the same order as `value`. */
  readonly code: (xs: readonly string[]) => string;
  readonly d: (xs: readonly Value[], y: Value, i: number) => Value;
  /** The same with nabla's elementwise ops, for arguments that are tensors underneath (a batch of scalars). */
  readonly elementwise: (xs: readonly Value[]) => Value;
}

/** A batching rule's result: the value, and its batch axis (null: the same for every example). */
export type Batched = readonly [Value, number | null];

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
  /**
   * The batching rule (vmap): the primitive on arguments one level below a batch level, argument i
   * carrying its `size` examples along axis `axes[i]` (null: shared by every example).
   */
  readonly batch: (args: readonly Value[], axes: readonly (number | null)[], params: P, size: number) => Batched;
}

// ---- values ---------------------------------------------------------------------------------

/** A value carrying the perturbation of `trace` on top of `primal`. */
export abstract class Tracer {
  abstract readonly trace: Trace;
  /** The value one level down: still a tracer when several transforms are nested. */
  abstract readonly primal: Value;

  /** Every value this tracer holds at its level (the primal, and for a dual its tangent). */
  parts(): readonly Value[] {
    return [this.primal];
  }

  /**
   * The same value of this level over another primal (stopGradient strips the derivative levels
   * under a level that stays). By default the tracer itself: a level whose primal is never traced.
   */
  withPrimal(_primal: Value): Tracer {
    return this;
  }

  /**
   * The shape of the value the function sees (null for a scalar): its primal's, except where a level
   * changes it (a batch level hides its batch axis).
   */
  get aval(): Shape | null {
    return avalOf(this.primal);
  }

  /**
   * JavaScript's own `+ * <` would silently compute garbage on a tracer, so they throw instead;
   * `${x}` still prints the plain value.
   */
  [Symbol.toPrimitive](hint: string): string {
    if (hint === "string") {
      valueRead(this, "a string conversion");
      const p = payloadOf(this);
      const shape = this.aval;
      return shape === null ? `Real(${p as number})` : `Tensor(${shape.join(",")}) in a transform`;
    }
    throw new TypeError(
      "nabla: a Real from a transform was used with JavaScript's own arithmetic or comparison " +
        "(+ - * / < > ...). Compute with nabla's ops (add, mul, ...), or take primal(x) for its plain value.",
    );
  }

  /** The shape of the tensor underneath (`[]` for a scalar), so `t.shape` works inside transforms. */
  get shape(): Shape {
    return this.aval ?? [];
  }
}

/** What a value is underneath its perturbations: a number or a tensor. */
export type Payload = number | Tensor;

/** Anything a primitive computes on: a number, a tensor, or a tracer over one. */
export type Value = Payload | Tracer;

/**
 * A differentiable scalar: every plain number is one; inside a transform it may carry perturbations.
 * @example
 * const x: Real = 3; // a plain number is a Real
 * grad((y: Real) => mul(y, y))(x); // => 6
 */
export type Real = number | Tracer;

/** Strips every perturbation: the number or tensor underneath. Works on escaped values too. */
export function payloadOf(x: Value): Payload {
  let v = x;
  while (v instanceof Tracer) v = v.primal;
  return v;
}

/** The shape of the value `x` stands for, as the function sees it: null for a scalar. */
export function avalOf(x: Value): Shape | null {
  if (typeof x === "number") return null;
  return x instanceof Tracer ? x.aval : x.shape;
}

/** Tells every level under `x` that code outside the primitives read its value (jit cannot replay such code). */
export function valueRead(x: Value, by: string): void {
  for (let v: Value = x; v instanceof Tracer; v = v.primal) v.trace.valueRead(by);
}

// ---- traces ---------------------------------------------------------------------------------

let lastLevel = 0;
let lastKind = 0;

/** A number for a kind of interpreter, for its fast paths (see FastPaths). */
export const newKind = (): number => lastKind++;

/** A custom forward rule on leaves: primals and tangents (below the level) to result primals and tangents. */
export type CustomJvpRun = (primals: readonly Value[], tangents: readonly Value[]) => readonly [readonly Value[], readonly Value[]];
/** A custom reverse rule on leaves: primals (below the level) to result primals and a pullback on leaves. */
export type CustomVjpRun = (
  primals: readonly Value[],
) => readonly [readonly Value[], (cotangents: readonly Value[]) => readonly (Value | undefined)[]];

/** One level: what a transform opened, and how primitives are applied to its values. */
export abstract class Trace {
  /** Creation order; the value with the highest level among an op's arguments is the innermost. */
  readonly level: number = ++lastLevel;
  /** False once the transform that opened this trace has returned. Only that transform flips it. */
  live = true;
  /**
   * Whether the level is a perturbation: stopGradient removes it, and what is computed for it lives
   * only inside its tracers (the buffer pool's proof of death). jit's recording is not one.
   */
  readonly derivative: boolean = true;
  /** Whether the level closes when its transform returns (a user's own dual never does). */
  readonly closes: boolean = true;

  constructor(
    /** The transform that opened the trace, for error messages (`grad`, `jvp`, `dual`, ...). */
    readonly transform: string,
    /** The interpreter's kind (which fast paths it has left, see FastPaths). */
    readonly kind: number,
  ) {
    nameScope(transform);
  }

  close(): void {
    this.live = false;
  }

  /** Applies a unary scalar rule to `x`, a value of this level. */
  abstract unary(rule: UnaryRule, x: Tracer): Value;
  /** Applies a binary rule; this is the innermost live level among `a` and `b`. */
  abstract binary(rule: BinaryRule, a: Value, b: Value): Value;
  /** Applies an n-ary scalar rule; this is the innermost live level among `xs`. */
  abstract nary(rule: NaryRule, xs: readonly Value[]): Value;
  /** Applies a tensor rule; this is the innermost live level among `args`. */
  abstract tensor<P>(rule: TensorRule<P>, args: readonly Value[], params: P): Value;

  /** Code outside the primitives read a value at this level (to decide on it, say); `by` names it. */
  valueRead(_by: string): void {}
  /**
   * A kink's 0/1 mask (a rule of zero derivative) on `args`, values of this level or below, this
   * being the innermost level among them that is not a derivative (those are stripped first).
   * `lower` computes the mask one level down. jit's recorder guards its replay on the result; a
   * batch level computes it per example. By default, the mask of the values one level down.
   */
  mask(_rule: UnaryRule | BinaryRule, args: readonly Value[], lower: (args: readonly Value[]) => Value): Value {
    return lower(args.map((a) => (a instanceof Tracer && a.trace === this ? a.primal : a)));
  }
  /** A function with a custom forward rule, at this level: its result leaves, or undefined to run the function. */
  customJvp(_leaves: readonly Value[], _run: CustomJvpRun): readonly Value[] | undefined {
    return undefined;
  }
  /** A function with a custom reverse rule, at this level: its result leaves, or undefined to run the function. */
  customVjp(_leaves: readonly Value[], _run: CustomVjpRun): readonly Value[] | undefined {
    return undefined;
  }
}

/** The error for a Real used after the transform that made it has returned; `by` names the public function that found it. */
export const escapedError = (trace: Trace, by = "nabla"): Error =>
  new Error(
    `${by}: a value created inside ${trace.transform} was used after that ${trace.transform} returned. ` +
      `It escaped its transform (kept in a variable or a closure): its derivative information is gone, and a ` +
      `tensor's memory may have been reused. Use primal(x) inside the ${trace.transform} to keep its value ` +
      `(a scalar's primal stays readable), or compute with it there.`,
  );
