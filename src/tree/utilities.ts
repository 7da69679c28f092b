// Tree utilities (JAX's tree_util): a tree's leaves in the order transforms use, its structure kept
// apart from them and put back, and leafwise map and reduce. They take trees apart with the same
// flatten the transforms use, so a tree means one thing everywhere and a bad leaf is named by its path.
import { describe } from "../base/errors.ts";
import type { Real, Tracer, Value } from "../core/protocol.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { flatten, unflatten } from "./flatten.ts";
import { flattenAs, freezeTree } from "./match.ts";
import { leafPaths } from "./params.ts";
import { isRecord } from "./records.ts";
import { formatPath, LEAF, type Tree, type TreeDef as Structure } from "./types.ts";

/**
 * The types of a tree type's leaves (`Real | Tensor` for a general `Tree`, and past 16 levels: a
 * recursive tree type such as `TreeOf<number>` would otherwise never end).
 * @example
 * const params = { w: tensor([1, 2]), b: 0.5 };
 * const leaves: readonly LeafOf<typeof params>[] = treeLeaves(params); // Tensor | number
 * leaves; // => [tensor([1, 2]), 0.5]
 */
export type LeafOf<T, Depth extends readonly unknown[] = []> = Tree extends T
  ? Real | Tensor
  : Depth["length"] extends 16
    ? Real | Tensor
    : T extends number | Tensor | Tracer
      ? T
      : T extends readonly (infer E)[]
        ? LeafOf<E, [...Depth, unknown]>
        : T extends object
          ? { [K in keyof T]-?: LeafOf<T[K], [...Depth, unknown]> }[keyof T]
          : never;

/**
 * A tree whose leaves are `L`s.
 * @example
 * const t: TreeOf<number> = { w: [1, 2], b: 0.5 };
 * treeLeaves(t); // => [1, 2, 0.5]
 */
export type TreeOf<L> = L | readonly TreeOf<L>[] | { readonly [key: string]: TreeOf<L> };

/**
 * `T`'s structure with an `L` at every leaf (what `treeMap` returns).
 * @example
 * const params = { w: [1, 2], b: 0.5 };
 * const big: WithLeaves<typeof params, boolean> = treeMap((l) => l > 1, params);
 * big; // => { w: [false, true], b: false }
 */
export type WithLeaves<T, L> = Tree extends T
  ? TreeOf<L>
  : T extends number | Tensor | Tracer
    ? L
    : { readonly [K in keyof T]: WithLeaves<T[K], L> };

declare const structureOf: unique symbol;
/**
 * A tree's structure without its leaves (JAX's PyTreeDef), from `treeFlatten`; opaque.
 * @example
 * const params = { w: [1, 2], b: 0.5 };
 * const def: TreeDef<typeof params> = treeFlatten(params)[1];
 * String(def); // => 'TreeDef({ "w": [*, *], "b": * })'
 * treeUnflatten(def, [3, 4, 5]); // => { w: [3, 4], b: 5 }
 */
export interface TreeDef<T = unknown> {
  readonly [structureOf]: T;
}

/** A structure as `treeFlatten` hands it out: frozen, printable, readable only here. */
class Definition {
  readonly #structure: Structure;
  readonly #leaves: number;
  constructor(structure: Structure, leaves: number) {
    this.#structure = structure;
    this.#leaves = leaves;
    Object.freeze(this);
  }
  static read(def: unknown): { readonly structure: Structure; readonly leaves: number } | undefined {
    return typeof def === "object" && def !== null && #structure in def ? { structure: def.#structure, leaves: def.#leaves } : undefined;
  }
  /** `TreeDef({ w: *, b: [*, *] })`, a `*` for each leaf. */
  toString(): string {
    const show = (d: Structure): string => {
      if (d === LEAF) return "*";
      const parts = Array.from({ length: d.size }, (_, i) => show(d.children === null ? LEAF : d.children[i]));
      return d.keys === null ? `[${parts.join(", ")}]` : `{ ${d.keys.map((k, i) => `${JSON.stringify(k)}: ${parts[i]}`).join(", ")} }`;
    };
    return `TreeDef(${show(this.#structure)})`;
  }
}

