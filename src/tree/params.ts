// Param trees leaf by leaf, for the optimizers, withL2, projectToBall and train: take a tree apart
// (checking it, with the path of anything wrong), pair other trees with it, and build a frozen copy.
import { isTensorValued } from "../core/value.ts";
import { type Real, type Value } from "../core/protocol.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { flattenAs } from "./match.ts";
import { flatten, unflatten } from "./flatten.ts";
import { type Container, LEAF, type TreeDef } from "./types.ts";

/** A leaf of a params tree. */
export type Leaf = Real | Tensor;

/**
 * One step of a path from the root of a tree: a record key or an array index.
 * @example
 * const path: readonly PathKey[] = [0, "w"]; // the w of the first layer of serial(...)'s params
 * const select: LeafSelector = (p) => p[0] === path[0] && p[1] === path[1];
 * squaredNorm([{ w: 3, b: 1 }, { w: 5, b: 1 }], select); // => 9
 */
export type PathKey = string | number;

/** A tree taken apart: its leaves in order, and its structure. */
export interface Parts {
  readonly leaves: readonly Leaf[];
  readonly def: TreeDef;
}

/** The leaves of a params tree, or a TypeError naming `context` and the path of the bad leaf. */
export function partsOf(tree: unknown, context: string, what = "the parameter tree"): Parts {
  const { leaves, def } = flatten(tree, context, what);
  return { leaves: leaves as readonly Leaf[], def };
}

/**
 * The leaves of `given`, which must have the structure of `like` and a leaf of the same shape at
 * every place; otherwise a TypeError names the first path that differs.
 */
export function leavesLike(like: Parts, given: unknown, context: string, what: string): readonly Leaf[] {
  return flattenAs(like.def, given, context, what, like.leaves as readonly Value[]) as readonly Leaf[];
}

/** The frozen tree of structure `def` with these leaves. */
export function rebuild<T>(def: TreeDef, leaves: readonly Leaf[]): T {
  return unflatten(def, leaves) as T;
}

/**
 * The path of every leaf of a structure, in the order of its leaves (read from the structure, not the
 * tree again; walked without recursion, so any depth works).
 */
export function leafPaths(def: TreeDef): readonly (readonly PathKey[])[] {
  if (def === LEAF) return [[]];
  const out: (readonly PathKey[])[] = [];
  const stack: { readonly def: Container; i: number }[] = [{ def, i: 0 }];
  const path = (): PathKey[] => stack.map((f) => (f.def.keys === null ? f.i : f.def.keys[f.i]));
  while (stack.length > 0) {
    const f = stack[stack.length - 1];
    if (f.i >= f.def.size) {
      stack.pop();
      if (stack.length > 0) stack[stack.length - 1].i++;
      continue;
    }
    const child = f.def.children === null ? LEAF : f.def.children[f.i];
    if (child === LEAF) {
      out.push(path());
      f.i++;
    } else stack.push({ def: child, i: 0 });
  }
  return out;
}

/** Whether a leaf is a tensor underneath (a plain Tensor, or a traced one inside a transform). */
export const isTensorLeaf = (leaf: Leaf): leaf is Tensor => isTensorValued(leaf);
