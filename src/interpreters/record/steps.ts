// What jit's recording writes down: scalar steps (code and value over numbers, guards at kinks) and
// tensor steps (a tensor rule's plain-value function with its parameters), over earlier steps and constants.
import { pin } from "../../backend/memory.ts";
import type { BinaryRule, Payload, TensorRule, UnaryRule } from "../../core/protocol.ts";
import { visitBuffers } from "../../core/value.ts";
import type { Shape } from "../../base/shape.ts";
import { type Expr, visitLeaves } from "../../backend/expr.ts";
import { elementwise } from "../../tensor/elementwise.ts";
import { lazy, type Tensor } from "../../tensor/tensor.ts";

/** An operand of a step: the result of an earlier step, a number, or a plain tensor read once (a constant). */
export type Operand = { readonly step: number } | { readonly constant: number } | { readonly tensor: Tensor };

/** One scalar primitive applied to operands: its code (for compiling) and its value (where code cannot run). */
export interface ScalarStep {
  readonly code: (...operands: string[]) => string;
  readonly value: (...operands: number[]) => number;
  readonly operands: readonly Operand[];
  /** For a guard: the value the step had when recorded; a replay that computes another one is invalid. */
  readonly expect?: number;
}

/** What a tensor step calls on replay: a rule's plain-value function, `rule.value(args, params)`. */
export interface PlainRule {
  readonly value: (args: readonly Payload[], params: never) => Payload;
}

/** One tensor primitive applied to operands: `rule.value(operands, params)`, no tracer nor dispatch. */
export interface TensorStep {
  readonly rule: PlainRule;
  readonly params: unknown;
  readonly operands: readonly Operand[];
}

export type Step = ScalarStep | TensorStep;

export const isTensorStep = (s: Step): s is TensorStep => "rule" in s;

/** An elementwise op on plain operands (at least one a tensor): the lazy front door, the op as params. */
export const elementwiseStep: PlainRule = {
  value: (args: readonly Payload[], op: UnaryRule | BinaryRule) => elementwise(op, args),
};

/** A rule of nabla's as a plain rule (its value function reads only its arguments and parameters). */
export const plainRule = <P>(rule: TensorRule<P>): PlainRule => rule as unknown as PlainRule;

/**
 * A plain tensor the recording reads as a constant (one the function closes over, or one made while
 * recording): computed now, and its memory kept out of the buffer pool, since every replay reads it.
 */
export function constantTensor(t: Tensor): Operand {
  visitBuffers(t, pin);
  return { tensor: t };
}

/** Makes a pending tensor again from its expression and shape. */
const pendingRule: PlainRule = {
  value: (_args: readonly Payload[], p: { readonly expr: Expr; readonly shape: Shape }) => lazy(p.expr, p.shape),
};

/**
 * A pending tensor made while recording from constants (the broadcast of a cotangent 1, say): a step
 * that makes it again on every replay, so that what consumes it fuses its expression rather than
 * reading it written out (800 KB of ones for W3's gradient). The buffers it reads are kept.
 */
export function pendingStep(expr: Expr, shape: Shape): TensorStep {
  visitLeaves(expr, pin);
  return { rule: pendingRule, params: { expr, shape }, operands: [] };
}

/** The plain value of an operand given the values of the steps. */
export const operandValue = (o: Operand, values: readonly Payload[]): Payload =>
  "step" in o ? values[o.step]! : "constant" in o ? o.constant : o.tensor;