const ordinals = ["first", "second", "third", "fourth", "fifth"];
const nth = (i: number): string => ordinals[i] ?? `${i + 1}th`;

function mustBeFunction(fn: unknown, context: string): void {
  if (typeof fn !== "function") throw new TypeError(`${context}: expects a function first, got ${describe(fn)}`);
}

/** `x`, deeply frozen when it is an array or a plain record (what a function gave to put in a tree). */
const frozen = (x: unknown): unknown => (typeof x === "object" && x !== null && (Array.isArray(x) || isRecord(x)) ? freezeTree(x) : x);

/**
 * `fn` applied leaf by leaf to `tree` and the trees in `rest` (all of `tree`'s structure, or a TypeError
 * naming `context` and the first path that differs), as a frozen tree of `tree`'s structure. `what`
 * names `tree` in errors.
 */
export function mapTree(
  context: string,
  fn: (...leaves: never[]) => unknown,
  tree: unknown,
  rest: readonly unknown[] = [],
  what = "the tree",
): unknown {
  mustBeFunction(fn, context);
  const { leaves, def } = flatten(tree, context, what);
  const call = fn as (...leaves: readonly Value[]) => unknown;
  const out = new Array<unknown>(leaves.length);
  if (rest.length === 0) {
    for (let i = 0; i < leaves.length; i++) out[i] = frozen(call(leaves[i]));
  } else {
    const others = rest.map((r, k) => flattenAs(def, r, context, `the ${nth(k + 1)} tree`));
    if (others.length === 1) {
      const o = others[0];
      for (let i = 0; i < leaves.length; i++) out[i] = frozen(call(leaves[i], o[i]));
    } else for (let i = 0; i < leaves.length; i++) out[i] = frozen(call(leaves[i], ...others.map((o) => o[i])));
  }
  return unflatten(def, out);
}

/**
 * `fn` leaf by leaf over trees of one structure: `treeMap((p, g) => sub(p, mul(lr, g)), params, grads)`.
 * Returns a frozen tree of `tree`'s structure with `fn`'s results at the leaves (arrays and records
 * it returns frozen too). A tree of another structure is a TypeError naming the first path that
 * differs; a leaf that is not a number, a Real or a Tensor, one naming its path.
 * @example
 * const params = { w: [1, 2], b: 0.5 };
 * const grads = { w: [0.5, -1], b: 2 };
 * treeMap((p, g) => p - 0.1 * g, params, grads); // => { w: [0.95, 2.1], b: 0.3 }
 * treeMap((t) => sum(t), { a: tensor([1, 2]), b: [tensor([3])] }); // => { a: 3, b: [3] }
 * treeMap((p, g) => p - g, params, { w: [1], b: 2 }); // throws TypeError /at w should have length 2/
 */
export function treeMap<T, Rest extends readonly unknown[], R>(
  fn: (leaf: NoInfer<LeafOf<T>>, ...rest: { -readonly [K in keyof Rest]: LeafOf<Rest[K]> }) => R,
  tree: T,
  ...rest: Rest
): WithLeaves<T, R> {
  return mapTree("treeMap", fn as (...leaves: never[]) => unknown, tree, rest) as WithLeaves<T, R>;
}

/**
 * The leaves of `tree` in the order every transform uses (arrays by index, records by key order), frozen.
 * @example
 * treeLeaves({ w: [1, 2], b: 0.5 }); // => [1, 2, 0.5]
 * treeLeaves([tensor([1, 2]), { s: 3 }]); // => [tensor([1, 2]), 3]
 * treeLeaves({ w: "1" }); // throws TypeError /w/
 */
export function treeLeaves<T>(tree: T): readonly LeafOf<T>[] {
  return Object.freeze(flatten(tree, "treeLeaves", "the tree").leaves) as readonly LeafOf<T>[];
}

/**
 * `[treeLeaves(tree), def]`: the leaves and the structure that `treeUnflatten(def, leaves)` puts them back into.
 * @example
 * const [leaves, def] = treeFlatten({ w: [1, 2], b: 0.5 });
 * leaves; // => [1, 2, 0.5]
 * String(def); // => 'TreeDef({ "w": [*, *], "b": * })'
 * treeUnflatten(def, leaves); // => { w: [1, 2], b: 0.5 }
 */
