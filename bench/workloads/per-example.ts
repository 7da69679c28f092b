// W6: per-example gradients. B = 128 examples, a 64-32-10 tanh MLP, softmax cross-entropy of one
// example: every example's gradient of the parameters, by `vmap(grad(loss), [null, 0, 0])` (one
// batched computation), by a loop of `grad` over the examples, and by hand-written per-example
// backprop in Float64Array loops (the floor). TensorFlow.js has no vmap and is not run here.
import {
  add, grad, jit, logSumExp, matmul, mul, sum, tanh, type Tensor, tensor, toArray, vmap,
} from "../../src/index.ts";
import { integers, uniformDyadics } from "../rng.ts";
import { erase, le, type Numbers, type Suite, timed } from "../workload.ts";

export const sizes = { batch: 128, inputs: 64, hidden: 32, classes: 10 } as const;

export interface PerExampleProblem {
  readonly x: readonly number[]; // [batch, inputs]
  readonly labels: readonly number[]; // [batch]
  readonly w1: readonly number[]; // [inputs, hidden]
  readonly b1: readonly number[]; // [hidden]
  readonly w2: readonly number[]; // [hidden, classes]
  readonly b2: readonly number[]; // [classes]
}

export function perExampleProblem(seed = 6): PerExampleProblem {
  const { batch, inputs, hidden, classes } = sizes;
  return Object.freeze({
    x: uniformDyadics(seed * 10 + 1, batch * inputs, -1, 1, 8),
    labels: integers(seed * 10 + 2, batch, classes),
    w1: uniformDyadics(seed * 10 + 3, inputs * hidden, -1 / 4, 1 / 4, 16),
    b1: uniformDyadics(seed * 10 + 4, hidden, -1 / 16, 1 / 16, 12),
    w2: uniformDyadics(seed * 10 + 5, hidden * classes, -1 / 2, 1 / 2, 16),
    b2: uniformDyadics(seed * 10 + 6, classes, -1 / 16, 1 / 16, 12),
  });
}

interface Params {
  readonly w1: Tensor;
  readonly b1: Tensor;
  readonly w2: Tensor;
  readonly b2: Tensor;
}

/** The loss of one example: log Σ exp(z) − z·y, with z the logits and y the one-hot label. */
export const loss = ([p, x, y]: readonly [Params, Tensor, Tensor]) => {
  const h = tanh(add(matmul(x, p.w1), p.b1));
  const z = add(matmul(h, p.w2), p.b2);
  return sum([logSumExp(z), mul(-1, sum(mul(z, y)))]);
};

/** Per-example gradients of the parameters, flat: w1 [batch·inputs·hidden], b1, w2, b2. */
export function perExampleHand(problem: PerExampleProblem): Numbers {
  const { batch, inputs: n, hidden: m, classes: c } = sizes;
  const { x, labels, w1, b1, w2, b2 } = problem;
  const gw1 = new Float64Array(batch * n * m);
  const gb1 = new Float64Array(batch * m);
  const gw2 = new Float64Array(batch * m * c);
  const gb2 = new Float64Array(batch * c);
  const h = new Float64Array(m);
  const z = new Float64Array(c);
  const dh = new Float64Array(m);
  for (let e = 0; e < batch; e++) {
    const xo = e * n;
    for (let j = 0; j < m; j++) {
      let s = b1[j]!;
      for (let i = 0; i < n; i++) s += x[xo + i]! * w1[i * m + j]!;
      h[j] = Math.tanh(s);
    }
    let top = -Infinity;
    for (let k = 0; k < c; k++) {
      let s = b2[k]!;
      for (let j = 0; j < m; j++) s += h[j]! * w2[j * c + k]!;
      z[k] = s;
      top = Math.max(top, s);
    }
    let total = 0;
    for (let k = 0; k < c; k++) total += Math.exp(z[k]! - top);
    // dz = softmax(z) − onehot(label); db2 = dz; dW2 = h ⊗ dz; dh = W2·dz; dz1 = dh·(1 − h²); dW1 = x ⊗ dz1
    for (let k = 0; k < c; k++) gb2[e * c + k] = Math.exp(z[k]! - top) / total - (k === labels[e] ? 1 : 0);
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let k = 0; k < c; k++) {
        const dz = gb2[e * c + k]!;
        gw2[(e * m + j) * c + k] = h[j]! * dz;
        s += w2[j * c + k]! * dz;
      }
      dh[j] = s * (1 - h[j]! * h[j]!);
      gb1[e * m + j] = dh[j]!;
    }
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) gw1[(e * n + i) * m + j] = x[xo + i]! * dh[j]!;
  }
  return { w1: gw1, b1: gb1, w2: gw2, b2: gb2 };
}

