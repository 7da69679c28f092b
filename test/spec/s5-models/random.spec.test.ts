// SPEC §5 and §7 (Randomness, Keys): explicit keys; the same key always gives the same numbers;
// split keys are independent of each other and of their parent; plausible ranges and moments
// (bounds are ≥ 5 standard errors wide).
import { describe, expect, it } from "vitest";
import { key, normal, split, Tensor, toArray, uniform } from "../../../src/index.ts";
import { correlation, mean, variance } from "../../support/reference.ts";

const N = 20000;
const flatOf = (t: Tensor): number[] => (toArray(t) as number[]).flat(Infinity as 1) as number[];

describe("key(seed) and sampling", () => {
  it("the same key gives the same numbers, for uniform and normal", () => {
    expect(toArray(uniform(key(0), [50], 0, 1))).toEqual(toArray(uniform(key(0), [50], 0, 1)));
    const k = key(123);
    expect(toArray(normal(k, [50]))).toEqual(toArray(normal(k, [50])));
    expect(toArray(normal(key(123), [50]))).toEqual(toArray(normal(k, [50])));
  });

  it("different seeds give different numbers", () => {
    const a = flatOf(uniform(key(0), [20], 0, 1));
    const b = flatOf(uniform(key(1), [20], 0, 1));
    expect(a).not.toEqual(b);
    expect(a.filter((x, i) => x === b[i])).toHaveLength(0);
  });

  it("a hundred consecutive seeds give a hundred different first draws", () => {
    const firsts = new Set(Array.from({ length: 100 }, (_, s) => flatOf(uniform(key(s), [1], 0, 1))[0]));
    expect(firsts.size).toBe(100);
  });

  it("the samples of consecutive seeds are uncorrelated", () => {
    const a = flatOf(uniform(key(7), [N], 0, 1));
    const b = flatOf(uniform(key(8), [N], 0, 1));
    expect(Math.abs(correlation(a, b))).toBeLessThan(0.04);
  });

  it("large integer seeds (e.g. Date.now()) are accepted and differ from the seed mod 2^32, as in JAX", () => {
    const big = 1_700_000_000_123;
    const a = flatOf(uniform(key(big), [4], 0, 1));
    expect(a.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(a).not.toEqual(flatOf(uniform(key(big % 2 ** 32), [4], 0, 1)));
    expect(flatOf(uniform(key(2 ** 32), [4], 0, 1))).not.toEqual(flatOf(uniform(key(0), [4], 0, 1)));
  });

  it("uniform and normal return tensors of the requested shape", () => {
    const u = uniform(key(0), [3, 4], -1, 1);
    expect(u).toBeInstanceOf(Tensor);
    expect([...u.shape]).toEqual([3, 4]);
    const n = normal(key(0), [2, 3, 4]);
    expect(n).toBeInstanceOf(Tensor);
    expect([...n.shape]).toEqual([2, 3, 4]);
  });

  it("uniform(key, shape, lo, hi) lies in [lo, hi) with mean (lo + hi)/2 and variance (hi − lo)²/12", () => {
    const xs = flatOf(uniform(key(2024), [N], -2, 3));
    expect(xs.every((x) => x >= -2 && x < 3)).toBe(true);
    expect(Math.abs(mean(xs) - 0.5)).toBeLessThan(0.06);
    expect(Math.abs(variance(xs) - 25 / 12)).toBeLessThan(0.08);
  });

  it("uniform fills ten equal bins evenly", () => {
    const xs = flatOf(uniform(key(5), [N], 0, 1));
    const bins = new Array<number>(10).fill(0);
    for (const x of xs) bins[Math.min(9, Math.floor(x * 10))]++;
    for (const b of bins) expect(Math.abs(b - N / 10)).toBeLessThan(5 * Math.sqrt(N * 0.1 * 0.9));
  });

  it("uniform(key, shape) defaults to [0, 1) as in JAX", () => {
    const xs = flatOf(uniform(key(9), [N]));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(Math.abs(mean(xs) - 0.5)).toBeLessThan(0.012);
  });

  it("successive uniform draws are not serially correlated", () => {
    const xs = flatOf(uniform(key(11), [N], 0, 1));
    expect(Math.abs(correlation(xs.slice(0, -1), xs.slice(1)))).toBeLessThan(0.04);
  });

  it("normal(key, shape) is finite with mean 0, variance 1, and the standard normal's tails", () => {
    const xs = flatOf(normal(key(31), [N]));
    expect(xs.every(Number.isFinite)).toBe(true);
    const m = mean(xs);
    const v = variance(xs);
    expect(Math.abs(m)).toBeLessThan(0.04);
    expect(Math.abs(v - 1)).toBeLessThan(0.06);
    const within1 = xs.filter((x) => Math.abs(x) < 1).length / N;
    const within2 = xs.filter((x) => Math.abs(x) < 2).length / N;
    expect(Math.abs(within1 - 0.682689)).toBeLessThan(0.02);
    expect(Math.abs(within2 - 0.9545)).toBeLessThan(0.01);
    const skew = xs.reduce((a, x) => a + ((x - m) / Math.sqrt(v)) ** 3, 0) / N;
    const kurt = xs.reduce((a, x) => a + ((x - m) / Math.sqrt(v)) ** 4, 0) / N;
    expect(Math.abs(skew)).toBeLessThan(0.1);
    expect(Math.abs(kurt - 3)).toBeLessThan(0.25);
  });

  it("normal's positive and negative draws are balanced", () => {
    const xs = flatOf(normal(key(77), [N]));
    const pos = xs.filter((x) => x > 0).length;
    expect(Math.abs(pos - N / 2)).toBeLessThan(5 * Math.sqrt(N / 4));
  });
});

describe("split(key, n)", () => {
  it("returns a readonly (frozen) array of n keys", () => {
    const ks = split(key(0), 3);
    expect(Array.isArray(ks)).toBe(true);
    expect(ks).toHaveLength(3);
    expect(Object.isFrozen(ks)).toBe(true);
    expect(split(key(0), 1)).toHaveLength(1);
    expect(split(key(0), 5)).toHaveLength(5);
  });

  it("is deterministic: splitting the same key gives the same keys", () => {
    const a = split(key(4), 3).map((k) => toArray(uniform(k, [5], 0, 1)));
    const b = split(key(4), 3).map((k) => toArray(uniform(k, [5], 0, 1)));
    expect(a).toEqual(b);
  });

  it("split(key) gives two keys by default, as in JAX", () => {
    expect(split(key(0))).toHaveLength(2);
  });

  it("its keys give numbers different from each other and from the parent", () => {
    const parent = key(10);
    const ks = split(parent, 4);
    const draws = [parent, ...ks].map((k) => flatOf(uniform(k, [8], 0, 1)));
    for (let i = 0; i < draws.length; i++) {
      for (let j = i + 1; j < draws.length; j++) {
        expect(draws[i]).not.toEqual(draws[j]);
        expect(draws[i].filter((x, t) => x === draws[j][t])).toHaveLength(0);
      }
    }
  });

  it("its keys give samples uncorrelated with each other and with the parent's", () => {
    const parent = key(99);
    const [a, b] = split(parent, 2);
    const xp = flatOf(normal(parent, [N]));
    const xa = flatOf(normal(a, [N]));
    const xb = flatOf(normal(b, [N]));
    expect(Math.abs(correlation(xa, xb))).toBeLessThan(0.04);
    expect(Math.abs(correlation(xa, xp))).toBeLessThan(0.04);
    expect(Math.abs(correlation(xb, xp))).toBeLessThan(0.04);
  });

  it("the three keys of split(k, 3) give three distinct streams", () => {
    const k = key(1);
    const ks3 = split(k, 3);
    const draws = ks3.map((kk) => flatOf(uniform(kk, [4], 0, 1)));
    expect(new Set(draws.map((d) => d.join(","))).size).toBe(3);
  });

  it("a tree of repeated splits gives hundreds of distinct streams", () => {
    const keys = [key(0)];
    const all: ReturnType<typeof key>[] = [];
    while (all.length < 300) {
      const k = keys.shift()!;
      const [a, b, c] = split(k, 3);
      all.push(a, b);
      keys.push(a, c);
    }
    const firsts = new Set(all.map((k) => flatOf(uniform(k, [2], 0, 1)).join(",")));
    expect(firsts.size).toBe(all.length);
  });

  it("does not change the key it is given: the parent still gives the same numbers", () => {
    const k = key(3);
    const before = toArray(uniform(k, [6], 0, 1));
    split(k, 4);
    expect(toArray(uniform(k, [6], 0, 1))).toEqual(before);
  });

  it("children of different parents differ", () => {
    const a = flatOf(uniform(split(key(0), 2)[0], [6], 0, 1));
    const b = flatOf(uniform(split(key(1), 2)[0], [6], 0, 1));
    expect(a).not.toEqual(b);
  });
});

describe("keys and samples: edges", () => {
  it("keys are immutable (frozen), including split keys", () => {
    expect(Object.isFrozen(key(0))).toBe(true);
    for (const k of split(key(0), 3)) expect(Object.isFrozen(k)).toBe(true);
  });

  it("a shape [] gives a 0-d tensor and a shape [0] an empty tensor, as in JAX", () => {
    const s = normal(key(0), []);
    expect([...s.shape]).toEqual([]);
    expect(Number.isFinite(toArray(s) as unknown as number)).toBe(true);
    const e = uniform(key(0), [0], 0, 1);
    expect([...e.shape]).toEqual([0]);
    expect(toArray(e)).toEqual([]);
  });

  it("split(key, 0) gives an empty array", () => {
    expect(split(key(0), 0)).toHaveLength(0);
  });
});
