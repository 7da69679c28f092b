// Losses: functions of a model's output and the targets to a scalar Real, written with nabla's ops
// (no rules of their own). halfSquaredError is the course's E_total = Σ ½(target − out)².
import { describe, firstBad } from "../base/errors.ts";
import { isTensorValued, live } from "../core/value.ts";
import { type Real, type Value } from "../core/protocol.ts";
import { add, log, mul, square, sub } from "../rules/scalar.ts";
import { nonzeroMask, select } from "../rules/masks.ts";
import { logSumExp, oneHotIn, sum } from "../rules/reduce.ts";
import { reshape } from "../rules/structure.ts";
import { MAX_RANK, Tensor, tensorFor } from "../tensor/tensor.ts";
import { formatShape, sameShape, type Shape } from "../base/shape.ts";
import { isLeaf } from "../tree/types.ts";

/**
 * An output or a target: a Real, an array of Reals, or a tensor (nested arrays of numbers are made tensors).
 * @example
 * const output: LossInput = tensor([1, 2]);
 * halfSquaredError(output, tensor([1, 0])); // => 2
 */
export type LossInput = Real | readonly Real[] | Tensor;

/** Both arguments as tensors, or both as arrays of Reals, with matching shapes; else an error naming both. */
type Paired = { readonly kind: "tensors"; readonly a: Tensor; readonly b: Tensor; readonly size: number } | { readonly kind: "reals"; readonly a: readonly Real[]; readonly b: readonly Real[]; readonly size: number };

const isTensor = (x: unknown): x is Tensor => isLeaf(x) && isTensorValued(x as Value);
const isReal = (x: unknown): x is Real => isLeaf(x) && !isTensorValued(x as Value);
/** A loss's leaf, checked not to have escaped its transform (the error then names the loss). */
const checkedLeaf = (op: string) => (x: unknown): boolean => (isLeaf(x) ? (live(x, op), true) : false);
/** Nested arrays of numbers (as deep as a tensor's axes may go). */
const isPlainNested = (x: unknown, depth = 0): boolean =>
  Array.isArray(x) ? depth < MAX_RANK && firstBad(x, (v) => isPlainNested(v, depth + 1)) < 0 : typeof x === "number";
const shapeText = (x: unknown): string => (isTensor(x) ? formatShape(x.shape) : Array.isArray(x) ? `[${x.length}]` : isReal(x) ? "a Real" : describe(x));

function pair(op: string, a: unknown, b: unknown): Paired {
  for (const v of [a, b]) if (isLeaf(v)) live(v, op);
    else if (Array.isArray(v)) firstBad(v, checkedLeaf(op));
  const mismatch = (): RangeError => new RangeError(`${op}: the output ${shapeText(a)} and the target ${shapeText(b)} differ in shape`);
  // a tensor on one side makes plain nested numbers on the other a tensor
  const asTensor = (x: unknown, other: unknown): unknown => (isTensor(other) && !isTensor(x) && Array.isArray(x) && isPlainNested(x) ? tensorFor(x, op) : x);
  const x = asTensor(a, b);
  const y = asTensor(b, a);
  if (isTensor(x) && isTensor(y)) {
    if (!sameShape(x.shape, y.shape)) throw mismatch();
    return { kind: "tensors", a: x, b: y, size: x.shape.reduce((p, d) => p * d, 1) };
  }
  const list = (v: unknown, what: string): readonly Real[] => {
    if (isReal(v)) return [v];
    if (Array.isArray(v) && firstBad(v, isReal) < 0) return v as readonly Real[];
    throw new TypeError(`${op}: the ${what} must be a Real, an array of Reals or a Tensor, got ${isTensor(v) ? `a Tensor ${formatShape(v.shape)} beside an array` : describe(v)}`);
  };
  const xs = list(x, "output");
  const ys = list(y, "target");
  if (xs.length !== ys.length || Array.isArray(x) !== Array.isArray(y)) throw mismatch();
  return { kind: "reals", a: xs, b: ys, size: xs.length };
}

/** Σ (target − output)² over every element. */
function sumOfSquares(p: Paired): Real {
  if (p.kind === "tensors") return sum(square(sub(p.b, p.a)));
  return sum(p.a.map((o, i) => square(sub(p.b[i], o))));
}

/**
 * `Σ ½(target − output)²` over every element: the course's E_total.
 * @example
 * halfSquaredError([1, 2], [0, 0]); // => 2.5
 */
export function halfSquaredError(output: number | readonly number[], target: number | readonly number[]): number;
export function halfSquaredError(output: LossInput, target: LossInput): Real;
export function halfSquaredError(output: LossInput, target: LossInput): Real {
  return mul(0.5, sumOfSquares(pair("halfSquaredError", output, target)));
}

