// randint, permutation, bernoulli and categorical: determinism by key, independence of split keys,
// and their distributions by chi-square and binomial tests. Every test uses fixed keys, so it either
// always passes or always fails; the bound says how rarely a correct sampler with a fresh key would
// exceed it: chi-square critical values at significance 0.001 (upper tail, from the standard table,
// e.g. NIST/SEMATECH e-Handbook of Statistical Methods §1.3.6.7.4), and binomial counts within 4
// standard deviations of n·p (two-sided significance about 6e-5 by the normal approximation).
import { describe, expect, it } from "vitest";
import { bernoulli, categorical, key, type Key, permutation, randint, split, tensor, toArray, type Tensor } from "../../../src/index.ts";
import { expectThrows } from "../../support/approx.ts";

const flat = (t: Tensor): number[] => [toArray(t)].flat(Infinity as 1) as number[];
/** χ²₀.₀₀₁ by degrees of freedom. */
const CHI2_001: Record<number, number> = { 1: 10.828, 2: 13.816, 3: 16.266, 4: 18.467, 5: 20.515, 9: 27.877, 15: 37.697, 23: 49.728 };
/** Pearson's χ² of observed counts against expected probabilities. */
function chiSquare(counts: readonly number[], probabilities: readonly number[]): number {
  const n = counts.reduce((s, c) => s + c, 0);
  return counts.reduce((s, c, i) => s + (c - n * probabilities[i]) ** 2 / (n * probabilities[i]), 0);
}
const countsOf = (xs: readonly number[], categories: number, offset = 0): number[] => {
  const counts = new Array<number>(categories).fill(0);
  for (const x of xs) counts[x - offset]++;
  return counts;
};
/** |count − n·p| < 4·√(n·p·(1 − p)). */
const withinBinomial = (count: number, n: number, p: number): boolean => Math.abs(count - n * p) < 4 * Math.sqrt(n * p * (1 - p));

describe("randint", () => {
  it("gives integers in [lo, hi) of the given shape, the same for the same key", () => {
    const t = randint(key(1), [2, 3], -2, 5);
    expect(t.shape).toEqual([2, 3]);
    expect(toArray(randint(key(1), [2, 3], -2, 5))).toEqual(toArray(t));
    expect(toArray(randint(key(2), [2, 3], -2, 5))).not.toEqual(toArray(t));
    for (const x of flat(t)) expect(Number.isInteger(x) && x >= -2 && x < 5).toBe(true);
  });
  it("is uniform over [lo, hi): chi-square with 9 degrees of freedom below 27.877", () => {
    const n = 50_000;
    const xs = flat(randint(key(11), [n], -3, 7));
    expect(Math.min(...xs)).toBe(-3);
    expect(Math.max(...xs)).toBe(6);
    expect(chiSquare(countsOf(xs, 10, -3), new Array(10).fill(0.1))).toBeLessThan(CHI2_001[9]);
  });
  it("stays uniform for a span near 2^53, where taking 53 bits modulo the span would make the low third twice as likely", () => {
    const n = 20_000;
    const span = 3 * 2 ** 51;
    const low = flat(randint(key(12), [n], 0, span)).filter((x) => x < 2 ** 51).length;
    expect(withinBinomial(low, n, 1 / 3)).toBe(true);
  });
  it("gives lo everywhere when hi = lo or hi = lo + 1", () => {
    expect(flat(randint(key(3), [4], 7, 7))).toEqual([7, 7, 7, 7]);
    expect(flat(randint(key(3), [3], -1, 0))).toEqual([-1, -1, -1]);
  });
  it("gives independent numbers for split keys: the joint counts of pairs fit the product (χ², 15 degrees of freedom)", () => {
    const n = 40_000;
    const [a, b] = split(key(4), 2);
    const [xs, ys] = [flat(randint(a, [n], 0, 4)), flat(randint(b, [n], 0, 4))];
    const cells = countsOf(xs.map((x, i) => 4 * x + ys[i]), 16);
    expect(chiSquare(cells, new Array(16).fill(1 / 16))).toBeLessThan(CHI2_001[15]);
  });
  it("rejects lo > hi, bounds that are not safe integers, a span above 2^53, bad shapes and non-keys", () => {
    expectThrows(() => randint(key(0), [2], 3, 2), RangeError, /^randint: needs lo <= hi/);
    expectThrows(() => randint(key(0), [2], 0.5, 2), RangeError, /^randint: lo/);
    expectThrows(() => randint(key(0), [2], 0, Infinity), RangeError, /^randint: hi/);
    expectThrows(() => randint(key(0), [2], -(2 ** 53) + 1, 2 ** 53 - 1), RangeError, /^randint: hi − lo/);
    expectThrows(() => randint(key(0), [-1], 0, 2), RangeError, /^randint: the shape must be an array of non-negative integers/);
    expectThrows(() => randint({} as Key, [1], 0, 2), TypeError, /^randint: expects a key/);
  });
});

