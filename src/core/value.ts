// The values nabla computes with: plain numbers, and tracers that carry one perturbation level on top
// of a primal that may itself be a tracer of an older level (forward duals, reverse tape nodes).
import type { Dual } from "../forward/dual.ts";
import type { Tracked } from "../reverse/tape.ts";
import type { Trace } from "./trace.ts";


/** A value carrying the perturbation of `trace` on top of `primal`. */
export abstract class Tracer {
  abstract readonly trace: Trace;
  /** The value one level down: still a tracer when several transforms are nested. */
  abstract readonly primal: Value;

  /**
   * JavaScript's own `+ * <` would silently compute garbage on a tracer, so they throw instead;
   * `${x}` still prints the plain value.
   */
  [Symbol.toPrimitive](hint: string): string {
    if (hint === "string") return `Real(${primalValue(this as Tracer as Dual)})`;
    throw new TypeError(
      "nabla: a Real from a transform was used with JavaScript's own arithmetic or comparison " +
        "(+ - * / < > ...). Compute with nabla's ops (add, mul, ...), or take primal(x) for its plain value.",
    );
  }
}

/** Anything a primitive computes on: a number, or a tracer over one. */
export type Value = number | Dual | Tracked;

/** A differentiable scalar: every plain number is one; inside a transform it may carry perturbations. */
export type Real = number | Dual | Tracked;

/** Strips every perturbation: the plain number underneath. Works on escaped values too. */
export function primalValue(x: Value): number {
  let v = x;
  while (v instanceof Tracer) v = v.primal;
  return v;
}
