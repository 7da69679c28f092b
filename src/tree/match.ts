// Trees checked against a structure: a cotangent, tangent or update paired with the tree it belongs
// to (the first path that differs named in the error), structures compared, results frozen.
import { freeze } from "immer";
import { formatShape, sameShape } from "../base/shape.ts";
import { describe } from "../base/errors.ts";
import { escapedError, Tracer, type Value } from "../core/protocol.ts";
import { shapeOf } from "../core/value.ts";
import { isRecord } from "./records.ts";
import { formatPath, isLeaf, type Key, LEAF, type TreeDef } from "./types.ts";

/**
 * The leaves of `given`, which must have the structure `def` (same containers, lengths, keys; leaves
 * where leaves are), aligned with that structure's leaf order. Otherwise a TypeError names the
 * first path that differs, as `${context}: ${what} at a.b[1] ...`.
 */
export function flattenAs(
  def: TreeDef,
  given: unknown,
  context: string,
  what: string,
  like?: readonly Value[],
): Value[] {
  const out: Value[] = [];
  const path: Key[] = [];
  const fail = (detail: string): never => {
    const at = path.length === 0 ? what : `${what} at ${formatPath(path)}`;
    throw new TypeError(`${context}: ${at} ${detail}`);
  };
  const visit = (d: TreeDef, g: unknown): void => {
    if (d === LEAF) {
      const expected = like === undefined ? null : shapeOf(like[out.length]);
      const kind = expected === null ? "a Real" : `a Tensor of shape ${formatShape(expected)}`;
      if (!isLeaf(g)) return fail(`should be ${kind} like the value it pairs with, but is ${describe(g)}`);
      if (g instanceof Tracer && !g.trace.live) throw escapedError(g.trace, context);
      if (like !== undefined) {
        const got = shapeOf(g);
        const matches = expected === null ? got === null : got !== null && sameShape(got, expected);
        if (!matches) {
          return fail(`should be ${kind} like the value it pairs with, but is ${got === null ? "a Real" : `a Tensor of shape ${formatShape(got)}`}`);
        }
      }
      out.push(g);
      return;
    }
    const { keys, children, size } = d;
    if (keys === null) {
      if (!Array.isArray(g)) return fail(`should be an array of length ${size}, but is ${describe(g)}`);
      if (g.length !== size) return fail(`should have length ${size}, but has length ${g.length}`);
      for (let i = 0; i < size; i++) {
        path.push(i);
        visit(children === null ? LEAF : children[i], g[i]);
        path.pop();
      }
      return;
    }
    if (!isRecord(g)) return fail(`should be a record with keys {${keys.join(", ")}}, but is ${describe(g)}`);
    for (let i = 0; i < size; i++) {
      path.push(keys[i]);
      if (!Object.hasOwn(g, keys[i])) fail("is missing");
      visit(children === null ? LEAF : children[i], g[keys[i]]);
      path.pop();
    }
    for (const k of Object.keys(g)) {
      if (!keys.includes(k)) {
        path.push(k);
        fail("is not expected (no such key in the value it pairs with)");
      }
    }
  };
  visit(def, given);
  return out;
}

/** Deeply freezes arrays and records built elsewhere (immer's freeze); leaves are immutable already. */
export function freezeTree<T>(tree: T): T {
  return freeze(tree, true);
}

/** Whether two structures are the same: the same containers, keys in the same order, leaves at the same places. */
export function sameStructure(a: TreeDef, b: TreeDef): boolean {
  if (a === b) return true;
  if (a === LEAF || b === LEAF || a.size !== b.size) return false;
  if ((a.keys === null) !== (b.keys === null)) return false;
  if (a.keys !== null && b.keys !== null) for (let i = 0; i < a.size; i++) if (a.keys[i] !== b.keys[i]) return false;
  if (a.children === null || b.children === null) return a.children === b.children;
  for (let i = 0; i < a.size; i++) if (!sameStructure(a.children[i], b.children[i])) return false;
  return true;
}
