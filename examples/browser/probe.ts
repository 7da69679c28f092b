// The probe's operands, shared by the page and the test that checks its numbers: exact binary
// fractions (no Math.sin, whose last bit could differ between engines), 130×300 and 300×70.
export function probeOperands(): [number[][], number[][]] {
  const matrix = (rows: number, cols: number, seed: number): number[][] =>
    Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (((i * cols + j) * 7919 + seed) % 1001) / 64 - 7.8));
  return [matrix(130, 300, 1), matrix(300, 70, 2)];
}
