// jit's level: a trace that runs the function on real values and writes down every scalar primitive
// it applies, as straight-line steps over the inputs; decisions taken on values (kinks) become guards.
import { bind1, bind2, bindN, bindT } from "../../core/bind.ts";
import { type BinaryRule, type NaryRule, newKind, payloadOf, type TensorRule, Trace, Tracer, type UnaryRule, type Value } from "../../core/protocol.ts";
import { below, isTensorValued } from "../../core/value.ts";
import { elementwise1, elementwise2 } from "../../rules/elementwise.ts";

const KIND = newKind();

/** An operand of a step: the result of an earlier step, or a constant. */
export type Operand = { readonly step: number } | { readonly constant: number };

/** One primitive applied to operands: its code (for compiling) and its value (where code cannot run). */
export interface Step {
  readonly code: (...operands: string[]) => string;
  readonly value: (...operands: number[]) => number;
  readonly operands: readonly Operand[];
  /** For a guard: the value the step had when recorded; a replay that computes another one is invalid. */
  readonly expect?: number;
}

/** A value on jit's level: its value, and the step that computed it. */
export class Recording extends Tracer {
  constructor(
    readonly trace: Recorder,
    readonly primal: Value,
    /** The step, or -1 for a value the steps cannot express (then the recording is not replayable). */
    readonly step: number,
  ) {
    super();
  }
}

/**
 * The most steps a recording takes (dead ones included, inputs not) before it stops: a replay of more than
 * replay.ts's LONGEST live steps is not worth compiling, so past ten times that the function is
 * known to run as written, and the rest of the first call runs as written too (ops on this level
 * then give the value one level down, which leaves this level for good).
 */
export const MOST_STEPS = 20_000;

export class Recorder extends Trace {
  /** Not a perturbation: stopGradient keeps it, and what it computes is handed back as it is. */
  override readonly derivative = false;
  readonly steps: Step[] = [];
  /** Steps 0 … inputs−1 are the inputs. */
  inputs = 0;
  /** Why the steps cannot stand for the function (undefined: they can). */
  unreplayable: string | undefined;
  /** Set once MOST_STEPS are recorded: nothing more is. */
  private stopped = false;

  constructor() {
    super("jit", KIND);
  }

  unary(rule: UnaryRule, x: Tracer): Value {
    if (this.stopped) return bind1(rule, x.primal);
    if (isTensorValued(x)) return bindT(elementwise1(rule), [x], undefined);
    return this.apply(rule.code, rule.value, [x], bind1(rule, x.primal));
  }

  binary(rule: BinaryRule, a: Value, b: Value): Value {
    if (this.stopped) return bind2(rule, below(a, this), below(b, this));
    if (isTensorValued(a) || isTensorValued(b)) return bindT(elementwise2(rule), [a, b], undefined);
    return this.apply(rule.code, rule.value, [a, b], bind2(rule, below(a, this), below(b, this)));
  }

  nary(rule: NaryRule, xs: readonly Value[]): Value {
    const y = bindN(rule, xs.map((x) => below(x, this)));
    if (this.stopped) return y;
    return this.apply((...v) => rule.code(v), (...v) => rule.value(v), xs, y);
  }

  /** jit records scalar programs; on tensors the function runs as it is. */
  tensor<P>(rule: TensorRule<P>, args: readonly Value[], params: P): Value {
    const y = bindT(rule, args.map((a) => below(a, this)), params);
    return this.stopped ? y : this.opaque(y, `the tensor primitive ${rule.name}`);
  }

  /** A kink's mask: computed one level down, and a guard on it (replays are valid where it comes out the same). */
  override mask(rule: UnaryRule | BinaryRule, args: readonly Value[], lower: (args: readonly Value[]) => Value): Value {
    const m = lower(args.map((a) => below(a, this)));
    if (this.stopped) return m;
    if (typeof m !== "number") this.unreplayable ??= "a decision on a tensor";
    else this.guard(rule.code as Step["code"], rule.value as Step["value"], args.map((b) => recordingOf(b, this) ?? payloadOf(b)), m);
    return m;
  }

  /** Appends a step; at MOST_STEPS the recording stops (the function will run as written). */
  private push(step: Step): number {
    this.steps.push(step);
    if (this.steps.length - this.inputs >= MOST_STEPS) {
      this.stopped = true;
      this.unreplayable ??= `a recording of more than ${MOST_STEPS} steps`;
    }
    return this.steps.length - 1;
  }

  /** A value was read by code that may decide on it (`primal`, a norm's scaling): steps cannot stand for it. */
  override valueRead(by: string): void {
    this.unreplayable ??= `${by} read a value`;
  }

  /** The next input leaf (inputs are recorded before any other step). */
  input(value: number): Recording {
    const i = this.inputs++;
    this.steps.push({ code: () => `x[${i}]`, value: () => value, operands: [] });
    return new Recording(this, value, i);
  }

  /** The operand a value is at this level: a step, a constant, or undefined (an outer level's value or a tensor). */
  private operand(v: Value): Operand | undefined {
    if (typeof v === "number") return { constant: v };
    if (v instanceof Recording && v.trace === this && v.step >= 0) return { step: v.step };
    return undefined;
  }

  private operands(args: readonly Value[]): Operand[] | undefined {
    const out: Operand[] = [];
    for (const a of args) {
      const o = this.operand(a);
      if (o === undefined) return undefined;
      out.push(o);
    }
    return out;
  }

  /** A primitive applied at this level to `args`, whose value one level down is `y`. */
  apply(code: Step["code"], value: Step["value"], args: readonly Value[], y: Value): Recording {
    const operands = this.operands(args);
    if (operands === undefined || typeof y !== "number") return this.opaque(y, "a value from another transform or a tensor");
    return new Recording(this, y, this.push({ code, value, operands }));
  }

  /** A value the steps cannot express: the function then runs as it is on every call. */
  opaque(y: Value, why: string): Recording {
    this.unreplayable ??= why;
    return new Recording(this, y, -1);
  }

  /** A decision taken on values (a kink's side): replays are valid only where it comes out the same. */
  guard(code: Step["code"], value: Step["value"], args: readonly Value[], expect: number): void {
    const operands = this.operands(args);
    if (operands === undefined) this.unreplayable ??= "a decision on a value from another transform";
    else this.push({ code, value, operands, expect });
  }
}

/** The recording of `recorder` under `x`'s outer levels. */
function recordingOf(x: Value, recorder: Recorder): Recording | undefined {
  for (let v: Value = x; v instanceof Tracer; v = v.primal) if (v.trace === recorder) return v as Recording;
  return undefined;
}
