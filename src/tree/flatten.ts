// Taking trees apart and putting them together: a tree flattens to its leaves and a TreeDef (its
// structure) in one pass that validates as it goes; a path for an error message is read off the walk's
// stack when one is needed. Every walk is a loop over an explicit stack: any depth, no recursion.
import { describe } from "../base/errors.ts";
import { escapedError, Tracer, type Value } from "../core/protocol.ts";
import { Tensor } from "../tensor/tensor.ts";
import { liftFlat } from "./compiled.ts";
import { isRecord, record } from "./records.ts";
import { type Container, type Flat, formatPath, type Key, LEAF, type Lifter, type TreeDef } from "./types.ts";

/**
 * The most nodes (leaves and containers, a shared subtree counted each time it appears) a tree may
 * have: more is a RangeError, before the leaves outgrow memory.
 */
export const MAX_TREE_NODES = 2 ** 24;

/**
 * The leaves of `tree` in order (arrays by index, records by key order) and its structure, checking
 * that it is a Tree and that no leaf escaped a finished transform. `context` names the transform.
 */
export function flatten(tree: unknown, context: string, root = "the argument"): Flat {
  const leaves: Value[] = [];
  const def = collect(tree, leaves, context, root);
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
  const def = collect(tree, leaves, context, "the argument", lifter, lifted);
  return { leaves, def, lifted: lifted[0] };
}

/** A container being walked: its values, the next one to visit, and what is built from them. */
interface Frame {
  readonly container: object;
  readonly keys: readonly string[] | null;
  readonly values: readonly unknown[];
  readonly size: number;
  /** The child being visited (its key is the path's next step). */
  i: number;
  children: TreeDef[] | null;
  readonly parts: unknown[] | undefined;
}

/** Depth from which the containers on the path are tracked (a cycle shows as depth first). */
const TRACK_DEPTH = 32;

/** The frame of a container (an array or a plain record), or undefined for anything else. */
function open(x: unknown, lifting: boolean, context: string, path: () => Key[]): Frame | undefined {
  const isArray = Array.isArray(x);
  if (!isArray && !isRecord(x)) return undefined;
  // a record's values come in one builtin call, in the same order as its keys (each getter read once)
  const keys = isArray ? null : Object.keys(x);
  const values: readonly unknown[] = isArray ? x : Object.values(x as object);
  if (keys !== null && keys.length !== values.length) {
    throw new TypeError(`${context}: the record at ${formatPath(path()) || "the top"} changed its keys while it was read`);
  }
  const size = values.length;
  return { container: x as object, keys, values, size, i: 0, children: null, parts: lifting ? new Array<unknown>(size) : undefined };
}

const stepOf = (f: Frame): Key => (f.keys === null ? f.i : f.keys[f.i]);

/**
 * Appends the leaves of `x` to `out` and returns its structure (with `lifter`, pushes the lifted tree
 * to `built`). One loop over an explicit stack, so any depth is walked without recursion; a bad leaf,
 * a cycle or an escaped Real throws with its path.
 */
function collect(x: unknown, out: Value[], context: string, root: string, lifter?: Lifter, built?: unknown[]): TreeDef {
  if (typeof x === "number" || x instanceof Tensor || x instanceof Tracer) {
    if (x instanceof Tracer && !x.trace.live) throw escapedError(x.trace, context);
    out.push(x as Value);
    if (lifter !== undefined) built!.push(lifter.input(x as Value));
    return LEAF;
  }
  const stack: Frame[] = [];
  const pathTo = (f: Frame | undefined): Key[] => [...stack, ...(f === undefined ? [] : [f])].map(stepOf);
  let frame = open(x, lifter !== undefined, context, () => []);
  if (frame === undefined) throw badLeaf(x, context, root, []);
  let onPath: Set<object> | undefined;
  let nodes = 1;
  for (;;) {
    const f: Frame = frame;
    if (f.i < f.size) {
      const v = f.values[f.i];
      // plain numbers, the common leaf, without a call
      if (typeof v === "number" || v instanceof Tensor || v instanceof Tracer) {
        if (v instanceof Tracer && !v.trace.live) throw escapedError(v.trace, context);
        out.push(v as Value);
        if (f.parts !== undefined) f.parts[f.i] = lifter!.input(v as Value);
        f.i++;
        if (++nodes > MAX_TREE_NODES) throw tooLarge(context, root);
        continue;
      }
      const child = open(v, lifter !== undefined, context, () => pathTo(f));
      if (child === undefined) throw badLeaf(v, context, root, pathTo(f));
      if (++nodes > MAX_TREE_NODES) throw tooLarge(context, root);
      stack.push(f);
      // a cycle makes the walk deep: from TRACK_DEPTH on, every container on the path is tracked
      if (onPath !== undefined || stack.length >= TRACK_DEPTH) {
        if (onPath === undefined) onPath = new Set(stack.map((s) => s.container));
        if (onPath.size < stack.length || onPath.has(child.container)) {
          throw cycle(context, root, [...stack.map((s) => s.container), child.container], stack);
        }
        onPath.add(child.container);
      }
      frame = child;
      continue;
    }
    // the container is done: its structure, and its lifted copy (frozen, as every tree handed to user code)
    const def: TreeDef = { keys: f.keys, children: f.children, size: f.size, compiled: undefined };
    const made = f.parts === undefined ? undefined : Object.freeze(f.keys === null ? f.parts : record(f.keys, f.parts));
    const parent = stack.pop();
    onPath?.delete(f.container);
    if (parent === undefined) {
      if (built !== undefined) built.push(made);
      return def;
    }
    if (parent.parts !== undefined) parent.parts[parent.i] = made;
    (parent.children ??= new Array<TreeDef>(parent.size).fill(LEAF))[parent.i] = def;
    parent.i++;
    frame = parent;
  }
}

