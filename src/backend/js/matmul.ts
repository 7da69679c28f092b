// The matrix product kernel (Kernels.matmul). Both operands are packed first, a block at a time
// (A in interleaved panels of 3 rows, B in interleaved panels of 4 columns), so the micro-kernel
// streams two arrays sequentially and keeps a 3×4 block of C in twelve registers across the block. Transposed operands are handled by the packing, so AᵀB and ABᵀ (the pullbacks)
// cost no extra transpose; convolutions supply packers that read image patches straight into panels.
import { allocateUninitialized } from "../memory.ts";
import { untilIdle } from "../pool.ts";

/** Rows of A per panel and columns of B per panel: the micro-kernel's tile of C. */
export const R = 3;
export const Q = 4;
/** The inner dimension is packed and multiplied in blocks of at most KC; rows of A in blocks of MC, columns of B of NC (bounded scratch). */
export const KC = 256;
const MC = 3072;
const NC = 1024;

/**
 * Writes op(A)'s rows i0 … i0+rows−1, columns p0 … p0+kc−1, into `Ap` as panels of R rows:
 * Ap[(ip·kc + p)·R + r] = op(A)[i0 + ip·R + r][p0 + p], the last panel's rows past `rows` as zeros.
 */
export type PackA = (Ap: number[], i0: number, rows: number, p0: number, kc: number) => void;
/**
 * Writes op(B)'s rows p0 … p0+kc−1, columns j0 … j0+cols−1, into `Bp` as panels of Q columns:
 * Bp[(jq·kc + p)·Q + t] = op(B)[p0 + p][j0 + jq·Q + t], the last panel's columns past `cols` as zeros.
 */
export type PackB = (Bp: number[], j0: number, cols: number, p0: number, kc: number) => void;

/**
 * Packing scratch, reused across calls (the kernel never runs inside itself, and every call writes
 * what it reads), so module state that no caller can observe. Plain arrays of doubles rather than
 * Float64Arrays: V8 checks every typed-array access for a detached buffer once any ArrayBuffer in the
 * process has been detached (a transfer to a worker, a WebAssembly memory growing), which costs the
 * micro-kernel a fifth of its speed; an array of doubles has no buffer to detach.
 */
let scratchA: number[] = [];
let scratchB: number[] = [];

/**
 * An array of at least n doubles (kept unboxed: filled with a non-integer first). The blocking bounds
 * the scratch (KC·MC + KC·NC doubles, 8 MB), and a grown scratch goes once the pool is idle.
 */
function doubles(have: number[], n: number): number[] {
  if (have.length >= n) return have;
  untilIdle(dropScratch);
  return Array.from({ length: n }, () => 0.5);
}

function dropScratch(): void {
  scratchA = [];
  scratchB = [];
}

/** C[n×m] = op(A)·op(B) with op(A) n×k and op(B) k×m given by their packers; C is a fresh buffer. */
export function gemm(n: number, k: number, m: number, packA: PackA, packB: PackB): Float64Array {
  const C = allocateUninitialized(n * m);
  if (k === 0) return C.fill(0);
  for (let j0 = 0; j0 < m; j0 += NC) {
    const cols = Math.min(NC, m - j0);
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kc = Math.min(KC, k - p0);
      scratchB = doubles(scratchB, Math.ceil(cols / 4) * 4 * kc);
      packB(scratchB, j0, cols, p0, kc);
      for (let i0 = 0; i0 < n; i0 += MC) {
        const rows = Math.min(MC, n - i0);
        scratchA = doubles(scratchA, Math.ceil(rows / 3) * 3 * kc);
        packA(scratchA, i0, rows, p0, kc);
        multiply(scratchA, scratchB, C, i0, rows, j0, cols, m, kc, p0 === 0);
      }
    }
  }
  return C;
}

/** C's block (rows i0 …, columns j0 …; C has m columns) = (or, unless `first`, +=) the packed panels' product over a block of kc. */
function multiply(Ap: number[], Bp: number[], C: Float64Array, i0: number, n: number, j0: number, mb: number, m: number, kc: number, first: boolean): void {
  const panels = Math.ceil(n / 3);
  const quads = Math.ceil(mb / 4);
  const c = new Float64Array(12); // a cut tile's values, on the edges only
  for (let ip = 0; ip < panels; ip++) {
    const i = ip * 3;
    const aStart = ip * kc * 3;
    for (let jq = 0; jq < quads; jq++) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0, c20 = 0, c21 = 0, c22 = 0, c23 = 0;
      let ai = aStart;
      let bi = jq * kc * 4;
      for (let p = 0; p < kc; p++, ai += 3, bi += 4) {
        const b0 = Bp[bi]!, b1 = Bp[bi + 1]!, b2 = Bp[bi + 2]!, b3 = Bp[bi + 3]!;
        const a0 = Ap[ai]!;
        c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
        const a1 = Ap[ai + 1]!;
        c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
        const a2 = Ap[ai + 2]!;
        c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
      }
      const j = jq * 4;
      if (i + 3 <= n && j + 4 <= mb) {
        let o = (i0 + i) * m + j0 + j;
        if (first) {
          C[o] = c00; C[o + 1] = c01; C[o + 2] = c02; C[o + 3] = c03; o += m;
          C[o] = c10; C[o + 1] = c11; C[o + 2] = c12; C[o + 3] = c13; o += m;
          C[o] = c20; C[o + 1] = c21; C[o + 2] = c22; C[o + 3] = c23;
        } else {
          C[o] += c00; C[o + 1] += c01; C[o + 2] += c02; C[o + 3] += c03; o += m;
          C[o] += c10; C[o + 1] += c11; C[o + 2] += c12; C[o + 3] += c13; o += m;
          C[o] += c20; C[o + 1] += c21; C[o + 2] += c22; C[o + 3] += c23;
        }
        continue;
      }
      // a tile cut by the edge of the block: only its elements inside
      c[0] = c00; c[1] = c01; c[2] = c02; c[3] = c03; c[4] = c10; c[5] = c11; c[6] = c12; c[7] = c13; c[8] = c20; c[9] = c21; c[10] = c22; c[11] = c23;
      for (let r = 0; r < 3 && i + r < n; r++) {
        for (let t = 0; t < 4 && j + t < mb; t++) {
          const o = (i0 + i + r) * m + j0 + j + t;
          C[o] = first ? c[r * 4 + t]! : C[o]! + c[r * 4 + t]!;
        }
      }
    }
  }
}

