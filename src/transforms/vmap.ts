// vmap: f mapped over an axis of its argument's tensors, as one batched computation. The argument's
// mapped leaves become values of a fresh batch level (interpreters/batch/), f runs once on them, and
// each result leaf has its batch axis moved to where outAxes puts it.
import { describe } from "../base/errors.ts";
import { formatShape } from "../base/shape.ts";
import type { Real, Value } from "../core/protocol.ts";
import { shapeOf } from "../core/value.ts";
import { Batched } from "../interpreters/batch/batched.ts";
import { BatchTrace } from "../interpreters/batch/trace.ts";
import { fromFront, reshapeRule, toFront } from "../rules/axes.ts";
import { broadcastTo } from "../rules/broadcast.ts";
import { bindT } from "../core/bind.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { flatten, unflatten } from "../tree/flatten.ts";
import { isRecord } from "../tree/records.ts";
import { formatPath, isLeaf, type Key } from "../tree/types.ts";
import { callUser, transformCall } from "./run.ts";

/**
 * Where each part of a tree is mapped: a number (the axis of every tensor below), null (not mapped),
 * or an array or record of those, a prefix of the tree it describes.
 * @example
 * const axes: Axes = [null, 0, { x: 1, y: null }];
 * vmap(([w, x]: readonly [Tensor, Tensor]) => mul(w, x), [null, 0])([tensor([1, 2]), tensor([[1, 1], [2, 2]])]); // => tensor([[1, 2], [2, 4]])
 */
export type Axes = number | null | readonly Axes[] | { readonly [key: string]: Axes };

/**
 * A tree as vmap takes it: each Real of the function's argument may come as a tensor of examples.
 * @example
 * const batch: Batchable<readonly [Real, Tensor]> = [tensor([1, 2]), tensor([[1], [2]])];
 * vmap(([s, t]: readonly [Real, Tensor]) => mul(s, t))(batch); // => tensor([[1], [4]])
 */
export type Batchable<T> = T extends number ? Real | Tensor : T extends Tensor ? Tensor : T extends Real ? Real | Tensor : { [K in keyof T]: Batchable<T[K]> };

/**
 * A tree as vmap returns it: each leaf stacked over the examples (a scalar per example becomes a 1-D tensor).
 * @example
 * const out: Stacked<{ s: Real }> = vmap((t: Tensor) => ({ s: sum(t) }))(tensor([[1, 2], [3, 4]]));
 * out.s; // => tensor([3, 7])
 */
export type Stacked<T> = T extends number | Tensor ? Tensor : T extends Real ? Tensor : { [K in keyof T]: Stacked<T[K]> };

/** A path from the root, as a chain of steps (each node one step, so a deep tree costs no copies). */
interface Step {
  readonly parent: Step | undefined;
  readonly key: Key;
}

/** One leaf with its axis spec and path. */
interface Placed {
  readonly axis: number | null;
  readonly path: Step | undefined;
}

/**
 * The axis spec of every leaf of `tree`, in flatten order, from a prefix `spec` of it; a spec that
 * does not fit the tree is a TypeError naming the path. Walked over an explicit stack (any depth).
 */
function placeAxes(spec: Axes, tree: unknown, what: string): Placed[] {
  const out: Placed[] = [];
  /** `spec` at `x`; `below`: spec is a number or null already checked, for every leaf under x. */
  const todo: { readonly spec: Axes; readonly x: unknown; readonly path: Step | undefined; readonly below: boolean }[] = [{ spec, x: tree, path: undefined, below: false }];
  const push = (s: Axes, x: unknown, parent: Step | undefined, key: Key, below: boolean) => todo.push({ spec: s, x, path: { parent, key }, below });
  while (todo.length > 0) {
    const { spec: s, x, path, below } = todo.pop()!;
    if (below || s === null || typeof s === "number") {
      if (!below && s !== null && !Number.isInteger(s)) throw new TypeError(`vmap: ${what} at ${at(path)} must be an integer axis or null, got ${s}`);
      if (isLeaf(x) || (!Array.isArray(x) && !isRecord(x))) out.push({ axis: s as number | null, path });
      else if (Array.isArray(x)) for (let i = x.length - 1; i >= 0; i--) push(s, x[i], path, i, true);
      else for (const k of Object.keys(x).reverse()) push(s, x[k], path, k, true);
      continue;
    }
    if (Array.isArray(s)) {
      if (!Array.isArray(x) || x.length !== s.length) {
        throw new TypeError(`vmap: ${what} at ${at(path)} is an array of length ${s.length}, but the value there is ${describe(x)}`);
      }
      for (let i = s.length - 1; i >= 0; i--) push(s[i] as Axes, x[i], path, i, false);
      continue;
    }
    if (isRecord(s)) {
      const keys = Object.keys(s);
      if (!isRecord(x) || Object.keys(x).length !== keys.length || !keys.every((k) => Object.hasOwn(x, k))) {
        throw new TypeError(`vmap: ${what} at ${at(path)} is a record with keys {${keys.join(", ")}}, but the value there is ${describe(x)}`);
      }
      for (const k of Object.keys(x).reverse()) push(s[k] as Axes, x[k], path, k, false);
      continue;
    }
    throw new TypeError(`vmap: ${what} at ${at(path)} must be a number, null, or an array or record of those, got ${describe(s)}`);
  }
  return out;
}

