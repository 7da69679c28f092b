// Runs an example program as a user would (`tsx examples/NAME.ts`) and returns what it printed.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

export function runExample(name: string, args: readonly string[] = []): string {
  return execFileSync(process.execPath, ["--import", "tsx", `examples/${name}.ts`, ...args], {
    cwd: root,
    encoding: "utf8",
    timeout: 120_000,
  });
}

/** The numbers on the first line of `out` that contains `label`. */
export function numbersAfter(out: string, label: string): number[] {
  const line = out.split("\n").find((l) => l.includes(label));
  if (line === undefined) throw new Error(`no line contains ${JSON.stringify(label)} in:\n${out}`);
  const rest = line.slice(line.indexOf(label) + label.length);
  return [...rest.matchAll(/-?\d+(?:\.\d+)?(?:e[-+]?\d+)?/g)].map((m) => Number(m[0]));
}
