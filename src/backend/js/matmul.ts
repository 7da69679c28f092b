// The matrix product kernel (Kernels.matmul). Both operands are first packed (A in interleaved row
// pairs, B in interleaved column quads), so the micro-kernel streams two arrays sequentially and keeps
// a 2×4 block of C in eight registers across the whole inner dimension. Transposed operands are
// handled by the packing, so AᵀB and ABᵀ (the pullbacks) cost no extra transpose.
import { allocateUninitialized } from "../memory.ts";

/**
 * Packing scratch, reused across calls (the kernel never runs inside itself, and every call writes
 * what it reads), so module state that no caller can observe.
 */
let scratchA = new Float64Array(0);
let scratchB = new Float64Array(0);

/**
 * C[n×m] = op(A)·op(B), where op(A) is n×k (A stored k×n when transA) and op(B) is k×m (B stored
 * m×k when transB); all row-major. C is a fresh buffer.
 */
export function matmul(
  A: Float64Array, B: Float64Array, n: number, k: number, m: number, transA: boolean, transB: boolean,
): Float64Array {
  const C = allocateUninitialized(n * m);
  if (k === 0) return C.fill(0);
  const pairs = (n + 1) >> 1;
  const quads = (m + 3) >> 2;
  // Ap[(ip·k + p)·2 + r] = op(A)[2ip + r][p]; rows past n are zero
  if (scratchA.length < pairs * k * 2) scratchA = new Float64Array(pairs * k * 2);
  const Ap = scratchA;
  if (n & 1) for (let p = 0, base = (pairs - 1) * k * 2 + 1; p < k; p++) Ap[base + p * 2] = 0;
  for (let i = 0; i < n; i++) {
    const base = (i >> 1) * k * 2 + (i & 1);
    if (transA) for (let p = 0; p < k; p++) Ap[base + p * 2] = A[p * n + i];
    else for (let p = 0, row = i * k; p < k; p++) Ap[base + p * 2] = A[row + p];
  }
  // Bp[(jq·k + p)·4 + t] = op(B)[p][4jq + t]; columns past m are zero
  if (scratchB.length < quads * k * 4) scratchB = new Float64Array(quads * k * 4);
  const Bp = scratchB;
  for (let j = m; j < quads * 4; j++) for (let p = 0, base = (j >> 2) * k * 4 + (j & 3); p < k; p++) Bp[base + p * 4] = 0;
  for (let j = 0; j < m; j++) {
    const base = (j >> 2) * k * 4 + (j & 3);
    if (transB) for (let p = 0, row = j * k; p < k; p++) Bp[base + p * 4] = B[row + p];
    else for (let p = 0; p < k; p++) Bp[base + p * 4] = B[p * m + j];
  }
  for (let ip = 0; ip < pairs; ip++) {
    const i = ip * 2;
    const aStart = ip * k * 2;
    for (let jq = 0; jq < quads; jq++) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let ai = aStart;
      let bi = jq * k * 4;
      for (let p = 0; p < k; p++, ai += 2, bi += 4) {
        const a0 = Ap[ai], a1 = Ap[ai + 1];
        const b0 = Bp[bi], b1 = Bp[bi + 1], b2 = Bp[bi + 2], b3 = Bp[bi + 3];
        c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
        c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
      }
      const j = jq * 4;
      const w = m - j;
      let o = i * m + j;
      C[o] = c00;
      if (w > 1) C[o + 1] = c01;
      if (w > 2) C[o + 2] = c02;
      if (w > 3) C[o + 3] = c03;
      if (i + 1 < n) {
        o += m;
        C[o] = c10;
        if (w > 1) C[o + 1] = c11;
        if (w > 2) C[o + 2] = c12;
        if (w > 3) C[o + 3] = c13;
      }
    }
  }
  return C;
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