describe("permutation", () => {
  it("is a shuffle of 0..n−1, the same for the same key", () => {
    for (const n of [0, 1, 2, 7, 100]) {
      const p = flat(permutation(key(n), n));
      expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i));
      expect(permutation(key(n), n).shape).toEqual([n]);
    }
    expect(flat(permutation(key(5), 20))).toEqual(flat(permutation(key(5), 20)));
    expect(flat(permutation(key(5), 20))).not.toEqual(flat(permutation(key(6), 20)));
  });
  it("makes each of the 24 orders of 4 equally likely (χ², 23 degrees of freedom, 24,000 keys)", () => {
    const orders = new Map<string, number>();
    for (const k of split(key(7), 24_000)) {
      const s = flat(permutation(k, 4)).join("");
      orders.set(s, (orders.get(s) ?? 0) + 1);
    }
    expect(orders.size).toBe(24);
    expect(chiSquare([...orders.values()], new Array(24).fill(1 / 24))).toBeLessThan(CHI2_001[23]);
  });
  it("puts every value at the first and the last position equally often (χ², 9 degrees of freedom)", () => {
    const draws = split(key(8), 20_000).map((k) => flat(permutation(k, 10)));
    expect(chiSquare(countsOf(draws.map((p) => p[0]), 10), new Array(10).fill(0.1))).toBeLessThan(CHI2_001[9]);
    expect(chiSquare(countsOf(draws.map((p) => p[9]), 10), new Array(10).fill(0.1))).toBeLessThan(CHI2_001[9]);
  });
  it("rejects a size that is not an integer in [0, 2^32)", () => {
    expectThrows(() => permutation(key(0), -1), RangeError, /^permutation: n/);
    expectThrows(() => permutation(key(0), 2.5), RangeError, /^permutation: n/);
    expectThrows(() => permutation(key(0), 2 ** 32), RangeError, /^permutation: n/);
  });
});

describe("bernoulli", () => {
  it("gives 0s and 1s of the given shape (a 0-d tensor by default), the same for the same key", () => {
    const t = bernoulli(key(1), 0.3, [4, 5]);
    expect(t.shape).toEqual([4, 5]);
    expect(flat(t).every((x) => x === 0 || x === 1)).toBe(true);
    expect(toArray(bernoulli(key(1), 0.3, [4, 5]))).toEqual(toArray(t));
    expect(bernoulli(key(1)).shape).toEqual([]);
  });
  it.each([0.1, 0.5, 0.93])("counts ones like Binomial(n, %f): within 4σ of n·p", (p) => {
    const n = 50_000;
    const ones = flat(bernoulli(key(20), p, [n])).filter((x) => x === 1).length;
    expect(withinBinomial(ones, n, p)).toBe(true);
  });
  it("is all 0 for p = 0 and all 1 for p = 1", () => {
    expect(flat(bernoulli(key(2), 0, [1000])).every((x) => x === 0)).toBe(true);
    expect(flat(bernoulli(key(2), 1, [1000])).every((x) => x === 1)).toBe(true);
  });
  it("makes neighbouring draws independent: disjoint pairs fit p², p(1 − p), (1 − p)p, (1 − p)² (χ², 3 degrees of freedom)", () => {
    const p = 0.3;
    const xs = flat(bernoulli(key(21), p, [60_000]));
    const pairs = Array.from({ length: xs.length / 2 }, (_, i) => 2 * xs[2 * i] + xs[2 * i + 1]);
    expect(chiSquare(countsOf(pairs, 4), [(1 - p) ** 2, (1 - p) * p, p * (1 - p), p * p])).toBeLessThan(CHI2_001[3]);
  });
  it("gives independent draws for split keys (χ² of the 2×2 table of two keys' draws)", () => {
    const p = 0.5;
    const [a, b] = split(key(22), 2);
    const [xs, ys] = [flat(bernoulli(a, p, [40_000])), flat(bernoulli(b, p, [40_000]))];
    expect(chiSquare(countsOf(xs.map((x, i) => 2 * x + ys[i]), 4), [0.25, 0.25, 0.25, 0.25])).toBeLessThan(CHI2_001[3]);
  });
  it("rejects p outside [0, 1]", () => {
    expectThrows(() => bernoulli(key(0), 1.5), RangeError, /^bernoulli: p/);
    expectThrows(() => bernoulli(key(0), Number.NaN), RangeError, /^bernoulli: p/);
    expectThrows(() => bernoulli(key(0), "0.5" as never), RangeError, /^bernoulli: p/);
  });
});

