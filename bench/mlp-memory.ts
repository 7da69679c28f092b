// Child process for W2's memory row: `node --expose-gc … mlp-memory.ts <eager|jit> <steps>` trains nabla's
// W2 step (valueAndGrad, or the step under jit) and prints the heap used, the ArrayBuffers (tensor data)
// and resident memory after a
// full GC at step 100 and at the last step, as one JSON line.
import { mlpProblem, nabla, nablaJit } from "./workloads/mlp.ts";

const mode = process.argv[2] === "jit" ? "jit" : "eager";
const steps = Number(process.argv[3] ?? 1_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("mlp-memory.ts needs node --expose-gc");

const settle = (): { heap: number; rss: number; buffers: number } => {
  for (let i = 0; i < 3; i++) gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss, buffers: m.arrayBuffers };
};
const session = (mode === "jit" ? nablaJit : nabla)(mlpProblem());
const t0 = performance.now();
let early = settle();
let loss = 0;
for (let s = 1; s <= steps; s++) {
  loss = session.step();
  if (s === 100) early = settle();
}
const late = settle();
process.stdout.write(JSON.stringify({ mode, steps, early, late, loss, ms: performance.now() - t0 }) + "\n");
