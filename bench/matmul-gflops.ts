// `npx tsx bench/matmul-gflops.ts`: float64 GFLOP/s of the matrix product per layout (A·B, A·Bᵀ, Aᵀ·B)
// at square sizes and at W2's shapes, for the JS and the WebAssembly SIMD backends, alternated case by
// case in one process (medians of timed batches). matmulRows measures one backend for another bench.
import { js, type Kernels } from "../src/internal.ts";
import { useBackend, kernels } from "../src/backend/index.ts";

export interface MatmulCase {
  readonly layout: "A·B" | "A·Bᵀ" | "Aᵀ·B";
  readonly shape: string;
  readonly n: number;
  readonly k: number;
  readonly m: number;
}
export interface MatmulRow {
  readonly backend: string;
  readonly layout: string;
  readonly shape: string;
  readonly gflops: number;
}

const square = (layout: MatmulCase["layout"], s: number): MatmulCase => ({ layout, shape: `${s}×${s}·${s}×${s}`, n: s, k: s, m: s });
/** Square sizes in each layout, then the products of W2 (the MLP 784-128-10, batch 128) and its pullbacks. */
export const cases: readonly MatmulCase[] = [
  ...[64, 128, 256, 512].flatMap((s) => (["A·B", "A·Bᵀ", "Aᵀ·B"] as const).map((l) => square(l, s))),
  { layout: "A·B", shape: "W2 x[128×784]·W1[784×128]", n: 128, k: 784, m: 128 },
  { layout: "Aᵀ·B", shape: "W2 x[128×784]ᵀ·d[128×128]", n: 784, k: 128, m: 128 },
  { layout: "A·Bᵀ", shape: "W2 d[128×10]·W2[128×10]ᵀ", n: 128, k: 10, m: 128 },
  { layout: "A·B", shape: "W2 h[128×128]·W2[128×10]", n: 128, k: 128, m: 10 },
];

const filled = (n: number, seed: number): Float64Array => Float64Array.from({ length: n }, (_, i) => Math.sin(seed + 0.37 * i));

/** GFLOP/s of one case on `k`: the median of 7 batches, each at least ~20 ms. */
export function gflops(k: Kernels, c: MatmulCase): number {
  const tA = c.layout === "Aᵀ·B";
  const tB = c.layout === "A·Bᵀ";
  const a = filled(c.n * c.k, 1);
  const b = filled(c.k * c.m, 2);
  const flops = 2 * c.n * c.k * c.m;
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) k.matmul(a, b, c.n, c.k, c.m, tA, tB);
    if (performance.now() - t0 > 20) break;
    reps *= 2;
  }
  const rates: number[] = [];
  for (let s = 0; s < 7; s++) {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) k.matmul(a, b, c.n, c.k, c.m, tA, tB);
    rates.push((flops * reps) / ((performance.now() - t0) * 1e6));
  }
  return rates.sort((x, y) => x - y)[3]!;
}

/** Every case on one backend's kernels. */
export const matmulRows = (k: Kernels, backend: string): MatmulRow[] =>
  cases.map((c) => ({ backend, layout: c.layout, shape: c.shape, gflops: gflops(k, c) }));

if (import.meta.url === `file://${process.argv[1]}`) {
  if (useBackend("wasm") !== "wasm") throw new Error("WebAssembly SIMD is not available here");
  const wasm: Kernels = { ...kernels };
  console.log("| layout | shape | js GFLOP/s | wasm GFLOP/s | wasm/js |\n| --- | --- | ---: | ---: | ---: |");
  for (const c of cases) {
    const j: number[] = [];
    const w: number[] = [];
    for (let round = 0; round < 3; round++) { j.push(gflops(js, c)); w.push(gflops(wasm, c)); }
    const mj = j.sort((x, y) => x - y)[1]!;
    const mw = w.sort((x, y) => x - y)[1]!;
    console.log(`| ${c.layout} | ${c.shape} | ${mj.toFixed(2)} | ${mw.toFixed(2)} | ${(mw / mj).toFixed(2)} |`);
  }
}