describe("categorical", () => {
  const softmax = (ls: readonly number[]): number[] => {
    const e = ls.map(Math.exp);
    const z = e.reduce((s, x) => s + x, 0);
    return e.map((x) => x / z);
  };
  it("draws classes with probabilities softmax(logits) (χ², 4 degrees of freedom), one per row", () => {
    const logits = [0, 1, 2, -1, 0.5];
    const n = 40_000;
    const rows = tensor(Array.from({ length: n }, () => logits));
    const draws = categorical(key(30), rows);
    expect(draws.shape).toEqual([n]);
    expect(chiSquare(countsOf(flat(draws), 5), softmax(logits))).toBeLessThan(CHI2_001[4]);
  });
  it("draws along any axis: axis 0 of a [3, n] tensor, and the middle axis of a [2, 3, 5] tensor", () => {
    const logits = [1, -0.5, 0.25];
    const n = 30_000;
    const columns = tensor(logits.map((l) => new Array<number>(n).fill(l)));
    const draws = categorical(key(31), columns, 0);
    expect(draws.shape).toEqual([n]);
    expect(chiSquare(countsOf(flat(draws), 3), softmax(logits))).toBeLessThan(CHI2_001[2]);
    expect(categorical(key(32), tensor(new Array(30).fill(0), [2, 3, 5]), 1).shape).toEqual([2, 5]);
    expect(categorical(key(32), tensor(new Array(30).fill(0), [2, 3, 5]), -2).shape).toEqual([2, 5]);
  });
  it("never draws a class of logit −Infinity, and is exact for a single class", () => {
    const xs = flat(categorical(key(33), tensor(Array.from({ length: 5000 }, () => [0, -Infinity, 0]))));
    expect(xs.includes(1)).toBe(false);
    expect(xs.includes(0) && xs.includes(2)).toBe(true);
    expect(flat(categorical(key(33), tensor([[5], [-3]])))).toEqual([0, 0]);
  });
  it("is stable for huge logits: 1000 and 1000 + ln 3 give probabilities 1/4 and 3/4", () => {
    const n = 20_000;
    const xs = flat(categorical(key(34), tensor(Array.from({ length: n }, () => [1000, 1000 + Math.log(3)]))));
    expect(withinBinomial(xs.filter((x) => x === 1).length, n, 3 / 4)).toBe(true);
  });
  it("gives a 0-d tensor for 1-D logits, the same for the same key, and accepts nested arrays", () => {
    const d = categorical(key(35), tensor([0.1, 0.2, 0.3]));
    expect(d.shape).toEqual([]);
    expect(toArray(categorical(key(35), [0.1, 0.2, 0.3]))).toEqual(toArray(d));
    const many = split(key(36), 50).map((k) => toArray(categorical(k, [0, 0, 0, 0])) as number);
    expect(new Set(many).size).toBe(4);
  });
  it("rejects logits without a finite maximum, a bad axis, 0-d logits and what is not a tensor", () => {
    expectThrows(() => categorical(key(0), tensor([0, Number.NaN])), RangeError, /^categorical: .*no finite maximum/);
    expectThrows(() => categorical(key(0), tensor([[0, 1], [-Infinity, -Infinity]])), RangeError, /position 1/);
    expectThrows(() => categorical(key(0), tensor([0, Infinity])), RangeError, /^categorical: /);
    expectThrows(() => categorical(key(0), tensor([0, 1]), 1), RangeError, /^categorical: axis 1/);
    expectThrows(() => categorical(key(0), tensor(3)), RangeError, /^categorical: .*0-d/);
    expectThrows(() => categorical(key(0), "x" as never), TypeError, /^categorical: the logits/);
  });
});
