// Trees as the laws handle them: taken apart into leaves (a tensor leaf as its elements) and rebuilt,
// and the vector-space operations (inner product, linear combination) the laws are written with.
import { add, mul, type NestedArray, primal, type Real, sum, Tensor, tensor, toArray } from "../src/index.ts";

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

/** A shape's number of elements. */
export const sizeOf = (shape: readonly number[]): number => shape.reduce((n, d) => n * d, 1);

/**
 * The shape of a tensor leaf, plain or (inside a transform) traced, or undefined for any other leaf.
 * A traced leaf is told apart by its primal, the only public way to see what it carries.
 */
export function tensorShape(leaf: unknown): readonly number[] | undefined {
  if (leaf instanceof Tensor) return leaf.shape;
  if (typeof leaf !== "object" || leaf === null || isContainer(leaf)) return undefined;
  try {
    const p: unknown = primal(leaf as Real);
    return p instanceof Tensor ? p.shape : undefined;
  } catch {
    return undefined; // not a nabla value (or one that escaped its transform): not a tensor to the laws
  }
}

/** A plain tensor's elements, in row-major order. */
export function tensorElements(t: Tensor): number[] {
  const out: number[] = [];
  const visit = (a: NestedArray): void => {
    if (typeof a === "number") out.push(a);
    else for (const b of a) visit(b);
  };
  visit(toArray(t));
  return out;
}

/** The leaves of `tree` with every plain tensor leaf replaced by its elements (other leaves as they are). */
export function elementsOf(tree: unknown): unknown[] {
  return leavesOf(tree).flatMap((l) => (l instanceof Tensor ? tensorElements(l) : [l]));
}

/** How many numbers a tree holds: a tensor leaf (plain or traced) counts its elements. */
export const elementCount = (tree: unknown): number =>
  leavesOf(tree).reduce<number>((n, l) => n + sizeOf(tensorShape(l) ?? []), 0);

/** The numbers of a tree that must hold plain numbers and plain tensors only (a law's samples and results). */
export function numbersOf(tree: unknown, what: string): number[] {
  const ls = elementsOf(tree);
  for (const l of ls) {
    if (typeof l !== "number") throw new TypeError(`nabla/laws: ${what} should have plain-number leaves, found ${String(l)}`);
  }
  return ls as number[];
}

/** Row-major multi-indices of a shape: `[0,0]`, `[0,1]`, … */
function indicesOf(shape: readonly number[]): string[] {
  let out = [""];
  for (const d of shape) out = out.flatMap((prefix) => Array.from({ length: d }, (_, i) => (prefix === "" ? `${i}` : `${prefix},${i}`)));
  return shape.length === 0 ? [""] : out.map((i) => `[${i}]`);
}

/**
 * The path of every number, in element order, written as nabla writes paths (`w[1].b`), a tensor's
 * elements with their multi-index (`w[1,2]`).
 */
export function pathsOf(tree: unknown): string[] {
  const out: string[] = [];
  const visit = (t: unknown, path: string): void => {
    if (Array.isArray(t)) t.forEach((c, i) => visit(c, `${path}[${i}]`));
    else if (isRecord(t)) for (const k of Object.keys(t)) visit(t[k], path === "" ? k : `${path}.${k}`);
    else {
      const shape = tensorShape(t);
      if (shape === undefined) out.push(path);
      else for (const i of indicesOf(shape)) out.push(`${path}${i}`);
    }
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

/**
 * A tree shaped like `like` whose numbers are `elements`, in element order: a tensor leaf of `like`
 * (plain or traced: only its shape is read) takes as many as it has elements, as a new plain tensor.
 */
export function fromElements(like: unknown, elements: readonly unknown[]): unknown {
  let next = 0;
  const out = rebuild(
    like,
    leavesOf(like).map((l) => {
      const shape = tensorShape(l);
      if (shape === undefined) return elements[next++];
      const n = sizeOf(shape);
      const xs = elements.slice(next, next + n);
      next += n;
      return tensor(xs as number[], shape);
    }),
  );
  if (next !== elements.length) throw new RangeError(`nabla/laws: ${elements.length} numbers for a tree of ${next}`);
  return out;
}

/** A deep, unfrozen copy of a tree (leaves shared: numbers, Reals and tensors are immutable). */
export const copyTree = (tree: unknown): unknown => rebuild(tree, leavesOf(tree));

/** A copy of a tree with fresh tensors holding its numbers now: a record of its value that nothing can touch. */
export const snapshot = (tree: unknown): unknown => fromElements(tree, elementsOf(tree));

/** Same containers, lengths and keys, and the same shape at every tensor leaf (numbers are not compared). */
export function sameStructure(a: unknown, b: unknown): boolean {
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((c, i) => sameStructure(c, b[i]));
  if (isRecord(a)) {
    if (!isRecord(b)) return false;
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameStructure(a[k], b[k]));
  }
  if (isContainer(b)) return false;
  const sa = tensorShape(a);
  const sb = tensorShape(b);
  if (sa === undefined || sb === undefined) return sa === sb;
  return sa.length === sb.length && sa.every((d, i) => d === sb[i]);
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

/** The unit tree: shaped like `like`, 1 at number `i` (in element order), 0 elsewhere. */
export const unitLike = (like: unknown, i: number): unknown =>
  fromElements(like, Array.from({ length: elementCount(like) }, (_, j) => (j === i ? 1 : 0)));

/**
 * ⟨a, v⟩ = Σ aᵢvᵢ with nabla's ops, so that it stays differentiable: `a` a tree of Reals and tensors
 * (traced), `v` a plain tree of its structure. Tensor leaves contribute Σ(a ⊙ v).
 */
export function innerReals(a: unknown, v: unknown): Real {
  const vs = leavesOf(v);
  return leavesOf(a).reduce<Real>((s, ai, i) => {
    const term = tensorShape(ai) === undefined ? mul(ai as Real, vs[i] as Real) : sum(mul(ai as Tensor, vs[i] as Tensor));
    return add(s, term);
  }, 0);
}

/** The largest |leaf|, at least `floor`. */
export const maxAbs = (xs: readonly number[], floor = 0): number => xs.reduce((m, x) => Math.max(m, Math.abs(x)), floor);
