// Keys and samples: Threefry-2x32 against Random123's published known-answer vectors, determinism,
// independence of split keys, and the distributions of uniform and normal samples.
import { describe, expect, it } from "vitest";
import { key, normal, split, toArray, uniform, type Key, type Tensor } from "../../../src/index.ts";
import { threefry2x32 } from "../../../src/internal.ts";

const flat = (t: Tensor): number[] => (toArray(t) as number[]).flat(Infinity as 1) as number[];
const meanOf = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
const varianceOf = (xs: readonly number[]): number => {
  const m = meanOf(xs);
  return xs.reduce((s, x) => s + (x - m) ** 2, 0) / xs.length;
};
const correlation = (xs: readonly number[], ys: readonly number[]): number => {
  const [mx, my] = [meanOf(xs), meanOf(ys)];
  const cov = xs.reduce((s, x, i) => s + (x - mx) * (ys[i] - my), 0) / xs.length;
  return cov / Math.sqrt(varianceOf(xs) * varianceOf(ys));
};
/** Φ(x), from erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7). */
const normalCdf = (x: number): number => {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
};

describe("threefry2x32", () => {
  // Random123 tests/kat_vectors: "threefry2x32 R ctr0 ctr1 key0 key1 out0 out1"
  it.each([
    [20, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x6b200159, 0x99ba4efe],
    [20, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0x1cb996fc, 0xbb002be7],
    [20, 0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xc4923a9c, 0x483df7a0],
    [13, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x9d1c5ec6, 0x8bd50731],
    [13, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xfd36d048, 0x2d17272c],
    [13, 0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xba3e4725, 0xf27d669e],
    [32, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0xcee3d47e, 0xa23dfd5c],
    [32, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0x6e2fe0d0, 0xb1b76f82],
  ])("matches the published known answer for %i rounds, counter %i %i, key %i %i", (rounds, c0, c1, k0, k1, o0, o1) => {
    expect(threefry2x32(k0, k1, c0, c1, rounds)).toEqual([o0, o1]);
  });
});

describe("key", () => {
  it("gives the same key for the same seed, and different keys for different seeds", () => {
    expect(String(key(42))).toBe(String(key(42)));
    expect(String(key(42))).not.toBe(String(key(43)));
    expect(String(key(2 ** 40))).not.toBe(String(key(0)));
  });
  it("is immutable", () => {
    expect(Object.isFrozen(key(1))).toBe(true);
  });
  it("rejects a seed that is not a safe integer", () => {
    expect(() => key(1.5)).toThrow(RangeError);
    expect(() => key(Number.NaN)).toThrow(RangeError);
    expect(() => key(2 ** 60)).toThrow(RangeError);
    expect(() => key("1" as unknown as number)).toThrow(TypeError);
  });
});

describe("split", () => {
  const k = key(0);
  it("returns a frozen array of n keys, 2 by default", () => {
    const ks = split(k, 5);
    expect(ks).toHaveLength(5);
    expect(Object.isFrozen(ks)).toBe(true);
    expect(split(k)).toHaveLength(2);
    expect(split(k, 0)).toHaveLength(0);
  });
  it("is deterministic, and every key differs from the others and from its parent", () => {
    const ks = split(k, 8).map(String);
    expect(split(k, 8).map(String)).toEqual(ks);
    expect(new Set([...ks, String(k)]).size).toBe(9);
  });
  it("gives keys whose numbers are uncorrelated with each other and with the parent's", () => {
    const n = 20_000;
    const [a, b] = split(k, 2);
    const [u, v, w] = [uniform(a, [n]), uniform(b, [n]), uniform(k, [n])].map(flat);
    // for independent uniforms the sample correlation has standard deviation 1/√n ≈ 0.007
    for (const [x, y] of [[u, v], [u, w], [v, w]]) expect(Math.abs(correlation(x, y))).toBeLessThan(4 / Math.sqrt(n));
    // a key's numbers are not the words of the keys split from it
    expect(flat(uniform(k, [2]))).not.toEqual(flat(uniform(a, [2])));
  });
  it("rejects a bad count or something that is not a key", () => {
    expect(() => split(k, -1)).toThrow(RangeError);
    expect(() => split(k, 1.5)).toThrow(RangeError);
    expect(() => split({ hi: 0, lo: 0 } as unknown as Key)).toThrow(TypeError);
  });
});

describe("uniform", () => {
  it("gives the same numbers for the same key, and a tensor of the given shape", () => {
    const t = uniform(key(3), [2, 3]);
    expect(t.shape).toEqual([2, 3]);
    expect(toArray(uniform(key(3), [2, 3]))).toEqual(toArray(t));
    expect(toArray(uniform(key(4), [2, 3]))).not.toEqual(toArray(t));
    expect(uniform(key(3), []).shape).toEqual([]);
  });
  it("lies in [lo, hi) with the mean and variance of U(lo, hi)", () => {
    const n = 50_000;
    const [lo, hi] = [-2, 3];
    const xs = flat(uniform(key(5), [n], lo, hi));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(lo);
    expect(Math.max(...xs)).toBeLessThan(hi);
    const variance = (hi - lo) ** 2 / 12;
    expect(Math.abs(meanOf(xs) - (lo + hi) / 2)).toBeLessThan(4 * Math.sqrt(variance / n));
    // the sample variance of U has standard deviation √((μ₄ − σ⁴)/n), μ₄ = (hi − lo)⁴/80
    expect(Math.abs(varianceOf(xs) - variance)).toBeLessThan(4 * Math.sqrt(((hi - lo) ** 4 / 80 - variance ** 2) / n));
  });
  it("defaults to [0, 1)", () => {
    const xs = flat(uniform(key(6), [1000]));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });
  it("rejects bad shapes and bounds", () => {
    expect(() => uniform(key(1), [-1])).toThrow(RangeError);
    expect(() => uniform(key(1), [1.5])).toThrow(RangeError);
    expect(() => uniform(key(1), [2], 1, 0)).toThrow(RangeError);
    expect(() => uniform(key(1), [2], 0, Infinity)).toThrow(RangeError);
    expect(() => uniform(7 as unknown as Key, [2])).toThrow(TypeError);
  });
});

describe("normal", () => {
  const n = 50_000;
  const xs = flat(normal(key(8), [n]));
  it("gives the same numbers for the same key", () => {
    expect(toArray(normal(key(8), [3, 2]))).toEqual(toArray(normal(key(8), [3, 2])));
    expect(normal(key(8), [3, 2]).shape).toEqual([3, 2]);
  });
  it("has mean 0 and variance 1", () => {
    expect(Math.abs(meanOf(xs))).toBeLessThan(4 / Math.sqrt(n));
    // the sample variance of N(0, 1) has standard deviation √(2/n)
    expect(Math.abs(varianceOf(xs) - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
  });
  it("follows the normal distribution (Kolmogorov–Smirnov at the 0.1% level)", () => {
    const sorted = [...xs].sort((a, b) => a - b);
    const d = sorted.reduce((worst, x, i) => Math.max(worst, Math.abs(normalCdf(x) - i / n), Math.abs(normalCdf(x) - (i + 1) / n)), 0);
    expect(d).toBeLessThan(1.95 / Math.sqrt(n));
  });
  it("fills odd sizes", () => {
    const t = flat(normal(key(9), [5]));
    expect(t).toHaveLength(5);
    expect(t.every(Number.isFinite)).toBe(true);
  });
});