/**
 * The mean of (target − output)² over every element.
 * @example
 * meanSquaredError([1, 2], [0, 0]); // => 2.5
 * meanSquaredError(tensor([[1, 2]]), tensor([[1, 0]])); // => 2
 */
export function meanSquaredError(output: number | readonly number[], target: number | readonly number[]): number;
export function meanSquaredError(output: LossInput, target: LossInput): Real;
export function meanSquaredError(output: LossInput, target: LossInput): Real {
  const p = pair("meanSquaredError", output, target);
  return mul(1 / p.size, sumOfSquares(p));
}

/**
 * −mean(t·log p + (1 − t)·log(1 − p)) over every element, for probabilities p in (0, 1) (a
 * sigmoid's output) and targets t in [0, 1].
 * @example
 * binaryCrossEntropy([0.5, 0.5], [1, 0]); // => Math.log(2)
 */
export function binaryCrossEntropy(probabilities: number | readonly number[], targets: number | readonly number[]): number;
export function binaryCrossEntropy(probabilities: LossInput, targets: LossInput): Real;
export function binaryCrossEntropy(probabilities: LossInput, targets: LossInput): Real {
  const p = pair("binaryCrossEntropy", probabilities, targets);
  const term = (q: Value, t: Value): Value => add(mul(t, log(q)), mul(sub(1, t), log(sub(1, q))));
  const total = p.kind === "tensors" ? sum(term(p.a, p.b) as Tensor) : sum(p.a.map((q, i) => term(q, p.b[i]) as Real));
  return mul(-1 / p.size, total);
}

/**
 * The mean over the batch of −Σ_c y_c·log softmax(logits)_c, for logits of shape [batch, classes]
 * (or [classes], one example) and labels that are either one-hot (or any distributions) of the same
 * shape, or integer class indices (an array or a tensor of shape [batch]). Computed as
 * Σ_c y_c·(logSumExp(logits) − logits_c), so no exp overflows however large the logits.
 * @example
 * softmaxCrossEntropy(tensor([[0, 0], [0, 0]]), [1, 0]); // => Math.log(2)
 * softmaxCrossEntropy(tensor([[1000, 0]]), [1]); // => 1000
 */
export function softmaxCrossEntropy(logits: Tensor, labels: Tensor | readonly number[] | number): Real {
  const op = "softmaxCrossEntropy";
  if (!isTensor(logits)) throw new TypeError(`${op}: the logits must be a Tensor [batch, classes], got ${describe(logits)}`);
  live(logits, op);
  if (isLeaf(labels)) live(labels, op);
  const shape: Shape = logits.shape;
  if (shape.length !== 1 && shape.length !== 2) throw new RangeError(`${op}: the logits must have shape [batch, classes] or [classes], got ${formatShape(shape)}`);
  const z = shape.length === 1 ? reshape(logits, [1, shape[0]]) : logits;
  const [batch, classes] = z.shape;
  const y = targetsFor(labels, batch, classes, shape);
  // logSumExp per row, kept as a column so it broadcasts against the row's logits
  const lse = reshape(logSumExp(z, 1), [batch, 1]);
  // classes a label gives no weight are left out, not multiplied by 0: a masked logit of −∞ would
  // make 0·∞ = NaN (optax leaves them out the same way)
  const terms = select(nonzeroMask(y), mul(y, sub(lse, z)), 0) as Tensor;
  return mul(1 / batch, sum(terms));
}

/** Labels as a [batch, classes] tensor of target distributions. */
function targetsFor(labels: unknown, batch: number, classes: number, logitsShape: Shape): Tensor {
  const op = "softmaxCrossEntropy";
  const mismatch = (what: string): RangeError => new RangeError(`${op}: logits ${formatShape(logitsShape)} and labels ${what} do not fit (labels are one-hot of the logits' shape, or one class index per row)`);
  if (isTensor(labels)) {
    if (sameShape(labels.shape, logitsShape)) return logitsShape.length === 1 ? reshape(labels, [1, classes]) : labels;
    if (labels.shape.length <= 1 && (labels.shape[0] ?? 1) === batch && labels instanceof Tensor) return oneHotIn(labels.shape.length === 0 ? reshape(labels, [1]) : labels, classes, op);
    throw mismatch(formatShape(labels.shape));
  }
  const indices = typeof labels === "number" ? [labels] : labels;
  if (!Array.isArray(indices) || firstBad(indices, (l) => typeof l === "number") >= 0) {
    throw new TypeError(`${op}: labels must be a Tensor or an array of class indices, got ${describe(labels)}`);
  }
  if (indices.length !== batch) throw mismatch(`[${indices.length}]`);
  const bad = firstBad(indices, (l) => Number.isInteger(l) && (l as number) >= 0 && (l as number) < classes);
  if (bad >= 0) throw new RangeError(`${op}: label ${(indices as number[])[bad]} at [${bad}] is not a class index in [0, ${classes})`);
  return oneHotIn(indices as number[], classes, op);
}