type Grads = readonly [Params, Tensor, Tensor];
/** A tensor's elements in row-major order. */
const flat = (t: Tensor): number[] => (toArray(t) as unknown as unknown[]).flat(Infinity as 1) as number[];
const read = ([g]: Grads): Numbers => ({ w1: flat(g.w1), b1: flat(g.b1), w2: flat(g.w2), b2: flat(g.b2) });

const nabla = (problem: PerExampleProblem): Suite<"vmap" | "loop" | "jit"> => {
  const { batch, inputs, hidden, classes } = sizes;
  const params: Params = {
    w1: tensor(problem.w1, [inputs, hidden]),
    b1: tensor(problem.b1),
    w2: tensor(problem.w2, [hidden, classes]),
    b2: tensor(problem.b2),
  };
  const xs = tensor(problem.x, [batch, inputs]);
  const ys = tensor(problem.labels.flatMap((l) => Array.from({ length: classes }, (_, k) => (k === l ? 1 : 0))), [batch, classes]);
  const perExample = vmap(grad(loss), [null, 0, 0]);
  const compiled = jit(perExample);
  // the loop: one grad per example, on examples sliced out beforehand (untimed)
  const g = grad(loss);
  const rows = Array.from({ length: batch }, (_, e) => [
    tensor(problem.x.slice(e * inputs, (e + 1) * inputs)),
    tensor(Array.from({ length: classes }, (_, k) => (k === problem.labels[e] ? 1 : 0))),
  ] as const);
  const loop = (): Params[] => rows.map(([x, y]) => g([params, x, y])[0]);
  return {
    vmap: timed(() => perExample([params, xs, ys]) as unknown as Grads, read),
    jit: timed(() => compiled([params, xs, ys]) as unknown as Grads, read),
    loop: timed(loop, (gs) => ({
      w1: gs.flatMap((p) => flat(p.w1)),
      b1: gs.flatMap((p) => flat(p.b1)),
      w2: gs.flatMap((p) => flat(p.w2)),
      b2: gs.flatMap((p) => flat(p.b2)),
    })),
  };
};

const hand = (problem: PerExampleProblem): Suite<"vmap" | "loop" | "jit"> => {
  const t = timed(() => perExampleHand(problem), (r) => r);
  return { vmap: t, loop: t, jit: t };
};

export const workload = erase<PerExampleProblem>({
  id: "W6",
  title: "per-example gradients: 128 examples, a 64-32-10 tanh MLP, softmax cross-entropy",
  input: () => perExampleProblem(),
  measures: [
    { key: "vmap", label: "vmap(grad(loss))", plan: { runs: 31, warmup: 5, budgetMs: 3_000 } },
    { key: "jit", label: "jit(vmap(grad(loss)))", plan: { runs: 31, warmup: 5, budgetMs: 3_000 } },
    { key: "loop", label: "a loop of grad(loss)", plan: { runs: 15, warmup: 3, budgetMs: 3_000 } },
  ],
  nabla,
  hand,
  tfjs: () => () => {
    throw new Error("W6 does not run TensorFlow.js");
  },
  backends: [],
  derived: (m) => [
    {
      label: "loop ÷ vmap (how much faster vmap is)",
      cells: m.vmap?.nabla !== undefined && m.loop?.nabla !== undefined ? { nabla: `${(m.loop.nabla / m.vmap.nabla).toFixed(1)}×` } : {},
    },
  ],
  targets: [
    { text: "W6 vmap ≥ 10× faster than a loop of grad", holds: (m) => (m.vmap?.nabla === undefined || m.loop?.nabla === undefined ? undefined : m.loop.nabla >= 10 * m.vmap.nabla) },
    { text: "W6 vmap ≤ 3× hand-written per-example backprop", holds: (m) => le(m.vmap?.nabla, m.vmap?.hand, 3) },
  ],
  notes: [
    "W6: the hand-written column is one loop of per-example backprop, the floor of both rows; jit runs a tensor program as written (it compiles scalar programs), so its row is vmap's work through jit's lookup.",
  ],
});
