// Reading and making values by hand: primal, stopGradient, and the user's own dual numbers.
import { describeValue } from "../core/errors.ts";
import { escapedError } from "../core/trace.ts";
import { Tracer, primalValue, type Real } from "../core/value.ts";
import { Dual, Tag } from "../forward/dual.ts";
import { flatten, isLeaf, type Like, unflatten } from "../tree/tree.ts";

/** The plain value under every perturbation (for control flow and logging). Works on escaped Reals. */
export function primal(x: Real): number {
  if (!isLeaf(x)) throw new TypeError(`primal: expects a Real, got ${describeValue(x)}`);
  return primalValue(x);
}

/** `x`'s value with zero derivative at every level (leaves of a tree become plain numbers). */
export function stopGradient<T>(x: T): Like<T> {
  const { leaves, def } = flatten(x, "stopGradient");
  return unflatten(def, leaves.map(primalValue)) as Like<T>;
}

/** A dual number `primal + tangent·ε` with a fresh tag of its own. */
export function dual(primal: Real, tangent: Real): Dual {
  for (const [what, v] of [["primal", primal], ["tangent", tangent]] as const) {
    if (!isLeaf(v)) throw new TypeError(`dual: the ${what} must be a Real, got ${describeValue(v)}`);
    if (v instanceof Tracer && !v.trace.live) throw escapedError(v.trace);
  }
  return new Dual(new Tag("dual"), primal, tangent);
}

/** The tangent of a dual number (0 for a plain number). */
export function tangent(d: Real): Real {
  if (typeof d === "number") return 0;
  if (d instanceof Dual) {
    if (!d.trace.live) throw escapedError(d.trace);
    return d.tangent as Real;
  }
  throw new TypeError(
    `tangent: expects a Dual (from dual(primal, tangent)) or a number, got ${describeValue(d)}` +
      (d instanceof Tracer ? " from a reverse-mode transform" : ""),
  );
}
