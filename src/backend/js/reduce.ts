// Reductions along an axis that need more than a sum: softmax and log Σ exp (each after subtracting
// the maximum, so that no term overflows) and argmax.
import { around, type Shape } from "../../base/shape.ts";
import { allocateUninitialized } from "../memory.ts";

/** exp(x − max) / Σ exp(x − max) along `axis` (normalized); same shape as `x`. */
export function softmax(x: Float64Array, shape: Shape, axis: number): Float64Array {
  const [outer, len, inner] = around(shape, axis);
  const out = allocateUninitialized(x.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let m = -Infinity;
      for (let k = 0; k < len; k++) m = Math.max(m, x[base + k * inner]);
      let s = 0;
      for (let k = 0; k < len; k++) {
        const e = Math.exp(x[base + k * inner] - m);
        out[base + k * inner] = e;
        s += e;
      }
      for (let k = 0; k < len; k++) out[base + k * inner] /= s;
    }
  }
  return out;
}

/** log Σ exp along `axis` (normalized; the axis is removed), or of every element (null: one element). */
export function logSumExp(x: Float64Array, shape: Shape, axis: number | null): Float64Array {
  const [outer, len, inner] = axis === null ? [1, x.length, 1] : around(shape, axis);
  const out = allocateUninitialized(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let m = -Infinity;
      for (let k = 0; k < len; k++) m = Math.max(m, x[base + k * inner]);
      let r: number;
      if (m === -Infinity || m === Infinity || Number.isNaN(m)) r = m; // all −∞, some +∞, or NaN
      else {
        let s = 0;
        for (let k = 0; k < len; k++) s += Math.exp(x[base + k * inner] - m);
        r = m + Math.log(s);
      }
      out[o * inner + i] = r;
    }
  }
  return out;
}

/**
 * The index of the largest element (the first of equals) along `axis` (normalized), in row-major
 * order of the other axes; with `axis` undefined, one index into the flattened array.
 */
export function argmax(x: Float64Array, shape: Shape, axis: number | undefined): number[] {
  const best = (base: number, len: number, stride: number): number => {
    let k = 0;
    for (let j = 1; j < len; j++) if (x[base + j * stride] > x[base + k * stride]) k = j;
    return k;
  };
  if (axis === undefined) return [best(0, x.length, 1)];
  const [outer, len, inner] = around(shape, axis);
  const flat: number[] = [];
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) flat.push(best(o * len * inner + i, len, inner));
  return flat;
}
