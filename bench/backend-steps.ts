// `npx tsx bench/backend-steps.ts`: nabla's W2 (MLP) and W7 (CNN) steps on the JS backend and on
// WebAssembly SIMD, alternated step by step in one process (medians after warm-up); each backend
// trains its own copy from the same start, and their losses must agree to the bit at every step.
import { useBackend } from "../src/internal.ts";
import { cnnProblem, nabla as cnn } from "./workloads/cnn.ts";
import { mlpProblem, nabla as mlp } from "./workloads/mlp.ts";

const backends = ["js", "wasm"] as const;
for (const [name, start] of [["W2 MLP 784-128-10, batch 128", () => mlp(mlpProblem())], ["W7 CNN, 64 images 28×28", () => cnn(cnnProblem())]] as const) {
  const sessions = backends.map(() => start());
  const times: number[][] = backends.map(() => []);
  for (let round = 0; round < 23; round++) {
    const losses = backends.map((b, i) => {
      if (useBackend(b) !== b) throw new Error(`the ${b} backend is not available here`);
      const t0 = performance.now();
      const loss = sessions[i]!.step();
      if (round >= 3) times[i]!.push(performance.now() - t0);
      return loss;
    });
    if (!Object.is(losses[0], losses[1])) throw new Error(`${name}: step ${round} gives ${losses[0]} on js, ${losses[1]} on wasm`);
  }
  const median = (t: number[]): number => t.sort((a, b) => a - b)[t.length >> 1]!;
  const [j, w] = times.map(median) as [number, number];
  console.log(`${name}: js ${j.toFixed(2)} ms, wasm ${w.toFixed(2)} ms per step (median of 20), ×${(j / w).toFixed(2)}; losses identical`);
}
useBackend("wasm");
