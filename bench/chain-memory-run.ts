// Runs chain-memory.ts in a child process (own heap, own peak-memory figure), under a heap cap and a
// time cap, and reads back how it ended: survived, out of memory, or stopped at the time cap.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface ChainMemory {
  readonly ok: boolean;
  /** Why it did not survive ("out of memory", "stopped at the 90 s time cap", …); the caps are in `caps`. */
  readonly message: string;
  readonly ms: number;
  /** Peak resident memory above the baseline per op; for a failed run, at the last progress line. */
  readonly bytesPerOp: number;
  /** For a failed run: the last step it reported. */
  readonly stepsDone?: number;
}

/** Heap cap and time cap per system: nabla and the hand tape run free; TensorFlow.js gets a short attempt. */
export const caps = {
  nabla: { heapMb: undefined, timeoutMs: 180_000 },
  hand: { heapMb: undefined, timeoutMs: 60_000 },
  "tfjs-cpu": { heapMb: 1024, timeoutMs: 90_000 },
} as const;

export function chainMemory(system: keyof typeof caps, steps: number): Promise<ChainMemory> {
  const { heapMb, timeoutMs } = caps[system];
  const script = fileURLToPath(new URL("./chain-memory.ts", import.meta.url));
  const args = [...(heapMb ? [`--max-old-space-size=${heapMb}`] : []), "--import", "tsx", script, system, String(steps)];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    let timedOut = false;
    const t0 = performance.now();
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const lines = out.trim().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
      const result = lines.find((l) => "result" in l)?.result as ChainMemory | undefined;
      if (result) return resolve(result);
      const baseline = (lines.find((l) => "baseline" in l)?.baseline as number | undefined) ?? 0;
      const last = lines.filter((l) => "step" in l).pop() as { step: number; rss: number } | undefined;
      const oom = /heap out of memory|Allocation failed|Reached heap limit/i.test(err);
      const message = oom
        ? "out of memory"
        : timedOut
          ? `stopped at the ${timeoutMs / 1000} s time cap`
          : `died (exit ${code ?? signal}): ${err.trim().split("\n").pop() ?? ""}`;
      resolve({
        ok: false,
        message,
        ms: performance.now() - t0,
        bytesPerOp: last ? (last.rss - baseline) / (5 * last.step) : NaN,
        ...(last ? { stepsDone: last.step } : {}),
      });
    });
  });
}
