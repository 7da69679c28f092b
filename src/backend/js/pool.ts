// Pooling kernels over NHWC images: max pooling as the choice of one element per window (its value,
// and the gather and scatter through that choice that are its derivatives), and average pooling with
// its transpose. Windows are contiguous (dilation 1) and each holds at least one element of the image.
import type { Window2d } from "../../base/window.ts";
import { allocate, allocateUninitialized } from "../memory.ts";

/** The chosen flat indices and their values, reused across calls (written in full before every read; unobservable). */
let chosen = new Int32Array(0);
let best = new Float64Array(0);
let offsets = new Int32Array(0);

/**
 * For every window and channel, the flat index into x of its first largest element in row-major
 * window order (a NaN wins, the first one, as in amax), in `chosen`; its value in `values`.
 */
function choose(x: Float64Array, n: number, g: Window2d, values: Float64Array): Int32Array {
  const { inH, inW, inC: C, outH, outW, kh, kw, strideH, strideW, padTop, padLeft } = g;
  const total = n * outH * outW * C;
  if (chosen.length < total) chosen = new Int32Array(total);
  const idx = chosen;
  // the offsets of a whole window's elements from its first, in row-major window order
  const span = kh * kw;
  if (offsets.length < span) offsets = new Int32Array(span);
  for (let e = 0; e < span; e++) offsets[e] = (Math.floor(e / kw) * inW + (e % kw)) * C;
  const step = offsets;
  let o = 0;
  for (let b = 0; b < n; b++) {
    const image = b * inH * inW * C;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * strideH - padTop;
      const yLo = Math.max(y0, 0);
      const yHi = Math.min(y0 + kh, inH);
      for (let ox = 0; ox < outW; ox++, o += C) {
        const x0 = ox * strideW - padLeft;
        const xLo = Math.max(x0, 0);
        const xHi = Math.min(x0 + kw, inW);
        const first = image + (yLo * inW + xLo) * C;
        if (span === 4 && yHi - yLo === 2 && xHi - xLo === 2) {
          // the common 2×2 window inside the image, unrolled: its elements in row-major order
          const right = C;
          const below = inW * C;
          for (let c = 0, a = first; c < C; c++, a++) {
            let at = a;
            let top = x[a]!;
            let v = x[a + right]!;
            if (v > top || (Number.isNaN(v) && !Number.isNaN(top))) (top = v), (at = a + right);
            v = x[a + below]!;
            if (v > top || (Number.isNaN(v) && !Number.isNaN(top))) (top = v), (at = a + below);
            v = x[a + below + right]!;
            if (v > top || (Number.isNaN(v) && !Number.isNaN(top))) (top = v), (at = a + below + right);
            values[o + c] = top;
            idx[o + c] = at;
          }
          continue;
        }
        if (yHi - yLo === kh && xHi - xLo === kw) {
          // a window inside the image: its elements at fixed offsets from the first
          for (let c = 0; c < C; c++) {
            let top = x[first + c];
            let at = first + c;
            for (let e = 1; e < span; e++) {
              const s = first + step[e] + c;
              const v = x[s];
              // strictly larger replaces (ties keep the first); a NaN replaces a number and is never replaced
              if (v > top || (Number.isNaN(v) && !Number.isNaN(top))) {
                top = v;
                at = s;
              }
            }
            values[o + c] = top;
            idx[o + c] = at;
          }
          continue;
        }
        // a window cut by the padding: its first element inside starts every channel's choice
        for (let c = 0; c < C; c++) {
          values[o + c] = x[first + c];
          idx[o + c] = first + c;
        }
        for (let iy = yLo; iy < yHi; iy++) {
          for (let ix = iy === yLo ? xLo + 1 : xLo; ix < xHi; ix++) {
            const s = image + (iy * inW + ix) * C;
            for (let c = 0; c < C; c++) {
              const v = x[s + c];
              const top = values[o + c];
              if (v > top || (Number.isNaN(v) && !Number.isNaN(top))) {
                values[o + c] = v;
                idx[o + c] = s + c;
              }
            }
          }
        }
      }
    }
  }
  return idx;
}

const outSize = (n: number, g: Window2d): number => n * g.outH * g.outW * g.inC;

/** A scratch for the chosen values when only the choice is wanted. */
function values(m: number): Float64Array {
  if (best.length < m) best = new Float64Array(m);
  return best;
}

export function maxPool(x: Float64Array, n: number, g: Window2d): Float64Array {
  const out = allocateUninitialized(outSize(n, g));
  choose(x, n, g, out);
  return out;
}

export function maxPoolGather(x: Float64Array, t: Float64Array, n: number, g: Window2d): Float64Array {
  const m = outSize(n, g);
  const idx = choose(x, n, g, values(m));
  const out = allocateUninitialized(m);
  for (let o = 0; o < m; o++) out[o] = t[idx[o]];
  return out;
}

export function maxPoolScatter(x: Float64Array, ct: Float64Array, n: number, g: Window2d): Float64Array {
  const m = outSize(n, g);
  const idx = choose(x, n, g, values(m));
  const out = allocate(x.length);
  for (let o = 0; o < m; o++) out[idx[o]] += ct[o];
  return out;
}

/**
 * Visits every window: `visit(o, yLo, yHi, xLo, xHi, image)` with o the flat offset of its channel 0
 * in the result, its rows [yLo, yHi) and columns [xLo, xHi) inside the image, and the image's offset.
 */
function windows(n: number, g: Window2d, visit: (o: number, yLo: number, yHi: number, xLo: number, xHi: number, image: number) => void): void {
  const { inH, inW, inC: C, outH, outW, kh, kw, strideH, strideW, padTop, padLeft } = g;
  let o = 0;
  for (let b = 0; b < n; b++) {
    const image = b * inH * inW * C;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * strideH - padTop;
      for (let ox = 0; ox < outW; ox++, o += C) {
        const x0 = ox * strideW - padLeft;
        visit(o, Math.max(y0, 0), Math.min(y0 + kh, inH), Math.max(x0, 0), Math.min(x0 + kw, inW), image);
      }
    }
  }
}

/** The mean of the elements of each window inside the image: summed in row-major window order, then divided by their count. */
export function avgPool(x: Float64Array, n: number, g: Window2d): Float64Array {
  const { inW, inC: C } = g;
  const out = allocate(outSize(n, g));
  windows(n, g, (o, yLo, yHi, xLo, xHi, image) => {
    for (let iy = yLo; iy < yHi; iy++) {
      for (let ix = xLo; ix < xHi; ix++) for (let c = 0, s = image + (iy * inW + ix) * C; c < C; c++) out[o + c] += x[s + c];
    }
    const count = (yHi - yLo) * (xHi - xLo);
    for (let c = 0; c < C; c++) out[o + c] /= count;
  });
  return out;
}

/** The transpose of avgPool: each result element divided by its window's count, added over its window. */
export function avgPoolTranspose(ct: Float64Array, n: number, g: Window2d): Float64Array {
  const { inW, inC: C } = g;
  const out = allocate(n * g.inH * inW * C);
  windows(n, g, (o, yLo, yHi, xLo, xHi, image) => {
    const count = (yHi - yLo) * (xHi - xLo);
    for (let iy = yLo; iy < yHi; iy++) {
      for (let ix = xLo; ix < xHi; ix++) for (let c = 0, s = image + (iy * inW + ix) * C; c < C; c++) out[s + c] += ct[o + c] / count;
    }
  });
  return out;
}
