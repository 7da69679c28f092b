// Shape arithmetic: extents, sizes, broadcasting, axes. Plain numbers and arrays only, so every
// layer (kernels, tensors, rules) can share it.
import { describe, show } from "./errors.ts";

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

/** The most axes a shape may have (NumPy's limit). */
export const MAX_AXES = 64;

/** A copy of a shape-like argument (read once), which must be an array of at most MAX_AXES entries. */
export function shapeArray(shape: unknown, op: string, what: string): unknown[] {
  if (!Array.isArray(shape)) throw new TypeError(`${op}: ${what} must be an array of non-negative integers, got ${describe(shape)}`);
  if (shape.length > MAX_AXES) throw new RangeError(`${op}: ${what} has ${shape.length} axes, more than ${MAX_AXES}`);
  const dims = new Array<unknown>(shape.length);
  for (let i = 0; i < dims.length; i++) dims[i] = (shape as unknown[])[i];
  return dims;
}

/** The most elements a tensor may have: the engine's limit on a typed array's length. */
export const MAX_SIZE = 2 ** 32 - 1;

/**
 * Checks that `shape` is an array of non-negative integers with at most MAX_SIZE elements in all
 * (a RangeError naming `op` and the argument, `what`, otherwise). Each extent is read once.
 */
export function checkShape(shape: unknown, op: string, what = "the shape"): Shape {
  const dims = shapeArray(shape, op, what);
  const k = dims.findIndex((d) => !Number.isInteger(d) || (d as number) < 0);
  if (k >= 0) {
    const d = dims[k];
    throw new RangeError(`${op}: ${what} must be an array of non-negative integers, got ${typeof d === "number" ? d : describe(d)} at [${k}]`);
  }
  const n = sizeOf(dims as number[]);
  if (n > MAX_SIZE) throw new RangeError(`${op}: ${what} ${formatShape(dims as number[])} has ${n} elements, more than a tensor can hold (${MAX_SIZE})`);
  return dims as number[];
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
  if (typeof axis !== "number") throw new TypeError(`${op}: the axis must be an integer, got ${describe(axis)}`);
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(axis) || a < 0 || a >= rank) {
    throw new RangeError(`${op}: axis ${show(axis)} is out of range for shape ${formatShape(shape)}`);
  }
  return a;
}

/** `shape` split around `axis`: the extents before it (outer), along it, and after it (inner). */
export function around(shape: Shape, axis: number): readonly [number, number, number] {
  return [sizeOf(shape.slice(0, axis)), shape[axis], sizeOf(shape.slice(axis + 1))];
}
