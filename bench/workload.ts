// The one interface every workload module implements, for nabla, hand-written code and TensorFlow.js
// alike, and the agreement check that must pass before anything is timed.
// Nothing here imports TensorFlow.js at run time (only its types), so `npm test` can load the workloads.
import type * as TfModule from "@tensorflow/tfjs";

export type Tf = typeof TfModule;
export type TfTensor = TfModule.Tensor;
export type TfScalar = TfModule.Scalar;
export type SystemId = "nabla" | "hand" | "tfjs-cpu" | "tfjs-wasm" | JaxSystemId;
/** jax-js on its wasm device in float32 and float64; eager or jit as the row says. Runs in a child process. */
export type JaxSystemId = "jax-f32" | "jax-f64";
export type Backend = "cpu" | "wasm";
export const systemIds: readonly SystemId[] = ["nabla", "hand", "tfjs-cpu", "tfjs-wasm"];

/** Named groups of numbers that a system's result is compared on (each group is compared normwise). */
export type Numbers = Readonly<Record<string, ArrayLike<number>>>;

/** One system's computation for one measure, prepared (inputs uploaded, buffers allocated) outside the timing. */
export interface Timed {
  /** The timed unit of work; its result is kept (so it cannot be optimised away) and then released. */
  readonly run: () => unknown;
  /** Untimed, after each run: frees what `run` returned (TensorFlow.js tensors). */
  readonly release: (result: unknown) => void;
  /** Untimed: computes the result and reads it back as numbers, for the agreement check. */
  readonly check: () => Numbers;
  /** When set, at most this many timed runs and warm-ups (for runs that take many seconds). */
  readonly maxRuns?: number;
  readonly maxWarmup?: number;
  /** Shown beside the figure (e.g. "1 run"). */
  readonly note?: string;
}

/**
 * Builds a `Timed` from a computation and a reader of its result. `read` and `release` run outside the
 * timing: a system is timed producing its own kind of result (a number, a Float64Array, a nabla Tensor,
 * a tf.Tensor), not converting it.
 */
export function timed<R>(
  run: () => R,
  read: (result: R) => Numbers,
  release: (result: R) => void = () => {},
  options: { readonly maxRuns?: number; readonly maxWarmup?: number; readonly note?: string } = {},
): Timed {
  return {
    run,
    // The harness only ever passes back what `run` returned, so the cast restores R.
    release: (result) => release(result as R),
    check: () => {
      const result = run();
      try {
        return read(result);
      } finally {
        release(result);
      }
    },
    ...options,
  };
}

/** A system's measures for one workload, by measure key. */
export type Suite<K extends string = string> = Readonly<Record<K, Timed>>;

/** How a measure is timed (see harness.ts): rounds of alternating runs, cut short by a time budget. */
export interface Plan {
  readonly runs: number;
  readonly warmup: number;
  /** Per system: stop adding runs once this much time was spent (at least `minRuns` runs are made). */
  readonly budgetMs: number;
}

export interface Measure {
  readonly key: string;
  readonly label: string;
  readonly plan: Plan;
}

/** Medians (ms) by measure key and system, plus anything a workload measures outside the harness. */
export type Medians = Readonly<Record<string, Partial<Record<SystemId, number>>>>;

/** A target from the issue; `holds` is undefined when a figure it needs is missing (e.g. nabla's tensors). */
export interface Target {
  readonly text: string;
  readonly holds: (m: Medians) => boolean | undefined;
}

/** a ≤ k·b, or undefined when a figure is missing (targets read this way). */
export const le = (a: number | undefined, b: number | undefined, k: number): boolean | undefined =>
  a === undefined || b === undefined ? undefined : a <= k * b;

/** A row measured outside the harness (W4's million-step child processes). */
export interface ExtraRow {
  readonly label: string;
  readonly cells: Partial<Record<SystemId, string>>;
  /** Numbers the targets read (e.g. nabla's bytes per op), merged into Medians under `key`. */
  readonly key: string;
  readonly values: Partial<Record<SystemId, number>>;
}

/** What a workload module exports: its input, its measures, and every system bound to one interface. */
export interface Workload<I> {
  readonly id: string;
  readonly title: string;
  /** The shared input, from the seeded generator (or the course's constants), made once. */
  readonly input: () => I;
  readonly measures: readonly Measure[];
  readonly nabla: ((input: I) => Suite) | undefined;
  readonly hand: (input: I) => Suite;
  /** TensorFlow.js, called with the backend already selected; `backends` says which ones run. */
  readonly tfjs: (tf: Tf) => (input: I) => Suite;
  readonly backends: readonly Backend[];
  readonly targets: readonly Target[];
  /** Rows derived from the timed medians (e.g. W3's grad/f) or measured apart (W4's child processes). */
  readonly derived?: (m: Medians) => readonly DerivedRow[];
  readonly extra?: (log: (line: string) => void) => Promise<readonly ExtraRow[]>;
  /** How to read this workload's figures, for the report's notes. */
  readonly notes?: readonly string[];
}

