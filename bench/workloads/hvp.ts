// W5: the Hessian-vector product of Rosenbrock over 10,000 variables, H(x)·v without forming H.
// Hand-written (H is tridiagonal, worked out by hand) and TensorFlow.js (reverse over reverse: tf.grad
// of ⟨∇f(x), v⟩, since it has no forward mode).
import { uniformDyadics } from "../rng.ts";
import { erase, le, type Suite, type Tf, type TfTensor, timed } from "../workload.ts";
import { rosenbrockNabla, rosenbrockTfjs } from "./rosenbrock.ts";
import { hvp, jit, type Tensor, tensor, toArray } from "../../src/index.ts";

export const size = 10_000;

export interface HvpInput {
  readonly x: readonly number[];
  readonly v: readonly number[];
}

/** The seeded point (x uniform in [−2, 2)) and direction (v uniform in [−1, 1)), on 2^-14 and 2^-15 grids. */
export const hvpInput = (n: number = size, seed = 5): HvpInput =>
  Object.freeze({ x: uniformDyadics(seed * 10 + 1, n, -2, 2, 16), v: uniformDyadics(seed * 10 + 2, n, -1, 1, 16) });

/** What every system provides for W5 (nabla's entry below is this type): `hvp` reads as { hvp: H·v }, and `jitHvp` under jit where the system has one. */
export type HvpSystem = (input: HvpInput) => Suite<"hvp"> & Partial<Suite<"jitHvp">>;

/**
 * (H·v)_i = H_{i,i−1}·v_{i−1} + H_{i,i}·v_i + H_{i,i+1}·v_{i+1}, with, from f's terms at i and i−1:
 * H_{i,i} = 1200·x_i² − 400·x_{i+1} + 2 [i < n−1] + 200 [i > 0], H_{i,i+1} = H_{i+1,i} = −400·x_i.
 */
export function rosenbrockHvpHand(x: Float64Array, v: Float64Array): Float64Array {
  const n = x.length;
  const hv = new Float64Array(n);
  for (let i = 0; i + 1 < n; i++) {
    const xi = x[i];
    const off = -400 * xi;
    hv[i] += (1200 * xi * xi - 400 * x[i + 1] + 2) * v[i] + off * v[i + 1];
    hv[i + 1] = 200 * v[i + 1] + off * v[i];
  }
  return hv;
}

export const hand: HvpSystem = ({ x, v }) => {
  const xa = Float64Array.from(x);
  const va = Float64Array.from(v);
  const t = timed(() => rosenbrockHvpHand(xa, va), (hv) => ({ hvp: hv }));
  return { hvp: t, jitHvp: t };
};

export const tfjs = (tf: Tf): HvpSystem => ({ x, v }) => {
  const xt = tf.tensor1d(Float32Array.from(x));
  const vt = tf.tensor1d(Float32Array.from(v));
  const g = tf.grad(rosenbrockTfjs(tf));
  const hv = tf.grad((y: TfTensor) => tf.sum(tf.mul(g(y), vt)));
  return { hvp: timed(() => tf.tidy(() => hv(xt)), (t) => ({ hvp: t.dataSync() }), (t) => t.dispose()) };
};

/** nabla: forward over reverse (the jvp of the gradient), never forming H. */
export const nabla: HvpSystem = ({ x, v }) => {
  const xt = tensor(x);
  const vt = tensor(v);
  const hv = hvp(rosenbrockNabla);
  const jhv = jit(([y, u]: readonly [Tensor, Tensor]) => hv(y, u));
  const read = (t: Tensor) => ({ hvp: toArray(t) as number[] });
  return { hvp: timed(() => hv(xt, vt), read), jitHvp: timed(() => jhv([xt, vt]), read) };
};

/** The smaller of two figures, or the one there is. */
const best = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined ? b : b === undefined ? a : Math.min(a, b));

export const workload = erase<HvpInput>({
  id: "W5",
  title: "Hessian-vector product of Rosenbrock over 10,000 variables",
  input: () => hvpInput(),
  measures: [
    { key: "hvp", label: "H·v", plan: { runs: 41, warmup: 10, budgetMs: 2_000 } },
    { key: "jitHvp", label: "jit(hvp)", plan: { runs: 41, warmup: 10, budgetMs: 2_000 } },
  ],
  nabla,
  hand,
  tfjs,
  backends: ["cpu", "wasm"],
  targets: [
    { text: "W5 nabla ≤ 1 ms", holds: (m) => (m.hvp?.nabla === undefined ? undefined : m.hvp.nabla <= 1) },
    { text: "issue 15: W5 nabla's H·v (the faster of hvp and jit(hvp)) ≤ jax-js float32 jit", holds: (m) => le(best(m.hvp?.nabla, m.jitHvp?.nabla), m.jitHvp?.["jax-f32"], 1) },
  ],
});
