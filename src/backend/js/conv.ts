// 2-D convolution kernels (Kernels.conv2d and its two transposes) by im2col: the image patches are
// written out as the rows of a matrix, one row per output position, so the convolution is one matrix
// product on the packed kernel of matmul.ts, and each transpose a product with flipped flags (and,
// for the images' cotangent, col2im, which adds the rows back where the patches came from).
import type { Window2d } from "../../base/window.ts";
import type { Stack } from "../kernels.ts";
import { allocate } from "../memory.ts";
import { gemm, matmul, packColumns, type PackA } from "./matmul.ts";

/**
 * One patch, reused across calls (a kernel never runs inside another, and every call writes the
 * patch it then reads), so module state that no caller can observe.
 */
let scratch = new Float64Array(0);

export function patchBuffer(size: number): Float64Array {
  if (scratch.length < size) scratch = new Float64Array(size);
  return scratch.subarray(0, size);
}

/**
 * The patch of output position (oy, ox) of the image at offset `image` of x: its kh·kw·inC values in
 * (ky, kx, c) order, the HWIO kernel's row order, into `row`; padding reads as zero.
 */
export function patch(x: Float64Array, image: number, g: Window2d, oy: number, ox: number, row: Float64Array): void {
  const { inH, inW, inC: C, kh, kw, dilationH, dilationW } = g;
  const y0 = oy * g.strideH - g.padTop;
  const x0 = ox * g.strideW - g.padLeft;
  let q = 0;
  for (let ky = 0; ky < kh; ky++) {
    const iy = y0 + ky * dilationH;
    if (iy < 0 || iy >= inH) {
      for (let t = 0; t < kw * C; t++) row[q++] = 0;
      continue;
    }
    const line = image + iy * inW * C;
    for (let kx = 0; kx < kw; kx++) {
      const ix = x0 + kx * dilationW;
      if (ix < 0 || ix >= inW) for (let c = 0; c < C; c++) row[q++] = 0;
      else for (let c = 0, s = line + ix * C; c < C; c++) row[q++] = x[s + c];
    }
  }
}

/**
 * Whether the window at (oy, ox) lies inside the image with its columns contiguous (dilationW 1): then
 * each of its rows is kw·inC consecutive elements of x and is copied as one run.
 */
export const inside = (g: Window2d, oy: number, ox: number): boolean => {
  const y0 = oy * g.strideH - g.padTop;
  const x0 = ox * g.strideW - g.padLeft;
  return g.dilationW === 1 && y0 >= 0 && y0 + (g.kh - 1) * g.dilationH < g.inH && x0 >= 0 && x0 + g.kw <= g.inW;
};

/**
 * Calls `visit(i, b, oy, ox, image)` for the output positions i = from … to−1 (row-major over images,
 * rows, columns); `image` is the offset of image b in x.
 */
export function positions(xo: number, g: Window2d, from: number, to: number, visit: (i: number, oy: number, ox: number, image: number) => void): void {
  const perImage = g.outH * g.outW;
  const imageSize = g.inH * g.inW * g.inC;
  let b = Math.floor(from / perImage);
  let oy = Math.floor((from - b * perImage) / g.outW);
  let ox = from - b * perImage - oy * g.outW;
  for (let i = from; i < to; i++) {
    visit(i, oy, ox, xo + b * imageSize);
    if (++ox === g.outW) {
      ox = 0;
      if (++oy === g.outH) {
        oy = 0;
        b++;
      }
    }
  }
}

/**
 * Patch elements q0 … q0+count−1 of the window at (oy, ox) into the packed panels: element q at
 * Ap[base + at[q − q0]] (`at` gives each element's offset; `row` is scratch for a window cut by the padding).
 */
function patchInto(
  x: Float64Array, g: Window2d, oy: number, ox: number, image: number, Ap: number[], base: number, at: Int32Array, q0: number, count: number, row: Float64Array,
): void {
  const C = g.inC;
  if (q0 === 0 && count === row.length && inside(g, oy, ox)) {
    // the whole window inside the image: each of its rows one run of x
    const run = g.kw * C;
    let src = image + ((oy * g.strideH - g.padTop) * g.inW + ox * g.strideW - g.padLeft) * C;
    for (let ky = 0, q = 0; ky < g.kh; ky++, src += g.dilationH * g.inW * C) {
      for (let t = 0; t < run; t++, q++) Ap[base + at[q]!] = x[src + t]!;
    }
    return;
  }
  patch(x, image, g, oy, ox, row);
  for (let q = 0; q < count; q++) Ap[base + at[q]!] = row[q0 + q]!;
}

