// Shape arithmetic: extents, sizes, broadcasting, axes. Plain numbers and arrays only, so every
// layer (kernels, tensors, rules) can share it.
import { describe } from "./errors.ts";

/**
 * A shape: non-negative integer extents, outermost first. `[]` is a 0-d tensor (one element).
 * @example
 * const shape: Shape = [2, 3];
 * zeros(shape).size; // => 6
 */
export type Shape = readonly number[];

/** `[2,3]`, as SPEC §7 writes shapes in messages. */
export const formatShape = (shape: Shape): string => `[${shape.join(",")}]`;

export const sizeOf = (shape: Shape): number => {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
};

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Checks that `shape` is an array of non-negative integers. */
export function checkShape(shape: unknown, op: string): Shape {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new RangeError(`${op}: a shape is an array of non-negative integers, got ${describe(shape)}`);
  }
  return shape as Shape;
}

/** The broadcast shape of `a` and `b`, or a RangeError naming the op and both shapes. */
export function broadcastShapes(a: Shape, b: Shape, op: string): Shape {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let k = 0; k < rank; k++) {
    const da = a[a.length - rank + k] ?? 1;
    const db = b[b.length - rank + k] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new RangeError(`${op}: shapes ${formatShape(a)} and ${formatShape(b)} do not broadcast`);
    }
    out[k] = da === 1 ? db : da;
  }
  return out;
}

/** Row-major strides of a shape. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let k = shape.length - 1; k >= 0; k--) {
    s[k] = acc;
    acc *= shape[k];
  }
  return s;
}

/** An axis in range, negative counting from the end, or a RangeError. */
export function normalizeAxis(axis: number, rank: number, op: string, shape: Shape): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(axis) || a < 0 || a >= rank) {
    throw new RangeError(`${op}: axis ${axis} is out of range for shape ${formatShape(shape)}`);
  }
  return a;
}

/** `shape` split around `axis`: the extents before it (outer), along it, and after it (inner). */
export function around(shape: Shape, axis: number): readonly [number, number, number] {
  return [sizeOf(shape.slice(0, axis)), shape[axis], sizeOf(shape.slice(axis + 1))];
}
