// W3: the Rosenbrock function f(x) = Σ 100(x_{i+1} − x_i²)² + (1 − x_i)² over 100,000 variables: its
// value, its gradient, and the ratio grad/f (the cheap-gradient principle says a small constant).
// Hand-written value and gradient, and TensorFlow.js (slices and tf.grad).
import { add, grad, jit, mul, primal, type Real, slice, square, sub, sum, type Tensor, tensor, toArray, toFloat64Array } from "../../src/index.ts";
import { uniformDyadics } from "../rng.ts";
import { erase, le, type Suite, type Tf, type TfTensor, timed } from "../workload.ts";
import { ratio } from "../harness.ts";

export const size = 100_000;

/** The seeded point: x_i uniform on a 2^-14 grid in [−2, 2), Rosenbrock's usual box. */
export const rosenbrockInput = (n: number = size, seed = 3): readonly number[] => uniformDyadics(seed, n, -2, 2, 16);

/**
 * What every system provides for W3 (nabla's entry below is this type): `f` reads as { f: [value] },
 * `grad` as { grad: ∇f }; `gradRead` and `jitGradRead` time ∇f read back into a JS array (a system
 * without jit leaves the latter out).
 */
export type RosenbrockSystem = (x: readonly number[]) => Suite<"f" | "grad" | "gradRead"> & Partial<Suite<"jitGradRead">>;

export function rosenbrockHand(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i + 1] - x[i] * x[i];
    const b = 1 - x[i];
    s += 100 * a * a + b * b;
  }
  return s;
}

/** ∂f/∂x_i = −400·x_i·(x_{i+1} − x_i²) − 2(1 − x_i) [i < n−1] + 200(x_i − x_{i−1}²) [i > 0], in a fresh array. */
export function rosenbrockGradHand(x: Float64Array): Float64Array {
  const n = x.length;
  const g = new Float64Array(n);
  for (let i = 0; i + 1 < n; i++) {
    const xi = x[i];
    const a = x[i + 1] - xi * xi;
    g[i] += -400 * xi * a - 2 * (1 - xi);
    g[i + 1] = 200 * a;
  }
  return g;
}

/** f on TensorFlow.js: two overlapping slices of x. */
export const rosenbrockTfjs = (tf: Tf) => (x: TfTensor): TfTensor => {
  const n = x.shape[0]!;
  const head = tf.slice(x, 0, n - 1);
  const tail = tf.slice(x, 1, n - 1);
  return tf.sum(tf.add(tf.mul(100, tf.square(tf.sub(tail, tf.square(head)))), tf.square(tf.sub(1, head))));
};

export const hand: RosenbrockSystem = (xs) => {
  const x = Float64Array.from(xs);
  return {
    f: timed(() => rosenbrockHand(x), (v) => ({ f: [v] })),
    grad: timed(() => rosenbrockGradHand(x), (g) => ({ grad: g })),
    // the hand-written gradient is already an array in JS: the same loop is its figure in both rows
    gradRead: timed(() => rosenbrockGradHand(x), (g) => ({ grad: g })),
    jitGradRead: timed(() => rosenbrockGradHand(x), (g) => ({ grad: g })),
  };
};

export const tfjs = (tf: Tf): RosenbrockSystem => (xs) => {
  const x = tf.tensor1d(Float32Array.from(xs));
  const f = rosenbrockTfjs(tf);
  const g = tf.grad(f);
  const dispose = (t: TfTensor): void => t.dispose();
  return {
    f: timed(() => tf.tidy(() => f(x)), (t) => ({ f: t.dataSync() }), dispose),
    grad: timed(() => tf.tidy(() => g(x)), (t) => ({ grad: t.dataSync() }), dispose),
    gradRead: timed(() => {
      const t = tf.tidy(() => g(x));
      const data = t.dataSync();
      t.dispose();
      return data;
    }, (d) => ({ grad: d })),
  };
};

/** f on nabla, as a user writes it (and as the TF.js version): Σ over two overlapping slices of x. */
export const rosenbrockNabla = (x: Tensor): Real => {
  const head = slice(x, 0, -1);
  const tail = slice(x, 1);
  return sum(add(mul(100, square(sub(tail, square(head)))), square(sub(1, head))));
};

export const nabla: RosenbrockSystem = (xs) => {
  const x = tensor(xs);
  const g = grad(rosenbrockNabla);
  const jg = jit(grad(rosenbrockNabla));
  return {
    f: timed(() => rosenbrockNabla(x), (v) => ({ f: [primal(v)] })),
    grad: timed(() => g(x), (t) => ({ grad: toArray(t) as number[] })),
    gradRead: timed(() => toFloat64Array(g(x)), (d) => ({ grad: d })),
    jitGradRead: timed(() => toFloat64Array(jg(x)), (d) => ({ grad: d })),
  };
};

/** The smaller of two medians (undefined when either is missing). */
const faster = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined || b === undefined ? undefined : Math.min(a, b));

export const workload = erase<readonly number[]>({
  id: "W3",
  title: "Rosenbrock over 100,000 variables: f, ∇f, and the ratio ∇f/f",
  input: () => rosenbrockInput(),
  measures: [
    { key: "f", label: "f", plan: { runs: 41, warmup: 10, budgetMs: 2_000 } },
    { key: "grad", label: "grad", plan: { runs: 41, warmup: 10, budgetMs: 2_000 } },
    { key: "gradRead", label: "grad, read back", plan: { runs: 41, warmup: 10, budgetMs: 2_000 } },
    { key: "jitGradRead", label: "jit(grad), read back", plan: { runs: 41, warmup: 10, budgetMs: 2_000 } },
  ],
  nabla,
  hand,
  tfjs,
  backends: ["cpu", "wasm"],
  targets: [
    { text: "W3 grad: nabla ≤ 4× hand-written", holds: (m) => le(m.grad?.nabla, m.grad?.hand, 4) },
    { text: "W3 grad: nabla ≤ TensorFlow.js wasm", holds: (m) => le(m.grad?.nabla, m.grad?.["tfjs-wasm"], 1) },
    { text: "W3 grad/f: nabla ≤ 3", holds: (m) => le(m.grad?.nabla, m.f?.nabla, 3) },
    { text: "issue 15: W3 grad read back: nabla ≤ TensorFlow.js wasm", holds: (m) => le(m.gradRead?.nabla, m.gradRead?.["tfjs-wasm"], 1) },
    {
      text: "issue 15: W3 grad read back: nabla (the faster of grad and jit(grad)) ≤ jax-js float32 jit(grad)",
      holds: (m) => le(faster(m.gradRead?.nabla, m.jitGradRead?.nabla), m.jitGradRead?.["jax-f32"], 1),
    },
    { text: "issue 15: W3 jit(grad) read back: nabla ≤ 2× hand-written", holds: (m) => le(m.jitGradRead?.nabla, m.jitGradRead?.hand, 2) },
  ],
  derived: (m) => [
    {
      label: "grad/f (the rows f and grad)",
      cells: Object.fromEntries(
        Object.entries(m.grad ?? {}).flatMap(([s, g]) => {
          const f = m.f?.[s as keyof typeof m.f];
          return f === undefined || g === undefined ? [] : [[s, ratio(g, f)]];
        }),
      ),
    },
  ],
});
