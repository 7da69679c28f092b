// `npm run bench`: every workload on nabla, hand-written code and TensorFlow.js (CPU and wasm) in one
// run: agreement checks first, then warm-up, alternating runs and medians; a table of figures and
// nabla/peer ratios, printed and written to bench/RESULTS.md with the machine and versions.
import { measure, ms, type Contender } from "./harness.ts";
import { loadTfjs, type TfPeer } from "./peers/tfjs.ts";
import { machine, nablaVersion, render, type Row, type Cell, timingCell, type Verdict, write } from "./report.ts";
import {
  agree, type AnyWorkload, type Backend, float32Tolerance, float64Tolerance, type Suite, type SystemId, systemIds,
} from "./workload.ts";
import { workload as w1 } from "./workloads/worked-network.ts";
import { workload as w2 } from "./workloads/mlp.ts";
import { workload as w3 } from "./workloads/rosenbrock.ts";
import { workload as w4 } from "./workloads/chain.ts";
import { workload as w5 } from "./workloads/hvp.ts";
import { workload as w6 } from "./workloads/per-example.ts";
import { workload as w7 } from "./workloads/cnn.ts";

const all: readonly AnyWorkload[] = [w1, w2, w3, w4, w5, w6, w7];
// `npm run bench -- W3 W5` runs only those (and leaves RESULTS.md alone: it holds full runs only).
const only = process.argv.slice(2).map((a) => a.toUpperCase());
const workloads = only.length ? all.filter((w) => only.includes(w.id)) : all;
if (workloads.length === 0) throw new Error(`no workload among ${only.join(", ")}: choose from ${all.map((w) => w.id).join(", ")}`);
const log = (line: string): void => void process.stderr.write(line + "\n");
const started = performance.now();

/** Whether a system runs a measure (a suite may leave out one its system has no form of). */
const hasMeasure = (suite: Suite, key: string): boolean => (suite as Partial<Suite>)[key] !== undefined;
const backendOf = (s: SystemId): Backend | undefined => (s === "tfjs-cpu" ? "cpu" : s === "tfjs-wasm" ? "wasm" : undefined);

let peer: TfPeer | undefined;
const notes: string[] = [];
try {
  peer = await loadTfjs();
} catch (e) {
  notes.push(`TensorFlow.js could not be loaded (${(e as Error).message}); its columns are empty.`);
}
const select = (s: SystemId): (() => Promise<void>) | undefined => {
  const b = backendOf(s);
  return b && peer ? () => peer!.use(b) : undefined;
};

const rows: Row[] = [];
const checks: string[] = [];
const runs: string[] = [];
const verdicts: Verdict[] = [];
let failed = false;

