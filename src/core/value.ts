// The values nabla computes with: plain numbers and tensors (payloads), and tracers that carry one
// level's perturbation on top of a primal that may itself be a tracer of an older level.
import type { Shape } from "../base/shape.ts";
import { data, Tensor, zeros } from "../tensor/tensor.ts";
import type { Trace } from "./trace.ts";

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
   * JavaScript's own `+ * <` would silently compute garbage on a tracer, so they throw instead;
   * `${x}` still prints the plain value.
   */
  [Symbol.toPrimitive](hint: string): string {
    if (hint === "string") {
      const p = payloadOf(this);
      valueRead(this, "a string conversion");
      return typeof p === "number" ? `Real(${p})` : `Tensor(${p.shape.join(",")}) in a transform`;
    }
    throw new TypeError(
      "nabla: a Real from a transform was used with JavaScript's own arithmetic or comparison " +
        "(+ - * / < > ...). Compute with nabla's ops (add, mul, ...), or take primal(x) for its plain value.",
    );
  }

  /** The shape of the tensor underneath (`[]` for a scalar), so `t.shape` works inside transforms. */
  get shape(): Shape {
    const p = payloadOf(this);
    return typeof p === "number" ? [] : p.shape;
  }
}

/** What a value is underneath its perturbations: a number or a tensor. */
export type Payload = number | Tensor;

/** Anything a primitive computes on: a number, a tensor, or a tracer over one. */
export type Value = Payload | Tracer;

/** A differentiable scalar: every plain number is one; inside a transform it may carry perturbations. */
export type Real = number | Tracer;

/** Strips every perturbation: the number or tensor underneath. Works on escaped values too. */
export function payloadOf(x: Value): Payload {
  let v = x;
  while (v instanceof Tracer) v = v.primal;
  return v;
}

/** Tells every level under `x` that code outside the primitives read its value (jit cannot replay such code). */
export function valueRead(x: Value, by: string): void {
  for (let v: Value = x; v instanceof Tracer; v = v.primal) v.trace.valueRead(by);
}

/** The plain number under a scalar value (for kinks and control flow). */
export function primalValue(x: Value): number {
  const p = payloadOf(x);
  if (typeof p !== "number") throw new TypeError(`expected a scalar Real, got a Tensor of shape [${p.shape.join(",")}]`);
  return p;
}

/** Whether a value is a tensor underneath (a plain tensor, or a tracer over one). */
export const isTensorValued = (x: Value): boolean => payloadOf(x) instanceof Tensor;

/** The shape of a value's payload, or null for a scalar. */
export function shapeOf(x: Value): Shape | null {
  const p = payloadOf(x);
  return typeof p === "number" ? null : p.shape;
}

/** The zero of a value's kind: 0 for a scalar, zeros of its shape for a tensor. */
export function zeroLike(x: Value): Payload {
  const p = payloadOf(x);
  return typeof p === "number" ? 0 : zeros(p.shape);
}

/** Every tensor buffer a value holds, at every level (primals, and tangents of duals). */
export function visitBuffers(x: Value, visit: (b: Float64Array) => void): void {
  if (typeof x === "number") return;
  if (x instanceof Tensor) return visit(data(x));
  for (const part of x.parts()) visitBuffers(part, visit);
}

/** The value one level below `trace`: the primal of a value on that level, anything else as it is. */
export const below = (x: Value, trace: Trace): Value => (x instanceof Tracer && x.trace === trace ? x.primal : x);