/** The TypeError for a non-Tree leaf at `path` (an array hole is an undefined leaf). */
function badLeaf(bad: unknown, context: string, root: string, path: readonly Key[]): TypeError {
  const at =
    path.length === 0 ? root : `${root === "the argument" ? "the leaf" : `${root}'s leaf`} at ${formatPath(path)}`;
  return new TypeError(
    `${context}: ${at} is ${describe(bad)}; a Tree's leaves must be numbers, Reals or Tensors (in arrays and plain records)`,
  );
}

/** The TypeError for a cycle: `chain` is the containers from the root down, the last one a repeat. */
function cycle(context: string, root: string, chain: readonly object[], frames: readonly Frame[]): TypeError {
  // the first container that is one of its own ancestors: the cycle closes at the step into it
  const seen = new Set<object>();
  let j = 0;
  while (!seen.has(chain[j])) seen.add(chain[j++]);
  const path = frames.slice(0, j).map(stepOf);
  return new TypeError(
    `${context}: ${root} is cyclic: the value at ${formatPath(path)} is one of its own containers (a tree must not contain itself)`,
  );
}

const tooLarge = (context: string, root: string): RangeError =>
  new RangeError(`${context}: ${root} has more than ${MAX_TREE_NODES} nodes (a shared subtree counts each time it appears)`);

/** The frozen tree of structure `def` whose leaves are `leaves`, in flatten order (built without recursion). */
export function unflatten(def: TreeDef, leaves: readonly unknown[]): unknown {
  if (def === LEAF) return leaves[0];
  if (def.children === null) return flat(def, leaves, 0);
  let cursor = 0;
  const stack: { readonly def: Container; readonly values: unknown[]; i: number }[] = [];
  let cur = { def, values: new Array<unknown>(def.size), i: 0 };
  for (;;) {
    const d = cur.def;
    if (cur.i < d.size) {
      const c = d.children === null ? LEAF : d.children[cur.i];
      if (c === LEAF) cur.values[cur.i++] = leaves[cursor++];
      else if (c.children === null) {
        cur.values[cur.i++] = flat(c, leaves, cursor);
        cursor += c.size;
      } else {
        stack.push(cur);
        cur = { def: c, values: new Array<unknown>(c.size), i: 0 };
      }
      continue;
    }
    const made = Object.freeze(d.keys === null ? cur.values : record(d.keys, cur.values));
    const parent = stack.pop();
    if (parent === undefined) return made;
    parent.values[parent.i++] = made;
    cur = parent;
  }
}

/**
 * A frozen container of leaves only (a flat record by its compiled builder once it has one, when its
 * values are what a user's records hold: a record of tracers is built key by key, so that V8 gives it
 * other hidden classes than a user's literal of the same keys, whose fields then stay unboxed numbers).
 */
function flat(def: Container, leaves: readonly unknown[], start: number): unknown {
  const { keys, size } = def;
  const values = start === 0 && leaves.length === size ? leaves : leaves.slice(start, start + size);
  if (keys === null) return Object.freeze(values === leaves ? leaves.slice() : values);
  if (def.compiled !== undefined && !values.some((v) => v instanceof Tracer)) return Object.freeze(def.compiled.make(values));
  return Object.freeze(record(keys, values));
}
