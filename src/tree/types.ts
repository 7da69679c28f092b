// Trees (JAX's pytrees): what transforms take and give. Leaves are Reals and Tensors; containers are
// arrays and plain records. The types here say what a transform returns for what it is given.
import { Tracer, type Real, type Value } from "../core/protocol.ts";
import { Tensor } from "../tensor/tensor.ts";

/**
 * A Real, a Tensor, or a readonly array or plain record of Trees.
 * @example
 * const params: Tree = { w: tensor([1, 2]), b: [0.5] };
 * grad((p: { w: Tensor; b: readonly Real[] }) => add(sum(mul(p.w, p.w)), p.b[0]))(params as never); // => { w: tensor([2, 4]), b: [1] }
 */
export type Tree = Real | Tensor | readonly Tree[] | { readonly [key: string]: Tree };

/**
 * A tree of `T`'s structure as nabla returns it: plain numbers where `T` has plain numbers, Reals
 * where it has Reals. This is the type of a gradient of a function of `T`, or of a tangent.
 * @example
 * const g: Like<{ w: Real; b: Real }> = grad((p: { w: Real; b: Real }) => mul(p.w, p.b))({ w: 2, b: 3 });
 * g; // => { w: 3, b: 2 }
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
 * @example
 * const [y, pullback] = vjp((x: Real) => mul(x, x), 3);
 * const value: Result<Real, number> = y; // a plain number: the argument held plain numbers only
 * value; // => 9
 * pullback(1); // => 6
 */
export type Result<Y, U> = MayBeTraced<U> extends false ? Plain<Y> : Like<Y>;

/**
 * `T` with every Real as a plain number (tensors stay tensors).
 * @example
 * const p: Plain<{ w: Real; h: readonly Real[] }> = { w: 1, h: [2, 3] };
 * p.w + p.h[0]; // => 3
 */
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
export interface Container {
  /** The record's keys in order, or null for an array. */
  readonly keys: readonly string[] | null;
  /** The children's structures, or null when every child is a leaf (the common flat case). */
  readonly children: readonly TreeDef[] | null;
  readonly size: number;
  /** A flat record's compiled reader and builder, made once a transform sees the structure again. */
  compiled: Compiled | undefined;
}

/** Straight-line code for one flat record structure: property loads and object literals. */
export interface Compiled {
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

/** One step of a path from the root of a tree: a record key or an array index. */
export type Key = string | number;

export function isLeaf(x: unknown): x is Value {
  return typeof x === "number" || x instanceof Tracer || x instanceof Tensor;
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

