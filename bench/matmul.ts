// Matrix-product throughput: the shapes (squares in three layouts, and the products of W2's step), a
// GFLOP/s timer, and the figures of each of nabla's kernel backends. Run in a child process
// (matmul-run.ts) like every peer; jax-js's figures at the same shapes come from its own child.
import { uniformDyadics } from "./rng.ts";
import type { Kernels } from "../src/internal.ts";

export interface MatmulShape {
  /** The row's label, e.g. "256² A·Bᵀ" or W2's "x·W₁ [128×784]·[784×128]". */
  readonly label: string;
  /** op(A) is n×k, op(B) k×m. */
  readonly nkm: readonly [number, number, number];
  readonly transA: boolean;
  readonly transB: boolean;
  /** One of W2's products (the matmul target reads these). */
  readonly w2: boolean;
}

const layouts = [
  ["A·B", false, false],
  ["A·Bᵀ", false, true],
  ["Aᵀ·B", true, false],
] as const;

export const shapes: readonly MatmulShape[] = [
  ...[64, 128, 256, 512].flatMap((s) =>
    layouts.map(([name, transA, transB]): MatmulShape => ({ label: `${s}² ${name}`, nkm: [s, s, s], transA, transB, w2: false })),
  ),
  { label: "W2 x·W₁: [128×784]·[784×128]", nkm: [128, 784, 128], transA: false, transB: false, w2: true },
  { label: "W2 xᵀ·d₁: [128×784]ᵀ·[128×128]", nkm: [784, 128, 128], transA: true, transB: false, w2: true },
  { label: "W2 h·W₂: [128×128]·[128×10]", nkm: [128, 128, 10], transA: false, transB: false, w2: true },
  { label: "W2 hᵀ·d₂: [128×128]ᵀ·[128×10]", nkm: [128, 128, 10], transA: true, transB: false, w2: true },
  { label: "W2 d₂·W₂ᵀ: [128×10]·[128×10]ᵀ", nkm: [128, 10, 128], transA: false, transB: true, w2: true },
];

/** The operands of a shape, seeded (dyadics exact in float32), stored as the layout says. */
export function operands(shape: MatmulShape): readonly [Float64Array, Float64Array] {
  const [n, k, m] = shape.nkm;
  return [Float64Array.from(uniformDyadics(91, n * k, -1, 1, 12)), Float64Array.from(uniformDyadics(92, k * m, -1, 1, 12))];
}

const flops = ([n, k, m]: readonly [number, number, number]): number => 2 * n * k * m;

/**
 * GFLOP/s of `run` (one product): warm-up, then 7 samples of enough repetitions to last ≥ 15 ms each
 * (at most `budgetMs` in all), and the median sample.
 */
export function gflops(run: () => unknown, nkm: readonly [number, number, number], budgetMs = 400): number {
  for (let i = 0; i < 3; i++) run();
  const t0 = performance.now();
  run();
  const once = Math.max(performance.now() - t0, 1e-3);
  const reps = Math.max(1, Math.ceil(15 / once));
  const samples: number[] = [];
  const start = performance.now();
  for (let s = 0; s < 7 && (s < 3 || performance.now() - start < budgetMs); s++) {
    const t = performance.now();
    for (let r = 0; r < reps; r++) run();
    samples.push((performance.now() - t) / reps);
  }
  samples.sort((a, b) => a - b);
  return flops(nkm) / (samples[samples.length >> 1]! * 1e6);
}

/** ‖a − b‖∞ / ‖b‖∞: how far a product is from the reference. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return a.length === b.length ? diff / (scale || 1) : Infinity;
}

/** GFLOP/s per shape label, for one backend; a product that disagrees with the reference reads NaN. */
export function kernelGflops(kernels: Kernels, reference: (shape: MatmulShape) => Float64Array): Record<string, number> {
  const out: Record<string, number> = {};
  for (const shape of shapes) {
    const [a, b] = operands(shape);
    const [n, k, m] = shape.nkm;
    const run = () => kernels.matmul(a, b, n, k, m, shape.transA, shape.transB);
    out[shape.label] = relativeError(run(), reference(shape)) <= 1e-12 ? gflops(run, shape.nkm) : Number.NaN;
  }
  return out;
}

/** The reference product, plain loops in float64 (i-k-j, so the inner loop runs along rows of C). */
export function naiveProduct(shape: MatmulShape): Float64Array {
  const [a, b] = operands(shape);
  const [n, k, m] = shape.nkm;
  const c = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < k; p++) {
      const aip = shape.transA ? a[p * n + i]! : a[i * k + p]!;
      for (let j = 0; j < m; j++) c[i * m + j] += aip * (shape.transB ? b[j * k + p]! : b[p * m + j]!);
    }
  }
  return c;
}
