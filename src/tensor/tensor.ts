// The Tensor: an immutable n-d array of float64 with a shape. Its data is private (no public way to
// change it), it never shares a caller's array, and construction validates shape against data.
import { describe } from "../base/errors.ts";
import { checkShape, formatShape, MAX_AXES, type Shape, sizeOf } from "../base/shape.ts";
import { kernels } from "../backend/index.ts";
import { type Expr, visitLeaves } from "../backend/expr.ts";
import { allocate, allocateFor, currentOwner, hasRecycled, recycledIn } from "../backend/memory.ts";

/**
 * Nested plain arrays of numbers, as `toArray` gives and `tensor` takes.
 * @example
 * const rows: NestedArray = [[1, 2], [3, 4]];
 * tensor(rows).shape; // => [2, 2]
 */
export type NestedArray = number | readonly NestedArray[];

/** The `values` nabla's own factory passes (never exported, so never a user's data): nothing to check. */
const UNCHECKED: readonly NestedArray[] = Object.freeze([]);

let dataOf: (t: Tensor) => Float64Array;
let exprOfTensor: (t: Tensor) => Expr | undefined;
let make: (data: Float64Array | undefined, expr: Expr | undefined, shape: Shape) => Tensor;

/**
 * An immutable n-d array of float64. Build one with `tensor`, `zeros` or `ones`. An elementwise
 * result may be pending (an expression, see tensor/elementwise.ts) until its numbers are first
 * needed; it is the same value either way.
 * @example
 * const t: Tensor = tensor([[1, 2, 3], [4, 5, 6]]);
 * [t.shape, t.size, t.rank]; // => [[2, 3], 6, 2]
 * t instanceof Tensor; // => true
 */
export class Tensor {
  #data: Float64Array | undefined;
  #expr: Expr | undefined;
  /** The recycling scope its buffer belongs to once computed, if the machinery made it in one. */
  readonly #owner: object | undefined;
  /** Extents, outermost first; frozen. */
  readonly shape: Shape;

