// Trees as the laws handle them: taken apart into leaves and rebuilt, and the vector-space operations
// (inner product, linear combination) that the laws are written with. Internal to laws/.
import { add, mul, type Real } from "../src/index.ts";

/** A tree whose leaves are plain numbers: what a transform returns when called with plain numbers. */
export type NumberTree = number | readonly NumberTree[] | { readonly [key: string]: NumberTree };

/** A plain record (prototype Object.prototype or null), the only objects that are tree containers. */
function isRecord(x: unknown): x is { readonly [key: string]: unknown } {
  if (typeof x !== "object" || x === null || Array.isArray(x)) return false;
  const proto: unknown = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/** Arrays and plain records are containers; anything else (a number, a Real) is a leaf, as in nabla. */
export const isContainer = (x: unknown): x is readonly unknown[] | { readonly [key: string]: unknown } =>
  Array.isArray(x) || isRecord(x);

/** The leaves of `tree`, arrays by index and records by key order (nabla's order). */
export function leavesOf(tree: unknown): unknown[] {
  const out: unknown[] = [];
  const visit = (t: unknown): void => {
    if (Array.isArray(t)) for (const c of t) visit(c);
    else if (isRecord(t)) for (const k of Object.keys(t)) visit(t[k]);
    else out.push(t);
  };
  visit(tree);
  return out;
}

/** The leaves of a tree that must hold plain numbers only (a law's samples and results). */
export function numbersOf(tree: unknown, what: string): number[] {
  const ls = leavesOf(tree);
  for (const l of ls) {
    if (typeof l !== "number") throw new TypeError(`nabla/laws: ${what} should have plain-number leaves, found ${String(l)}`);
  }
  return ls as number[];
}

/** The path of every leaf, in leaf order, written as nabla writes paths (`w[1].b`). */
export function pathsOf(tree: unknown): string[] {
  const out: string[] = [];
  const visit = (t: unknown, path: string): void => {
    if (Array.isArray(t)) t.forEach((c, i) => visit(c, `${path}[${i}]`));
    else if (isRecord(t)) for (const k of Object.keys(t)) visit(t[k], path === "" ? k : `${path}.${k}`);
    else out.push(path);
  };
  visit(tree, "");
  return out;
}

/** A tree shaped like `like` whose leaves are `leaves`, in order. Left unfrozen: it is the law's own. */
export function rebuild(like: unknown, leaves: readonly unknown[]): unknown {
  let next = 0;
  const build = (t: unknown): unknown => {
    if (Array.isArray(t)) return t.map(build);
    if (isRecord(t)) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(t)) out[k] = build(t[k]);
      return out;
    }
    return leaves[next++];
  };
  const out = build(like);
  if (next !== leaves.length) throw new RangeError(`nabla/laws: ${leaves.length} leaves for a tree of ${next}`);
  return out;
}

/** A deep, unfrozen copy of a tree (leaves shared: numbers and Reals are immutable). */
export const copyTree = (tree: unknown): unknown => rebuild(tree, leavesOf(tree));

/** Same containers, lengths and keys (leaves are not compared). */
export function sameStructure(a: unknown, b: unknown): boolean {
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((c, i) => sameStructure(c, b[i]));
  if (isRecord(a)) {
    if (!isRecord(b)) return false;
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameStructure(a[k], b[k]));
  }
  return !isContainer(b);
}

/** ⟨a, b⟩ = Σ aᵢbᵢ, and Σ |aᵢbᵢ|: the scale of its rounding error (a sum that cancels is inexact). */
export function inner(a: readonly number[], b: readonly number[]): { readonly value: number; readonly scale: number } {
  if (a.length !== b.length) throw new RangeError(`nabla/laws: inner product of ${a.length} and ${b.length} leaves`);
  let value = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    value += a[i] * b[i];
    scale += Math.abs(a[i] * b[i]);
  }
  return { value, scale };
}

/** a·x + b·y leafwise, on numbers. */
export const combine = (a: number, x: readonly number[], b: number, y: readonly number[]): number[] =>
  x.map((xi, i) => a * xi + b * y[i]);

/** |a·x| + |b·y| leafwise: the magnitude a combination's rounding error is relative to. */
export const combineScale = (a: number, x: readonly number[], b: number, y: readonly number[]): number[] =>
  x.map((xi, i) => Math.abs(a * xi) + Math.abs(b * y[i]));

/** `op` leafwise on two trees of Reals of the same structure (with nabla's ops it stays differentiable). */
export function zipReals(x: unknown, y: unknown, op: (a: Real, b: Real) => Real): unknown {
  if (!sameStructure(x, y)) {
    throw new TypeError("nabla/laws: the two functions' results differ in structure, so they cannot be combined");
  }
  const ys = leavesOf(y);
  return rebuild(x, leavesOf(x).map((xi, i) => op(xi as Real, ys[i] as Real)));
}

/** a·x + b·y leafwise on trees of Reals, with nabla's ops (or those given), so that it is differentiable. */
export const combineReals = (
  a: number,
  x: unknown,
  b: number,
  y: unknown,
  plus: (a: Real, b: Real) => Real = add,
  times: (a: Real, b: Real) => Real = mul,
): unknown =>
  zipReals(x, y, (xi, yi) => plus(times(a, xi), times(b, yi)));

/** The unit tree: shaped like `like`, 1 at leaf `i`, 0 elsewhere. */
export const unitLike = (like: unknown, i: number): unknown =>
  rebuild(like, leavesOf(like).map((_, j) => (j === i ? 1 : 0)));

/** The largest |leaf|, at least `floor`. */
export const maxAbs = (xs: readonly number[], floor = 0): number => xs.reduce((m, x) => Math.max(m, Math.abs(x)), floor);