for (const w of workloads) {
  log(`${w.id} ${w.title}`);
  // Prepare every system (uploads, allocations), each under its own backend.
  const factories = w.systems(peer?.tf);
  const suites = new Map<SystemId, Suite>();
  const broken = new Map<SystemId, string>(); // systems that threw while being prepared or checked
  const fail = (s: SystemId, what: string, e: unknown): string => {
    failed = true;
    const message = `✗ ${what} threw: ${(e as Error).message ?? String(e)}`;
    broken.set(s, message);
    return message;
  };
  for (const s of systemIds) {
    const make = factories[s];
    if (!make) continue;
    await select(s)?.();
    try {
      suites.set(s, make());
    } catch (e) {
      log(`  ${s}: ${fail(s, "preparing", e)}`);
    }
  }
  // Agreement, before anything is timed: every system against the hand-written float64 reference.
  const agreed = new Map<string, Set<SystemId>>();
  for (const m of w.measures) {
    const ref = suites.get("hand")![m.key].check();
    const ok = new Set<SystemId>(["hand"]);
    const parts: string[] = [];
    for (const [s, suite] of suites) {
      if (s === "hand" || !hasMeasure(suite, m.key)) continue;
      await select(s)?.();
      try {
        const a = agree(suite[m.key].check(), ref, s === "nabla" ? float64Tolerance : float32Tolerance);
        if (a.ok) ok.add(s);
        else failed = true;
        parts.push(`${s} ${a.ok ? "✓" : "✗ DISAGREES"} (${a.detail})`);
      } catch (e) {
        parts.push(`${s} ${fail(s, "checking", e)}`);
      }
    }
    for (const [s, message] of broken) if (!suites.has(s)) parts.push(`${s} ${message}`);
    if (!factories.nabla) parts.unshift("nabla — (not implemented yet)");
    checks.push(`${w.id} ${m.label}: ${parts.join("; ")}`);
    log(`  check ${m.label}: ${parts.join("; ")}`);
    agreed.set(m.key, ok);
  }
  // Timing: only systems that agreed; alternating runs within each measure.
  const medians: Record<string, Partial<Record<SystemId, number>>> = {};
  for (const m of w.measures) {
    const contenders: Contender[] = [...suites]
      .filter(([s, suite]) => hasMeasure(suite, m.key) && agreed.get(m.key)!.has(s))
      .map(([s, suite]) => {
        const t = suite[m.key];
        const sel = select(s);
        return {
          name: s,
          run: t.run,
          release: t.release,
          ...(sel ? { select: sel } : {}),
          ...(t.maxRuns !== undefined ? { maxRuns: t.maxRuns } : {}),
          ...(t.maxWarmup !== undefined ? { maxWarmup: t.maxWarmup } : {}),
        };
      });
    const timings = await measure(contenders, m.plan);
    const cells: Partial<Record<SystemId, Cell>> = {};
    medians[m.key] = {};
    for (const [s, suite] of suites) {
      const t = timings[s];
      if (!hasMeasure(suite, m.key)) continue; // "—": that system does not run that measure
      if (t) {
        cells[s] = timingCell(t.median, suite[m.key].note);
        medians[m.key][s] = t.median;
      } else cells[s] = { text: broken.has(s) ? "✗ threw" : "✗ disagrees" };
    }
    for (const s of broken.keys()) cells[s] ??= { text: "✗ threw" };
    rows.push({ workload: w.id, label: m.label, cells });
    runs.push(`${w.id} ${m.label}: ` + Object.entries(timings).map(([s, t]) => `${s} ${t.runs} run${t.runs === 1 ? "" : "s"} (min ${ms(t.min)})`).join(", "));
    log(`  ${m.label}: ` + Object.entries(timings).map(([s, t]) => `${s} ${ms(t.median)}`).join(", "));
  }
  for (const d of w.derived?.(medians) ?? []) {
    rows.push({ workload: w.id, label: d.label, cells: Object.fromEntries(Object.entries(d.cells).map(([s, text]) => [s, { text }])) });
  }
  for (const e of (await w.extra?.(log)) ?? []) {
    rows.push({ workload: w.id, label: e.label, cells: Object.fromEntries(Object.entries(e.cells).map(([s, text]) => [s, { text }])) });
    medians[e.key] = e.values;
    log(`  ${e.label}: ` + Object.entries(e.cells).map(([s, c]) => `${s} ${c}`).join("; "));
  }
  for (const t of w.targets) verdicts.push({ text: t.text, holds: t.holds(medians) });
}

notes.push(
  "Timed: computing the result as each system's own value (a number, a Float64Array, a tf.Tensor); reading it back to JS numbers is outside the timing, except W2's loss, which is read back every step as the issue specifies.",
  "Inputs: W1 the course's constants, W4 x = 0.5; W2, W3, W5 from the seeded generator (bench/rng.ts), dyadic numbers exact in float32, the same for every system.",
  "Agreement: nabla against hand-written to rtol 1e-12; TensorFlow.js (float32) against hand-written (float64) to rtol 1e-4, normwise per group (absolute differences below 1e-30 count as zero, for the W4 derivative that underflows).",
  ...workloads.flatMap((w) => w.notes),
  `TensorFlow.js wasm: ${peer?.wasmFeatures ?? "not loaded"}.`,
);

const report = {
  date: new Date().toISOString(),
  machine: machine(),
  versions: [nablaVersion(), ...Object.entries(peer?.versions ?? {}).map(([k, v]) => `${k} ${v}`)],
  rows,
  checks,
  targets: verdicts,
  runs,
  notes,
};
const text = render(report);
console.log(text);
const took = `bench took ${((performance.now() - started) / 1000).toFixed(0)} s`;
log(only.length ? `${took}; a partial run, so RESULTS.md was not written` : `written to ${write(report)} (${took})`);
if (failed) {
  log("some systems disagree with the hand-written reference: see the checks above");
  process.exitCode = 1;
}
