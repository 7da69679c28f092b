// Timing harness: warm up every contender, then alternate them run by run (so drift on a shared
// machine hits all alike) and report medians. A time budget bounds the contenders that take seconds.

export interface Timing {
  readonly median: number;
  readonly min: number;
  readonly runs: number;
}

export interface Contender {
  readonly name: string;
  /** Untimed, before every run: e.g. selects this contender's TensorFlow.js backend. */
  readonly select?: () => Promise<void>;
  readonly run: () => unknown;
  /** Untimed, after every run. */
  readonly release?: (result: unknown) => void;
  readonly maxRuns?: number;
  readonly maxWarmup?: number;
}

export interface Schedule {
  readonly runs: number;
  readonly warmup: number;
  /** Per contender: no further runs once this many ms were spent timing it, past `minRuns`. */
  readonly budgetMs: number;
  readonly minRuns?: number;
}

/** Results of runs are parked here so no engine can drop a run as dead code. */
let sink: unknown;
export const lastResult = (): unknown => sink;

async function once(c: Contender): Promise<number> {
  await c.select?.();
  const t0 = performance.now();
  const result = c.run();
  const t = performance.now() - t0;
  sink = result;
  c.release?.(result);
  return t;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Medians in milliseconds of alternating runs of each contender, after warm-ups. */
export async function measure(contenders: readonly Contender[], schedule: Schedule): Promise<Readonly<Record<string, Timing>>> {
  const minRuns = schedule.minRuns ?? 3;
  const maxRuns = (c: Contender): number => Math.min(schedule.runs, c.maxRuns ?? Infinity);
  // Warm-up: each contender on its own, at most a quarter of its budget (the agreement check already ran it once).
  for (const c of contenders) {
    const limit = Math.min(schedule.warmup, c.maxWarmup ?? Infinity);
    let spent = 0;
    for (let w = 0; w < limit && spent < schedule.budgetMs / 4; w++) spent += await once(c);
  }
  const times = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  const spent = new Map<string, number>(contenders.map((c) => [c.name, 0]));
  for (let round = 0; ; round++) {
    const active = contenders.filter(
      (c) => round < maxRuns(c) && (round < minRuns || spent.get(c.name)! < schedule.budgetMs),
    );
    if (active.length === 0) break;
    for (const c of active) {
      const t = await once(c);
      times.get(c.name)!.push(t);
      spent.set(c.name, spent.get(c.name)! + t);
    }
  }
  return Object.fromEntries(
    contenders.map((c) => {
      const ts = times.get(c.name)!;
      return [c.name, { median: median(ts), min: Math.min(...ts), runs: ts.length }];
    }),
  );
}

/** A duration for people: ms below a second, s above. */
export const ms = (t: number): string =>
  t >= 1000 ? (t / 1000).toFixed(t >= 10_000 ? 1 : 2) + " s" : t >= 100 ? t.toFixed(0) + " ms" : t >= 10 ? t.toFixed(1) + " ms" : t >= 1 ? t.toFixed(2) + " ms" : t.toFixed(3) + " ms";

/** nabla/peer as a factor; below 0.1 also as "1/k" (nabla k times faster), which reads better. */
export const ratio = (a: number, b: number): string => {
  const r = a / b;
  return r >= 0.1 ? r.toFixed(2) + "×" : `${r.toPrecision(2)}× (1/${(1 / r).toFixed(0)})`;
};