/** A row computed from other rows: cells are text, no ratios. */
export interface DerivedRow {
  readonly label: string;
  readonly cells: Partial<Record<SystemId, string>>;
}

/** A workload with its input type hidden, so workloads of different inputs can sit in one list. */
export interface AnyWorkload {
  readonly id: string;
  readonly title: string;
  readonly measures: readonly Measure[];
  readonly backends: readonly Backend[];
  readonly targets: readonly Target[];
  readonly derived?: (m: Medians) => readonly DerivedRow[];
  readonly extra?: (log: (line: string) => void) => Promise<readonly ExtraRow[]>;
  readonly notes: readonly string[];
  /** The factory of each system's suite, bound to the one shared input (made on first use). */
  readonly systems: (tf: Tf | undefined) => Partial<Record<SystemId, () => Suite>>;
}

export function erase<I>(w: Workload<I>): AnyWorkload {
  let input: I | undefined;
  const shared = (): I => (input ??= w.input());
  const { nabla, hand, tfjs } = w;
  return {
    id: w.id,
    title: w.title,
    measures: w.measures,
    backends: w.backends,
    targets: w.targets,
    ...(w.derived ? { derived: w.derived } : {}),
    ...(w.extra ? { extra: w.extra } : {}),
    notes: w.notes ?? [],
    systems: (tf) => {
      const out: Partial<Record<SystemId, () => Suite>> = { hand: () => hand(shared()) };
      if (nabla) out.nabla = () => nabla(shared());
      if (tf) for (const b of w.backends) out[`tfjs-${b}`] = () => tfjs(tf)(shared());
      return out;
    },
  };
}

// ---- agreement ----------------------------------------------------------------------------------

export interface Tolerance {
  readonly rtol: number;
  /** Differences below this count as agreement (float32 underflows where float64 does not). */
  readonly atol: number;
}

/** nabla computes in float64 like the hand-written code: only reassociation-level differences. */
export const float64Tolerance: Tolerance = { rtol: 1e-12, atol: 0 };
/**
 * jax-js in float64 on its wasm device computes exp and tanh to float32 accuracy (~7e-7 relative) and
 * log by an approximation good to ~2e-5 relative (1.3e-5 absolute, measured): W2's loss is off by up to
 * ~7e-6. So float64 gets the float32 tolerance too; the checks print the actual error (0 where no
 * transcendental function is involved, as in W3 and W5).
 */
export const jaxFloat64Tolerance: Tolerance = { rtol: 1e-4, atol: 1e-30 };
/** TensorFlow.js computes in float32: a few float32 ulps accumulated over the workload. */
export const float32Tolerance: Tolerance = { rtol: 1e-4, atol: 1e-30 };

export interface Agreement {
  readonly ok: boolean;
  /** Worst normwise relative error ‖a − b‖∞ / ‖b‖∞ over the groups (absolute where ‖b‖∞ is below the floor). */
  readonly error: number;
  readonly detail: string;
}

/** Compares `actual` to `expected` group by group: ‖a − b‖∞ ≤ rtol·‖b‖∞ + atol, and the same groups and lengths. */
export function agree(actual: Numbers, expected: Numbers, tol: Tolerance): Agreement {
  let ok = true;
  let worst = 0;
  const parts: string[] = [];
  for (const name of Object.keys(expected)) {
    const a = actual[name];
    const b = expected[name];
    if (a === undefined || a.length !== b.length) {
      ok = false;
      worst = Infinity;
      parts.push(`${name}: ${a === undefined ? "missing" : `length ${a.length}, expected ${b.length}`}`);
      continue;
    }
    let diff = 0;
    let scale = 0;
    for (let i = 0; i < b.length; i++) {
      const d = Math.abs(a[i] - b[i]);
      // NaN must fail the check, so it is not folded in with Math.max (which would keep it anyway).
      diff = Number.isNaN(d) || d > diff ? d : diff;
      scale = Math.max(scale, Math.abs(b[i]));
    }
    const pass = diff <= tol.rtol * scale + tol.atol;
    // Where the reference is below the absolute floor (an underflowed derivative), a relative error means nothing.
    const absolute = tol.rtol * scale < tol.atol || scale === 0;
    const err = absolute ? diff : diff / scale;
    ok &&= pass;
    worst = Number.isNaN(err) || err > worst ? err : worst;
    parts.push(`${name} ${err.toExponential(1)}${absolute ? " abs" : ""}${pass ? "" : " ✗"}`);
  }
  for (const name of Object.keys(actual)) {
    if (!(name in expected)) {
      ok = false;
      parts.push(`${name}: not in the reference`);
    }
  }
  return { ok, error: worst, detail: parts.join(", ") };
}
