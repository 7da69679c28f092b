// The report's matmul section: GFLOP/s per shape (rows) for each of nabla's kernel backends and for
// jax-js float32 and float64 (columns), and issue 15's target on it, read on nabla's wasm backend (js where wasm cannot run).
import { shapes } from "./matmul.ts";
import type { Section, Verdict } from "./report.ts";

/** GFLOP/s by system (a backend's name, "jax-f32", "jax-f64") and shape label; NaN: the product disagreed or threw. */
export type MatmulFigures = Record<string, Record<string, number>>;

const names: Readonly<Record<string, string>> = { js: "nabla js", wasm: "nabla wasm", "jax-f32": "jax-js f32 jit", "jax-f64": "jax-js f64 jit" };
export const matmulTarget = 15;

export function matmulSection(figures: MatmulFigures, verdicts: Verdict[]): Section {
  // nabla's backends first (in the order they were measured), then jax-js
  const systems = [...Object.keys(figures).filter((s) => !s.startsWith("jax-")), ...["jax-f32", "jax-f64"].filter((s) => s in figures)];
  const cell = (v: number | undefined): string => (v === undefined ? "—" : Number.isNaN(v) ? "✗" : v.toFixed(1));
  const header = ["product (op(A) n×k · op(B) k×m)", ...systems.map((s) => names[s] ?? `nabla ${s}`)];
  const body = shapes.map((shape) => [shape.label, ...systems.map((s) => cell(figures[s]?.[shape.label]))]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  const table = [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...body.map(line)];
  const main = "wasm" in figures ? "wasm" : "js";
  const worstOf = (list: readonly (number | undefined)[]): number | undefined =>
    list.some((v) => v === undefined) ? undefined : Math.min(...(list as number[]));
  const w2 = shapes.filter((s) => s.w2);
  // the two products with 784 in them carry 98% of W2's multiply-adds; the others have a side of 10
  const large = worstOf(w2.filter((s) => s.label.includes("784")).map((s) => figures[main]?.[s.label]));
  const every = worstOf(w2.map((s) => figures[main]?.[s.label]));
  for (const [what, worst] of [["W2's two large products (98% of its multiply-adds)", large], ["every one of W2's products", every]] as const) {
    verdicts.push({
      text: `issue 15: matmul ≥ ${matmulTarget} GFLOP/s float64 at ${what}, on ${names[main]}${worst === undefined ? "" : `: worst ${worst.toFixed(1)}`}`,
      holds: worst === undefined ? undefined : worst >= matmulTarget,
    });
  }
  return {
    title: "Matrix products: GFLOP/s (float64 for nabla)",
    lines: [
      ...table,
      "",
      "2·n·k·m floating-point operations per product over the median time of one product (7 samples of repeated products, ≥ 15 ms each), each product checked first against plain float64 loops (✗: it disagreed). nabla's kernels run on Float64Arrays in a child process; jax-js's under jit in its own, its result read back (included in its time).",
    ],
  };
}
