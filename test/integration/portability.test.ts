// The library and the laws run unchanged in a browser: no Node-only module or global in src/ or laws/.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith(".ts") && !path.endsWith(".test.ts") ? [path] : [];
  });
}

const nodeOnly = [
  /from\s+["']node:/,
  /from\s+["'](fs|path|os|child_process|url|util|crypto|worker_threads|perf_hooks)["']/,
  /\brequire\s*\(/,
  /\bprocess\./,
  /\bBuffer\b/,
  /\b__dirname\b/,
  /\b__filename\b/,
];

describe.each(["src", "laws"])("%s/", (dir) => {
  const files = sources(join(root, dir));
  it.each(files.map((f) => [f.slice(root.length)]))("%s uses no Node-only API", (file) => {
    const text = readFileSync(join(root, file), "utf8");
    for (const pattern of nodeOnly) expect(text).not.toMatch(pattern);
  });
});
