// Reading and making values by hand: primal, stopGradient, and the user's own dual numbers.
import { describeValue } from "../tensor/describe.ts";
import { escapedError, type Real, Tracer, type Value, valueRead } from "../core/protocol.ts";
import { readPayload, shapeOf } from "../core/value.ts";
import { withoutDerivatives } from "../core/bind.ts";
import { pinTree, taint } from "./run.ts";
import { data, type NestedArray, Tensor, toArray as toArrayPlain } from "../tensor/tensor.ts";
import { formatShape, sameShape, type Shape } from "../base/shape.ts";
import { unsigned } from "../rules/scalar.ts";
import { Dual } from "../interpreters/forward/dual.ts";
import { Tag } from "../interpreters/forward/tag.ts";
import { flatten, unflatten } from "../tree/flatten.ts";
import { isLeaf, type Like } from "../tree/types.ts";

/**
 * The plain value under every perturbation (for control flow and logging). Works on escaped Reals;
 * a tensor's value is readable only while its transform runs (after that its memory is reused).
 * @example
 * // read a value for control flow inside a transform
 * const f = (x: Real) => (primal(x) > 0 ? x : neg(x));
 * grad(f)(-2); // => -1
 */
export function primal(x: Real): number;
export function primal(x: Tensor): Tensor;
export function primal(x: Real | Tensor): number | Tensor {
  if (!isLeaf(x)) throw new TypeError(`primal: expects a Real or a Tensor, got ${describeValue(x)}`);
  const p = readPayload(x, "primal");
  if (typeof p !== "number" || typeof x !== "number") valueRead(x, "primal");
  if (typeof p === "number") return p;
  pinTree([p]);
  return p;
}

/**
 * `x`'s value with zero derivative at every level (leaves of a tree become plain numbers and tensors).
 * @example
 * grad((x: Real) => mul(x, stopGradient(x)))(3); // => 3
 */
export function stopGradient<T>(x: T): Like<T> {
  const { leaves, def } = flatten(x, "stopGradient");
  // a level that is not a derivative (jit's) stays
  const plain = leaves.map(withoutDerivatives);
  pinTree(plain);
  return unflatten(def, plain) as Like<T>;
}

/**
 * A dual number `primal + tangent·ε` with a fresh tag of its own.
 * @example
 * const d = dual(2, 1); // sin at 2, pushed along 1
 * primal(sin(d)); // => Math.sin(2)
 * tangent(sin(d)); // => Math.cos(2)
 */
export function dual(primal: Real, tangent: Real): Dual;
export function dual(primal: Tensor, tangent: Tensor): Tensor;
export function dual(primal: Real | Tensor, tangent: Real | Tensor): Dual | Tensor {
  for (const [what, v] of [["primal", primal], ["tangent", tangent]] as const) {
    if (!isLeaf(v)) throw new TypeError(`dual: the ${what} must be a Real or a Tensor, got ${describeValue(v)}`);
    if (v instanceof Tracer && !v.trace.live) throw escapedError(v.trace, "dual");
  }
  // the tangent lives in the primal's space: the same kind, and for a tensor the same shape
  const ps = shapeOf(primal);
  const ts = shapeOf(tangent);
  if ((ps === null) !== (ts === null) || (ps !== null && ts !== null && !sameShape(ps, ts))) {
    const show = (s: Shape | null) => (s === null ? "a Real" : `a Tensor of shape ${formatShape(s)}`);
    throw new TypeError(`dual: the tangent must be shaped like the primal: the primal is ${show(ps)}, the tangent ${show(ts)}`);
  }
  if (ps !== null) taint(); // a dual of tensors never closes: tensors made from it are never reused
  return new Tag("dual").lift(primal, tangent);
}

/**
 * The tangent of a dual number (0 for a plain number), or of a dual tensor.
 * @example
 * tangent(exp(dual(0, 2))); // => 2
 * tangent(5); // => 0
 */
export function tangent(d: Tensor): Tensor;
export function tangent(d: Real): Real;
export function tangent(d: Real | Tensor): Real | Tensor {
  if (typeof d === "number") return 0;
  if (d instanceof Dual) {
    if (!d.trace.live) throw escapedError(d.trace, "tangent");
    return unsigned(d.tangent) as Real | Tensor;
  }
  throw new TypeError(
    `tangent: expects a Dual (from dual(primal, tangent)) or a number, got ${describeValue(d)}` +
      (d instanceof Tracer ? " from a reverse-mode transform" : ""),
  );
}

/**
 * The tensor as nested plain arrays (a number for a 0-d tensor); inside a transform, its value.
 * @example
 * toArray(tensor([1, 2, 3, 4], [2, 2])); // => [[1, 2], [3, 4]]
 * toArray(tensor(7)); // => 7
 */
export function toArray(t: Tensor): NestedArray {
  if (t instanceof Tracer) {
    const p = readPayload(t as Value, "toArray"); // an escaped tensor is an Error naming toArray
    if (shapeOf(t as Value) === null) throw new TypeError(`toArray: expects a Tensor, got a Real`);
    valueRead(t as Value, "toArray");
    return toArrayPlain(p as Tensor);
  }
  return toArrayPlain(t);
}

/**
 * The elements as a fresh `Float64Array` in row-major order: the fast way out of a tensor (a straight
 * copy; it never shares the tensor's storage, so writing to it changes nothing). Inside a transform, its
 * value. Use `t.size` for the element count and `t.shape` to index it.
 *
 * @example
 * ```ts
 * import { tensor, toFloat64Array } from "nabla";
 *
 * const t = tensor([[1, 2, 3], [4, 5, 6]]);
 * toFloat64Array(t); // => new Float64Array([1, 2, 3, 4, 5, 6])
 * t.size; // => 6
 * ```
 */
export function toFloat64Array(t: Tensor): Float64Array {
  let v: unknown = t;
  if (t instanceof Tracer) {
    v = readPayload(t as Value, "toFloat64Array"); // an escaped tensor is an Error naming toFloat64Array
    if (shapeOf(t as Value) === null) throw new TypeError(`toFloat64Array: expects a Tensor, got a Real`);
    valueRead(t as Value, "toFloat64Array");
  }
  if (!(v instanceof Tensor)) throw new TypeError(`toFloat64Array: expects a Tensor, got ${describeValue(v)}`);
  return data(v).slice();
}
