// The shape of a primitive's rule: its value on plain numbers and its partial derivatives, written
// once with nabla's own ops. Forward mode (duals) and reverse mode (tape edges) both read these.
import type { Value } from "../core/value.ts";

/** y = f(x). `d` is ∂y/∂x from the primal and the result, so it differentiates again. */
export interface UnaryRule {
  readonly name: string;
  readonly value: (x: number) => number;
  readonly d: (x: Value, y: Value) => Value;
}

/** y = f(a, b), with both partials. */
export interface BinaryRule {
  readonly name: string;
  readonly value: (a: number, b: number) => number;
  readonly da: (a: Value, b: Value, y: Value) => Value;
  readonly db: (a: Value, b: Value, y: Value) => Value;
}

/** y = f(x₁ … xₙ), with the partial for argument i. */
export interface NaryRule {
  readonly name: string;
  readonly value: (xs: readonly number[]) => number;
  readonly d: (xs: readonly Value[], y: Value, i: number) => Value;
}
