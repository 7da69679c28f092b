// Fused loops by code generation: a whole elementwise expression (cached by its signature) becomes
// one loop that reads its inputs once and writes nothing in between, instantiated through
// base/codegen.ts, so that where code cannot be generated the caller interprets instead. The cache
// is bounded (an LRU of MAX_LOOPS), and slices at ever new offsets share a loop (BAKED_VARIANTS).
import { instantiate } from "../../../base/codegen.ts";
import type { Expr } from "../../expr.ts";
import { hasShift, planCarries } from "./carry.ts";
import { generate } from "./emit.ts";
import { boundNames, type Signature, signature } from "./signature.ts";

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

/**
 * How many loops with baked-in bounds one structure of shifts gets: bounds fixed in the code run
 * fastest (and let a stencil carry values), so a training loop's few slices get their own; past
 * this many, new bounds of that structure share one loop that takes them as parameters.
 */
export const BAKED_VARIANTS = 4;

/** The loop for `expr` and the parameters to call it with, or undefined where `new Function` is forbidden. */
export function compile(expr: Expr, write: boolean): { readonly fn: Loop; readonly params: readonly unknown[] } | undefined {
  const sig = signature(expr, write);
  if (sig.bounds.length === 0) return compiled(sig.key, expr, write, sig, false);
  const exact = `${sig.key}|${sig.bounds.join(",")}`;
  const baked = loops.get(exact);
  if (baked !== undefined) return compiled(exact, expr, write, sig, false);
  if (loops.has(sig.key)) return compiled(sig.key, expr, write, sig, true);
  const seen = variants.get(sig.key) ?? 0;
  if (seen >= BAKED_VARIANTS) return compiled(sig.key, expr, write, sig, true);
  variants.set(sig.key, seen + 1);
  if (variants.size > 4 * MAX_LOOPS) variants.delete(variants.keys().next().value!);
  return compiled(exact, expr, write, sig, false);
}

/** How many loops with baked-in bounds each structure of shifts has had compiled (bounded, oldest dropped). */
const variants = new Map<string, number>();

/** The loop cached under `key` (compiled now if absent), with bounds as parameters or baked in. */
function compiled(key: string, expr: Expr, write: boolean, sig: Signature, parametric: boolean): { readonly fn: Loop; readonly params: readonly unknown[] } | undefined {
  let fn = loops.get(key);
  if (fn !== undefined) {
    loops.delete(key); // most recently used: to the end
    loops.set(key, fn);
  } else {
    const s: Signature = parametric ? sig : { ...sig, shifts: new Map() };
    const parameters = [...sig.names, ...(parametric ? boundNames(sig) : []), "out", "n"].join(", ");
    fn = instantiate(`return function (${parameters}) {\n${loopSource(expr, write, s, invariance())}\n};`, [], []) as Loop | undefined;
    if (fn === undefined) return undefined;
    loops.set(key, fn);
    if (loops.size > MAX_LOOPS) loops.delete(loops.keys().next().value!);
  }
  return { fn, params: parametric ? [...sig.params, ...sig.bounds] : sig.params };
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
function loopSource(expr: Expr, write: boolean, sig: Signature, isInvariant: (e: Expr) => boolean): string {
  // Carries are planned where bounds are baked in. A carry whose source turns out not to be computed
  // where it is needed (its own ancestors were carried) is dropped and the code redone.
  const carried = sig.shifts.size === 0 && hasShift(expr) ? planCarries(expr, isInvariant) : new Set<string>();
  for (;;) {
    const attempt = generate(expr, write, isInvariant, carried, sig);
    if (attempt.dangling.length === 0) return attempt.source;
    for (const key of attempt.dangling) carried.delete(key);
  }
}