  static {
    dataOf = (t) => {
      // a tensor of a closed scope (it escaped its transform) whose memory was reused: never read it
      if (t.#owner !== undefined && hasRecycled(t.#owner)) {
        if (t.#data !== undefined) checkRead(t.#owner, t.#data);
        else checkLeaves(t.#owner, t.#expr!);
      }
      if (t.#data === undefined) {
        const n = sizeOf(t.shape);
        const out = allocateFor(n, t.#owner);
        kernels.run(t.#expr!, n, out);
        t.#data = out;
        t.#expr = undefined;
      }
      return t.#data;
    };
    exprOfTensor = (t) => t.#expr;
    // nabla's own kernels wrap the buffers they fill (or pending expressions) without a copy
    make = (data, expr, shape) => {
      const t = new Tensor(UNCHECKED, shape);
      t.#data = data;
      t.#expr = expr;
      return t;
    };
  }

  /** The same as `tensor(values, shape?)`: the data is validated and copied. */
  constructor(values: NestedArray | ArrayLike<number>, shape?: Shape) {
    if (values === UNCHECKED) {
      // a frozen shape (another tensor's) can be shared; a fresh one is copied and frozen
      this.shape = Object.isFrozen(shape) ? (shape as Shape) : Object.freeze([...(shape as Shape)]);
    } else {
      const copy = build(values, shape);
      this.#data = copy.data;
      this.shape = Object.freeze([...copy.shape]);
    }
    this.#owner = currentOwner();
    Object.freeze(this);
  }

  /** The number of elements. */
  get size(): number {
    return sizeOf(this.shape);
  }

  /** The number of axes. */
  get rank(): number {
    return this.shape.length;
  }

  toString(): string {
    return `Tensor(${formatShape(this.shape)})`;
  }
}

/** A tensor of a closed scope is read only where that scope did not reuse the memory. */
function checkRead(owner: object, b: Float64Array): void {
  const name = recycledIn(owner, b);
  if (name === undefined) return;
  throw new Error(
    `${name}: a tensor computed inside ${name} was read after that ${name} returned and its memory was reused. ` +
      `It escaped its transform (kept in a variable or a closure); use it inside the ${name}, or return it.`,
  );
}

/** The same for a pending tensor: every buffer its expression reads. */
const checkLeaves = (owner: object, e: Expr): void => visitLeaves(e, (b) => checkRead(owner, b));

/** Internal: the tensor's data (computed first if pending), for kernels that only read it. */
export const data = (t: Tensor): Float64Array => dataOf(t);

/** Internal: a pending tensor's expression, or undefined once its data exists. */
export const pendingExpr = (t: Tensor): Expr | undefined => exprOfTensor(t);

let pending = 0;
/** How many pending tensors have been made so far (to know whether a result may hold one). */
export const pendingCount = (): number => pending;

/** Internal: a tensor whose elements are the expression's values, computed when first needed. */
export function lazy(expr: Expr, shape: Shape): Tensor {
  pending++;
  return make(undefined, expr, shape);
}

/** Internal: a tensor over a fresh buffer the caller has filled (or immutable data it shares). */
export const fromData = (buffer: Float64Array, shape: Shape): Tensor => make(buffer, undefined, shape);

/** Internal: a tensor from a user's nested arrays for a public function `op` (its errors name `op`). */
export function tensorFor(values: unknown, op: string): Tensor {
  const { data, shape } = build(values as NestedArray, undefined, op);
  return make(data, undefined, Object.freeze([...shape]));
}

/**
 * A tensor from nested arrays (`tensor([[1, 2], [3, 4]])`), or from flat data and a shape
 * (`tensor([1, 2, 3, 4], [2, 2])`, any ArrayLike). The data is always copied.
 * @example
 * tensor([[1, 2], [3, 4]]).shape; // => [2, 2]
 * tensor(new Float64Array([1, 2, 3, 4, 5, 6]), [3, 2]); // => tensor([[1, 2], [3, 4], [5, 6]])
 * tensor([1, 2, 3], [2, 2]); // throws RangeError
 */
export function tensor(values: NestedArray | ArrayLike<number>, shape?: Shape): Tensor {
  return new Tensor(values, shape);
}

/** Validated, copied data and its shape, from nested arrays or from flat data and a shape. */
function build(values: NestedArray | ArrayLike<number>, shape?: Shape, op = "tensor"): { data: Float64Array; shape: Shape } {
  if (shape !== undefined) {
    const dims = checkShape(shape, op);
    if (typeof values === "number" && dims.length === 0) return { data: room(op, 1).fill(values), shape: dims };
    const length = typeof values === "object" && values !== null && !(values instanceof DataView) ? (values as ArrayLike<number>).length : undefined;
    if (typeof length !== "number") {
      throw new TypeError(`${op}: with a shape, the data must be a flat array of numbers, got ${describe(values)}`);
    }
    const flat = values as ArrayLike<number>;
    const n = sizeOf(dims);
    if (length !== n) throw new RangeError(`${op}: ${length} values do not fill the shape ${formatShape(dims)} (${n} elements)`);
    const out = room(op, n);
    for (let i = 0; i < n; i++) {
      const v = flat[i];
      if (typeof v !== "number") throw new TypeError(`${op}: element ${i} is ${describe(v)}, not a number`);
      out[i] = v;
    }
    return { data: out, shape: dims };
  }
  if (typeof values === "number") return { data: room(op, 1).fill(values), shape: [] };
  const inferred = inferShape(values, op);
  const out = room(op, sizeOf(inferred));
  let next = 0;
  const fill = (v: unknown, depth: number, path: string): void => {
    if (depth === inferred.length) {
      if (typeof v !== "number") throw new TypeError(`${op}: the element at ${path || "the top"} is ${describe(v)}, not a number`);
      out[next++] = v;
      return;
    }
    if (!isArrayData(v)) {
      throw new RangeError(`${op}: ragged data at ${path || "the top"}: expected an array of length ${inferred[depth]}, got ${describe(v)}`);
    }
    const a = v as ArrayLike<unknown>;
    if (a.length !== inferred[depth]) {
      throw new RangeError(`${op}: ragged data at ${path || "the top"}: expected length ${inferred[depth]}, got ${a.length}`);
    }
    for (let i = 0; i < a.length; i++) fill(a[i], depth + 1, `${path}[${i}]`);
  };
  fill(values, 0, "");
  return { data: out, shape: inferred };
}

/** The most axes a tensor built from nested arrays may have (NumPy's limit). */
export const MAX_RANK = MAX_AXES;

/** Arrays and typed arrays hold a tensor's data (a DataView has no elements). */
const isArrayData = (v: unknown): boolean => Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));

/** The shape of nested arrays, read along the first element at each depth; a cycle or a too deep nesting throws. */
function inferShape(values: unknown, op: string): number[] {
  const shape: number[] = [];
  const seen = new Set<unknown>();
  let v = values;
  while (isArrayData(v)) {
    if (seen.has(v)) throw new TypeError(`${op}: the data is cyclic: the array at ${"[0]".repeat(shape.length)} contains itself`);
    if (shape.length === MAX_RANK) throw new RangeError(`${op}: the data is nested more than ${MAX_RANK} levels deep`);
    seen.add(v);
    const a = v as ArrayLike<unknown>;
    shape.push(a.length);
    if (a.length === 0) break;
    v = a[0];
  }
  return checkShape(shape, op, "the data's shape") as number[];
}

/** A fresh zeroed buffer of n elements for `op`, or a RangeError naming it where memory runs out. */
export function room(op: string, n: number): Float64Array {
  try {
    return allocate(n);
  } catch (e) {
    if (e instanceof RangeError) throw new RangeError(`${op}: cannot allocate ${n} elements (${8 * n} bytes): ${e.message}`);
    throw e;
  }
}

/**
 * A tensor of the given shape filled with `value`.
 * @example
 * toArray(full([2, 2], 7)); // => [[7, 7], [7, 7]]
 */
export function full(shape: Shape, value: number): Tensor {
  return filled(shape, value, "full");
}

/**
 * A tensor of the given shape filled with zeros.
 * @example
 * toArray(zeros([2, 1])); // => [[0], [0]]
 */
export const zeros = (shape: Shape): Tensor => filled(shape, 0, "zeros");
/**
 * A tensor of the given shape filled with ones.
 * @example
 * toArray(ones([3])); // => [1, 1, 1]
 */
export const ones = (shape: Shape): Tensor => filled(shape, 1, "ones");

function filled(shape: Shape, value: number, op: string): Tensor {
  const dims = checkShape(shape, op);
  if (typeof value !== "number") throw new TypeError(`${op}: the fill value must be a number, got ${describe(value)}`);
  return fromData(room(op, sizeOf(dims)).fill(value), dims);
}

/** The tensor as nested plain arrays (a number for a 0-d tensor). */
export function toArray(t: Tensor): NestedArray {
  if (!(t instanceof Tensor)) throw new TypeError(`toArray: expects a Tensor, got ${describe(t)}`);
  const d = dataOf(t);
  const shape = t.shape;
  let next = 0;
  const build = (depth: number): NestedArray => {
    if (depth === shape.length) return d[next++];
    const out: NestedArray[] = new Array(shape[depth]);
    for (let i = 0; i < shape[depth]; i++) out[i] = build(depth + 1);
    return out;
  };
  return build(0);
}
