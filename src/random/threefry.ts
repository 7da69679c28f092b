// Threefry-2x32, the counter-based generator of Salmon et al., "Parallel random numbers: as easy as
// 1, 2, 3" (SC 2011), written from the paper's algorithm: a key and a counter in, 64 random bits out,
// no state. The same (key, counter) always gives the same bits; every counter gives fresh ones.

/** Threefish's rotation constants for two 32-bit words (R_32x2 in Random123). */
const ROTATIONS = [13, 15, 26, 6, 17, 29, 16, 24] as const;
/** Skein's key-schedule parity constant, which makes the third schedule word. */
const PARITY = 0x1bd11bda;

const rotl = (x: number, r: number): number => ((x << r) | (x >>> (32 - r))) >>> 0;

/**
 * The two output words of Threefry-2x32 with `rounds` rounds (20 is Random123's default and JAX's)
 * for key (k0, k1) and counter (c0, c1), each an unsigned 32-bit integer.
 */
export function threefry2x32(k0: number, k1: number, c0: number, c1: number, rounds = 20): readonly [number, number] {
  const out = new Uint32Array(2);
  block(k0 >>> 0, k1 >>> 0, c0 >>> 0, c1 >>> 0, rounds, out, 0);
  return [out[0], out[1]];
}

/** Writes the block for counter (c0, c1) to out[at], out[at + 1]. */
export function block(k0: number, k1: number, c0: number, c1: number, rounds: number, out: Uint32Array, at: number): void {
  const ks = [k0, k1, (PARITY ^ k0 ^ k1) >>> 0];
  let x0 = (c0 + ks[0]) >>> 0;
  let x1 = (c1 + ks[1]) >>> 0;
  for (let r = 0; r < rounds; r++) {
    // mix: add, rotate, xor
    x0 = (x0 + x1) >>> 0;
    x1 = rotl(x1, ROTATIONS[r % 8]) ^ x0;
    // every four rounds, inject the key schedule plus the injection count (so no two injections are alike)
    if (r % 4 === 3) {
      const s = (r + 1) / 4;
      x0 = (x0 + ks[s % 3]) >>> 0;
      x1 = (x1 + ks[(s + 1) % 3] + s) >>> 0;
    }
  }
  out[at] = x0;
  out[at + 1] = x1 >>> 0;
}
