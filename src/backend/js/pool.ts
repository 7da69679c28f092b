// Pooling kernels over NHWC images: max pooling as the choice of one element per window (its value,
// and the gather and scatter through that choice that are its derivatives), and average pooling with
// its transpose. Windows are contiguous (dilation 1) and each holds at least one element of the image.
import type { Window2d } from "../../base/window.ts";
import { allocate, allocateUninitialized } from "../memory.ts";

/** The chosen flat indices, reused across calls (written in full before every read; unobservable). */
let scratch = new Int32Array(0);

/**
 * For every window and channel, the flat index into x of its first largest element in row-major
 * window order; a NaN wins (the first one), as it does in amax.
 */
function choose(x: Float64Array, n: number, g: Window2d): Int32Array {
  const { inH, inW, inC: C, outH, outW, kh, kw, strideH, strideW, padTop, padLeft } = g;
  const total = n * outH * outW * C;
  if (scratch.length < total) scratch = new Int32Array(total);
  const idx = scratch;
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
        let first = true;
        for (let iy = yLo; iy < yHi; iy++) {
          for (let ix = xLo; ix < xHi; ix++) {
            const s = image + (iy * inW + ix) * C;
            if (first) {
              for (let c = 0; c < C; c++) idx[o + c] = s + c;
              first = false;
              continue;
            }
            for (let c = 0; c < C; c++) {
              const best = x[idx[o + c]];
              const v = x[s + c];
              // strictly larger replaces (ties keep the first); a NaN replaces a number and is never replaced
              if (best === best && (v > best || v !== v)) idx[o + c] = s + c;
            }
          }
        }
      }
    }
  }
  return idx;
}

const outSize = (n: number, g: Window2d): number => n * g.outH * g.outW * g.inC;

export function maxPool(x: Float64Array, n: number, g: Window2d): Float64Array {
  return maxPoolGather(x, x, n, g);
}

export function maxPoolGather(x: Float64Array, t: Float64Array, n: number, g: Window2d): Float64Array {
  const m = outSize(n, g);
  const idx = choose(x, n, g);
  const out = allocateUninitialized(m);
  for (let o = 0; o < m; o++) out[o] = t[idx[o]];
  return out;
}

export function maxPoolScatter(x: Float64Array, ct: Float64Array, n: number, g: Window2d): Float64Array {
  const m = outSize(n, g);
  const idx = choose(x, n, g);
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
