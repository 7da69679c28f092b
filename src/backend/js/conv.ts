// 2-D convolution kernels (Kernels.conv2d and its two transposes) by im2col: the image patches are
// written out as the rows of a matrix, one row per output position, so the convolution is one matrix
// product on the packed kernel of matmul.ts, and each transpose a product with flipped flags (and,
// for the images' cotangent, col2im, which adds the rows back where the patches came from).
import type { Window2d } from "../../base/window.ts";
import type { Stack } from "../kernels.ts";
import { allocate } from "../memory.ts";
import { matmul } from "./matmul.ts";

/**
 * The patch matrix, reused across calls (a kernel never runs inside another, and every call writes
 * the rows it then reads), so module state that no caller can observe.
 */
let scratch = new Float64Array(0);

function patches(size: number): Float64Array {
  if (scratch.length < size) scratch = new Float64Array(size);
  return scratch;
}

/**
 * im2col: for n images of x from offset xo, row r = (b·outH + oy)·outW + ox of `cols` holds the
 * window at (oy, ox) of image b in (ky, kx, c) order, which is the HWIO kernel's row order; padding
 * reads as zero.
 */
function im2col(x: Float64Array, xo: number, n: number, g: Window2d, cols: Float64Array): void {
  const { inH, inW, inC: C, outH, outW, kh, kw, strideH, strideW, dilationH, dilationW, padTop, padLeft } = g;
  const rowLen = kw * C;
  let q = 0;
  for (let b = 0; b < n; b++) {
    const image = xo + b * inH * inW * C;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * strideH - padTop;
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * strideW - padLeft;
        for (let ky = 0; ky < kh; ky++) {
          const iy = y0 + ky * dilationH;
          if (iy < 0 || iy >= inH) {
            cols.fill(0, q, q + rowLen);
            q += rowLen;
            continue;
          }
          const line = image + iy * inW * C;
          for (let kx = 0; kx < kw; kx++) {
            const ix = x0 + kx * dilationW;
            if (ix < 0 || ix >= inW) {
              for (let c = 0; c < C; c++) cols[q++] = 0;
            } else {
              for (let c = 0, s = line + ix * C; c < C; c++) cols[q++] = x[s + c];
            }
          }
        }
      }
    }
  }
}

/** col2im: the rows of `cols` (as im2col lays them out) added into the n images of `out` from offset oo. */
function col2im(cols: Float64Array, n: number, g: Window2d, out: Float64Array, oo: number): void {
  const { inH, inW, inC: C, outH, outW, kh, kw, strideH, strideW, dilationH, dilationW, padTop, padLeft } = g;
  const rowLen = kw * C;
  let q = 0;
  for (let b = 0; b < n; b++) {
    const image = oo + b * inH * inW * C;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * strideH - padTop;
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * strideW - padLeft;
        for (let ky = 0; ky < kh; ky++) {
          const iy = y0 + ky * dilationH;
          if (iy < 0 || iy >= inH) {
            q += rowLen;
            continue;
          }
          const line = image + iy * inW * C;
          for (let kx = 0; kx < kw; kx++) {
            const ix = x0 + kx * dilationW;
            if (ix >= 0 && ix < inW) for (let c = 0, s = line + ix * C; c < C; c++) out[s + c] += cols[q + c];
            q += C;
          }
        }
      }
    }
  }
}

/** Sizes of one operation: output positions P, patch length K, and the three operands' lengths. */
function sizes(n: number, g: Window2d) {
  const P = n * g.outH * g.outW;
  const K = g.kh * g.kw * g.inC;
  return { P, K, x: n * g.inH * g.inW * g.inC, w: K * g.outC, y: P * g.outC };
}

/** Block i of a stacked operand, or the shared operand itself. */
const block = (a: Float64Array, stacked: boolean, i: number, len: number): Float64Array =>
  stacked ? a.subarray(i * len, (i + 1) * len) : a;

/** `stack.count` results of `len` elements each, one per call of `one(i)`, in one buffer. */
function stacked(stack: Stack, len: number, one: (i: number) => Float64Array): Float64Array {
  if (stack.count === 1) return one(0);
  const out = allocate(stack.count * len);
  for (let i = 0; i < stack.count; i++) out.set(one(i), i * len);
  return out;
}

/** y[P, outC] = cols[P, K] · w[K, outC]. */
export function conv2d(x: Float64Array, w: Float64Array, n: number, g: Window2d, stack: Stack): Float64Array {
  const s = sizes(n, g);
  return stacked(stack, s.y, (i) => {
    const cols = patches(s.P * s.K);
    im2col(x, stack.a ? i * s.x : 0, n, g, cols);
    return matmul(cols, block(w, stack.b, i, s.w), s.P, s.K, g.outC, false, false);
  });
}

/** x̄ = col2im(ȳ[P, outC] · wᵀ[outC, K]). */
export function conv2dInput(y: Float64Array, w: Float64Array, n: number, g: Window2d, stack: Stack): Float64Array {
  const s = sizes(n, g);
  const out = allocate(stack.count * s.x);
  for (let i = 0; i < stack.count; i++) {
    const cols = matmul(block(y, stack.a, i, s.y), block(w, stack.b, i, s.w), s.P, g.outC, s.K, false, true);
    col2im(cols, n, g, out, i * s.x);
  }
  return out;
}

/** w̄[K, outC] = colsᵀ[K, P] · ȳ[P, outC]. */
export function conv2dFilter(x: Float64Array, y: Float64Array, n: number, g: Window2d, stack: Stack): Float64Array {
  const s = sizes(n, g);
  return stacked(stack, s.w, (i) => {
    const cols = patches(s.P * s.K);
    im2col(x, stack.a ? i * s.x : 0, n, g, cols);
    return matmul(cols, block(y, stack.b, i, s.y), s.K, s.P, g.outC, true, false);
  });
}
