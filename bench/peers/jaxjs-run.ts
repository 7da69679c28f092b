// Child process for jax-js (`jaxjs-run.ts W2 W3 W5 W6 W7 MM`): jax-js alone in its process, float32 and
// float64 on its wasm device. Each measure is checked against the hand-written float64 reference
// computed here, then timed (the two dtypes alternating); one JSON line per result on stdout.
import { measure } from "../harness.ts";
import {
  agree, type AnyWorkload, float32Tolerance, jaxFloat64Tolerance, type JaxSystemId, type Suite, type Timed,
} from "../workload.ts";
import { mlpProblem, mlpSuite, workload as w2 } from "../workloads/mlp.ts";
import { rosenbrockInput, workload as w3 } from "../workloads/rosenbrock.ts";
import { hvpInput, workload as w5 } from "../workloads/hvp.ts";
import { perExampleProblem, workload as w6 } from "../workloads/per-example.ts";
import { cnnProblem, cnnSuite, workload as w7 } from "../workloads/cnn.ts";
import { jaxCnn } from "./jaxjs-cnn.ts";
import { gflops, naiveProduct, operands, relativeError, shapes } from "../matmul.ts";
import { type Jax, type JaxDtype, loadJax } from "./jaxjs.ts";
import { jaxHvp, jaxMatmul, jaxMlp, jaxPerExample, jaxRosenbrock } from "./jaxjs-systems.ts";

/** One line of this child's output: a measure's check and timing for one dtype. */
export interface JaxResult {
  readonly workload: string;
  readonly key: string;
  readonly system: JaxSystemId;
  readonly ok: boolean;
  readonly detail: string;
  readonly median?: number;
  readonly min?: number;
  readonly runs?: number;
}

const dtypes: readonly (readonly [JaxSystemId, JaxDtype])[] = [["jax-f32", "float32"], ["jax-f64", "float64"]];

/** The workloads jax-js runs, and its suite for each (keys are the workload's measure keys). */
const specs: Readonly<Record<string, readonly [AnyWorkload, (jax: Jax, dtype: JaxDtype) => Suite]>> = {
  W2: [w2, (jax, d) => ({ step: mlpSuite(jaxMlp(jax, d, false)(mlpProblem())).step, jitStep: mlpSuite(jaxMlp(jax, d, true)(mlpProblem())).step })],
  W3: [w3, (jax, d) => jaxRosenbrock(jax, d, rosenbrockInput())],
  W5: [w5, (jax, d) => jaxHvp(jax, d, hvpInput())],
  W6: [w6, (jax, d) => jaxPerExample(jax, d, perExampleProblem())],
  W7: [w7, (jax, d) => ({ step: cnnSuite(jaxCnn(jax, d, false)(cnnProblem())).step, jitStep: cnnSuite(jaxCnn(jax, d, true)(cnnProblem())).step })],
};

const say = (o: object): void => void process.stdout.write(JSON.stringify(o) + "\n");
const log = (line: string): void => void process.stderr.write(line + "\n");
const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

const ids = process.argv.slice(2);
const { jax, version } = await loadJax();
say({ version });

for (const id of ids.filter((i) => i in specs)) {
  const [w, make] = specs[id]!;
  const hand = w.systems(undefined).hand!();
  const suites = new Map<JaxSystemId, Suite>();
  for (const [s, d] of dtypes) {
    try {
      suites.set(s, make(jax, d));
    } catch (e) {
      for (const m of w.measures) say({ workload: id, key: m.key, system: s, ok: false, detail: `✗ preparing threw: ${message(e)}` });
    }
  }
  for (const m of w.measures) {
    const ready: [JaxSystemId, Timed][] = [];
    const details = new Map<JaxSystemId, string>();
    const ref = [...suites.values()].some((s) => m.key in s) ? hand[m.key]!.check() : undefined;
    for (const [s, suite] of suites) {
      const t = suite[m.key];
      if (!t || !ref) continue;
      try {
        const a = agree(t.check(), ref, s === "jax-f32" ? float32Tolerance : jaxFloat64Tolerance);
        if (a.ok) {
          ready.push([s, t]);
          details.set(s, a.detail);
          log(`jax-js ${id} ${m.label} ${s}: ✓ (${a.detail})`);
        } else say({ workload: id, key: m.key, system: s, ok: false, detail: `✗ DISAGREES (${a.detail})` });
      } catch (e) {
        say({ workload: id, key: m.key, system: s, ok: false, detail: `✗ checking threw: ${message(e)}` });
      }
    }
    if (ready.length === 0) continue;
    const timings = await measure(ready.map(([name, t]) => ({ name, run: t.run, release: t.release })), m.plan);
    for (const [s] of ready) {
      const t = timings[s]!;
      say({ workload: id, key: m.key, system: s, ok: true, detail: `✓ (${details.get(s)})`, median: t.median, min: t.min, runs: t.runs });
    }
  }
}

// The matrix products, under jit, at the shapes of the matmul rows (GFLOP/s, read back included).
if (ids.includes("MM")) {
  const out: Record<string, Record<string, number>> = {};
  for (const [s, d] of dtypes) {
    const row: Record<string, number> = {};
    for (const shape of shapes) {
      const [a, b] = operands(shape);
      try {
        const run = jaxMatmul(jax, d, a, b, shape.nkm, shape.transA, shape.transB);
        const err = relativeError(run(), naiveProduct(shape));
        row[shape.label] = err <= (d === "float32" ? 1e-4 : 1e-10) ? gflops(run, shape.nkm) : Number.NaN;
      } catch (e) {
        log(`jax-js matmul ${shape.label} ${s}: threw ${message(e)}`);
        row[shape.label] = Number.NaN;
      }
    }
    out[s] = row;
  }
  say({ matmul: out });
}
