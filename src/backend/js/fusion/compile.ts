// Fused loops by code generation: a whole elementwise expression (cached by its signature) becomes
// one loop that reads its inputs once and writes nothing in between, instantiated through
// base/codegen.ts, so that where code cannot be generated the caller interprets instead.
import { instantiate } from "../../../base/codegen.ts";
import type { Expr } from "../../expr.ts";
import { hasShift, planCarries } from "./carry.ts";
import { generate } from "./emit.ts";
import { type Signature, signature } from "./signature.ts";

/** A compiled loop: its array and constant parameters (and shift bounds), then `out` and `n`. */
type Loop = (...args: unknown[]) => number;

/**
 * The most loops kept: an LRU cache by signature (a Map in use order). A training loop uses a few
 * dozen; past this budget the least recently used is dropped and compiled again if it comes back.
 */
export const MAX_LOOPS = 512;
const loops = new Map<string, Loop>();

/** For tests: how many loops are cached now. */
export const kernelCount = (): number => loops.size;

/** The loop for `expr` and the parameters to call it with, or undefined where `new Function` is forbidden. */
export function compile(expr: Expr, write: boolean): { readonly fn: Loop; readonly params: readonly unknown[] } | undefined {
  const isInvariant = invariance();
  // a stencil's carries are planned on its shifts' bounds; without carries the bounds are parameters
  const carried = hasShift(expr) ? planCarries(expr, isInvariant) : new Set<string>();
  const sig = signature(expr, write, carried.size === 0);
  let fn = loops.get(sig.key);
  if (fn !== undefined) {
    loops.delete(sig.key); // most recently used: to the end
    loops.set(sig.key, fn);
  } else {
    const parameters = [...sig.names, "out", "n"].join(", ");
    fn = instantiate(`return function (${parameters}) {\n${loopSource(expr, write, sig, isInvariant, carried)}\n};`, [], []) as Loop | undefined;
    if (fn === undefined) return undefined;
    loops.set(sig.key, fn);
    if (loops.size > MAX_LOOPS) loops.delete(loops.keys().next().value!);
  }
  return { fn, params: sig.params };
}

/**
 * Whether a node's value does not depend on the index (constants, one-element leaves, ops over
 * those): such values are computed once before the loop. Memoized per compilation.
 */
function invariance(): (e: Expr) => boolean {
  const invariant = new Map<Expr, boolean>();
  const isInvariant = (e: Expr): boolean => {
    let v = invariant.get(e);
    if (v === undefined) {
      v = e.kind === "const" || (e.kind === "leaf" && e.access === "scalar") || (e.kind === "op" && e.args.every(isInvariant));
      invariant.set(e, v);
    }
    return v;
  };
  return isInvariant;
}

/** The loop's body for an expression, its arrays and constants named as its signature numbers them. */
function loopSource(expr: Expr, write: boolean, sig: Signature, isInvariant: (e: Expr) => boolean, planned: ReadonlySet<string>): string {
  // A carry whose source turns out not to be computed where it is needed (its own ancestors were
  // carried) is dropped and the code redone.
  const carried = new Set(planned);
  for (;;) {
    const attempt = generate(expr, write, isInvariant, carried, sig);
    if (attempt.dangling.length === 0) return attempt.source;
    for (const key of attempt.dangling) carried.delete(key);
  }
}
