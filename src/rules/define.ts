// The shape of a primitive's rule: its value on plain numbers and its partial derivatives, written
// once with nabla's own ops. Forward mode (duals) and reverse mode (tape edges) both read these.
import type { Value } from "../core/value.ts";

/**
 * y = f(x). `d` is ∂y/∂x from the primal and the result, so it differentiates again; a constant
 * partial (as for neg) is given as a number, which saves the call on the hot path.
 */
export interface UnaryRule {
  readonly name: string;
  readonly domain: Domain;
  readonly value: (x: number) => number;
  readonly d: ((x: Value, y: Value) => Value) | number;
}

/** y = f(a, b), with both partials (numbers when constant, as for add and sub). */
export interface BinaryRule {
  readonly name: string;
  readonly domain: Domain;
  readonly value: (a: number, b: number) => number;
  readonly da: ((a: Value, b: Value, y: Value) => Value) | number;
  readonly db: ((a: Value, b: Value, y: Value) => Value) | number;
}

/** y = f(x₁ … xₙ), with the partial for argument i. */
export interface NaryRule {
  readonly name: string;
  readonly value: (xs: readonly number[]) => number;
  readonly d: (xs: readonly Value[], y: Value, i: number) => Value;
}

/**
 * Where a primitive is smooth and finite, for sampling inputs in tests and laws: an open interval per
 * argument, and the distance from a point to the nearest kink (where the derivative jumps).
 */
export interface Domain {
  readonly args: readonly (readonly [number, number])[];
  readonly kinkDistance?: (args: readonly number[]) => number;
}
