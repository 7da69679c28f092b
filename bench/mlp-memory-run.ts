// W2's memory rows: 1,000 nabla steps (eager, and jitted) each in a child process (mlp-memory.ts), heap
// used, ArrayBuffers and resident memory after GC at step 100 against the last step. The target reads the
// growth of heap and ArrayBuffers together (RSS also moves with the allocator's arenas).
import { runChild } from "./child.ts";
import type { ExtraRow, Medians } from "./workload.ts";

export const memorySteps = 1_000;
const mb = (bytes: number): string => `${bytes >= 0 ? "+" : "−"}${(Math.abs(bytes) / 2 ** 20).toFixed(2)} MB`;

interface Usage {
  readonly heap: number;
  readonly rss: number;
  /** ArrayBuffers outside the JS heap: tensor data lives there. */
  readonly buffers: number;
}

interface MemoryLine {
  readonly early: Usage;
  readonly late: Usage;
}

export async function mlpMemoryRows(log: (line: string) => void): Promise<readonly ExtraRow[]> {
  const rows: ExtraRow[] = [];
  for (const mode of ["eager", "jit"] as const) {
    const key = mode === "jit" ? "memoryJit" : "memoryEager";
    const label = `memory, steps 100 → ${memorySteps.toLocaleString("en-US")} (${mode === "jit" ? "jit(step)" : "step"}, child process)`;
    log(`  ${label}…`);
    const out = await runChild("mlp-memory.ts", [mode, String(memorySteps)], { timeoutMs: 180_000, nodeArgs: ["--expose-gc"] });
    const line = out.lines.find((l) => "late" in l) as MemoryLine | undefined;
    if (!line) {
      rows.push({ label, key, cells: { nabla: `✗ ${out.error ?? "no result"}` }, values: {} });
      continue;
    }
    const heap = line.late.heap - line.early.heap;
    const buffers = line.late.buffers - line.early.buffers;
    const rss = line.late.rss - line.early.rss;
    rows.push({ label, key, cells: { nabla: `heap ${mb(heap)}, ArrayBuffers ${mb(buffers)}, RSS ${mb(rss)}` }, values: { nabla: heap + buffers } });
  }
  return rows;
}

/** The memory target: heap + ArrayBuffer growth below 1 MB in both runs (undefined when a run gave no figure). */
export function flat(m: Medians): boolean | undefined {
  const eager = m.memoryEager?.nabla;
  const jit = m.memoryJit?.nabla;
  return eager === undefined || jit === undefined ? undefined : eager < 2 ** 20 && jit < 2 ** 20;
}
