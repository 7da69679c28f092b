// W4: the scalar chain x ← sin(x)·1.0001 + 0.1·cos(x): its value and grad by nabla, by hand (a plain
// loop; a hand-written tape of typed arrays, the floor for any tape-based reverse mode), and by
// TensorFlow.js scalar tensors; then 1,000,000 steps in child processes (chain-memory.ts).
import { add, cos, grad, mul, type Real, sin } from "../../src/index.ts";
import { caps, chainMemory, type ChainMemory } from "../chain-memory-run.ts";
import { ms } from "../harness.ts";
import { erase, le, type ExtraRow, type Numbers, type Suite, type Tf, type TfTensor, type Timed, timed } from "../workload.ts";

export const x0 = 0.5;
export const steps = 100_000;
export const memorySteps = 1_000_000;
/**
 * Step counts every system is checked at. The map contracts to a fixed point (x* ≈ 0.7643, slope ≈ 0.65),
 * so by 2,000 steps the value has converged and the derivative has underflowed (to the smallest
 * subnormal: 5e-324 in float64, 1.4e-45 in float32) exactly as at 100,000; 30 steps checks a derivative
 * that is still a normal number in both precisions.
 */
export const checkSteps = [30, 2_000] as const;

export const chain = (steps: number) => (x0: Real): Real => {
  let x = x0;
  for (let i = 0; i < steps; i++) x = add(mul(sin(x), 1.0001), mul(0.1, cos(x)));
  return x;
};

export const gradNabla = (steps: number) => {
  const g = grad(chain(steps));
  return (x0: number): number => g(x0);
};

/** The value, by hand: the same arithmetic in a plain loop. */
export function valueHand(steps: number, x0: number): number {
  let x = x0;
  for (let i = 0; i < steps; i++) x = Math.sin(x) * 1.0001 + 0.1 * Math.cos(x);
  return x;
}

/** The hand-written tape's buffers, allocated once and reused, as a careful hand-written tape would. */
let buffers = { pa: new Int32Array(0), pb: new Int32Array(0), da: new Float64Array(0), db: new Float64Array(0), ct: new Float64Array(0) };

/** Bytes per node of the hand-written tape: two parents (int32) and two partials and a cotangent (float64). */
export const handTapeBytesPerOp = 4 + 4 + 8 + 8 + 8;

/** A hand-written tape: five nodes per step, each with up to two (parent, partial) edges. */
export function gradHandTape(steps: number, x0: number): number {
  const size = 5 * steps + 1;
  if (buffers.pa.length < size) {
    buffers = { pa: new Int32Array(size), pb: new Int32Array(size), da: new Float64Array(size), db: new Float64Array(size), ct: new Float64Array(size) };
  }
  const { pa, pb, da, db } = buffers;
  let n = 1;
  pa[0] = -1;
  let x = 0;
  let xv = x0;
  for (let i = 0; i < steps; i++) {
    const s = Math.sin(xv);
    const c = Math.cos(xv);
    pa[n] = x; da[n] = c; pb[n] = -1; const ns = n++;
    pa[n] = ns; da[n] = 1.0001; pb[n] = -1; const nm1 = n++;
    pa[n] = x; da[n] = -s; pb[n] = -1; const nc = n++;
    pa[n] = nc; da[n] = 0.1; pb[n] = -1; const nm2 = n++;
    pa[n] = nm1; da[n] = 1; pb[n] = nm2; db[n] = 1; x = n++;
    xv = s * 1.0001 + 0.1 * c;
  }
  const ct = buffers.ct;
  ct.fill(0, 0, n);
  ct[x] = 1;
  for (let i = n - 1; i > 0; i--) {
    const c = ct[i];
    const a = pa[i];
    if (a >= 0) {
      ct[a] += da[i] * c;
      const b = pb[i];
      if (b >= 0) ct[b] += db[i] * c;
    }
  }
  return ct[0];
}

/** The chain on TensorFlow.js scalar tensors (five kernels a step, as in nabla). */
export const chainTfjs = (tf: Tf, steps: number) => (x: TfTensor): TfTensor => {
  let y = x;
  for (let i = 0; i < steps; i++) y = tf.add(tf.mul(tf.sin(y), 1.0001), tf.mul(0.1, tf.cos(y)));
  return y;
};

export const valueTfjs = (tf: Tf, steps: number, x0: number): TfTensor => tf.tidy(() => chainTfjs(tf, steps)(tf.scalar(x0)));
export const gradTfjs = (tf: Tf, steps: number, x0: number): TfTensor =>
  tf.tidy(() => tf.grad(chainTfjs(tf, steps))(tf.scalar(x0)));

