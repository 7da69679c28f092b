// Issue "Robustness" item 4 (SPEC §7 "Bounded"): the cache of fused kernels has a fixed budget (an
// LRU of MAX_LOOPS loops), and a slice's offset and length become parameters of its kernel once a
// structure has had BAKED_VARIANTS loops with them fixed in the code, so slicing at every offset
// compiles a handful of loops rather than one per offset.
import { describe, expect, it } from "vitest";
import { add, cos, exp, grad, mul, sin, slice, square, sum, tanh, type Tensor, tensor, toArray } from "../../src/index.ts";
import { BAKED_VARIANTS, kernelCount, MAX_LOOPS, setCompilation } from "../../src/internal.ts";

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
    // before: one loop per distinct (offset, length), 1,000 here; now, for the forward and the pullback
    // structure, BAKED_VARIANTS loops with the bounds in the code and one that takes them as parameters
    expect(kernelCount() - before).toBeLessThanOrEqual(2 * (BAKED_VARIANTS + 1));
  });

  it("a loop that takes its bounds as parameters computes what the interpreter computes (nested slices, sums of shifts)", () => {
    const f = (begin: number) => (x: Tensor): Tensor => {
      const inner = slice(x, begin, begin + 400); // a slice of a slice: its pullback is a shift of a shift
      return add(mul(slice(inner, 1, 399), 3), square(slice(inner, 0, 398)));
    };
    const x = tensor(Array.from({ length: 900 }, (_, i) => Math.sin(i)));
    for (let begin = 0; begin < 3 * BAKED_VARIANTS + 5; begin += 1) {
      const loss = (t: Tensor) => sum(square(f(begin)(t)));
      const compiled = toArray(grad(loss)(x));
      setCompilation(false);
      try {
        expect(toArray(grad(loss)(x))).toEqual(compiled);
      } finally {
        setCompilation(true);
      }
    }
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
