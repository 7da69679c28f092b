// `npm run bench`: every workload, nabla beside its peers in one run, as ratios.
import { benchCore, chainMemory, printRows } from "./core.ts";

printRows(benchCore());
const mem = chainMemory(1_000_000);
console.log(
  `W4 chain grad, 1,000,000 steps (5,000,000 ops) in a child process: ${mem.ok ? "survives" : `fails (${mem.message})`}, ` +
    `${(mem.ms / 1000).toFixed(2)} s, peak memory ${mem.bytesPerOp.toFixed(0)} bytes per op`,
);
