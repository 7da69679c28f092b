// `npx tsx bench/matmul-gflops.ts`: float64 GFLOP/s of the matrix product at the bench's shapes
// (matmul.ts: squares in three layouts, W2's products) on the JS and the WebAssembly SIMD backends,
// alternated shape by shape in one process, the median of three rounds each: an A/B for kernel work.
import { js, type Kernels, kernels, useBackend } from "../src/internal.ts";
import { gflops, operands, shapes } from "./matmul.ts";

if (useBackend("wasm") !== "wasm") throw new Error("WebAssembly SIMD is not available here");
const wasm: Kernels = { ...kernels };
const median3 = (xs: number[]): number => xs.sort((x, y) => x - y)[1]!;

console.log("| product | js GFLOP/s | wasm GFLOP/s | wasm/js |\n| --- | ---: | ---: | ---: |");
for (const shape of shapes) {
  const [a, b] = operands(shape);
  const [n, k, m] = shape.nkm;
  const on = (backend: Kernels) => gflops(() => backend.matmul(a, b, n, k, m, shape.transA, shape.transB), shape.nkm);
  const j: number[] = [];
  const w: number[] = [];
  for (let round = 0; round < 3; round++) {
    j.push(on(js));
    w.push(on(wasm));
  }
  const [mj, mw] = [median3(j), median3(w)];
  console.log(`| ${shape.label} | ${mj.toFixed(2)} | ${mw.toFixed(2)} | ${(mw / mj).toFixed(2)} |`);
}
