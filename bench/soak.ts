// Soak test (issue "Robustness", not part of `npm test`): 100,000 gradients on varied shapes, then
// 10,000 training steps of a small MLP, printing the heap and the ArrayBuffers after a full collection
// at intervals. Memory must end flat: the heap and the ArrayBuffers at the end (and after the pool's
// idle release) within a small bound of where they were after warm-up. Exits 1 if not.
//
//   npm run soak                      (NABLA_SOAK_GRADS, NABLA_SOAK_STEPS to scale it)
import v8 from "node:v8";
import vm from "node:vm";
import {
  adam, grad, key, mul, normal, type Real, serial, dense, softmax, softmaxCrossEntropy, sum, tanh, tanhLayer, type Tensor,
  train, uniform,
} from "../src/index.ts";
import { IDLE_MS, kernelCount, pooledBytes } from "../src/internal.ts";

v8.setFlagsFromString("--expose_gc");
const gc = vm.runInNewContext("gc") as () => void;
const GRADS = Number(process.env.NABLA_SOAK_GRADS ?? 100_000);
const STEPS = Number(process.env.NABLA_SOAK_STEPS ?? 10_000);
const MB = 1024 * 1024;

interface Sample {
  readonly heap: number;
  readonly arrayBuffers: number;
}
function sample(): Sample {
  gc();
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, arrayBuffers: m.arrayBuffers };
}
const fmt = (b: number): string => `${(b / MB).toFixed(1).padStart(6)} MB`;
const started = performance.now();
function report(label: string, s: Sample): void {
  const t = ((performance.now() - started) / 1000).toFixed(0).padStart(4);
  console.log(`${t} s  ${label.padEnd(30)} heap ${fmt(s.heap)}  arrayBuffers ${fmt(s.arrayBuffers)}  pool ${fmt(pooledBytes())}  kernels ${kernelCount()}`);
}

// Phase 1: grads of a loss that allocates (softmax rows, products, their pullbacks) on shapes that
// never repeat in sequence: [rows, cols] with rows 1…8 and cols 300…5,299.
const loss = (q: Tensor): Real => sum(mul(softmax(q, 1), tanh(mul(q, 3))));
const shapeAt = (i: number): [number, number] => [1 + (i % 8), 300 + ((i * 7919) % 5000)];
const warm = sample();
report("start", warm);
for (let i = 0; i < 200; i++) grad(loss)(uniform(key(i), shapeAt(i), -1, 1));
const base = sample();
report("after warm-up (200 grads)", base);
const samples: Sample[] = [];
for (let i = 0; i < GRADS; i++) {
  grad(loss)(uniform(key(i), shapeAt(i), -1, 1));
  if ((i + 1) % (GRADS / 10) === 0) {
    const s = sample();
    samples.push(s);
    report(`${(i + 1).toLocaleString("en")} grads`, s);
  }
}

// Phase 2: a 64-32-10 tanh MLP, softmax cross-entropy on a fixed batch of 32, Adam, via train.
const mlp = serial(dense(32), tanhLayer, dense(10));
const [params0] = mlp.init(key(1), [32, 64]);
const x = normal(key(2), [32, 64]);
const labels = Array.from({ length: 32 }, (_, i) => (i * 7) % 10);
const mlpLoss = (p: typeof params0): Real => softmaxCrossEntropy(mlp.apply(p, x), labels);
const every = STEPS / 10;
let history: readonly number[] = [];
const result = train({
  loss: mlpLoss,
  params: params0,
  optimizer: adam(1e-3),
  steps: STEPS,
  onStep: ({ step }) => {
    if (step % every === 0) {
      const s = sample();
      samples.push(s);
      report(`${step.toLocaleString("en")} training steps`, s);
    }
  },
});
history = result.history;
console.log(`training loss ${history[0].toFixed(4)} → ${history[history.length - 1].toFixed(4)} over ${result.steps} steps`);
const end = sample();
report("end", end);
await new Promise((resolve) => setTimeout(resolve, IDLE_MS + 500));
const idle = sample();
report(`after ${IDLE_MS + 500} ms idle`, idle);

// Flat: the heap within 8 MB of the warm-up point (the MLP's own params and the history are small),
// the ArrayBuffers at no time above the warm-up point plus the pool's 32 MB budget and a few live
// tensors, and back within 4 MB once idle.
const worstBuffers = Math.max(...samples.map((s) => s.arrayBuffers));
const checks: [string, boolean][] = [
  [`heap at the end within 8 MB of the warm-up point (${fmt(end.heap - base.heap)})`, end.heap - base.heap < 8 * MB],
  [`ArrayBuffers never above warm-up + 40 MB (worst ${fmt(worstBuffers - base.arrayBuffers)})`, worstBuffers - base.arrayBuffers < 40 * MB],
  [`ArrayBuffers after idle within 4 MB of the start (${fmt(idle.arrayBuffers - warm.arrayBuffers)})`, idle.arrayBuffers - warm.arrayBuffers < 4 * MB],
  [`training made progress (${history[0].toFixed(3)} → ${history[history.length - 1].toFixed(3)})`, history[history.length - 1] < history[0]],
];
for (const [what, ok] of checks) console.log(`${ok ? "✓" : "✗"} ${what}`);
process.exitCode = checks.every(([, ok]) => ok) ? 0 : 1;
