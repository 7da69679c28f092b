// The protocol every interpreter implements. A transform opens a level (a Trace) and hands the
// function values of that level (Tracers); an op on them asks the innermost live trace among its
// arguments to apply the primitive (JAX's process_primitive). Levels are ordered by creation, so
// nested levels never mix. The core names no interpreter: forward, reverse and jit's recording
// each implement this class in their own folder.
import type { BinaryRule, NaryRule, TensorRule, UnaryRule } from "./rule.ts";
import type { Tracer, Value } from "./value.ts";

let lastLevel = 0;
let lastKind = 0;

/** A number for a kind of interpreter, for its slot in a rule's fast paths (see FastPaths). */
export const newKind = (): number => lastKind++;

/** A decision taken on values (a kink's side, as a 0/1 mask): its code and value over the arguments. */
export interface Decision {
  readonly code: (...operands: string[]) => string;
  readonly value: (...operands: number[]) => number;
  readonly args: readonly Value[];
  readonly result: number;
}

/** A custom forward rule on leaves: primals and tangents (below the level) to result primals and tangents. */
export type CustomJvpRun = (primals: readonly Value[], tangents: readonly Value[]) => readonly [readonly Value[], readonly Value[]];
/** A custom reverse rule on leaves: primals (below the level) to result primals and a pullback on leaves. */
export type CustomVjpRun = (
  primals: readonly Value[],
) => readonly [readonly Value[], (cotangents: readonly Value[]) => readonly (Value | undefined)[]];

/** How many live traces listen to decisions (only jit's recorder does): masks skip the walk when none. */
let listening = 0;
export const someoneListens = (): boolean => listening > 0;

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
  /** Whether it hears every decision taken on its values (see `decided`). */
  private listens = false;

  constructor(
    /** The transform that opened the trace, for error messages (`grad`, `jvp`, `dual`, ...). */
    readonly transform: string,
    /** The interpreter's kind (its slot in a rule's fast paths). */
    readonly kind: number,
  ) {}

  /** From now until it closes, this trace hears every decision (jit's recorder, to guard its replays). */
  protected listen(): void {
    if (!this.listens) listening++;
    this.listens = true;
  }

  close(): void {
    if (this.live && this.listens) listening--;
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
  /** A kink decided a side on values of this level (or below it). */
  decided(_decision: Decision): void {}
  /** A function with a custom forward rule, at this level: its result leaves, or undefined to run the function. */
  customJvp(_leaves: readonly Value[], _run: CustomJvpRun): readonly Value[] | undefined {
    return undefined;
  }
  /** A function with a custom reverse rule, at this level: its result leaves, or undefined to run the function. */
  customVjp(_leaves: readonly Value[], _run: CustomVjpRun): readonly Value[] | undefined {
    return undefined;
  }
}

/** The error for a Real used after the transform that made it has returned. */
export const escapedError = (trace: Trace): Error =>
  new Error(
    `nabla: a Real created inside ${trace.transform} was used after that ${trace.transform} returned. ` +
      `It escaped its transform (kept in a variable or a closure) and its derivative information is gone; ` +
      `use primal(x) to keep only its value, or compute with it inside the ${trace.transform}.`,
  );
