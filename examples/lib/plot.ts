// Small output helpers for the examples: a terminal sparkline, an SVG line chart, and a file written
// under examples/out/ (git-ignored). Plain Node, no dependencies; not part of the library.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const examplesDir = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Writes `examples/out/<name>` and returns its path relative to the working directory. */
export function writeOutput(name: string, content: string): string {
  const path = join(examplesDir, "out", name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return relative(process.cwd(), path);
}

/** At most `m` indices of a list of `n`, evenly spread, first and last included. */
const indices = (n: number, m: number): number[] =>
  n <= m ? Array.from({ length: n }, (_, i) => i) : Array.from({ length: m }, (_, i) => Math.round((i * (n - 1)) / (m - 1)));

/** At most `n` values picked evenly from `values`. */
const resample = (values: readonly number[], n: number): number[] => indices(values.length, n).map((i) => values[i]);

/** A one-line chart of `values` in block characters (log scale for a loss that spans decades). */
export function sparkline(values: readonly number[], width = 60, log = true): string {
  const ticks = "▁▂▃▄▅▆▇█";
  const ys = resample(values, width).map((v) => (log ? Math.log10(v) : v));
  const lo = Math.min(...ys);
  const hi = Math.max(...ys);
  return ys.map((y) => ticks[hi === lo ? 0 : Math.round(((y - lo) / (hi - lo)) * (ticks.length - 1))]).join("");
}

export interface Series {
  readonly name: string;
  /** y at x = 0, 1, 2, … (or at `xs`). */
  readonly values: readonly number[];
  readonly xs?: readonly number[];
  readonly color: string;
}

const escape = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
const fmt = (v: number): string => (v === 0 ? "0" : Number.isInteger(v) && Math.abs(v) < 1e9 ? v.toLocaleString("en-US") : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? String(Number(v.toPrecision(3))) : v.toExponential(1));

/** An SVG line chart of one or more series against the step, the y axis linear or logarithmic. */
export function lineChart(title: string, series: readonly Series[], options: { readonly logY?: boolean; readonly xLabel?: string; readonly yLabel?: string } = {}): string {
  const [W, H, left, right, top, bottom] = [720, 420, 80, 30, 40, 50];
  const ty = (v: number): number => (options.logY === true ? Math.log10(v) : v);
  const points = series.map((s) => indices(s.values.length, 600).map((i) => [s.xs?.[i] ?? i, ty(s.values[i])] as const));
  const all = points.flat();
  const [x0, x1] = [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0]))];
  const [y0, y1] = [Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[1]))];
  const sx = (x: number): number => left + ((x - x0) / (x1 - x0 || 1)) * (W - left - right);
  const sy = (y: number): number => H - bottom - ((y - y0) / (y1 - y0 || 1)) * (H - top - bottom);
  const label = (y: number): string => fmt(options.logY === true ? 10 ** y : y);
  const grid = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const y = y0 + f * (y1 - y0);
    return `<line x1="${left}" x2="${W - right}" y1="${sy(y).toFixed(1)}" y2="${sy(y).toFixed(1)}" stroke="#ddd"/><text x="${left - 6}" y="${(sy(y) + 4).toFixed(1)}" text-anchor="end">${label(y)}</text>`;
  });
  const lines = points.map((ps, k) => `<polyline fill="none" stroke="${series[k].color}" stroke-width="2" points="${ps.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(" ")}"/>`);
  const legend = series.map((s, k) => `<text x="${W - right - 10}" y="${top + 16 * k}" text-anchor="end" fill="${s.color}">${escape(s.name)}</text>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${escape(title)}</text>`,
    ...grid,
    `<line x1="${left}" x2="${left}" y1="${top}" y2="${H - bottom}" stroke="#333"/><line x1="${left}" x2="${W - right}" y1="${H - bottom}" y2="${H - bottom}" stroke="#333"/>`,
    `<text x="${left}" y="${H - bottom + 18}" text-anchor="middle">${fmt(x0)}</text><text x="${W - right}" y="${H - bottom + 18}" text-anchor="middle">${fmt(x1)}</text>`,
    `<text x="${(left + W - right) / 2}" y="${H - 12}" text-anchor="middle">${escape(options.xLabel ?? "step")}</text>`,
    `<text x="18" y="${(top + H - bottom) / 2}" text-anchor="middle" transform="rotate(-90 18 ${(top + H - bottom) / 2})">${escape(options.yLabel ?? "loss")}${options.logY === true ? " (log scale)" : ""}</text>`,
    ...lines,
    ...legend,
    "</svg>",
    "",
  ].join("\n");
}
