// Taking trees apart and putting them together: a tree flattens to its leaves and a TreeDef (its
// structure) in one pass that validates as it goes; a path for an error message is worked out only
// when one is needed.
import { describe } from "../base/errors.ts";
import { escapedError, Tracer, type Value } from "../core/protocol.ts";
import { Tensor } from "../tensor/tensor.ts";
import { liftFlat } from "./compiled.ts";
import { isRecord, record } from "./records.ts";
import { type Flat, formatPath, isLeaf, type Key, LEAF, type Lifter, type TreeDef } from "./types.ts";

/**
 * The leaves of `tree` in order (arrays by index, records by key order) and its structure, checking
 * that it is a Tree and that no leaf escaped a finished transform. `context` names the transform.
 */
export function flatten(tree: unknown, context: string, root = "the argument"): Flat {
  const leaves: Value[] = [];
  const def = collect(tree, leaves);
  if (def === undefined) throw badLeaf(tree, context, root);
  return { leaves, def };
}

/**
 * One pass that flattens `tree` and builds the frozen tree a transform hands to the function, with
 * every leaf replaced by `lifter.input(leaf)` (the same as `flatten` then `unflatten` of the lifts).
 */
export function flattenLifted(
  tree: unknown,
  context: string,
  lifter: Lifter,
  hint?: TreeDef,
): Flat & { readonly lifted: unknown } {
  const leaves: Value[] = [];
  if (hint !== undefined && hint !== LEAF && hint.children === null) {
    const lifted = liftFlat(hint, tree, leaves, lifter);
    if (lifted !== undefined) return { leaves, def: hint, lifted };
    leaves.length = 0;
  }
  const lifted: unknown[] = [];
  const def = collect(tree, leaves, lifter, lifted);
  if (def === undefined) throw badLeaf(tree, context, "the argument");
  return { leaves, def, lifted: lifted[0] };
}

/** Appends the leaves of `x` to `out` and returns its structure; undefined at anything not a Tree. */
function collect(
  x: unknown,
  out: Value[],
  lifter?: Lifter,
  built?: unknown[],
): TreeDef | undefined {
  if (typeof x === "number" || x instanceof Tensor) {
    out.push(x);
    if (lifter !== undefined) built!.push(lifter.input(x));
    return LEAF;
  }
  if (x instanceof Tracer) {
    if (!x.trace.live) throw escapedError(x.trace);
    out.push(x as Value);
    if (lifter !== undefined) built!.push(lifter.input(x as Value));
    return LEAF;
  }
  const isArray = Array.isArray(x);
  if (!isArray && !isRecord(x)) return undefined;
  // a record's values come in one builtin call, in the same order as its keys
  const keys = isArray ? null : Object.keys(x);
  const values: readonly unknown[] = isArray ? x : Object.values(x as object);
  const size = values.length;
  let children: TreeDef[] | null = null;
  const parts = lifter === undefined ? undefined : new Array<unknown>(size);
  for (let i = 0; i < size; i++) {
    const v = values[i];
    // plain numbers, the common leaf, without a call
    if (typeof v === "number") {
      out.push(v);
      if (parts !== undefined) parts[i] = lifter!.input(v);
      continue;
    }
    const sub = parts === undefined ? undefined : [];
    const c = collect(v, out, lifter, sub);
    if (c === undefined) return undefined;
    if (sub !== undefined) parts![i] = sub[0];
    if (c !== LEAF) (children ??= new Array<TreeDef>(size).fill(LEAF))[i] = c;
  }
  if (parts !== undefined) built!.push(Object.freeze(keys === null ? parts : record(keys, parts)));
  return { keys, children, size, compiled: undefined };
}

/** The TypeError for the first non-Tree leaf of `tree`, with its path (found on this slow path only). */
function badLeaf(tree: unknown, context: string, root: string): TypeError {
  const path: Key[] = [];
  const find = (x: unknown): { value: unknown } | undefined => {
    if (isLeaf(x)) return undefined;
    if (Array.isArray(x) || isRecord(x)) {
      for (const [k, v] of Object.entries(x)) {
        path.push(Array.isArray(x) ? Number(k) : k);
        const bad = find(v);
        if (bad !== undefined) return bad;
        path.pop();
      }
      return undefined;
    }
    return { value: x };
  };
  const bad = find(tree)?.value;
  const at =
    path.length === 0 ? root : `${root === "the argument" ? "the leaf" : `${root}'s leaf`} at ${formatPath(path)}`;
  return new TypeError(
    `${context}: ${at} is ${describe(bad)}; a Tree's leaves must be numbers, Reals or Tensors (in arrays and plain records)`,
  );
}

/** The frozen tree of structure `def` whose leaves are `leaves`, in flatten order. */
export function unflatten(def: TreeDef, leaves: readonly unknown[]): unknown {
  return build(def, leaves, { next: 0 });
}

function build(def: TreeDef, leaves: readonly unknown[], cursor: { next: number }): unknown {
  if (def === LEAF) return leaves[cursor.next++];
  const { keys, children, size } = def;
  if (keys === null) {
    const out = new Array<unknown>(size);
    for (let i = 0; i < size; i++) out[i] = children === null ? leaves[cursor.next++] : build(children[i], leaves, cursor);
    return Object.freeze(out);
  }
  if (def.compiled !== undefined) {
    const start = cursor.next;
    cursor.next += size;
    return Object.freeze(def.compiled.make(start === 0 && leaves.length === size ? leaves : leaves.slice(start, start + size)));
  }
  const values = new Array<unknown>(size);
  for (let i = 0; i < size; i++) values[i] = children === null ? leaves[cursor.next++] : build(children[i], leaves, cursor);
  return Object.freeze(record(keys, values));
}

