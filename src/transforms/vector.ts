// Arguments and results of the Jacobian and Hessian transforms: a Real[] (giving nested arrays) or
// a 1-D tensor (giving a tensor), unit vectors shaped like the argument, and stacking of results.
import { describeValue } from "../tensor/describe.ts";
import { firstBad } from "../base/errors.ts";
import { isTensorValued, shapeOf } from "../core/value.ts";
import { type Real, type Value } from "../core/protocol.ts";
import { concat, reshape, transpose } from "../rules/structure.ts";
import { broadcastTo } from "../rules/broadcast.ts";
import { fromData, Tensor } from "../tensor/tensor.ts";
import { freezeTree } from "../tree/match.ts";
import { flatten } from "../tree/flatten.ts";
import { isLeaf } from "../tree/types.ts";

/**
 * A Jacobian or Hessian transform's result: numbers in, numbers out; Reals in, Reals out; tensors in, a tensor out.
 * @example
 * const J: Jacobian = jacfwd((t: Tensor) => mul(t, 2));
 * J(tensor([1, 2])); // => tensor([[2, 0], [0, 2]])
 */
export interface Jacobian {
  (x: readonly number[]): number[][];
  (x: Tensor): Tensor;
  (x: readonly Real[]): Real[][];
}

/** The vector a Jacobian transform differentiates at. */
export interface VectorArgument {
  readonly x: unknown;
  readonly n: number;
  readonly isTensor: boolean;
  /** The i-th unit vector, shaped like the argument. */
  unit(i: number): unknown;
}

export function vectorArgument(x: unknown, transform: string): VectorArgument {
  if (Array.isArray(x)) {
    flatten(x, transform); // names the path of a bad element
    const k = x.findIndex((v) => !isLeaf(v) || isTensorValued(v as Value));
    if (k >= 0) throw new TypeError(`${transform}: the element at [${k}] is ${describeValue(x[k])}; expected a Real[] or a 1-D Tensor`);
    return { x, n: x.length, isTensor: false, unit: (i) => unitArray(x.length, i) };
  }
  if (isLeaf(x) && isTensorValued(x)) {
    const shape = shapeOf(x)!;
    if (shape.length === 1) {
      return { x, n: shape[0], isTensor: true, unit: (i) => unitTensor(shape[0], i) };
    }
    throw new TypeError(`${transform}: expects a 1-D Tensor, got a Tensor of shape [${shape.join(",")}]`);
  }
  throw new TypeError(`${transform}: expects a Real[] or a 1-D Tensor, got ${describeValue(x)}`);
}

function unitArray(n: number, i: number): Value[] {
  const e = new Array<Value>(n).fill(0);
  e[i] = 1;
  return e;
}

/** A tensor one-hot of length m (for pulling back one row of a Jacobian). */
export function unitTensor(m: number, i: number): Tensor {
  const e = new Float64Array(m);
  e[i] = 1;
  return fromData(e, [m]);
}

/** Checks a result: a Real, a Real[], or (for a tensor argument) a 1-D tensor. */
export function vectorResult(y: unknown, transform: string): "scalar" | "array" | "tensor" {
  if (isLeaf(y) && !isTensorValued(y)) return "scalar";
  if (Array.isArray(y) && firstBad(y, (v) => isLeaf(v) && !isTensorValued(v as Value)) < 0) return "array";
  if (isLeaf(y) && shapeOf(y)?.length === 1) return "tensor";
  throw new TypeError(`${transform}: the function must return a Real, a Real[] or a 1-D Tensor, but returned ${describeValue(y)}`);
}

/**
 * The matrix whose rows are `vectors` (each a Real, a Real[] or a 1-D tensor, like the function's
 * result or argument), as nested arrays, or as a tensor when `asTensor`. Frozen.
 */
export function stackRows(vectors: readonly unknown[], asTensor: boolean, transform: string): unknown {
  if (!asTensor) {
    return freezeTree(vectors.map((v) => (Array.isArray(v) ? [...v] : isLeaf(v) && !isTensorValued(v) ? v : notVector(v, transform))));
  }
  const rows = vectors.map((v): Value => {
    if (Array.isArray(v)) return concat(v.map((r) => broadcastTo(r as Value, [1]) as Tensor));
    if (isLeaf(v) && !isTensorValued(v)) return v;
    if (isLeaf(v) && shapeOf(v)?.length === 1) return v;
    return notVector(v, transform);
  });
  if (rows.length === 0) return fromData(new Float64Array(0), [0]);
  if (!isTensorValued(rows[0])) return concat(rows.map((r) => broadcastTo(r, [1]) as Tensor));
  const m = shapeOf(rows[0])![0];
  return concat(rows.map((r) => reshape(r as Tensor, [1, m])));
}

/** The matrix whose columns are `vectors`. */
export function stackColumns(vectors: readonly unknown[], asTensor: boolean, transform: string): unknown {
  const rows = stackRows(vectors, asTensor, transform);
  if (asTensor) {
    const shape = shapeOf(rows as Value)!;
    return shape.length === 2 ? transpose(rows as Tensor) : rows;
  }
  const r = rows as readonly unknown[];
  if (r.length === 0 || !Array.isArray(r[0])) return r;
  const m = (r[0] as unknown[]).length;
  return freezeTree(Array.from({ length: m }, (_, i) => r.map((row) => (row as unknown[])[i])));
}

const notVector = (v: unknown, transform: string): never => {
  throw new TypeError(`${transform}: the function must return a Real, a Real[] or a 1-D Tensor, but returned ${describeValue(v)}`);
};