/** One system's W4 suite from its value and grad at a step count (numbers or tensors, read by `read`). */
function suite<R>(
  value: (steps: number) => R,
  gradient: (steps: number) => R,
  read: (r: R) => number,
  release: (r: R) => void = () => {},
  options: { readonly maxRuns?: number; readonly maxWarmup?: number; readonly note?: string } = {},
): Suite<"value" | "grad"> {
  const at = (f: (steps: number) => R, name: string): Numbers =>
    Object.fromEntries(
      checkSteps.map((n) => {
        const r = f(n);
        const v = read(r);
        release(r);
        return [`${name}, ${n.toLocaleString("en-US")} steps`, [v]];
      }),
    );
  const make = (f: (steps: number) => R, name: string): Timed => ({
    ...timed(() => f(steps), (r) => ({ [name]: [read(r)] }), release, options),
    check: () => at(f, name),
  });
  return { value: make(value, "value"), grad: make(gradient, "grad") };
}

/** nabla's value is its ops on plain numbers (no transform); its grad is `grad` of the same chain. */
const nablaGrads = new Map<number, (x0: number) => number>();
const nablaGrad = (n: number): ((x0: number) => number) => {
  let g = nablaGrads.get(n);
  if (!g) nablaGrads.set(n, (g = gradNabla(n)));
  return g;
};

export const workload = erase<null>({
  id: "W4",
  title: "scalar chain x ← sin(x)·1.0001 + 0.1·cos(x) from x = 0.5 (5 ops a step)",
  input: () => null,
  measures: [
    { key: "value", label: "value, 100,000 steps", plan: { runs: 15, warmup: 3, budgetMs: 3_000 } },
    { key: "grad", label: "grad, 100,000 steps (hand: a tape)", plan: { runs: 15, warmup: 3, budgetMs: 3_000 } },
  ],
  nabla: () => suite((n) => chain(n)(x0) as number, (n) => nablaGrad(n)(x0), (v) => v),
  hand: () => suite((n) => valueHand(n, x0), (n) => gradHandTape(n, x0), (v) => v),
  tfjs: (tf) => () =>
    suite(
      (n) => valueTfjs(tf, n, x0),
      (n) => gradTfjs(tf, n, x0),
      (t) => t.dataSync()[0],
      (t) => t.dispose(),
      // 100,000 steps of TensorFlow.js take ~4 s (value) and ~20 s (grad): one run each, after the checks.
      { maxRuns: 1, maxWarmup: 0, note: "1 run" },
    ),
  backends: ["cpu"],
  targets: [
    { text: "W4 grad: nabla ≤ 10× the hand-written tape", holds: (m) => le(m.grad?.nabla, m.grad?.hand, 10) },
    { text: "W4 1,000,000 steps: nabla survives", holds: (m) => (m.memory?.nabla === undefined ? undefined : Number.isFinite(m.memory.nabla)) },
    { text: "W4 1,000,000 steps: nabla ≤ 150 bytes per op", holds: (m) => (m.memory?.nabla === undefined ? undefined : m.memory.nabla <= 150) },
  ],
  extra: async (log) => {
    const runs: [keyof ExtraRow["cells"], ChainMemory][] = [];
    for (const system of ["nabla", "hand", "tfjs-cpu"] as const) {
      log(`W4 ${memorySteps.toLocaleString("en-US")} steps in a child process: ${system} …`);
      runs.push([system, await chainMemory(system, memorySteps)]);
    }
    const cells = Object.fromEntries(runs.map(([s, r]) => [s, describe(r)]));
    // A failed run has no figure to meet a target with: Infinity reads as "did not survive".
    const values = Object.fromEntries(runs.map(([s, r]) => [s, r.ok ? r.bytesPerOp : Infinity]));
    return [{ key: "memory", label: `grad, ${memorySteps.toLocaleString("en-US")} steps (child process)`, cells, values }];
  },
  notes: [
    `W4 TensorFlow.js: 100,000 steps take seconds (value) to ~20 s (grad), so one run each; every system is checked at ${checkSteps.map((n) => n.toLocaleString("en-US")).join(" and ")} steps (by 2,000 the chain has converged and its derivative has underflowed, as at 100,000). Not run on wasm (per-kernel overhead on scalar tensors; not asked for).`,
    `W4 ${memorySteps.toLocaleString("en-US")} steps: each system in its own child process, "time, peak resident memory above the baseline per op" (5 ops a step). TensorFlow.js gets a short attempt under a ${caps["tfjs-cpu"].heapMb.toLocaleString("en-US")} MB heap cap and a ${caps["tfjs-cpu"].timeoutMs / 1000} s time cap: its bytes per op are read at its last progress line, and "GiB needed" is that rate × ${(5 * memorySteps).toLocaleString("en-US")} ops.`,
  ],
});

function describe(r: ChainMemory): string {
  const perOp = `${r.bytesPerOp.toFixed(0)} B/op`;
  if (r.ok) return `survives, ${ms(r.ms)}, ${perOp}`;
  const where = r.stepsDone === undefined ? "" : ` at ~${r.stepsDone.toLocaleString("en-US")} steps`;
  const need = (r.bytesPerOp * 5 * memorySteps) / 2 ** 30;
  return `${r.message}${where}, ${perOp} (≈ ${need.toFixed(0)} GiB needed)`;
}
