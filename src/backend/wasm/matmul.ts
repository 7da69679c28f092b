// The matrix product on the wasm micro-kernel (gemm.ts): operands packed from their Float64Arrays into
// panels in linear memory (the packing is the copy in), C computed there a block at a time and copied out.
import { KC } from "../js/matmul.ts";
import type { Kernels } from "../kernels.ts";
import { allocateUninitialized } from "../memory.ts";
import { COLS, ROWS } from "./gemm.ts";
import type { Instance } from "./platform.ts";

/** Rows of C per block (A's block MC×KC stays in L2) and columns per block (B's block KC×NC). */
const MC = 128;
const NC = 512;
/** Byte addresses of the packed A block, the packed B block and the C block, and the memory's pages. */
const A_AT = 0;
const B_AT = A_AT + MC * KC * 8;
const C_AT = B_AT + KC * NC * 8;
export const PAGES = Math.ceil((C_AT + MC * NC * 8) / 65536);

/**
 * Writes rows `start` … start+count−1 of a matrix X (element (q, p) at X[q·sq + p·sp]), columns
 * p0 … p0+kc−1, into heap at `at` as panels of `width` rows: heap[at + (q/width·kc + p)·width + q%width];
 * the last panel's rows past `count` are zeros. op(A) is such a matrix, and so is op(B)ᵀ.
 */
function pack(heap: Float64Array, at: number, width: number, X: Float64Array, sq: number, sp: number, start: number, count: number, p0: number, kc: number): void {
  const panel = kc * width;
  for (let q = count; q % width !== 0; q++) for (let p = 0, o = at + Math.floor(q / width) * panel + (q % width); p < kc; p++, o += width) heap[o] = 0;
  if (sp === 1) {
    // contiguous along p: a panel's rows side by side, so the writes run straight through the panel
    const full = count - (count % width);
    for (let q0 = 0; q0 < full; q0 += width) {
      let o = at + (q0 / width) * panel;
      const from = (start + q0) * sq + p0;
      if (width === 4) {
        const r0 = from, r1 = from + sq, r2 = from + 2 * sq, r3 = from + 3 * sq;
        for (let p = 0; p < kc; p++, o += 4) {
          heap[o] = X[r0 + p]!;
          heap[o + 1] = X[r1 + p]!;
          heap[o + 2] = X[r2 + p]!;
          heap[o + 3] = X[r3 + p]!;
        }
      } else for (let p = 0; p < kc; p++) for (let t = 0; t < width; t++) heap[o++] = X[from + t * sq + p]!;
    }
    for (let q = full; q < count; q++) {
      let from = (start + q) * sq + p0;
      for (let p = 0, o = at + Math.floor(q / width) * panel + (q % width); p < kc; p++, o += width) heap[o] = X[from++]!;
    }
    return;
  }
  // contiguous along q: a panel at a time, a panel's width of each stored row per step (writes straight through)
  if (width === 4 && sq === 1) {
    const full = count - (count % 4);
    for (let q0 = 0; q0 < full; q0 += 4) {
      let o = at + (q0 / 4) * panel;
      let from = start + q0 + p0 * sp;
      for (let p = 0; p < kc; p++, o += 4, from += sp) {
        heap[o] = X[from]!;
        heap[o + 1] = X[from + 1]!;
        heap[o + 2] = X[from + 2]!;
        heap[o + 3] = X[from + 3]!;
      }
    }
    if (full === count) return;
    const rest = count - full;
    for (let p = 0, o = at + (full / 4) * panel, from = start + full + p0 * sp; p < kc; p++, o += 4, from += sp) {
      for (let t = 0; t < rest; t++) heap[o + t] = X[from + t]!;
    }
    return;
  }
  for (let p = 0; p < kc; p++) {
    const from = start * sq + (p0 + p) * sp;
    for (let q0 = 0, o = at + p * width; q0 < count; q0 += width, o += panel) {
      const w = Math.min(width, count - q0);
      for (let t = 0; t < w; t++) heap[o + t] = X[from + (q0 + t) * sq]!;
    }
  }
}

/**
 * Writes rows `start` … start+count−1 (columns p0 … p0+kc−1) of an operand into heap at `at` as panels
 * `width` wide (see pack); the panels past `count` are zero-padded. op(A) is packed by rows, op(B) by columns.
 */
export type HeapPack = (heap: Float64Array, at: number, width: number, start: number, count: number, p0: number, kc: number) => void;

/** The packer of a stored matrix whose element (q, p) is X[q·sq + p·sp]. */
export const strided = (X: Float64Array, sq: number, sp: number): HeapPack => (heap, at, width, start, count, p0, kc) =>
  pack(heap, at, width, X, sq, sp, start, count, p0, kc);

/** C[n×m] = op(A)·op(B) (k ≥ 1) written into `out` from `offset`, op(A) and op(B) given by their packers. */
export type GemmInto = (out: Float64Array, offset: number, n: number, k: number, m: number, packA: HeapPack, packB: HeapPack) => void;

