// Float64 bit arithmetic.

/** The largest float64 below a finite x. */
export function nextDown(x: number): number {
  if (x === 0) return -Number.MIN_VALUE;
  const b = new Float64Array([x]);
  const bits = new BigInt64Array(b.buffer);
  bits[0] += x > 0 ? -1n : 1n;
  return b[0];
}
