// jit's level: a trace that runs the function on real values and writes down every primitive it
// applies, scalar and tensor, as straight-line steps over the inputs; decisions on scalars (kinks) become guards.
import { bind1, bind2, bindN, bindT } from "../../core/bind.ts";
import { type BinaryRule, type NaryRule, newKind, type Payload, payloadOf, type TensorRule, Trace, Tracer, type UnaryRule, type Value } from "../../core/protocol.ts";
import { below, isTensorValued } from "../../core/value.ts";
import { pendingExpr, Tensor } from "../../tensor/tensor.ts";
import { constantTensor, elementwiseStep, pendingStep, type Operand, type PlainRule, plainRule, type ScalarStep, type Step } from "./steps.ts";

const KIND = newKind();

export type { Operand, Step } from "./steps.ts";

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
    const y = bind1(rule, x.primal);
    if (this.stopped) return y;
    if (isTensorValued(x)) return this.applyTensor(elementwiseStep, rule, [x], y);
    return this.apply(rule.code, rule.value, [x], y);
  }

  binary(rule: BinaryRule, a: Value, b: Value): Value {
    const y = bind2(rule, below(a, this), below(b, this));
    if (this.stopped) return y;
    if (isTensorValued(a) || isTensorValued(b)) return this.applyTensor(elementwiseStep, rule, [a, b], y);
    return this.apply(rule.code, rule.value, [a, b], y);
  }

  nary(rule: NaryRule, xs: readonly Value[]): Value {
    const y = bindN(rule, xs.map((x) => below(x, this)));
    if (this.stopped) return y;
    return this.apply((...v) => rule.code(v), (...v) => rule.value(v), xs, y);
  }

  /** A tensor primitive: a step that calls the rule's value function on replay. */
  tensor<P>(rule: TensorRule<P>, args: readonly Value[], params: P): Value {
    const y = bindT(rule, args.map((a) => below(a, this)), params);
    return this.stopped ? y : this.applyTensor(plainRule(rule), params, args, y);
  }

  /**
   * A kink's mask: computed one level down. On scalars, a guard on it (replays are valid where it
   * comes out the same); on tensors, not a decision but data: a step computing the mask on replay.
   */
  override mask(rule: UnaryRule | BinaryRule, args: readonly Value[], lower: (args: readonly Value[]) => Value): Value {
    const m = lower(args.map((a) => below(a, this)));
    if (this.stopped) return m;
    const at = args.map((b) => recordingOf(b, this) ?? payloadOf(b));
    if (typeof m !== "number") return this.applyTensor(elementwiseStep, rule, at, m);
    this.guard(rule.code as ScalarStep["code"], rule.value as ScalarStep["value"], at, m);
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

  /** The next input leaf, a number or a tensor (inputs are recorded before any other step). */
  input(value: Payload): Recording {
    const i = this.inputs++;
    this.steps.push({ code: () => `x[${i}]`, value: () => 0, operands: [] });
    return new Recording(this, value, i);
  }

  /** The operand a value is at this level: a step, a constant, or undefined (an outer level's value). */
  operand(v: Value): Operand | undefined {
    if (typeof v === "number") return { constant: v };
    if (v instanceof Recording && v.trace === this && v.step >= 0) return { step: v.step };
    if (v instanceof Tensor) {
      const expr = pendingExpr(v);
      return expr === undefined ? constantTensor(v) : { step: this.push(pendingStep(expr, v.shape)) };
    }
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

  /** A scalar primitive applied at this level to `args` (no tensor among them), whose value one level down is `y`. */
  apply(code: ScalarStep["code"], value: ScalarStep["value"], args: readonly Value[], y: Value): Recording {
    const operands = this.operands(args);
    if (operands === undefined || typeof y !== "number") return this.opaque(y, "a value from another transform");
    return new Recording(this, y, this.push({ code, value, operands }));
  }

  /** A tensor primitive applied at this level to `args`, whose plain value is `y`. */
  private applyTensor(rule: PlainRule, params: unknown, args: readonly Value[], y: Value): Recording {
    const operands = this.operands(args);
    if (operands === undefined || !(typeof y === "number" || y instanceof Tensor)) return this.opaque(y, "a value from another transform");
    return new Recording(this, y, this.push({ rule, params, operands }));
  }

  /** A value the steps cannot express: the function then runs as it is on every call. */
  opaque(y: Value, why: string): Recording {
    this.unreplayable ??= why;
    return new Recording(this, y, -1);
  }

  /** A decision taken on values (a kink's side): replays are valid only where it comes out the same. */
  guard(code: ScalarStep["code"], value: ScalarStep["value"], args: readonly Value[], expect: number): void {
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
