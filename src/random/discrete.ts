// Discrete samples as pure functions of a key: integers in a range, permutations, coin flips and
// draws from a softmax. Each position i draws from Threefry's block for counter (i, 0), as uniform
// does; a rejected draw (to keep integers exactly uniform) retries with counters (i, 2), (i, 3), …
import { describe } from "../base/errors.ts";
import { normalizeAxis, type Shape } from "../base/shape.ts";
import { Tracer } from "../core/protocol.ts";
import { data, type NestedArray, Tensor, tensor, tensorFor } from "../tensor/tensor.ts";
import { live } from "../core/value.ts";
import { primal } from "../transforms/values.ts";
import { checkKey, type Key, RETRY_DOMAIN, SAMPLE_DOMAIN } from "./key.ts";
import { buffer, sizeOfShape, unitUniforms } from "./sample.ts";
import { block } from "./threefry.ts";

const TWO_53 = 2 ** 53;
/** After this many rejections (probability below 2⁻⁶⁴) the last draw is taken as it is. */
const MAX_RETRIES = 64;

/**
 * An integer uniform in [0, span) for position `i` (1 <= span <= 2⁵³): 53 random bits, rejected when
 * they fall in the incomplete last block of `span` values (so every value is equally likely).
 */
function below(k: Key, i: number, span: number, words: Uint32Array): number {
  const limit = span * Math.floor(TWO_53 / span);
  let domain = SAMPLE_DOMAIN;
  for (let attempt = 0; ; attempt++) {
    block(k.hi, k.lo, i, domain, 20, words, 0);
    const u = words[0] * 2 ** 21 + (words[1] >>> 11);
    if (u < limit || attempt === MAX_RETRIES) return u % span;
    domain = RETRY_DOMAIN + attempt;
  }
}

/** `x` if it is a safe integer, else a RangeError naming the op. */
function integer(op: string, what: string, x: unknown): number {
  if (typeof x !== "number" || !Number.isSafeInteger(x)) {
    throw new RangeError(`${op}: ${what} must be a safe integer, got ${typeof x === "number" ? x : describe(x)}`);
  }
  return x;
}

/**
 * A tensor of `shape` of integers uniform in [lo, hi) (each value equally likely, by rejection).
 * lo and hi are safe integers with lo <= hi and hi − lo <= 2⁵³; lo = hi gives lo everywhere (as JAX).
 * @example
 * const r = randint(key(0), [2, 50], -3, 3);
 * r.shape; // => [2, 50]
 * toFloat64Array(r).every((x) => Number.isInteger(x) && x >= -3 && x < 3); // => true
 * randint(key(0), [2, 50], -3, 3); // => r
 * randint(key(0), [3], 5, 5); // => tensor([5, 5, 5])
 * randint(key(0), [3], 1, 0); // throws RangeError
 */
export function randint(k: Key, shape: Shape, lo: number, hi: number): Tensor {
  checkKey(k, "randint");
  const [dims, n] = sizeOfShape(shape, "randint");
  integer("randint", "lo", lo);
  integer("randint", "hi", hi);
  if (lo > hi) throw new RangeError(`randint: needs lo <= hi, got [${lo}, ${hi})`);
  const span = hi - lo;
  if (span > TWO_53) throw new RangeError(`randint: hi − lo must be at most 2^53, got ${span}`);
  const out = buffer(n, "randint");
  const words = new Uint32Array(2);
  for (let i = 0; i < n; i++) out[i] = span <= 1 ? lo : lo + below(k, i, span, words);
  return tensor(out, dims);
}

/**
 * A shuffled 0, 1, …, n − 1 as a tensor of shape [n] (Fisher–Yates; every order equally likely).
 * @example
 * const p = permutation(key(3), 10);
 * p.shape; // => [10]
 * [...toFloat64Array(p)].sort((a, b) => a - b); // => [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
 * permutation(key(3), 10); // => p
 * permutation(key(3), -1); // throws RangeError
 */
export function permutation(k: Key, n: number): Tensor {
  checkKey(k, "permutation");
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n >= 2 ** 32) {
    throw new RangeError(`permutation: n must be an integer in [0, 2^32), got ${typeof n === "number" ? n : describe(n)}`);
  }
  const out = buffer(n, "permutation");
  for (let i = 0; i < n; i++) out[i] = i;
  const words = new Uint32Array(2);
  for (let i = n - 1; i > 0; i--) {
    // position i takes a uniform one of the i + 1 values not yet placed
    const j = below(k, i, i + 1, words);
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return tensor(out, [n]);
}

