// Timing harness: warm up every contender, then alternate them run by run (so drift on a shared
// machine hits all alike) and report medians.

export interface Timing {
  readonly name: string;
  readonly median: number;
  readonly min: number;
  readonly runs: number;
}

/** Medians in milliseconds of `runs` alternating runs of each contender, after `warmup` runs each. */
export function measure(contenders: Record<string, () => unknown>, runs = 15, warmup = 3): Record<string, Timing> {
  const names = Object.keys(contenders);
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let w = 0; w < warmup; w++) for (const n of names) contenders[n]();
  for (let r = 0; r < runs; r++) {
    for (const n of names) {
      const t0 = performance.now();
      contenders[n]();
      times[n].push(performance.now() - t0);
    }
  }
  return Object.fromEntries(
    names.map((n) => {
      const sorted = [...times[n]].sort((a, b) => a - b);
      return [n, { name: n, median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], runs }];
    }),
  );
}

export const ms = (t: number): string => (t >= 100 ? t.toFixed(0) : t >= 10 ? t.toFixed(1) : t.toFixed(3)) + " ms";
export const ratio = (a: number, b: number): string => (a / b).toFixed(2) + "×";
