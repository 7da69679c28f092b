// The bench's seeded generator: every system's inputs come from here, and every number it gives is a
// dyadic k/2^m exactly representable in float32, so float64 and float32 systems start from the same data.

/** 32-bit mixer (splitmix32): spreads a small seed over the four words of xoshiro's state. */
function splitmix32(a: number): number {
  let t = (a + 0x9e3779b9) | 0;
  t = Math.imul(t ^ (t >>> 16), 0x21f0aaad);
  t = Math.imul(t ^ (t >>> 15), 0x735a2d97);
  return (t ^ (t >>> 15)) >>> 0;
}

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

/**
 * A stream of uniform 32-bit unsigned integers (xoshiro128**), deterministic in `seed`.
 * The state is private to the returned function; callers only ever see the numbers.
 */
export function uint32s(seed: number): () => number {
  let s0 = splitmix32(seed);
  let s1 = splitmix32(s0);
  let s2 = splitmix32(s1);
  let s3 = splitmix32(s2);
  return () => {
    const out = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return out;
  };
}

const isPowerOfTwo = (x: number): boolean => x > 0 && Math.log2(x) === Math.round(Math.log2(x));

/**
 * `n` numbers uniform on the grid lo + (hi − lo)·k/2^bits, k = 0 … 2^bits − 1 (so in [lo, hi)).
 * `hi − lo` must be a power of two and `lo` a multiple of the grid step, so every number is a dyadic;
 * each one is verified to be exact in float32.
 */
export function uniformDyadics(seed: number, n: number, lo: number, hi: number, bits = 16): readonly number[] {
  const width = hi - lo;
  if (!isPowerOfTwo(width) || bits < 1 || bits > 24) throw new RangeError(`uniformDyadics: width ${width} must be a power of two and bits ${bits} in 1..24`);
  const step = width / 2 ** bits;
  if (lo / step !== Math.round(lo / step)) throw new RangeError(`uniformDyadics: lo ${lo} is not a multiple of the grid step ${step}`);
  const next = uint32s(seed);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const v = lo + (next() >>> (32 - bits)) * step;
    // Defence in depth: a value that float32 would round would make the peers see different data.
    if (Math.fround(v) !== v) throw new RangeError(`uniformDyadics: ${v} is not exact in float32`);
    out[i] = v;
  }
  return Object.freeze(out);
}

/** `n` integers uniform in 0 … below − 1 (multiply-shift; the bias is below 2^-32·below). */
export function integers(seed: number, n: number, below: number): readonly number[] {
  const next = uint32s(seed);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor((next() * below) / 2 ** 32);
  return Object.freeze(out);
}
