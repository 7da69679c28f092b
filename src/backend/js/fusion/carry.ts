// Carry planning for fused loops with shifts (stencils). Inside a shift a node is read at an earlier
// index, i − offset; where the same node is also needed at offset k − 1 for every index that needs it
// at offset k, its value at k is the one from one iteration earlier, carried in a variable.
import type { Expr } from "../../expr.ts";
import { numbering } from "./signature.ts";

/** Index ranges [lo, hi) over which a node is needed or computed at one offset. */
export type Range = readonly [number, number];

/** Op nodes by identity, for the `id@offset` keys of carries. */
export const nodeId = numbering<Expr>();

/** Whether every range, moved one index back, lies inside one of the `earlier` ranges. */
export const coveredOneBack = (ranges: readonly Range[], earlier: readonly Range[]): boolean =>
  ranges.every(([lo, hi]) => earlier.some(([l, h]) => l <= lo - 1 && hi - 1 <= h));

/** Whether the expression holds a shift (else there is nothing to carry). */
export function hasShift(e: Expr, seen = new Set<Expr>()): boolean {
  if (seen.has(e)) return false;
  seen.add(e);
  if (e.kind === "shift") return true;
  return e.kind === "op" && e.args.some((a) => hasShift(a, seen));
}

/**
 * Which op nodes may take their value at offset k from the previous iteration's value at k − 1,
 * keyed `id@offset`: those where every index range needing them at k, moved one back, lies inside a
 * range needing them at k − 1 (emission then checks that the value is really computed there).
 */
export function planCarries(expr: Expr, isInvariant: (e: Expr) => boolean): Set<string> {
  const needs = new Map<Expr, Map<number, [number, number][]>>();
  const seen = new Set<string>();
  const visit = (e: Expr, offset: number, lo: number, hi: number): void => {
    if (isInvariant(e) || e.kind === "leaf" || e.kind === "const" || lo >= hi) return;
    const key = `${nodeId(e)}@${offset}@${lo}@${hi}`;
    if (seen.has(key)) return;
    seen.add(key);
    if (e.kind === "shift") return visit(e.arg, offset + e.from, Math.max(lo, e.from + offset), Math.min(hi, e.to + offset));
    let byOffset = needs.get(e);
    if (byOffset === undefined) needs.set(e, (byOffset = new Map()));
    let ranges = byOffset.get(offset);
    if (ranges === undefined) byOffset.set(offset, (ranges = []));
    ranges.push([lo, hi]);
    for (const a of e.args) visit(a, offset, lo, hi);
  };
  visit(expr, 0, 0, Infinity);
  const carried = new Set<string>();
  for (const [e, byOffset] of needs) {
    for (const [offset, ranges] of byOffset) {
      const earlier = byOffset.get(offset - 1);
      if (earlier !== undefined && coveredOneBack(ranges, earlier)) carried.add(`${nodeId(e)}@${offset}`);
    }
  }
  return carried;
}