/** A path as error messages write it. */
function at(path: Step | undefined): string {
  const keys: Key[] = [];
  for (let p = path; p !== undefined; p = p.parent) keys.push(p.key);
  return keys.length === 0 ? "the top" : formatPath(keys.reverse());
}

/**
 * `f` mapped over axis `inAxes` of its argument's tensors: one batched computation, each primitive
 * by its batching rule, not a loop over examples. `inAxes` and `outAxes` are prefixes of the
 * argument's and the result's trees (a number: that axis of every tensor below, negative from the
 * end; null: not mapped, every example sees the same value / the part does not depend on the example).
 * It nests with every transform: `vmap(grad(loss), [null, 0])` gives per-example gradients.
 * @example
 * vmap((row: Tensor) => sum(mul(row, row)))(tensor([[1, 2], [3, 4]])); // => tensor([5, 25])
 * vmap((col: Tensor) => amax(col), 1)(tensor([[1, 5], [3, 2]])); // => tensor([3, 5])
 * vmap(grad((p: readonly [Tensor, Real]) => sum(mul(p[0], p[1]))), [null, 0])([tensor([1, 2]), tensor([10, 20])])[0]; // => tensor([[10, 10], [20, 20]])
 */
export function vmap<X, Y>(f: (x: X) => Y, inAxes: Axes = 0, outAxes: Axes = 0): (x: Batchable<X>) => Stacked<Y> {
  if (typeof f !== "function") throw new TypeError(`vmap: expects a function, got ${describe(f)}`);
  return ((x: unknown) => transformCall(true, () => {
    const input = flatten(x, "vmap");
    // the axes are placed on the flattened copy, so each getter of the argument is read once
    const placed = placeAxes(inAxes, unflatten(input.def, input.leaves), "inAxes");
    let size: number | undefined;
    let first: Placed | undefined;
    const axes = input.leaves.map((leaf, i) => {
      const { axis, path } = placed[i]!;
      if (axis === null) return null;
      const shape = shapeOf(leaf);
      if (shape === null) throw new TypeError(`vmap: the leaf at ${at(path)} is mapped (axis ${axis}) but is a Real; only tensors have an axis to map`);
      const a = axis < 0 ? axis + shape.length : axis;
      if (a < 0 || a >= shape.length) throw new RangeError(`vmap: axis ${axis} is out of range for the leaf at ${at(path)} of shape ${formatShape(shape)}`);
      if (size === undefined) [size, first] = [shape[a]!, placed[i]];
      else if (shape[a] !== size) {
        throw new RangeError(`vmap: mapped axes differ in size: ${size} at ${at(first!.path)} and ${shape[a]} at ${at(path)}`);
      }
      return a;
    });
    if (size === undefined) throw new TypeError("vmap: no leaf is mapped (inAxes is null everywhere); map at least one");
    const trace = new BatchTrace("vmap", size);
    try {
      const lifted = input.leaves.map((leaf, i) => (axes[i] === null ? leaf : trace.lift(leaf, axes[i]!)));
      const y = callUser(f as (x: never) => unknown, unflatten(input.def, lifted));
      const result = flatten(y, "vmap", "the function's result");
      const outPlaced = placeAxes(outAxes, unflatten(result.def, result.leaves), "outAxes");
      return unflatten(result.def, result.leaves.map((leaf, i) => stack(trace, leaf, outPlaced[i]!)));
    } finally {
      trace.close();
    }
  })) as (x: Batchable<X>) => Stacked<Y>;
}

/** A result leaf with its examples along the axis `outAxes` gives it (or, for null, the leaf itself). */
function stack(trace: BatchTrace, leaf: Value, { axis, path }: Placed): Value {
  const batched = leaf instanceof Batched && leaf.trace === trace;
  if (axis === null) {
    if (batched) throw new TypeError(`vmap: the result at ${at(path)} depends on the example, but outAxes there is null`);
    return leaf;
  }
  const example = shapeOf(leaf) ?? [];
  const a = axis < 0 ? axis + example.length + 1 : axis;
  if (a < 0 || a > example.length) {
    throw new RangeError(`vmap: outAxes ${axis} is out of range for the result at ${at(path)}, of shape ${formatShape(example)} per example`);
  }
  if (batched) return fromFront(toFront(leaf.primal, leaf.axis), a);
  // the same for every example: repeated (a scalar, plain or of an outer level, has nothing to reshape)
  if (shapeOf(leaf) === null) return broadcastTo(leaf, [trace.size]);
  const one = bindT(reshapeRule, [leaf], [1, ...example]);
  return fromFront(broadcastTo(one, [trace.size, ...example]), a);
}
