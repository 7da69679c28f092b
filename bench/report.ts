// The bench's report: the table (each figure, and nabla/peer for every peer), the agreement checks,
// the targets, and the machine and versions, printed and written to bench/RESULTS.md.
import { cpus, totalmem, platform, release, arch } from "node:os";
import { readFileSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { ms, ratio } from "./harness.ts";
import type { SystemId } from "./workload.ts";

export interface Cell {
  /** The median in ms, when the cell is a timing (ratios are computed from it). */
  readonly ms?: number;
  readonly text: string;
}

export interface Row {
  readonly workload: string;
  readonly label: string;
  readonly cells: Partial<Record<SystemId, Cell>>;
}

export interface Verdict {
  readonly text: string;
  readonly holds: boolean | undefined;
}

/** A section after the main table (e.g. the matmul GFLOP/s lines): its own title and lines. */
export interface Section {
  readonly title: string;
  readonly lines: readonly string[];
}

export interface Report {
  readonly date: string;
  readonly machine: readonly string[];
  readonly versions: readonly string[];
  readonly rows: readonly Row[];
  readonly sections: readonly Section[];
  readonly checks: readonly string[];
  readonly targets: readonly Verdict[];
  readonly runs: readonly string[];
  readonly notes: readonly string[];
}

const allPeers: readonly { readonly id: SystemId; readonly name: string }[] = [
  { id: "hand", name: "hand-written" },
  { id: "tfjs-cpu", name: "TF.js CPU" },
  { id: "tfjs-wasm", name: "TF.js wasm" },
  { id: "jax-f32", name: "jax-js f32" },
  { id: "jax-f64", name: "jax-js f64" },
];

/** Every figure, then nabla/peer wherever both are timings. "—" where a system has no figure; a peer with no figure in any row has no columns. */
export function table(rows: readonly Row[]): string {
  const peers = allPeers.filter((p) => rows.some((r) => r.cells[p.id] !== undefined));
  const header = ["", "measure", "nabla", ...peers.map((p) => p.name), ...peers.map((p) => `nabla/${p.name}`)];
  const body = rows.map((r) => {
    const nabla = r.cells.nabla;
    return [
      r.workload,
      r.label,
      nabla?.text ?? "—",
      ...peers.map((p) => r.cells[p.id]?.text ?? "—"),
      ...peers.map((p) => {
        const peer = r.cells[p.id];
        return nabla?.ms !== undefined && peer?.ms !== undefined ? ratio(nabla.ms, peer.ms) : "—";
      }),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...body.map(line)].join("\n");
}

export const timingCell = (t: number, note?: string): Cell => ({ ms: t, text: note ? `${ms(t)} (${note})` : ms(t) });

const mark = (holds: boolean | undefined): string => (holds === undefined ? "— (no figure yet)" : holds ? "✓ met" : "✗ not met");

export function render(r: Report): string {
  return [
    "# nabla benchmarks",
    "",
    `Run ${r.date} by \`npm run bench\`. Figures are medians in one run on a shared machine: compare the`,
    "ratios within this run, not absolute times across runs (see bench/README.md).",
    "",
    "## Machine",
    "",
    ...r.machine.map((m) => `- ${m}`),
    "",
    "## Versions",
    "",
    ...r.versions.map((v) => `- ${v}`),
    "",
    "## Results",
    "",
    table(r.rows),
    "",
    "“—”: that system does not run that measure. jax-js's columns hold its eager figure in eager rows and its jit figure in jit rows (the row says which).",
    "A ratio below 1 means nabla is faster; “(1/k)” says nabla took 1/k of the peer's time.",
    "",
    ...r.sections.flatMap((s) => [`## ${s.title}`, "", ...s.lines, ""]),
    "## Targets (issues 6 and 15)",
    "",
    ...r.targets.map((t) => `- ${mark(t.holds)}: ${t.text}`),
    "",
    "## Agreement checks (before any timing)",
    "",
    ...r.checks.map((c) => `- ${c}`),
    "",
    "## Runs",
    "",
    ...r.runs.map((c) => `- ${c}`),
    "",
    "## Notes",
    "",
    ...r.notes.map((n) => `- ${n}`),
    "",
  ].join("\n");
}

export function machine(): readonly string[] {
  const cs = cpus();
  return [
    `CPU: ${cs[0]?.model.trim() ?? "unknown"}, ${cs.length} logical cores`,
    `memory: ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `OS: ${platform()} ${release()} ${arch()}`,
    `Node ${process.version} (V8 ${process.versions.v8})`,
  ];
}

/** nabla's version from package.json, with the git commit when there is one (read only). */
export function nablaVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  let commit = "";
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim() !== "";
    commit = ` (commit ${head}${dirty ? ", with uncommitted changes" : ""})`;
  } catch {
    // not a git checkout: the version alone
  }
  return `nabla ${pkg.version}${commit}`;
}

export function write(r: Report): string {
  const path = new URL("./RESULTS.md", import.meta.url);
  writeFileSync(path, render(r));
  return path.pathname;
}
