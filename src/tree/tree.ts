// Trees (JAX's pytrees): what transforms take and give. Leaves are Reals; containers are arrays and
// plain records. A tree flattens to its leaves and a TreeDef (its structure), built in one pass
// that validates as it goes; a path for an error message is worked out only when one is needed.
import { freeze } from "immer";
import { describe } from "../base/errors.ts";
import { instantiate } from "../base/codegen.ts";
import { escapedError } from "../core/trace.ts";
import { type Real, shapeOf, Tracer, type Value } from "../core/value.ts";
import { Tensor } from "../tensor/tensor.ts";
import { formatShape, sameShape } from "../base/shape.ts";

/** A Real, a Tensor, or a readonly array or plain record of Trees. */
export type Tree = Real | Tensor | readonly Tree[] | { readonly [key: string]: Tree };

/**
 * A tree of `T`'s structure as nabla returns it: plain numbers where `T` has plain numbers, Reals
 * where it has Reals. This is the type of a gradient of a function of `T`, or of a tangent.
 */
export type Like<T> = Tree extends T
  ? Tree // the general case (a generic parameter bounded by Tree): stop here rather than expand Tree
  : T extends number
    ? number
    : T extends Tensor
      ? Tensor
      : T extends Tracer
        ? Real
        : { [K in keyof T]: Like<T[K]> };

/** Whether a tree type may hold Reals from a transform (not just plain numbers and tensors). */
type MayBeTraced<T> = Tree extends T
  ? true
  : T extends number | Tensor
    ? false
    : T extends Tracer
      ? true
      : T extends object
        ? true extends { [K in keyof T]-?: MayBeTraced<T[K]> }[keyof T]
          ? true
          : false
        : false;

/**
 * The type of a transform's results for an argument of type `U`: plain (numbers for Reals) when U
 * holds only plain numbers and tensors, as §3 promises ("called with plain numbers, a transform
 * returns plain numbers"); Reals otherwise.
 */
export type Result<Y, U> = MayBeTraced<U> extends false ? Plain<Y> : Like<Y>;

/** `T` with every Real as a plain number (tensors stay tensors). */
export type Plain<T> = Tree extends T
  ? Tree
  : T extends number | Tracer
    ? number
    : T extends Tensor
      ? Tensor
      : { [K in keyof T]: Plain<T[K]> };

/** A tree's structure: `LEAF`, or a container (an array when `keys` is null) of child structures. */
export type TreeDef = typeof LEAF | Container;
export const LEAF = 0;
interface Container {
  /** The record's keys in order, or null for an array. */
  readonly keys: readonly string[] | null;
  /** The children's structures, or null when every child is a leaf (the common flat case). */
  readonly children: readonly TreeDef[] | null;
  readonly size: number;
  /** A flat record's compiled reader and builder, made once a transform sees the structure again. */
  compiled: Compiled | undefined;
}

/** Straight-line code for one flat record structure: property loads and object literals. */
interface Compiled {
  /** Appends the record's leaves to `out` and returns the record of their lifts; undefined at a bad leaf. */
  readonly lift: (
    x: object,
    out: Value[],
    lifter: Lifter,
    isLiveLeaf: (v: unknown) => boolean,
  ) => Record<string, unknown> | undefined;
  readonly make: (values: readonly unknown[]) => Record<string, unknown>;
  /** The record's leaves when every one is a plain number, else undefined. */
  readonly read: (x: object) => number[] | undefined;
}

/** What turns an argument's leaf into the value the function sees (a tape: a fresh input node). */
export interface Lifter {
  input(leaf: Value): Value;
}

/** A tree taken apart: its leaves in order, and its structure. */
export interface Flat {
  readonly leaves: Value[];
  readonly def: TreeDef;
}

type Key = string | number;

export function isLeaf(x: unknown): x is Value {
  return typeof x === "number" || x instanceof Tracer || x instanceof Tensor;
}

