// Trees checked against a structure: a cotangent, tangent or update paired with the tree it belongs
// to (the first path that differs named in the error), structures compared, results frozen.
import { formatShape, sameShape } from "../base/shape.ts";
import { describe } from "../base/errors.ts";
import { escapedError, Tracer, type Value } from "../core/protocol.ts";
import { shapeOf } from "../core/value.ts";
import { isRecord } from "./records.ts";
import { type Container, formatPath, isLeaf, type Key, LEAF, type TreeDef } from "./types.ts";

/** A record's key that is not there (its own marker: `undefined` is a value a key may hold). */
const MISSING = Symbol("missing");

/**
 * The leaves of `given`, which must have the structure `def` (same containers, lengths, keys; leaves
 * where leaves are), aligned with that structure's leaf order. Otherwise a TypeError names the
 * first path that differs, as `${context}: ${what} at a.b[1] ...`. Walked without recursion.
 */
export function flattenAs(
  def: TreeDef,
  given: unknown,
  context: string,
  what: string,
  like?: readonly Value[],
): Value[] {
  const out: Value[] = [];
  /** The containers being walked: their structure, their values and the child being visited. */
  const stack: { readonly def: Container; readonly given: unknown; readonly values: readonly unknown[]; i: number }[] = [];
  const path = (extra?: Key): Key[] => {
    const p = stack.map((f) => (f.def.keys === null ? f.i : f.def.keys[f.i]));
    if (extra !== undefined) p.push(extra);
    return p;
  };
  const fail = (detail: string, extra?: Key): never => {
    const p = path(extra);
    const at = p.length === 0 ? what : `${what} at ${formatPath(p)}`;
    throw new TypeError(`${context}: ${at} ${detail}`);
  };
  const leaf = (g: unknown): void => {
    const expected = like === undefined ? null : shapeOf(like[out.length]);
    const kind = like === undefined ? "a leaf (a Real or a Tensor)" : expected === null ? "a Real" : `a Tensor of shape ${formatShape(expected)}`;
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
  };
  /** The values of `g`, a container of structure `d`, or a TypeError saying how it differs. */
  const open = (d: Container, g: unknown): readonly unknown[] => {
    const { keys, size } = d;
    if (keys === null) {
      if (!Array.isArray(g)) return fail(`should be an array of length ${size}, but is ${describe(g)}`);
      if (g.length !== size) return fail(`should have length ${size}, but has length ${g.length}`);
      return g;
    }
    if (!isRecord(g)) return fail(`should be a record with keys {${keys.slice(0, 20).join(", ")}${size > 20 ? ", …" : ""}}, but is ${describe(g)}`);
    const values = new Array<unknown>(size);
    for (let i = 0; i < size; i++) values[i] = Object.hasOwn(g, keys[i]) ? (g as Record<string, unknown>)[keys[i]] : MISSING;
    return values;
  };
  /** After its children: a record's keys that its structure does not have. */
  const extras = (d: Container, g: unknown): void => {
    if (d.keys === null) return;
    const own = Object.keys(g as object);
    if (own.length === d.size && own.every((k, i) => k === d.keys![i])) return;
    const expected = new Set(d.keys);
    for (const k of own) if (!expected.has(k)) fail("is not expected (no such key in the value it pairs with)", k);
  };
  if (def === LEAF) {
    leaf(given);
    return out;
  }
  let cur = { def, given, values: open(def, given), i: 0 };
  for (;;) {
    const d = cur.def;
    if (cur.i < d.size) {
      const c = d.children === null ? LEAF : d.children[cur.i];
      const g = cur.values[cur.i];
      stack.push(cur); // for the path of an error
      if (g === MISSING) fail("is missing");
      if (c === LEAF) {
        leaf(g);
        stack.pop();
        cur.i++;
      } else cur = { def: c, given: g, values: open(c, g), i: 0 };
      continue;
    }
    extras(d, cur.given);
    const parent = stack.pop();
    if (parent === undefined) return out;
    parent.i++;
    cur = parent;
  }
}

/** Deeply freezes arrays and records built elsewhere, stopping at frozen ones (leaves are immutable already). */
export function freezeTree<T>(tree: T): T {
  const todo: unknown[] = [tree];
  while (todo.length > 0) {
    const x = todo.pop();
    if (typeof x !== "object" || x === null || Object.isFrozen(x) || !(Array.isArray(x) || isRecord(x))) continue;
    Object.freeze(x);
    for (const v of Object.values(x)) todo.push(v);
  }
  return tree;
}

/** Whether two structures are the same: the same containers, keys in the same order, leaves at the same places. */
export function sameStructure(a: TreeDef, b: TreeDef): boolean {
  const todo: [TreeDef, TreeDef][] = [[a, b]];
  while (todo.length > 0) {
    const [x, y] = todo.pop()!;
    if (x === y) continue;
    if (x === LEAF || y === LEAF || x.size !== y.size) return false;
    if ((x.keys === null) !== (y.keys === null)) return false;
    if (x.keys !== null && y.keys !== null) for (let i = 0; i < x.size; i++) if (x.keys[i] !== y.keys[i]) return false;
    if (x.children === null || y.children === null) {
      if (x.children !== y.children) return false;
      continue;
    }
    for (let i = 0; i < x.size; i++) todo.push([x.children[i], y.children[i]]);
  }
  return true;
}
