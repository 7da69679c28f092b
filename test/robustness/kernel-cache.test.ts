// Issue "Robustness" item 4 (SPEC §7 "Bounded"): the cache of fused kernels has a fixed budget (an
// LRU of MAX_LOOPS loops), and a slice's offset and length are parameters of its kernel, not part of
// its key, so slicing at every offset compiles one loop rather than one per offset.
import { describe, expect, it } from "vitest";
import { add, cos, exp, grad, mul, sin, slice, square, sum, tanh, type Tensor, tensor, toArray } from "../../src/index.ts";
import { kernelCount, MAX_LOOPS } from "../../src/internal.ts";

describe("fused kernels", () => {
  it("grads of slices at 1,000 distinct offsets and lengths compile a handful of loops, with the right gradients", () => {
    const before = kernelCount();
    for (let i = 0; i < 1000; i++) {
      const n = 600 + i;
      const begin = 1 + (i % 200);
      const p = tensor(Array.from({ length: n }, (_, j) => j / n));
      const g = toArray(grad((q: Tensor) => sum(square(slice(q, begin, n - 1))))(p)) as number[];
      // ∂/∂p_j Σ_{begin <= k < n−1} p_k² = 2p_j inside the slice, 0 outside
      if (i % 97 === 0) {
        expect(g[begin - 1]).toBe(0);
        expect(g[begin]).toBe((2 * begin) / n);
        expect(g[n - 2]).toBe((2 * (n - 2)) / n);
        expect(g[n - 1]).toBe(0);
      }
    }
    // before: one loop per distinct (offset, length), 1,000 here
    expect(kernelCount() - before).toBeLessThanOrEqual(4);
  });

  it("the cache never holds more than MAX_LOOPS loops, and a loop dropped from it is compiled again correctly", () => {
    const ops = [sin, cos, tanh, exp, (t: Tensor) => mul(t, 0.5)];
    const xs = Array.from({ length: 300 }, (_, i) => i / 300 - 0.5);
    const x = tensor(xs);
    const scalar = [Math.sin, Math.cos, Math.tanh, Math.exp, (v: number) => v * 0.5];
    /** The i-th of 5^5 distinct chains of five elementwise ops, each fused into one loop. */
    const chain = (i: number): [(t: Tensor) => Tensor, (v: number) => number] => {
      const digits = Array.from({ length: 5 }, (_, k) => Math.floor(i / 5 ** k) % 5);
      return [
        (t) => add(digits.reduce((acc, d) => ops[d](acc), t), 1),
        (v) => digits.reduce((acc, d) => scalar[d](acc), v) + 1,
      ];
    };
    for (let i = 0; i < MAX_LOOPS + 100; i++) {
      const [f] = chain(i);
      toArray(f(x));
      expect(kernelCount()).toBeLessThanOrEqual(MAX_LOOPS);
    }
    expect(kernelCount()).toBe(MAX_LOOPS);
    for (const i of [0, 1, 7, MAX_LOOPS + 99]) {
      const [f, ref] = chain(i);
      const got = toArray(f(x)) as number[];
      got.forEach((v, j) => expect(v).toBeCloseTo(ref(xs[j]), 12));
    }
  });
});
