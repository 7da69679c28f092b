// matmul: its value (the backend's packed kernel), forward rule and pullback side by side; the
// pullbacks are matmuls with flipped transpose flags, so no transpose is ever written out.
import { kernels } from "../backend/index.ts";
import { formatShape, type Shape, sizeOf } from "../base/shape.ts";
import { bindT } from "../core/bind.ts";
import { type TensorRule, type Value } from "../core/protocol.ts";
import { data, fromData, Tensor } from "../tensor/tensor.ts";
import { broadcastTo, materialize, sumTo } from "./broadcast.ts";
import { reshapeRule, toFront } from "./axes.ts";
import { shapeOf } from "../core/value.ts";
import { add, mul } from "./scalar.ts";
import { reshape, sameDims, shapeOfTensor, tensorArg } from "./structure.ts";

// matmul: C = op(A)·op(B) on the last two axes; a leading "prefix" of axes (from batching) is a
// stack of matrices on either operand, or on both with the same extents. The public op adds
// vectors and leading batch axes of the left operand.

interface Flags {
  readonly transA: boolean;
  readonly transB: boolean;
}

/** A stored operand's prefix and its matrix's rows and columns as used (op applied). */
function dims(shape: Shape, trans: boolean): readonly [Shape, number, number] {
  const r = shape[shape.length - 2];
  const c = shape[shape.length - 1];
  return [shape.slice(0, -2), trans ? c : r, trans ? r : c];
}

const mmRule: TensorRule<Flags> = {
  name: "matmul",
  value: ([a, b], { transA, transB }) => {
    const A = a as Tensor;
    const B = b as Tensor;
    const [pa, n, k] = dims(A.shape, transA);
    const [pb, k2, m] = dims(B.shape, transB);
    if (k !== k2) throw new RangeError(`matmul: ${formatShape(A.shape)} × ${formatShape(B.shape)}`);
    if (pa.length === 0 && pb.length === 0) return fromData(kernels.matmul(data(A), data(B), n, k, m, transA, transB), [n, m]);
    // a stack of products, one per prefix position (a shared operand in every one)
    const prefix = pa.length > 0 ? pa : pb;
    const out = kernels.matmulStack(data(A), data(B), sizeOf(prefix), pa.length > 0, pb.length > 0, n, k, m, transA, transB);
    return fromData(out, [...prefix, n, m]);
  },
  // d(AB) = dA·B + A·dB
  jvp: ([a, b], [ta, tb], _y, f) => {
    const left = ta === undefined ? undefined : mm(ta, b!, f.transA, f.transB);
    const right = tb === undefined ? undefined : mm(a!, tb, f.transA, f.transB);
    return left === undefined ? right! : right === undefined ? left : add(left, right);
  },
  // Ā = C̄·op(B)ᵀ and B̄ = op(A)ᵀ·C̄, each transposed back when its operand was stored transposed;
  // an operand shared by a stack of products gets the sum of their cotangents
  vjp: ([a, b], _y, { transA, transB }, active) => (ct) => [
    active[0] ? sumTo(transA ? mm(b!, ct, transB, true) : mm(ct, b!, false, !transB), shapeOf(a!)) : undefined,
    active[1] ? sumTo(transB ? mm(ct, a!, true, transA) : mm(a!, ct, !transA, false), shapeOf(b!)) : undefined,
  ],
  batch: ([a, b], [axA, axB], flags, size) => {
    const sa = shapeOf(a!)!;
    const sb = shapeOf(b!)!;
    // the common case, examples times shared weights: one product of [size·n, k] rows
    if (axB === null && !flags.transA && sa.length === 3 && sb.length === 2) {
      const front = toFront(a!, axA!);
      const [, n, k] = shapeOf(front)!;
      const flat = mm(bindT(reshapeRule, [front], [size * n!, k!]), b!, false, flags.transB);
      return [bindT(reshapeRule, [flat], [size, n!, shapeOf(flat)![1]!]), 0];
    }
    // otherwise a stack over the examples: every operand with the examples in front and the same
    // prefix after them, except a shared operand without a prefix, which stays shared
    const A = axA === null ? a! : toFront(a!, axA);
    const B = axB === null ? b! : toFront(b!, axB);
    const exampleA = axA === null ? sa : shapeOf(A)!.slice(1);
    const exampleB = axB === null ? sb : shapeOf(B)!.slice(1);
    const prefix = (exampleA.length > 2 ? exampleA : exampleB).slice(0, -2);
    const fitPrefix = (x: Value, axis: number | null, example: Shape): Value => {
      if (axis === null) return example.length > 2 ? materialize(x, null, size) : x;
      if (example.length > 2 || prefix.length === 0) return x;
      const matrix = example.slice(-2);
      const ones = prefix.map(() => 1);
      return broadcastTo(bindT(reshapeRule, [x], [size, ...ones, ...matrix]), [size, ...prefix, ...matrix]);
    };
    const A2 = fitPrefix(A, axA, exampleA);
    const B2 = fitPrefix(B, axB, exampleB);
    return [mm(A2, B2, flags.transA, flags.transB), 0];
  },
};

const mm = (a: Value, b: Value, transA: boolean, transB: boolean): Value => bindT(mmRule, [a, b], { transA, transB });

/**
 * The matrix product, as NumPy's matmul: [n,k]·[k,m] → [n,m]; a vector on either side is a row or a
 * column, dropped from the result; leading axes of the left operand are batch axes.
 * @example
 * matmul(tensor([[1, 2], [3, 4]]), tensor([[5], [6]])); // => tensor([[17], [39]])
 * matmul(tensor([[1, 2], [3, 4]]), tensor([1, 1])); // => tensor([3, 7])
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const A = tensorArg(a, "matmul", "left operand");
  const B = tensorArg(b, "matmul", "right operand");
  const as = shapeOfTensor(A);
  const bs = shapeOfTensor(B);
  const mismatch = (): RangeError => new RangeError(`matmul: ${formatShape(as)} × ${formatShape(bs)}`);
  if (as.length === 0 || bs.length === 0 || bs.length > 2) throw mismatch();
  const k = as[as.length - 1];
  if (k !== bs[0]) throw mismatch();
  if (as.length === 1 && bs.length === 1) return sumTo(mul(A, B), null) as unknown as Tensor; // a vector·vector is a Real
  const B2 = bs.length === 1 ? reshape(B, [k, 1]) : B;
  const m = bs.length === 1 ? 1 : bs[1];
  const lead = as.slice(0, -1);
  const A2 = as.length === 2 ? A : reshape(A, [sizeOf(lead), k]);
  const C = mm(A2, B2, false, false) as Tensor;
  const outShape = bs.length === 1 ? lead : [...lead, m];
  return sameDims(shapeOfTensor(C), outShape) ? C : reshape(C, outShape);
}

