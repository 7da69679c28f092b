// A small SVG line chart of one history against the step (the loss on a log scale, ‖θ‖₂ on a linear
// one), with an optional dashed level line (the ball's radius). A pure function to markup.
export interface ChartOptions {
  readonly title: string;
  readonly values: readonly number[];
  readonly color: string;
  readonly logY?: boolean;
  /** A horizontal dashed line, e.g. the radius r of the ball. */
  readonly level?: { readonly value: number; readonly label: string } | undefined;
  readonly width?: number;
  readonly height?: number;
}

const maxPoints = 500;

/** Indices of at most `maxPoints` values, evenly spread, first and last included. */
const sampled = (n: number): number[] =>
  n <= maxPoints ? Array.from({ length: n }, (_, i) => i) : Array.from({ length: maxPoints }, (_, i) => Math.round((i * (n - 1)) / (maxPoints - 1)));

const tick = (v: number): string => (v === 0 ? "0" : Math.abs(v) >= 0.01 && Math.abs(v) < 1e4 ? String(Number(v.toPrecision(2))) : v.toExponential(0));

export function lineChart(o: ChartOptions): string {
  const [W, H] = [o.width ?? 600, o.height ?? 170];
  const [left, right, top, bottom] = [52, 12, 22, 22];
  const log = o.logY === true;
  const ty = (v: number): number => (log ? Math.log10(Math.max(v, 1e-300)) : v);
  const idx = sampled(o.values.length);
  const ys = [...idx.map((i) => ty(o.values[i])), ...(o.level ? [ty(o.level.value)] : [])];
  // a log axis spans the data; a linear one starts at 0 so that a norm's size reads at a glance
  let [y0, y1] = [log ? Math.min(...ys) : 0, Math.max(...ys)];
  if (y1 - y0 < 1e-9) [y0, y1] = [y0 - (log ? 0.5 : 0), y1 + (log ? 0.5 : Math.abs(y1) * 0.1 + 1e-9)];
  const n = Math.max(o.values.length - 1, 1);
  const sx = (x: number): number => left + (x / n) * (W - left - right);
  const sy = (y: number): number => H - bottom - ((y - y0) / (y1 - y0)) * (H - top - bottom);
  const yTicks = log
    ? Array.from({ length: Math.floor(y1) - Math.ceil(y0) + 1 }, (_, k) => Math.ceil(y0) + k)
    : [0, 0.25, 0.5, 0.75, 1].map((f) => y0 + f * (y1 - y0));
  const grid = (yTicks.length >= 2 ? yTicks : [y0, y1]).map((y) =>
    `<line x1="${left}" x2="${W - right}" y1="${sy(y).toFixed(1)}" y2="${sy(y).toFixed(1)}" stroke="#e4e4e4"/>` +
    `<text x="${left - 5}" y="${(sy(y) + 4).toFixed(1)}" text-anchor="end">${tick(log ? 10 ** y : y)}</text>`);
  const points = idx.map((i) => `${sx(i).toFixed(1)},${sy(ty(o.values[i])).toFixed(1)}`).join(" ");
  const level = o.level
    ? `<line x1="${left}" x2="${W - right}" y1="${sy(ty(o.level.value)).toFixed(1)}" y2="${sy(ty(o.level.value)).toFixed(1)}" stroke="#888" stroke-dasharray="5 4"/>` +
      `<text x="${W - right - 4}" y="${(sy(ty(o.level.value)) - 4).toFixed(1)}" text-anchor="end" fill="#555">${o.level.label}</text>`
    : "";
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11" data-points="${o.values.length}">
<text x="${left}" y="14" font-weight="bold">${o.title}</text>
${grid.join("\n")}
<line x1="${left}" x2="${left}" y1="${top}" y2="${H - bottom}" stroke="#333"/><line x1="${left}" x2="${W - right}" y1="${H - bottom}" y2="${H - bottom}" stroke="#333"/>
<text x="${left}" y="${H - 6}" text-anchor="middle">0</text><text x="${W - right}" y="${H - 6}" text-anchor="end">step ${o.values.length - 1}</text>
${level}
<polyline fill="none" stroke="${o.color}" stroke-width="2" points="${points}"/>
</svg>`;
}
