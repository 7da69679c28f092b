// Runs a bench script in a child process of its own (its own heap, no other library loaded beside it)
// and collects the JSON lines it prints on stdout; its stderr is passed through as progress.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface ChildOutput {
  readonly lines: readonly Record<string, unknown>[];
  /** Set when the child failed: its exit status or the time cap, and its last stderr line. */
  readonly error?: string;
}

/** `node [nodeArgs] --import tsx bench/<script> [args]`, killed after `timeoutMs`. */
export function runChild(script: string, args: readonly string[], options: { readonly timeoutMs: number; readonly nodeArgs?: readonly string[]; readonly log?: (line: string) => void }): Promise<ChildOutput> {
  const path = fileURLToPath(new URL(`./${script}`, import.meta.url));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), "--import", "tsx", path, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, options.timeoutMs);
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
      for (const line of d.toString().split("\n")) if (line.trim()) options.log?.(`  ${line}`);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const lines = out.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
      const last = err.trim().split("\n").pop() ?? "";
      const failed = timedOut ? `stopped at the ${options.timeoutMs / 1000} s time cap` : code !== 0 ? `exit ${code ?? signal}: ${last}` : undefined;
      resolve(failed === undefined ? { lines } : { lines, error: failed });
    });
  });
}