/** The packer of a stored matrix A (k×n when transA, else n×k) as op(A)'s row panels. */
export const packRows = (A: Float64Array, n: number, k: number, transA: boolean): PackA => (Ap, i0, rows, p0, kc) => {
  const panel = kc * 3;
  for (let i = rows; i < Math.ceil(rows / 3) * 3; i++) for (let p = 0, base = Math.floor(i / 3) * panel + (i % 3); p < kc; p++) Ap[base + p * 3] = 0;
  for (let i = 0; i < rows; i++) {
    const base = Math.floor(i / 3) * panel + (i % 3);
    if (transA) for (let p = 0, at = p0 * n + i0 + i; p < kc; p++, at += n) Ap[base + p * 3] = A[at]!;
    else for (let p = 0, at = (i0 + i) * k + p0; p < kc; p++) Ap[base + p * 3] = A[at + p]!;
  }
};

/** The packer of a stored matrix B (m×k when transB, else k×m) as op(B)'s column panels. */
export const packColumns = (B: Float64Array, k: number, m: number, transB: boolean): PackB => (Bp, j0, cols, p0, kc) => {
  const panel = kc * 4;
  for (let j = cols; j < Math.ceil(cols / 4) * 4; j++) for (let p = 0, base = Math.floor(j / 4) * panel + (j % 4); p < kc; p++) Bp[base + p * 4] = 0;
  if (transB) {
    for (let j = 0; j < cols; j++) {
      const base = Math.floor(j / 4) * panel + (j % 4);
      for (let p = 0, at = (j0 + j) * k + p0; p < kc; p++) Bp[base + p * 4] = B[at + p]!;
    }
    return;
  }
  // row by row of B, so its reads are sequential
  for (let p = 0; p < kc; p++) {
    const row = (p0 + p) * m + j0;
    for (let j = 0, base = p * 4; j < cols; j += 4, base += panel) {
      for (let t = 0; t < 4 && j + t < cols; t++) Bp[base + t] = B[row + j + t]!;
    }
  }
};

/**
 * C[n×m] = op(A)·op(B), where op(A) is n×k (A stored k×n when transA) and op(B) is k×m (B stored
 * m×k when transB); all row-major. C is a fresh buffer.
 */
export function matmul(
  A: Float64Array, B: Float64Array, n: number, k: number, m: number, transA: boolean, transB: boolean,
): Float64Array {
  return gemm(n, k, m, packRows(A, n, k, transA), packColumns(B, k, m, transB));
}

/**
 * `count` products C_i = op(A_i)·op(B_i), stacked: A_i is the i-th n×k block of `a` when `stackedA`
 * (else all of `a`, shared), likewise B_i. Small inner dimensions (outer products, from per-example
 * gradients) run as direct loops; the rest through the packed kernel, block by block.
 */
export function matmulStack(
  a: Float64Array, b: Float64Array, count: number, stackedA: boolean, stackedB: boolean,
  n: number, k: number, m: number, transA: boolean, transB: boolean,
): Float64Array {
  const out = allocateUninitialized(count * n * m);
  const sa = stackedA ? n * k : 0;
  const sb = stackedB ? k * m : 0;
  if (k === 1) {
    // outer products (per-example gradients of a layer): an n×1 or 1×n block is n values either way
    for (let i = 0; i < count; i++) {
      const ao = i * sa;
      const bo = i * sb;
      let o = i * n * m;
      for (let r = 0; r < n; r++) {
        const ar = a[ao + r]!;
        for (let c = 0; c < m; c++) out[o++] = ar * b[bo + c]!;
      }
    }
    return out;
  }
  for (let i = 0; i < count; i++) {
    out.set(matmul(a.subarray(i * sa, i * sa + n * k), b.subarray(i * sb, i * sb + k * m), n, k, m, transA, transB), i * n * m);
  }
  return out;
}
