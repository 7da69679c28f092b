// The convolutions on the wasm matrix product: the JS backend's im2col (js/conv.ts), with the image
// patches packed straight into the panels in linear memory, so they cost no copy beyond the packing.
import type { Window2d } from "../../base/window.ts";
import { block, col2im, inside, offsetTable, patch, patchBuffer, positions, sizes, stacked } from "../js/conv.ts";
import type { Kernels, Stack } from "../kernels.ts";
import { allocate, allocateUninitialized } from "../memory.ts";
import { type GemmInto, type HeapPack, strided } from "./matmul.ts";

/**
 * Patch elements q0 … q0+count−1 of the window at (oy, ox) into heap: element q at heap[base + at[q − q0]]
 * (js/conv.ts's patchInto, on a Float64Array: a separate copy keeps each one's element stores monomorphic).
 */
function patchInto(
  x: Float64Array, g: Window2d, oy: number, ox: number, image: number, heap: Float64Array, base: number, at: Int32Array, q0: number, count: number, row: Float64Array,
): void {
  if (q0 === 0 && count === row.length && inside(g, oy, ox)) {
    const run = g.kw * g.inC;
    let src = image + ((oy * g.strideH - g.padTop) * g.inW + ox * g.strideW - g.padLeft) * g.inC;
    for (let ky = 0, q = 0; ky < g.kh; ky++, src += g.dilationH * g.inW * g.inC) {
      for (let t = 0; t < run; t++, q++) heap[base + at[q]!] = x[src + t]!;
    }
    return;
  }
  patch(x, image, g, oy, ox, row);
  for (let q = 0; q < count; q++) heap[base + at[q]!] = row[q0 + q]!;
}

/** The patch matrix (a row per output position, a column per patch element) as row panels. */
const patches = (x: Float64Array, xo: number, g: Window2d): HeapPack => (heap, at0, width, i0, rows, p0, kc) => {
  const row = patchBuffer(g.kh * g.kw * g.inC);
  const panel = kc * width;
  const at = offsetTable(kc, (q) => q * width);
  positions(xo, g, i0, i0 + rows, (i, oy, ox, image) => {
    const r = i - i0;
    patchInto(x, g, oy, ox, image, heap, at0 + Math.floor(r / width) * panel + (r % width), at, p0, kc, row);
  });
  for (let r = rows; r % width !== 0; r++) zeroRow(heap, at0 + Math.floor(r / width) * panel + (r % width), width, kc);
};

/** The transposed patch matrix (a row per patch element, a column per output position) as row panels. */
const patchesTransposed = (x: Float64Array, xo: number, g: Window2d): HeapPack => (heap, at0, width, i0, rows, p0, kc) => {
  const row = patchBuffer(g.kh * g.kw * g.inC);
  const panel = kc * width;
  const at = offsetTable(rows, (q) => Math.floor(q / width) * panel + (q % width));
  positions(xo, g, p0, p0 + kc, (i, oy, ox, image) => patchInto(x, g, oy, ox, image, heap, at0 + (i - p0) * width, at, i0, rows, row));
  for (let r = rows; r % width !== 0; r++) zeroRow(heap, at0 + Math.floor(r / width) * panel + (r % width), width, kc);
};

/** A padding row of a panel: kc zeros, `width` apart. */
function zeroRow(heap: Float64Array, o: number, width: number, kc: number): void {
  for (let p = 0; p < kc; p++, o += width) heap[o] = 0;
}

/** conv2d and its transposes, as js/conv.ts computes them (the same products, the same sums), on `gemm`. */
export function wasmConv(gemm: GemmInto, matmul: Kernels["matmul"]): Pick<Kernels, "conv2d" | "conv2dInput" | "conv2dFilter"> {
  const product = (n: number, k: number, m: number, packA: HeapPack, packB: HeapPack): Float64Array => {
    const C = allocateUninitialized(n * m);
    if (k === 0) return C.fill(0); // no output positions (no images): w̄ = 0
    gemm(C, 0, n, k, m, packA, packB);
    return C;
  };
  return {
    conv2d(x: Float64Array, w: Float64Array, n: number, g: Window2d, stack: Stack): Float64Array {
      const s = sizes(n, g);
      return stacked(stack, s.y, (i) => product(s.P, s.K, g.outC, patches(x, stack.a ? i * s.x : 0, g), strided(block(w, stack.b, i, s.w), 1, g.outC)));
    },
    conv2dInput(y: Float64Array, w: Float64Array, n: number, g: Window2d, stack: Stack): Float64Array {
      const s = sizes(n, g);
      const out = allocate(stack.count * s.x);
      for (let i = 0; i < stack.count; i++) col2im(matmul(block(y, stack.a, i, s.y), block(w, stack.b, i, s.w), s.P, g.outC, s.K, false, true), n, g, out, i * s.x);
      return out;
    },
    conv2dFilter(x: Float64Array, y: Float64Array, n: number, g: Window2d, stack: Stack): Float64Array {
      const s = sizes(n, g);
      return stacked(stack, s.w, (i) => product(s.K, s.P, g.outC, patchesTransposed(x, stack.a ? i * s.x : 0, g), strided(block(y, stack.b, i, s.y), 1, g.outC)));
    },
  };
}
