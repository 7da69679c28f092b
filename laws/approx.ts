// Float comparison for the laws: `approxEq({ rtol, atol })` is an fp-ts `Eq` on trees of numbers that
// allows for rounding, and says where and by how much two trees differ when they do.
import type { Eq } from "fp-ts/Eq";
import { Tensor, toArray } from "../src/index.ts";
import { elementsOf, pathsOf, sameStructure } from "./trees.ts";

/**
 * How far apart two floats may be: |a − b| ≤ atol + rtol·scale.
 * @example
 * const loose: Tolerance = { rtol: 1e-6, atol: 1e-9 };
 * approxEq(loose).equals(100, 100.00001); // => true
 */
export interface Tolerance {
  readonly rtol: number;
  readonly atol: number;
}

/**
 * An `Eq` on trees of numbers, up to a tolerance.
 * @example
 * const eq: ApproxEq = approxEq({ rtol: 0, atol: 0.5 });
 * [eq.close(1, 1.4), eq.close(1, 1.6), eq.atol]; // => [true, false, 0.5]
 */
export interface ApproxEq extends Eq<unknown>, Tolerance {
  /**
   * |a − b| ≤ atol + rtol·scale + slack. `scale` defaults to max(|a|, |b|); a law passes a larger one
   * when the values are sums whose terms cancel (the rounding error is relative to the terms, not the
   * sum), and a `slack` when one side carries a known error (a finite difference's).
   */
  readonly close: (a: number, b: number, scale?: number, slack?: number) => boolean;
  /**
   * Why `actual` and `expected` are not equal (the first leaf that differs, with its path), or
   * undefined when they are. `scales` and `slacks` are per leaf, as for `close`.
   */
  readonly explain: (
    actual: unknown,
    expected: unknown,
    scales?: readonly number[],
    slacks?: readonly number[],
  ) => string | undefined;
}

/**
 * Approximate equality: NaN equals NaN (both sides propagated it), an infinity only itself, and
 * finite numbers are equal when |a − b| ≤ atol + rtol·max(|a|, |b|).
 * @example
 * const eq = approxEq({ rtol: 1e-9, atol: 0 });
 * eq.equals(1, 1 + 1e-12); // => true
 * eq.equals({ w: [1, 2] }, { w: [1, 2.1] }); // => false
 * eq.explain([1, 2], [1, 2.1]); // => "2 vs 2.1 at [1]: they differ by 0.10000000000000009 (tolerance rtol 1e-9, atol 0)"
 */
export function approxEq(tolerance: Tolerance): ApproxEq {
  const { rtol, atol } = tolerance;
  if (!(rtol >= 0 && atol >= 0)) throw new RangeError(`approxEq: rtol and atol must be >= 0, got ${rtol} and ${atol}`);
  const close = (a: number, b: number, scale = 0, slack = 0): boolean => {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
    if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
    return Math.abs(a - b) <= atol + rtol * Math.max(scale, Math.abs(a), Math.abs(b)) + slack;
  };
  const explain = (
    actual: unknown,
    expected: unknown,
    scales?: readonly number[],
    slacks?: readonly number[],
  ): string | undefined => {
    if (!sameStructure(actual, expected)) {
      return `the structures differ: ${show(actual)} vs ${show(expected)}`;
    }
    const as = elementsOf(actual);
    const es = elementsOf(expected);
    const paths = pathsOf(expected);
    for (let i = 0; i < as.length; i++) {
      const a = as[i];
      const e = es[i];
      if (typeof a !== "number" || typeof e !== "number") {
        return `at ${paths[i] || "the root"}: ${String(a)} vs ${String(e)} (a leaf is not a plain number)`;
      }
      if (!close(a, e, scales?.[i], slacks?.[i])) {
        const where = paths[i] === "" ? "" : ` at ${paths[i]}`;
        const slack = slacks === undefined ? "" : `, slack ${slacks[i]}`;
        return `${a} vs ${e}${where}: they differ by ${Math.abs(a - e)} (tolerance rtol ${rtol}, atol ${atol}${slack})`;
      }
    }
    return undefined;
  };
  return Object.freeze({ rtol, atol, close, explain, equals: (a: unknown, b: unknown) => explain(a, b) === undefined });
}

/** A compact rendering of a tree of numbers (and tensors, as `tensor([[…]])`) for messages. */
export function show(tree: unknown): string {
  if (typeof tree === "number") return Object.is(tree, -0) ? "-0" : String(tree);
  if (tree instanceof Tensor) return `tensor(${show(toArray(tree))})`;
  if (Array.isArray(tree)) return `[${tree.map(show).join(", ")}]`;
  if (typeof tree === "object" && tree !== null) {
    return `{ ${Object.entries(tree).map(([k, v]) => `${k}: ${show(v)}`).join(", ")} }`;
  }
  return String(tree);
}

/**
 * For laws between two automatic derivatives (the same number by two routes): both are exact up to
 * float64 rounding, which compounds over a program's operations. 2²⁰·ε ≈ 2·10⁻¹⁰ relative leaves
 * room for a million roundings while still catching a rule off by one part in a billion.
 * @example
 * identityTolerance.equals(0.1 + 0.2, 0.3); // => true
 * identityTolerance.equals(1, 1 + 1e-6); // => false
 */
export const identityTolerance: ApproxEq = approxEq({ rtol: 1e-9, atol: 1e-12 });

/**
 * For finite differences against derivatives: the difference quotient's own error (truncation and
 * rounding, estimated per sample by the law and added to this) is the real limit; this covers what
 * is left. It still catches a rule off by one part in a million.
 * @example
 * finiteDifferenceTolerance.equals(1, 1 + 1e-7); // => true
 * finiteDifferenceTolerance.equals(1, 1.001); // => false
 */
export const finiteDifferenceTolerance: ApproxEq = approxEq({ rtol: 1e-6, atol: 1e-9 });