export function treeFlatten<T>(tree: T): readonly [readonly LeafOf<T>[], TreeDef<T>] {
  const { leaves, def } = flatten(tree, "treeFlatten", "the tree");
  return Object.freeze([Object.freeze(leaves) as readonly LeafOf<T>[], new Definition(def, leaves.length) as unknown as TreeDef<T>] as const);
}

/**
 * The frozen tree of structure `def` (from `treeFlatten`) with `leaves` in leaf order: the inverse of
 * `treeFlatten`. `leaves` must hold exactly one value per leaf (else a TypeError saying where the
 * first missing or extra one is); values are placed as they are (arrays and records frozen).
 * @example
 * const [leaves, def] = treeFlatten({ w: [1, 2], b: 0.5 });
 * treeUnflatten(def, leaves.map((l) => 2 * l)); // => { w: [2, 4], b: 1 }
 * treeUnflatten(def, ["a", "b", "c"]); // => { w: ["a", "b"], b: "c" }
 * treeUnflatten(def, [1, 2]); // throws TypeError /the first missing one would go at b/
 */
export function treeUnflatten<T, L = LeafOf<T>>(
  def: TreeDef<T>,
  leaves: readonly L[],
): [L] extends [LeafOf<T>] ? ([LeafOf<T>] extends [L] ? T : WithLeaves<T, L>) : WithLeaves<T, L> {
  const d = Definition.read(def);
  if (d === undefined) throw new TypeError(`treeUnflatten: def must be a structure from treeFlatten, got ${describe(def)}`);
  if (!Array.isArray(leaves)) throw new TypeError(`treeUnflatten: leaves must be an array, got ${describe(leaves)}`);
  if (leaves.length !== d.leaves) {
    const where =
      leaves.length < d.leaves ? `the first missing one would go at ${at(d.structure, leaves.length)}` : `${leaves.length - d.leaves} too many`;
    throw new TypeError(`treeUnflatten: the structure has ${d.leaves} leaves, but ${leaves.length} were given (${where})`);
  }
  return unflatten(d.structure, leaves.map(frozen)) as never;
}

/** The path of leaf `i` of a structure, as error messages write it. */
const at = (structure: Structure, i: number): string => formatPath(leafPaths(structure)[i]) || "the root";

/**
 * `fn(…fn(fn(initial, leaf₀), leaf₁)…, leafₙ)` over the leaves in `treeLeaves` order (JAX's
 * tree_reduce). Without `initial`, the first leaf starts (an empty tree is then a TypeError).
 * @example
 * treeReduce((s: number, l) => s + l * l, { w: [1, 2], b: 0.5 }, 0); // => 5.25
 * treeReduce((a, b) => Math.max(a, b), [3, [1, 4], { c: 2 }]); // => 4
 * treeReduce((a: number, b: number) => a + b, [] as number[]); // throws TypeError /needs an initial value/
 */
export function treeReduce<T, A>(fn: (accumulator: A, leaf: LeafOf<T>) => A, tree: T, initial: A): A;
export function treeReduce<T>(fn: (accumulator: LeafOf<T>, leaf: LeafOf<T>) => LeafOf<T>, tree: T): LeafOf<T>;
export function treeReduce(reducer: (accumulator: never, leaf: never) => unknown, tree: unknown, ...initial: unknown[]): unknown {
  mustBeFunction(reducer, "treeReduce");
  const fn = reducer as (accumulator: unknown, leaf: unknown) => unknown;
  const { leaves } = flatten(tree, "treeReduce", "the tree");
  if (initial.length === 0 && leaves.length === 0) throw new TypeError("treeReduce: a tree with no leaves needs an initial value");
  let acc = initial.length === 0 ? leaves[0] : initial[0];
  for (let i = initial.length === 0 ? 1 : 0; i < leaves.length; i++) acc = fn(acc, leaves[i]);
  return acc;
}
