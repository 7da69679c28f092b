// The matrix product kernel (Kernels.matmul). Both operands are first packed (A in interleaved row
// pairs, B in interleaved column quads), so the micro-kernel streams two arrays sequentially and keeps
// a 2×4 block of C in eight registers across the whole inner dimension. Transposed operands are
// handled by the packing, so AᵀB and ABᵀ (the pullbacks) cost no extra transpose.
import { allocateUninitialized } from "../memory.ts";
import { borrow, giveBack } from "../pool.ts";

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
  // Packing scratch is borrowed from the pool and given back (every call writes what it reads), so
  // a large product leaves nothing behind but what the pool's budget keeps.
  // Ap[(ip·k + p)·2 + r] = op(A)[2ip + r][p]; rows past n are zero
  const Ap = borrow(pairs * k * 2);
  if (n & 1) for (let p = 0, base = (pairs - 1) * k * 2 + 1; p < k; p++) Ap[base + p * 2] = 0;
  for (let i = 0; i < n; i++) {
    const base = (i >> 1) * k * 2 + (i & 1);
    if (transA) for (let p = 0; p < k; p++) Ap[base + p * 2] = A[p * n + i];
    else for (let p = 0, row = i * k; p < k; p++) Ap[base + p * 2] = A[row + p];
  }
  // Bp[(jq·k + p)·4 + t] = op(B)[p][4jq + t]; columns past m are zero
  const Bp = borrow(quads * k * 4);
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
  giveBack(Ap);
  giveBack(Bp);
  return C;
}