/**
 * A tensor of `shape` (default a 0-d tensor) of 1 with probability p and 0 otherwise (u < p, u uniform in [0, 1)).
 * @example
 * const coins = bernoulli(key(0), 0.3, [1000]);
 * coins.shape; // => [1000]
 * toFloat64Array(coins).every((x) => x === 0 || x === 1); // => true
 * bernoulli(key(0), 0.3, [1000]); // => coins
 * bernoulli(key(0)).shape; // => []
 * [bernoulli(key(5), 1, [3]), bernoulli(key(5), 0, [3])]; // => [tensor([1, 1, 1]), tensor([0, 0, 0])]
 * bernoulli(key(0), 1.5); // throws RangeError
 */
export function bernoulli(k: Key, p = 0.5, shape: Shape = []): Tensor {
  checkKey(k, "bernoulli");
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
    throw new RangeError(`bernoulli: p must be a probability in [0, 1], got ${typeof p === "number" ? p : describe(p)}`);
  }
  const [dims, n] = sizeOfShape(shape, "bernoulli");
  const u = unitUniforms(k, n, "bernoulli");
  for (let i = 0; i < n; i++) u[i] = u[i] < p ? 1 : 0;
  return tensor(u, dims);
}

/**
 * Class indices drawn from softmax(logits) along `axis` (default the last), one for every position
 * of the other axes (a Tensor, or nested arrays): a tensor of the logits' shape without that axis. A −Infinity logit is never
 * drawn. By inverting the cumulative distribution, exp(l − max) summed in order, with one uniform
 * per position. A slice of logits without a finite maximum (NaN, +Infinity, all −Infinity) is a RangeError.
 * @example
 * const logits = tensor(Array.from({ length: 100 }, () => [0, 0, -Infinity]));
 * const c = categorical(key(0), logits);
 * c.shape; // => [100]
 * toFloat64Array(c).every((x) => x === 0 || x === 1); // => true
 * categorical(key(0), logits); // => c
 * // one finite logit in a row: always that class
 * categorical(key(4), [[-Infinity, 0, -Infinity], [5, -Infinity, -Infinity]]); // => tensor([1, 0])
 * categorical(key(0), zeros([4, 3]), 0).shape; // => [3]
 * categorical(key(0), [[-Infinity, -Infinity]]); // throws RangeError
 */
export function categorical(k: Key, logits: Tensor | NestedArray, axis = -1): Tensor {
  checkKey(k, "categorical");
  const plain = Array.isArray(logits)
    ? tensorFor(logits, "categorical")
    : logits instanceof Tensor || logits instanceof Tracer ? primal(live(logits, "categorical") as Tensor) : undefined;
  if (!(plain instanceof Tensor)) throw new TypeError(`categorical: the logits must be a Tensor or nested arrays of numbers, got ${describe(logits)}`);
  const shape = plain.shape;
  if (shape.length === 0) throw new RangeError("categorical: the logits need an axis of classes, got a 0-d tensor");
  const a = normalizeAxis(axis, shape.length, "categorical", shape);
  const classes = shape[a];
  const outer = shape.slice(0, a).reduce((p, d) => p * d, 1);
  const inner = shape.slice(a + 1).reduce((p, d) => p * d, 1);
  const outShape = [...shape.slice(0, a), ...shape.slice(a + 1)];
  const positions = outer * inner;
  if (classes === 0 && positions > 0) throw new RangeError(`categorical: no classes to draw from along axis ${axis} of shape [${shape.join(",")}]`);
  const x = data(plain);
  const u = unitUniforms(k, positions, "categorical");
  const out = new Float64Array(positions);
  const weights = new Float64Array(classes);
  for (let o = 0; o < outer; o++) {
    for (let r = 0; r < inner; r++) {
      const base = o * classes * inner + r;
      let m = -Infinity;
      for (let c = 0; c < classes; c++) m = Math.max(m, x[base + c * inner]);
      const position = o * inner + r;
      if (!Number.isFinite(m)) {
        throw new RangeError(`categorical: the logits along axis ${axis} at position ${position} have no finite maximum (${m})`);
      }
      let total = 0;
      for (let c = 0; c < classes; c++) total += weights[c] = Math.exp(x[base + c * inner] - m);
      const target = u[position] * total;
      let chosen = -1;
      let cumulative = 0;
      for (let c = 0; c < classes && chosen < 0; c++) {
        cumulative += weights[c];
        if (target < cumulative) chosen = c;
      }
      // u·total can round up to the total: then the last class with any weight
      if (chosen < 0) for (let c = classes - 1; c >= 0 && chosen < 0; c--) if (weights[c] > 0) chosen = c;
      out[position] = chosen;
    }
  }
  return tensor(out, outShape);
}
