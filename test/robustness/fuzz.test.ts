// The fuzz suite (issue "Robustness", "what nobody listed"): every public export called with hostile
// arguments — wrong types, holes, cycles, getters that throw or change, huge and negative sizes,
// NaN/±Infinity/−0/subnormals, proxies, frozen and sealed objects, __proto__/constructor keys — and
// what those calls return called in turn. Each call returns or throws an Error naming the function,
// within CALL_BOUND_MS, changing none of its arguments and no prototype (test/robustness/fuzz/).
// It runs in a child process under a watchdog, so a hang or an abort fails here with the call that
// caused it. `npm test` runs a modest count with a fixed seed; `npm run fuzz` a deep one.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const runs = process.env.NABLA_FUZZ_RUNS ?? "40";
/** A fixed seed in `npm test` (the same inputs every run); `npm run fuzz` draws one ("random") and prints it. */
const seed = process.env.NABLA_FUZZ_SEED === "random" ? String(Date.now() % 2 ** 31) : (process.env.NABLA_FUZZ_SEED ?? "20261208");
/** The watchdog: far above what the runs take, far below "forever". */
const watchdogMs = Number(process.env.NABLA_FUZZ_WATCHDOG_MS ?? 120_000);

describe("fuzz: every public export under hostile arguments", () => {
  it(`returns or throws an Error naming the function, in bounded time, without aborting or mutating (${runs} runs per export, seed ${seed})`, () => {
    const dir = mkdtempSync(join(tmpdir(), "nabla-fuzz-"));
    const progress = join(dir, "progress");
    try {
      const child = spawnSync(process.execPath, ["--import", "tsx", "test/robustness/fuzz/run.ts"], {
        cwd: root,
        encoding: "utf8",
        timeout: watchdogMs,
        env: { ...process.env, NABLA_FUZZ_RUNS: runs, NABLA_FUZZ_SEED: seed, NABLA_FUZZ_PROGRESS: progress },
        maxBuffer: 64 * 1024 * 1024,
      });
      const last = (() => {
        try {
          return readFileSync(progress, "utf8").trim();
        } catch {
          return "(none)";
        }
      })();
      const hung = child.error !== undefined || child.signal !== null;
      expect(hung, `the fuzz process ${child.signal ?? String(child.error)} (watchdog ${watchdogMs} ms); the call under way: ${last}\n${child.stderr}`).toBe(false);
      // 0: no failure, 1: failures (reported below); anything else is a crash of the process itself
      expect([0, 1], `the fuzz process exited ${child.status} (an abort?); the call under way: ${last}\n${child.stderr.slice(-4000)}`).toContain(child.status);
      const summary = JSON.parse(child.stdout) as { targets: number; calls: number; failures: { label: string; error: string; counterexample: string }[] };
      const report = summary.failures.map((f) => `${f.label}: ${f.error}\n  with ${f.counterexample}`).join("\n");
      expect(summary.failures, report).toEqual([]);
      // every export was exercised (functions, the constructor, methods of exported objects)
      expect(summary.targets).toBeGreaterThan(100);
      expect(summary.calls).toBeGreaterThan(summary.targets * Number(runs));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, watchdogMs + 30_000);
});
