// matmul: its value (the backend's packed kernel), forward rule and pullback side by side; the
// pullbacks are matmuls with flipped transpose flags, so no transpose is ever written out.
import { kernels } from "../backend/index.ts";
import { formatShape, sizeOf } from "../base/shape.ts";
import { bindT } from "../core/bind.ts";
import { type TensorRule, type Value } from "../core/protocol.ts";
import { data, fromData, Tensor } from "../tensor/tensor.ts";
import { sumTo } from "./broadcast.ts";
import { add, mul } from "./scalar.ts";
import { reshape, sameDims, shapeOfTensor, tensorArg } from "./structure.ts";

// matmul: C = op(A)·op(B) on matrices; the public op adds vectors and leading batch axes.

interface Flags {
  readonly transA: boolean;
  readonly transB: boolean;
}

const mmRule: TensorRule<Flags> = {
  name: "matmul",
  value: ([a, b], { transA, transB }) => {
    const A = a as Tensor;
    const B = b as Tensor;
    const [n, k] = transA ? [A.shape[1], A.shape[0]] : [A.shape[0], A.shape[1]];
    const [k2, m] = transB ? [B.shape[1], B.shape[0]] : [B.shape[0], B.shape[1]];
    if (k !== k2) throw new RangeError(`matmul: ${formatShape(A.shape)} × ${formatShape(B.shape)}`);
    return fromData(kernels.matmul(data(A), data(B), n, k, m, transA, transB), [n, m]);
  },
  // d(AB) = dA·B + A·dB
  jvp: ([a, b], [ta, tb], _y, f) => {
    const left = ta === undefined ? undefined : mm(ta, b, f.transA, f.transB);
    const right = tb === undefined ? undefined : mm(a, tb, f.transA, f.transB);
    return left === undefined ? right! : right === undefined ? left : add(left, right);
  },
  // Ā = C̄·op(B)ᵀ and B̄ = op(A)ᵀ·C̄, each transposed back when its operand was stored transposed
  vjp: ([a, b], _y, { transA, transB }, active) => (ct) => [
    active[0] ? (transA ? mm(b, ct, transB, true) : mm(ct, b, false, !transB)) : undefined,
    active[1] ? (transB ? mm(ct, a, true, transA) : mm(a, ct, !transA, false)) : undefined,
  ],
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

