// Param trees leaf by leaf, for the optimizers, withL2, projectToBall and train: take a tree apart
// (checking it, with the path of anything wrong), pair other trees with it, and build a frozen copy.
import { isTensorValued } from "../core/value.ts";
import { type Real, type Value } from "../core/protocol.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { flattenAs } from "./match.ts";
import { flatten, unflatten } from "./flatten.ts";
import { isRecord } from "./records.ts";
import { isLeaf, type TreeDef } from "./types.ts";

/** A leaf of a params tree. */
export type Leaf = Real | Tensor;

/** One step of a path from the root of a tree: a record key or an array index. */
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

/** The path of every leaf of a (valid) tree, in the order of its leaves (walked without recursion). */
export function leafPaths(tree: unknown): readonly (readonly PathKey[])[] {
  const out: (readonly PathKey[])[] = [];
  if (isLeaf(tree)) return [[]];
  const stack: { readonly keys: readonly string[] | null; readonly values: readonly unknown[]; i: number }[] = [];
  const enter = (x: unknown): void => {
    if (Array.isArray(x)) stack.push({ keys: null, values: x, i: 0 });
    else if (isRecord(x)) stack.push({ keys: Object.keys(x), values: Object.values(x), i: 0 });
  };
  const path = (): PathKey[] => stack.map((f) => (f.keys === null ? f.i : f.keys[f.i]));
  enter(tree);
  while (stack.length > 0) {
    const f = stack[stack.length - 1];
    if (f.i >= f.values.length) {
      stack.pop();
      if (stack.length > 0) stack[stack.length - 1].i++;
      continue;
    }
    const v = f.values[f.i];
    if (isLeaf(v)) {
      out.push(path());
      f.i++;
    } else if (Array.isArray(v) || isRecord(v)) enter(v);
    else f.i++;
  }
  return out;
}

/** Whether a leaf is a tensor underneath (a plain Tensor, or a traced one inside a transform). */
export const isTensorLeaf = (leaf: Leaf): leaf is Tensor => isTensorValued(leaf);