/** A plain record: an object whose prototype is Object.prototype or null. */
export function isRecord(x: unknown): x is { readonly [key: string]: unknown } {
  if (typeof x !== "object" || x === null || Array.isArray(x)) return false;
  const proto: unknown = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

const identifier = /^[A-Za-z_$][\w$]*$/;

/** `hidden.w[1]`: a path from the transform's argument, as SPEC §7 writes it. */
export function formatPath(path: readonly Key[]): string {
  let s = "";
  for (const k of path) {
    if (typeof k === "number") s += `[${k}]`;
    else if (identifier.test(k)) s += s === "" ? k : `.${k}`;
    else s += `[${JSON.stringify(k)}]`;
  }
  return s;
}

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

/**
 * `flattenLifted`'s short path for a flat array or record of structure `def` (the structure a
 * transform saw last time): the lifted container (frozen, as every tree handed to user code is),
 * or undefined when `x` is anything else.
 */
function liftFlat(def: Container, x: unknown, out: Value[], lifter: Lifter): unknown {
  const { keys, size } = def;
  if (keys === null) {
    if (!Array.isArray(x) || x.length !== size) return undefined;
    const parts = new Array<unknown>(size);
    for (let i = 0; i < size; i++) {
      const v: unknown = x[i];
      if (typeof v !== "number" && !isLiveLeaf(v)) return undefined;
      out.push(v as Value);
      parts[i] = lifter.input(v as Value);
    }
    return Object.freeze(parts);
  }
  if (!hasKeys(x, keys)) return undefined;
  const lifted = compiledFor(def, keys).lift(x, out, lifter, isLiveLeaf);
  return lifted === undefined ? undefined : Object.freeze(lifted);
}

/**
 * The leaves of `x` when it has the flat structure `def` (an array or record of leaves) and every leaf
 * is a plain number; undefined otherwise (then `flatten` says what `x` is). Records are read by
 * generated code, as `flattenLifted` reads them.
 */
export function plainLeaves(def: TreeDef, x: unknown): number[] | undefined {
  if (def === LEAF) return typeof x === "number" ? [x] : undefined;
  const { keys, size, children } = def;
  if (children !== null) return undefined;
  if (keys === null) {
    if (!Array.isArray(x) || x.length !== size) return undefined;
    for (let i = 0; i < size; i++) if (typeof x[i] !== "number") return undefined;
    return x.slice() as number[];
  }
  return hasKeys(x, keys) ? compiledFor(def, keys).read(x) : undefined;
}

/** Whether `x` is a plain record with exactly `keys`, in that order. */
function hasKeys(x: unknown, keys: readonly string[]): x is object {
  if (!isRecord(x)) return false;
  const own = Object.keys(x);
  if (own.length !== keys.length) return false;
  for (let i = 0; i < own.length; i++) if (own[i] !== keys[i]) return false;
  return true;
}

/** Builds flat records of structure `def` with generated code from now on (for a structure used again and again). */
export function prepare(def: TreeDef): void {
  if (def !== LEAF && def.keys !== null && def.children === null) compiledFor(def, def.keys);
}

/** A leaf other than a number that a transform may take: a tensor, or a Real of a running transform. */
const isLiveLeaf = (v: unknown): boolean => v instanceof Tensor || (v instanceof Tracer && v.trace.live);

/** The compiled code of a flat record structure (closures where code cannot be generated). */
function compiledFor(def: Container, keys: readonly string[]): Compiled {
  if (def.compiled !== undefined) return def.compiled;
  const literal = keys.every((k) => k !== "__proto__"); // `{ "__proto__": v }` would set the prototype
  const names = keys.map((k) => JSON.stringify(k));
  const vs = keys.map((_, i) => `v${i}`);
  const lift = literal
    ? instantiate(
        `return function liftRecord(x, out, lifter, isLiveLeaf) {
  const ${names.map((k, i) => `v${i} = x[${k}]`).join(", ")};
  if (${vs.map((v) => `(typeof ${v} !== "number" && !isLiveLeaf(${v}))`).join(" || ") || "false"}) return undefined;
  out.push(${vs.join(", ")});
  return { ${names.map((k, i) => `${k}: lifter.input(v${i})`).join(", ")} };
};`,
        [],
        [],
      )
    : undefined;
  const make = literal ? instantiate(`return function makeRecord(v) { return { ${names.map((k, i) => `${k}: v[${i}]`).join(", ")} }; };`, [], []) : undefined;
  const read = instantiate(
    `return function readRecord(x) {
  const ${names.map((k, i) => `v${i} = x[${k}]`).join(", ")};
  return ${vs.map((v) => `typeof ${v} === "number"`).join(" && ") || "true"} ? [${vs.join(", ")}] : undefined;
};`,
    [],
    [],
  );
  def.compiled = {
    lift: (lift as Compiled["lift"] | undefined) ?? ((x, out, lifter, ok) => {
      const values = keys.map((k) => (x as Record<string, unknown>)[k]);
      if (!values.every((v) => typeof v === "number" || ok(v))) return undefined;
      out.push(...(values as Value[]));
      return record(keys, values.map((v) => lifter.input(v as Value)));
    }),
    make: (make as Compiled["make"] | undefined) ?? ((v) => record(keys, v)),
    read: (read as Compiled["read"] | undefined) ?? ((x) => {
      const values = keys.map((k) => (x as Record<string, unknown>)[k]);
      return values.every((v) => typeof v === "number") ? (values as number[]) : undefined;
    }),
  };
  return def.compiled;
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

/**
 * A plain record from keys and values. The first stores are unrolled so that each position has its
 * own store site: for the few record shapes a program uses, each site stays monomorphic, which
 * makes this several times faster than one store in a loop (that site sees every key).
 */
function record(keys: readonly string[], values: readonly unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const n = keys.length;
  if (keys.includes("__proto__")) {
    for (let i = 0; i < n; i++) Object.defineProperty(out, keys[i], { value: values[i], enumerable: true, writable: true, configurable: true });
    return out;
  }
  if (n > 0) out[keys[0]] = values[0];
  if (n > 1) out[keys[1]] = values[1];
  if (n > 2) out[keys[2]] = values[2];
  if (n > 3) out[keys[3]] = values[3];
  if (n > 4) out[keys[4]] = values[4];
  if (n > 5) out[keys[5]] = values[5];
  if (n > 6) out[keys[6]] = values[6];
  if (n > 7) out[keys[7]] = values[7];
  for (let i = 8; i < n; i++) out[keys[i]] = values[i];
  return out;
}

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
      if (g instanceof Tracer && !g.trace.live) throw escapedError(g.trace);
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
