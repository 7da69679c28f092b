// Arguments and results of the Jacobian and Hessian transforms: vectors of Reals, and unit vectors.
import { describeValue } from "../core/errors.ts";
import type { Real, Value } from "../core/value.ts";
import { isLeaf } from "../tree/tree.ts";

/** A Jacobian or Hessian transform's result: numbers in, numbers out; Reals in, Reals out. */
export interface Jacobian {
  (x: readonly number[]): number[][];
  (x: readonly Real[]): Real[][];
}

export function vectorArgument(x: unknown, transform: string): readonly Value[] {
  if (!Array.isArray(x)) {
    throw new TypeError(`${transform}: expects a Real[] (or a 1-D Tensor), got ${describeValue(x)}`);
  }
  return x as readonly Value[];
}

export function vectorResult(y: unknown, transform: string): readonly Value[] {
  if (!Array.isArray(y) || !y.every(isLeaf)) {
    throw new TypeError(`${transform}: the function must return a Real[] (or a Real), but returned ${describeValue(y)}`);
  }
  return y as readonly Value[];
}

/** The i-th unit vector of length n. */
export function unit(n: number, i: number): Value[] {
  const e = new Array<Value>(n).fill(0);
  e[i] = 1;
  return e;
}
