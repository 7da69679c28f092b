// accuracy: the fraction of rows whose largest logit is at the label, for labels given as class
// indices or one-hot rows. A plain number, not differentiable (it counts argmaxes).
import { describe } from "../base/errors.ts";
import { formatShape } from "../base/shape.ts";
import { Tracer } from "../core/protocol.ts";
import { live } from "../core/value.ts";
import { argmax } from "../rules/reduce.ts";
import { data, type NestedArray, Tensor, tensor } from "../tensor/tensor.ts";
import { primal } from "../transforms/values.ts";

/** A plain tensor from a Tensor, a tensor from a transform (its value) or nested arrays; else a TypeError. */
function plainTensor(x: unknown, what: string): Tensor {
  if (x instanceof Tensor || x instanceof Tracer) {
    const p: unknown = primal(live(x, "accuracy") as Tensor); // an escaped value is an Error naming accuracy
    if (p instanceof Tensor) return p;
  }
  if (Array.isArray(x)) {
    try {
      return tensor(x as NestedArray);
    } catch (e) {
      throw new TypeError(`accuracy: the ${what} must be numbers in nested arrays or a Tensor (${(e as Error).message})`);
    }
  }
  throw new TypeError(`accuracy: the ${what} must be a Tensor or nested arrays of numbers, got ${describe(x)}`);
}

/**
 * The fraction of rows of `logits` ([batch, classes]) whose argmax (the first, at ties) equals the
 * label: `labels` are class indices ([batch], integers in [0, classes)) or one-hot rows ([batch,
 * classes], the label being the row's argmax). NaN for an empty batch (0 of 0 rows).
 * @example
 * // the rows' argmaxes are 0, 1, 2 and 0 (the first of a tie)
 * const logits = tensor([[2, 1, 0], [0, 3, 1], [1, 0, 5], [4, 4, 0]]);
 * accuracy(logits, [0, 1, 1, 1]); // => 0.5
 * accuracy(logits, tensor([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0]])); // => 1
 * accuracy(logits, [0, 1, 2, 3]); // throws RangeError
 */
export function accuracy(logits: Tensor | NestedArray, labels: Tensor | NestedArray): number {
  const x = plainTensor(logits, "logits");
  const y = plainTensor(labels, "labels");
  if (x.shape.length !== 2) throw new RangeError(`accuracy: the logits must have shape [batch, classes], got ${formatShape(x.shape)}`);
  const [rows, classes] = x.shape;
  const oneHot = y.shape.length === 2 && y.shape[0] === rows && y.shape[1] === classes;
  if (!oneHot && !(y.shape.length === 1 && y.shape[0] === rows)) {
    throw new RangeError(`accuracy: labels of shape ${formatShape(y.shape)} are neither indices [${rows}] nor one-hot rows like the logits ${formatShape(x.shape)}`);
  }
  if (rows === 0) return Number.NaN;
  const predicted = argmax(x, 1);
  const expected = oneHot ? argmax(y, 1) : Array.from(data(y));
  let correct = 0;
  for (let i = 0; i < rows; i++) {
    const label = expected[i];
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      throw new RangeError(`accuracy: label ${label} at row ${i} is not a class index in [0, ${classes})`);
    }
    if (predicted[i] === label) correct++;
  }
  return correct / rows;
}
