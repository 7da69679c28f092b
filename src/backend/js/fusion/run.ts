// Kernels.run for the JavaScript backend: a fused expression compiled to one loop, or interpreted
// node by node where code generation is forbidden (a strict Content-Security-Policy).
import type { Expr } from "../../expr.ts";
import { compile } from "./compile.ts";
import { interpret } from "./interpret.ts";

/** Cleared for good the first time code generation is refused (and by tests). */
let canCompile = true;

/** For tests: run expressions interpreted (as under a strict CSP) or compiled again. */
export function setCompilation(enabled: boolean): void {
  canCompile = enabled;
}

/**
 * Writes the expression's value at every index into `out` (length n), or, with `out` undefined,
 * returns the sum over every index (in index order).
 */
export function run(expr: Expr, n: number, out: Float64Array | undefined): number {
  if (canCompile) {
    const c = compile(expr, out !== undefined);
    if (c !== undefined) return c.fn(...c.params, out, n);
    canCompile = false; // `new Function` is forbidden here: interpret from now on
  }
  return interpret(expr, n, out);
}