/** Offsets of consecutive patch elements in the packed panels (reused across calls, written before each use). */
let offsets = new Int32Array(0);
export function offsetTable(n: number, f: (q: number) => number): Int32Array {
  if (offsets.length < n) offsets = new Int32Array(n);
  for (let q = 0; q < n; q++) offsets[q] = f(q);
  return offsets;
}

/**
 * The patch matrix of n images (x from offset xo) as matmul's row panels: a row per output position
 * (positions i0 … i0+rows−1), a column per patch element (p0 … p0+kc−1), 3 apart within a panel.
 */
const packPatches = (x: Float64Array, xo: number, g: Window2d): PackA => (Ap, i0, rows, p0, kc) => {
  const row = patchBuffer(g.kh * g.kw * g.inC);
  const panel = kc * 3;
  const at = offsetTable(kc, (q) => q * 3);
  positions(xo, g, i0, i0 + rows, (i, oy, ox, image) => {
    const r = i - i0;
    patchInto(x, g, oy, ox, image, Ap, Math.floor(r / 3) * panel + (r % 3), at, p0, kc, row);
  });
  for (let r = rows; r % 3 !== 0; r++) for (let p = 0, o = Math.floor(r / 3) * panel + (r % 3); p < kc; p++, o += 3) Ap[o] = 0;
};

/**
 * The transposed patch matrix as matmul's row panels: a row per patch element (i0 … i0+rows−1), a
 * column per output position (p0 … p0+kc−1).
 */
const packPatchesTransposed = (x: Float64Array, xo: number, g: Window2d): PackA => (Ap, i0, rows, p0, kc) => {
  const row = patchBuffer(g.kh * g.kw * g.inC);
  const panel = kc * 3;
  const at = offsetTable(rows, (q) => Math.floor(q / 3) * panel + (q % 3));
  positions(xo, g, p0, p0 + kc, (i, oy, ox, image) => patchInto(x, g, oy, ox, image, Ap, (i - p0) * 3, at, i0, rows, row));
  // the last panel's rows past `rows` are zeros
  const last = Math.floor(rows / 3) * panel;
  for (let r = rows % 3; r > 0 && r < 3; r++) for (let p = 0; p < kc; p++) Ap[last + p * 3 + r] = 0;
};

/** col2im: the rows of `cols` (patches' cotangents, one row per output position) added into the n images of `out` from offset oo. */
export function col2im(cols: Float64Array, n: number, g: Window2d, out: Float64Array, oo: number): void {
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
export function sizes(n: number, g: Window2d) {
  const P = n * g.outH * g.outW;
  const K = g.kh * g.kw * g.inC;
  return { P, K, x: n * g.inH * g.inW * g.inC, w: K * g.outC, y: P * g.outC };
}

/** Block i of a stacked operand, or the shared operand itself. */
export const block = (a: Float64Array, stacked: boolean, i: number, len: number): Float64Array =>
  stacked ? a.subarray(i * len, (i + 1) * len) : a;

/** `stack.count` results of `len` elements each, one per call of `one(i)`, in one buffer. */
export function stacked(stack: Stack, len: number, one: (i: number) => Float64Array): Float64Array {
  if (stack.count === 1) return one(0);
  const out = allocate(stack.count * len);
  for (let i = 0; i < stack.count; i++) out.set(one(i), i * len);
  return out;
}

/** y[P, outC] = patches[P, K] · w[K, outC]. */
export function conv2d(x: Float64Array, w: Float64Array, n: number, g: Window2d, stack: Stack): Float64Array {
  const s = sizes(n, g);
  return stacked(stack, s.y, (i) => gemm(s.P, s.K, g.outC, packPatches(x, stack.a ? i * s.x : 0, g), packColumns(block(w, stack.b, i, s.w), s.K, g.outC, false)));
}

/** x̄ = col2im(ȳ[P, outC] · wᵀ[outC, K]): each patch's cotangent added back where the patch came from. */
export function conv2dInput(y: Float64Array, w: Float64Array, n: number, g: Window2d, stack: Stack): Float64Array {
  const s = sizes(n, g);
  const out = allocate(stack.count * s.x);
  for (let i = 0; i < stack.count; i++) {
    const cols = matmul(block(y, stack.a, i, s.y), block(w, stack.b, i, s.w), s.P, g.outC, s.K, false, true);
    col2im(cols, n, g, out, i * s.x);
  }
  return out;
}

/** w̄[K, outC] = patchesᵀ[K, P] · ȳ[P, outC]. */
export function conv2dFilter(x: Float64Array, y: Float64Array, n: number, g: Window2d, stack: Stack): Float64Array {
  const s = sizes(n, g);
  return stacked(stack, s.w, (i) => gemm(s.K, s.P, g.outC, packPatchesTransposed(x, stack.a ? i * s.x : 0, g), packColumns(block(y, stack.b, i, s.y), s.P, g.outC, false)));
}