/** The blocked product on a compiled module's gemm. */
export function gemmOn(instance: Instance): GemmInto {
  const gemm = instance.exports.gemm as (ap: number, bp: number, cp: number, pa: number, pb: number, kc: number, first: number) => void;
  let heap = new Float64Array(instance.memory.buffer);
  /** C's block of `rows` × `cols` at (i0, j0), from the C region of the memory into `out`. */
  const copyOut = (out: Float64Array, offset: number, m: number, i0: number, j0: number, rows: number, cols: number): void => {
    const ldc = Math.ceil(cols / COLS) * COLS;
    for (let r = 0; r < rows; r++) {
      const from = C_AT / 8 + r * ldc;
      const to = offset + (i0 + r) * m + j0;
      // a narrow row (W2's 10 classes) is copied faster by a loop than by a view and a set
      if (cols < 64) for (let c = 0; c < cols; c++) out[to + c] = heap[from + c]!;
      else out.set(heap.subarray(from, from + cols), to);
    }
  };
  return (out, offset, n, k, m, packA, packB) => {
    if (heap.buffer !== instance.memory.buffer) heap = new Float64Array(instance.memory.buffer); // grown by someone else
    if (k <= KC) {
      // one block of the inner dimension: B's block is packed once and serves every row block
      for (let j0 = 0; j0 < m; j0 += NC) {
        const cols = Math.min(NC, m - j0);
        packB(heap, B_AT / 8, COLS, j0, cols, 0, k);
        for (let i0 = 0; i0 < n; i0 += MC) {
          const rows = Math.min(MC, n - i0);
          packA(heap, A_AT / 8, ROWS, i0, rows, 0, k);
          gemm(A_AT, B_AT, C_AT, Math.ceil(rows / ROWS), Math.ceil(cols / COLS), k, 1);
          copyOut(out, offset, m, i0, j0, rows, cols);
        }
      }
      return;
    }
    for (let i0 = 0; i0 < n; i0 += MC) {
      const rows = Math.min(MC, n - i0);
      const panelsA = Math.ceil(rows / ROWS);
      for (let j0 = 0; j0 < m; j0 += NC) {
        const cols = Math.min(NC, m - j0);
        const panelsB = Math.ceil(cols / COLS);
        // the same blocks of the inner dimension as the JS kernel: each block's sum is added to C in turn
        for (let p0 = 0; p0 < k; p0 += KC) {
          const kc = Math.min(KC, k - p0);
          packA(heap, A_AT / 8, ROWS, i0, rows, p0, kc);
          packB(heap, B_AT / 8, COLS, j0, cols, p0, kc);
          gemm(A_AT, B_AT, C_AT, panelsA, panelsB, kc, p0 === 0 ? 1 : 0);
        }
        copyOut(out, offset, m, i0, j0, rows, cols);
      }
    }
  };
}

/** matmul and matmulStack on the blocked product. */
export function wasmMatmul(gemm: GemmInto): Pick<Kernels, "matmul" | "matmulStack"> {
  /** C = op(A)·op(B) written into `out` from `offset` (row-major n×m); k ≥ 1. */
  const into = (out: Float64Array, offset: number, A: Float64Array, B: Float64Array, n: number, k: number, m: number, transA: boolean, transB: boolean): void =>
    gemm(out, offset, n, k, m, transA ? strided(A, 1, n) : strided(A, k, 1), transB ? strided(B, k, 1) : strided(B, 1, m));

  function matmul(A: Float64Array, B: Float64Array, n: number, k: number, m: number, transA: boolean, transB: boolean): Float64Array {
    const C = allocateUninitialized(n * m);
    if (k === 0) return C.fill(0);
    into(C, 0, A, B, n, k, m, transA, transB);
    return C;
  }

  function matmulStack(
    a: Float64Array, b: Float64Array, count: number, stackedA: boolean, stackedB: boolean,
    n: number, k: number, m: number, transA: boolean, transB: boolean,
  ): Float64Array {
    const out = allocateUninitialized(count * n * m);
    if (k <= 1) {
      // outer products: the JS kernel's direct loop (a product with no sum: −0 stays −0 there)
      if (k === 0) return out.fill(0);
      return outer(out, a, b, count, stackedA ? n : 0, stackedB ? m : 0, n, m);
    }
    const sa = stackedA ? n * k : 0;
    const sb = stackedB ? k * m : 0;
    for (let i = 0; i < count; i++) into(out, i * n * m, a.subarray(i * sa, i * sa + n * k), b.subarray(i * sb, i * sb + k * m), n, k, m, transA, transB);
    return out;
  }
  return { matmul, matmulStack };
}

/** The stacked outer products a_i ⊗ b_i (k = 1) into `out`, as the JS kernel computes them. */
function outer(out: Float64Array, a: Float64Array, b: Float64Array, count: number, sa: number, sb: number, n: number, m: number): Float64Array {
  for (let i = 0, o = 0; i < count; i++) {
    for (let r = 0; r < n; r++) {
      const ar = a[i * sa + r]!;
      for (let c = 0; c < m; c++) out[o++] = ar * b[i * sb + c]!;
    }
  }
  return out;
}
