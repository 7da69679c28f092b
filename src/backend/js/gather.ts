// Gathering by index and its transpose: take copies the rows of an axis that the indices name;
// scatterAdd adds rows back to where they came from (repeated indices accumulate).
import { around, type Shape } from "../../base/shape.ts";
import { allocate, allocateUninitialized } from "../memory.ts";

/** Rows `indices` (in range, normalized) of `axis`: shape before the axis, one row per index, shape after. */
export function take(x: Float64Array, shape: Shape, indices: Int32Array, axis: number): Float64Array {
  const [outer, len, inner] = around(shape, axis);
  const n = indices.length;
  const out = allocateUninitialized(outer * n * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < n; j++) {
      const from = (o * len + indices[j]!) * inner;
      out.set(x.subarray(from, from + inner), (o * n + j) * inner);
    }
  }
  return out;
}

/** The transpose of take: rows of `ct` (before the axis, one row per index, after) added into a zero array of `shape`. */
export function scatterAdd(ct: Float64Array, shape: Shape, indices: Int32Array, axis: number): Float64Array {
  const [outer, len, inner] = around(shape, axis);
  const n = indices.length;
  const out = allocate(outer * len * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < n; j++) {
      const to = (o * len + indices[j]!) * inner;
      const from = (o * n + j) * inner;
      for (let i = 0; i < inner; i++) out[to + i]! += ct[from + i]!;
    }
  }
  return out;
}

/** The largest (sign 1) or smallest (sign −1) element along `axis` (removed), or of everything (null); NaN wins. */
export function extremum(x: Float64Array, shape: Shape, axis: number | null, sign: 1 | -1): Float64Array {
  const [outer, len, inner] = axis === null ? [1, x.length, 1] : around(shape, axis);
  const out = allocateUninitialized(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let m = -sign * Infinity;
      for (let k = 0; k < len; k++) {
        const v = x[base + k * inner]!;
        if (Number.isNaN(v)) {
          m = v;
          break;
        }
        if (sign * v > sign * m) m = v;
      }
      out[o * inner + i] = m;
    }
  }
  return out;
}
