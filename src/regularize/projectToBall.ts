// projectToBall(r): the Euclidean projection onto the ball ‖θ‖₂ <= r, θ ↦ θ·min(1, r/‖θ‖₂), as a
// params-to-params step (compose it with an optimizer by `projected`: projected gradient descent).
import { nextDown } from "../base/float.ts";
import { checkOptions, describe } from "../base/errors.ts";
import { primal } from "../transforms/values.ts";
import { div, mul, sqrt } from "../rules/scalar.ts";
import { payloadOf, type Real, type Value, valueRead } from "../core/protocol.ts";
import { data } from "../tensor/tensor.ts";
import { type Leaf, partsOf, rebuild } from "../tree/params.ts";
import { squaredNorm } from "./withL2.ts";

/**
 * Options of `projectToBall`: one ball for the whole tree, or one per leaf.
 * @example
 * projectToBall(1, { perLeaf: true })({ a: tensor([3, 4]), b: tensor([0.5]) }); // => { a: tensor([0.6, 0.8]), b: tensor([0.5]) }
 * projectToBall(1)({ a: tensor([3, 4]), b: tensor([0]) }); // => { a: tensor([0.6, 0.8]), b: tensor([0]) }
 */
export interface BallOptions {
  /** Project each leaf onto its own ball of radius r, instead of the whole tree onto one (default false). */
  readonly perLeaf?: boolean | undefined;
}

/**
 * A params-to-params map that keeps the tree's structure.
 * @example
 * const p: Projection = projectToBall(2);
 * p({ w: [0, 4] }); // => { w: [0, 2] }
 */
export type Projection = <P>(params: P) => P;


/** The largest |x| over every element of every leaf (a plain number: a constant for derivatives). */
function largestMagnitude(leaves: readonly Leaf[]): number {
  let m = 0;
  for (const leaf of leaves) {
    const p = payloadOf(leaf as Value);
    valueRead(leaf as Value, "projectToBall's overflow check");
    if (typeof p === "number") m = Math.max(m, Math.abs(p));
    else for (const x of data(p)) m = Math.max(m, Math.abs(x));
  }
  return m;
}

/**
 * ‖θ‖₂ = s·‖θ/s‖₂, with s a plain number: 1 while the squares neither overflow (1e200) nor underflow
 * (1e-200), else the largest |x| (a constant, so the derivative is still the norm's). Returns s, the
 * leaves divided by s, and ‖θ/s‖₂, none of which overflows.
 */
function normParts(leaves: readonly Leaf[]): { readonly s: number; readonly scaled: readonly Leaf[]; readonly n: Real } {
  const squares = squaredNorm(leaves);
  const q = primal(squares);
  if (Number.isFinite(q) && q > 1e-280) return { s: 1, scaled: leaves, n: sqrt(squares) };
  const s = largestMagnitude(leaves);
  if (s === 0 || !Number.isFinite(s)) return { s: 1, scaled: leaves, n: sqrt(squares) };
  const scaled = leaves.map((leaf) => div(leaf as Real, s) as Leaf);
  return { s, scaled, n: sqrt(squaredNorm(scaled)) };
}

/** ‖θ‖₂ (infinite only when the norm itself is beyond the largest float). */
function normOf(leaves: readonly Leaf[]): Real {
  const { s, n } = normParts(leaves);
  return s === 1 ? n : mul(s, n);
}

/**
 * `leaves` scaled onto the sphere of radius r when their norm exceeds r, else the same leaves. The
 * scaled point is (θ/s)·(r/‖θ/s‖): |θ/s| <= 1 and r/‖θ/s‖ <= r, so nothing overflows on the way
 * (θ·r/‖θ‖ would, when ‖θ‖ does). r/‖θ/s‖ can leave the scaled norm an ulp above r; the factor is
 * then nudged down until it is not, so that projecting again changes nothing (exactly idempotent).
 */
function project(leaves: readonly Leaf[], r: number): readonly Leaf[] {
  const { s, scaled, n } = normParts(leaves);
  // ‖θ‖ > r, compared as ‖θ/s‖ > r/s; a NaN norm compares false: unchanged
  if (!(primal(n) > (s === 1 ? r : r / s))) return leaves;
  let factor: Real = div(r, n);
  let out = scaled.map((leaf) => mul(leaf, factor));
  for (let i = 0; i < 64 && primal(normOf(out)) > r; i++) {
    const f: Real = factor;
    factor = typeof f === "number" ? nextDown(f) : mul(f, 1 - 2 ** -52);
    out = scaled.map((leaf) => mul(leaf, factor));
  }
  return out;
}

/**
 * The projection onto the L2 ball of radius r: θ ↦ θ·min(1, r/‖θ‖₂) with the global norm over every
 * leaf, or each leaf onto its own ball with `{ perLeaf: true }`. A point inside the ball comes back
 * with the same values exactly; the projection is idempotent and non-expansive. r must be finite and
 * > 0 (checked here, before any point is given).
 * @example
 * projectToBall(1)([3, 4]); // => [0.6, 0.8]
 * projectToBall(10)([3, 4]); // => [3, 4]
 */
export function projectToBall(r: number, options?: BallOptions): Projection {
  if (typeof r !== "number" || !Number.isFinite(r) || r <= 0) {
    throw new RangeError(`projectToBall: the radius must be a finite number > 0, got ${typeof r === "number" ? r : describe(r)}`);
  }
  const perLeaf = checkOptions(options, "projectToBall").perLeaf === true;
  return <P>(params: P): P => {
    const { leaves, def } = partsOf(params, "projectToBall");
    const out = perLeaf ? leaves.map((leaf) => project([leaf], r)[0]) : project(leaves, r);
    return rebuild<P>(def, out);
  };
}
