// Run in a child process by the bench: grad of the chain with N steps (5 ops each); prints a JSON
// line with the time and the peak resident memory above the baseline, per op.
import { chain } from "./workloads/chain.ts";
import { grad } from "../src/index.ts";

const steps = Number(process.argv[2] ?? 1_000_000);
grad(chain(1000))(0.5); // warm the code paths
const before = process.memoryUsage().rss;
const t0 = performance.now();
let ok = true;
let message = "";
try {
  grad(chain(steps))(0.5);
} catch (e) {
  ok = false;
  message = (e as Error).message;
}
const ms = performance.now() - t0;
const peak = process.resourceUsage().maxRSS * 1024;
console.log(JSON.stringify({ steps, ops: 5 * steps, ok, message, ms, bytesPerOp: (peak - before) / (5 * steps) }));
