// Samples as pure functions of a key: element i of a sample is made from Threefry's block for
// counter (i, 0), so the same key and shape always give the same tensor.
import { nextDown } from "../base/float.ts";
import { Tensor, tensor } from "../tensor/tensor.ts";
import { checkShape, type Shape, sizeOf } from "../base/shape.ts";
import { checkKey, type Key, SAMPLE_DOMAIN } from "./key.ts";
import { block } from "./threefry.ts";

/** A valid shape (a copy, read once) and its number of elements, or a RangeError naming the op. */
export function sizeOfShape(shape: unknown, op: string): readonly [Shape, number] {
  const dims = checkShape(shape, op);
  return [dims, sizeOf(dims)];
}

/** A fresh buffer of n elements, or a RangeError naming `op` where memory runs out. */
export function buffer(n: number, op: string): Float64Array {
  try {
    return new Float64Array(n);
  } catch (e) {
    if (e instanceof RangeError) throw new RangeError(`${op}: cannot allocate ${n} elements (${8 * n} bytes): ${e.message}`);
    throw e;
  }
}

/** n uniform numbers in [0, 1), each with 53 random bits (all a float64 mantissa holds). */
export function unitUniforms(k: Key, n: number, op: string): Float64Array {
  const out = buffer(n, op);
  const words = new Uint32Array(2);
  for (let i = 0; i < n; i++) {
    block(k.hi, k.lo, i, SAMPLE_DOMAIN, 20, words, 0);
    // 32 high bits and 21 more: an integer below 2^53, scaled exactly into [0, 1)
    out[i] = (words[0] * 2 ** 21 + (words[1] >>> 11)) / 2 ** 53;
  }
  return out;
}

/**
 * A tensor of `shape` whose elements are uniform in [lo, hi) (default [0, 1)).
 * @example
 * const u = toFloat64Array(uniform(key(1), [100], -1, 1));
 * u.every((x) => x >= -1 && x < 1); // => true
 */
export function uniform(k: Key, shape: Shape, lo = 0, hi = 1): Tensor {
  checkKey(k, "uniform");
  const [dims, n] = sizeOfShape(shape, "uniform");
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(lo <= hi)) {
    throw new RangeError(`uniform: the bounds must be finite with lo <= hi, got [${lo}, ${hi})`);
  }
  const u = unitUniforms(k, n, "uniform");
  // lo·(1 − u) + hi·u cannot overflow, but can round up to hi: the largest float below hi keeps
  // the interval half-open
  const top = lo === hi ? lo : nextDown(hi);
  for (let i = 0; i < n; i++) u[i] = Math.min(lo * (1 - u[i]) + hi * u[i], top);
  return tensor(u, dims);
}


/**
 * A tensor of `shape` of standard normal numbers (mean 0, variance 1), by Box–Muller.
 * @example
 * const z = normal(key(0), [10_000]);
 * Math.abs(primal(mean(z))) < 0.05; // => true
 */
export function normal(k: Key, shape: Shape): Tensor {
  checkKey(k, "normal");
  const [dims, n] = sizeOfShape(shape, "normal");
  const u = unitUniforms(k, n + (n % 2), "normal");
  const out = buffer(n, "normal");
  for (let i = 0; i < n; i += 2) {
    // a pair of uniforms gives a pair of independent normals: radius √(−2 ln u₁), angle 2πu₂;
    // 1 − u₁ lies in (0, 1], so the log is finite
    const radius = Math.sqrt(-2 * Math.log(1 - u[i]));
    const angle = 2 * Math.PI * u[i + 1];
    out[i] = radius * Math.cos(angle);
    if (i + 1 < n) out[i + 1] = radius * Math.sin(angle);
  }
  return tensor(out, dims);
}
