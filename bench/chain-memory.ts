// Child process for W4's million-step run: `chain-memory.ts <nabla|hand|tfjs-cpu> <steps>` takes the
// grad of the chain and prints JSON lines: the baseline memory, progress during the forward pass (so a
// run that dies still says how far it got), and the result (time, peak resident memory per op).
import { add, cos, grad, mul, type Real, sin } from "../src/index.ts";
import { gradHandTape, x0 } from "./workloads/chain.ts";
import type { Tf, TfTensor } from "./workload.ts";

const system = process.argv[2] ?? "nabla";
const steps = Number(process.argv[3] ?? 1_000_000);
const every = 10_000;
const say = (o: object): void => void process.stdout.write(JSON.stringify(o) + "\n");
const progress = (i: number): void => {
  if (i % every === 0 && i > 0) say({ step: i, rss: process.memoryUsage().rss });
};

/** The same chain as chain.ts, with a progress line every `every` steps (a cheap modulo beside 5 ops). */
const nablaChain = (n: number) => (x: Real): Real => {
  for (let i = 0; i < n; i++) {
    x = add(mul(sin(x), 1.0001), mul(0.1, cos(x)));
    progress(i + 1);
  }
  return x;
};

async function gradient(): Promise<(n: number) => number> {
  if (system === "nabla") return (n) => grad(nablaChain(n))(x0);
  if (system === "hand") return (n) => gradHandTape(n, x0);
  if (system === "tfjs-cpu") {
    const { loadTfjs } = await import("./peers/tfjs.ts");
    const { tf } = await loadTfjs(["cpu"]);
    const chain = (t: Tf, n: number) => (x: TfTensor): TfTensor => {
      for (let i = 0; i < n; i++) {
        x = t.add(t.mul(t.sin(x), 1.0001), t.mul(0.1, t.cos(x)));
        progress(i + 1);
      }
      return x;
    };
    return (n) => {
      const g = tf.tidy(() => tf.grad(chain(tf, n))(tf.scalar(x0)));
      const v = g.dataSync()[0];
      g.dispose();
      return v;
    };
  }
  throw new Error(`unknown system ${system}`);
}

const g = await gradient();
g(1000); // warm the code paths
const baseline = process.memoryUsage().rss;
say({ baseline });
const t0 = performance.now();
let ok = true;
let message = "";
try {
  g(steps);
} catch (e) {
  ok = false;
  message = (e as Error).message;
}
const ms = performance.now() - t0;
const peak = process.resourceUsage().maxRSS * 1024;
say({ result: { steps, ops: 5 * steps, ok, message, ms, bytesPerOp: (peak - baseline) / (5 * steps) } });
