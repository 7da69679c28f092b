// W2: an MLP 784-128-10 (tanh, softmax cross-entropy averaged over a batch of 128, plus
// 1e-4·(‖W1‖² + ‖W2‖²)) trained by SGD with lr 0.1: the time of one step (loss, gradient, update, loss
// read back). Hand-written Float64Array loops with a manual backward pass, and TensorFlow.js.
import {
  add, jit, logSumExp, matmul, mean, mul, oneHot, primal, type Real, reshape, square, sub, sum, tanh, type Tensor, tensor,
  toArray, valueAndGrad,
} from "../../src/index.ts";
import { uniformDyadics, integers } from "../rng.ts";
import { mlpMemoryRows, flat } from "../mlp-memory-run.ts";
import { erase, le, type Numbers, type Suite, type Tf, type TfScalar, type Timed } from "../workload.ts";

export interface MlpSizes {
  readonly batch: number;
  readonly inputs: number;
  readonly hidden: number;
  readonly classes: number;
}

/** One fixed batch and the initial parameters; matrices are flat, row-major. */
export interface MlpProblem extends MlpSizes {
  readonly x: readonly number[]; // [batch, inputs], pixels k/256
  readonly labels: readonly number[]; // [batch], class indices
  readonly w1: readonly number[]; // [inputs, hidden]
  readonly b1: readonly number[]; // [hidden]
  readonly w2: readonly number[]; // [hidden, classes]
  readonly b2: readonly number[]; // [classes]
  readonly lr: number;
  readonly l2: number;
}

export interface MlpParams {
  readonly w1: ArrayLike<number>;
  readonly b1: ArrayLike<number>;
  readonly w2: ArrayLike<number>;
  readonly b2: ArrayLike<number>;
}

/** A system's training state, made (untimed) from a problem. */
export interface MlpSession {
  /** Timed: one SGD step; returns the loss at the parameters before the update, as a plain number. */
  readonly step: () => number;
  /** Untimed: the current parameters, flat and row-major, for the agreement check. */
  readonly params: () => MlpParams;
}

/** What every system provides for W2 (nabla's entry below is this type). */
export type MlpSystem = (problem: MlpProblem) => MlpSession;

export const fullSizes: MlpSizes = { batch: 128, inputs: 784, hidden: 128, classes: 10 };

/** The seeded problem: pixels in [0, 1), weights uniform in ±1/16 (W1) and ±1/4 (W2), small biases. */
export function mlpProblem(sizes: MlpSizes = fullSizes, seed = 2): MlpProblem {
  const { batch, inputs, hidden, classes } = sizes;
  return Object.freeze({
    ...sizes,
    x: uniformDyadics(seed * 10 + 1, batch * inputs, 0, 1, 8),
    labels: integers(seed * 10 + 2, batch, classes),
    w1: uniformDyadics(seed * 10 + 3, inputs * hidden, -1 / 16, 1 / 16, 16),
    b1: uniformDyadics(seed * 10 + 4, hidden, -1 / 64, 1 / 64, 12),
    w2: uniformDyadics(seed * 10 + 5, hidden * classes, -1 / 4, 1 / 4, 16),
    b2: uniformDyadics(seed * 10 + 6, classes, -1 / 64, 1 / 64, 12),
    lr: 0.1,
    l2: 1e-4,
  });
}

/** Gradients of the loss, in the parameters' layout. */
export interface MlpGradients {
  readonly w1: Float64Array;
  readonly b1: Float64Array;
  readonly w2: Float64Array;
  readonly b2: Float64Array;
}

/**
 * The hand-written loss and gradient: forward, softmax cross-entropy through a stable log-sum-exp,
 * manual backward pass; matrix products in i-k-j order so the inner loop runs along rows.
 * `scratch` holds the activations (allocated once per session, as careful hand-written code does).
 */
export function lossAndGradHand(
  p: MlpSizes & { readonly l2: number },
  x: Float64Array,
  labels: Int32Array,
  params: { readonly w1: Float64Array; readonly b1: Float64Array; readonly w2: Float64Array; readonly b2: Float64Array },
  g: MlpGradients,
  scratch: { readonly a1: Float64Array; readonly z2: Float64Array; readonly d1: Float64Array } = mlpScratch(p),
): number {
  const { batch: B, inputs: K, hidden: H, classes: C, l2 } = p;
  const { w1, b1, w2, b2 } = params;
  const { a1, z2, d1 } = scratch;
  // a1 = tanh(x·W1 + b1)
  for (let i = 0; i < B; i++) {
    const row = i * H;
    for (let j = 0; j < H; j++) a1[row + j] = b1[j];
    for (let k = 0; k < K; k++) {
      const xik = x[i * K + k];
      const wk = k * H;
      for (let j = 0; j < H; j++) a1[row + j] += xik * w1[wk + j];
    }
    for (let j = 0; j < H; j++) a1[row + j] = Math.tanh(a1[row + j]);
  }
  // z2 = a1·W2 + b2
  for (let i = 0; i < B; i++) {
    const row = i * C;
    for (let c = 0; c < C; c++) z2[row + c] = b2[c];
    for (let h = 0; h < H; h++) {
      const a = a1[i * H + h];
      const wh = h * C;
      for (let c = 0; c < C; c++) z2[row + c] += a * w2[wh + c];
    }
  }
  // loss, and z2 becomes dL/dz2 = (softmax − onehot)/B in place
  let ce = 0;
  for (let i = 0; i < B; i++) {
    const row = i * C;
    let m = -Infinity;
    for (let c = 0; c < C; c++) m = Math.max(m, z2[row + c]);
    let s = 0;
    for (let c = 0; c < C; c++) s += Math.exp(z2[row + c] - m);
    const lse = m + Math.log(s);
    ce += lse - z2[row + labels[i]];
    for (let c = 0; c < C; c++) z2[row + c] = Math.exp(z2[row + c] - lse) / B;
    z2[row + labels[i]] -= 1 / B;
  }
  let sq = 0;
  for (let k = 0; k < w1.length; k++) sq += w1[k] * w1[k];
  for (let k = 0; k < w2.length; k++) sq += w2[k] * w2[k];
  const loss = ce / B + l2 * sq;
  // dW2 = a1ᵀ·dz2 + 2·l2·W2, db2 = Σ_i dz2
  for (let k = 0; k < w2.length; k++) g.w2[k] = 2 * l2 * w2[k];
  g.b2.fill(0);
  for (let i = 0; i < B; i++) {
    for (let h = 0; h < H; h++) {
      const a = a1[i * H + h];
      const gh = h * C;
      for (let c = 0; c < C; c++) g.w2[gh + c] += a * z2[i * C + c];
    }
    for (let c = 0; c < C; c++) g.b2[c] += z2[i * C + c];
  }
  // dz1 = (dz2·W2ᵀ) ⊙ (1 − a1²)
  for (let i = 0; i < B; i++) {
    for (let h = 0; h < H; h++) {
      let s = 0;
      for (let c = 0; c < C; c++) s += z2[i * C + c] * w2[h * C + c];
      const a = a1[i * H + h];
      d1[i * H + h] = s * (1 - a * a);
    }
  }
  // dW1 = xᵀ·dz1 + 2·l2·W1, db1 = Σ_i dz1
  for (let k = 0; k < w1.length; k++) g.w1[k] = 2 * l2 * w1[k];
  g.b1.fill(0);
  for (let i = 0; i < B; i++) {
    const row = i * H;
    for (let k = 0; k < K; k++) {
      const xik = x[i * K + k];
      const gk = k * H;
      for (let j = 0; j < H; j++) g.w1[gk + j] += xik * d1[row + j];
    }
    for (let j = 0; j < H; j++) g.b1[j] += d1[row + j];
  }
  return loss;
}

export const mlpScratch = (p: MlpSizes) => ({
  a1: new Float64Array(p.batch * p.hidden),
  z2: new Float64Array(p.batch * p.classes),
  d1: new Float64Array(p.batch * p.hidden),
});

/** Hand-written SGD: loss and gradient, then θ ← θ − lr·g in place (the session owns its buffers). */
export const hand: MlpSystem = (p) => {
  const x = Float64Array.from(p.x);
  const labels = Int32Array.from(p.labels);
  const params = { w1: Float64Array.from(p.w1), b1: Float64Array.from(p.b1), w2: Float64Array.from(p.w2), b2: Float64Array.from(p.b2) };
  const g: MlpGradients = { w1: new Float64Array(p.w1.length), b1: new Float64Array(p.b1.length), w2: new Float64Array(p.w2.length), b2: new Float64Array(p.b2.length) };
  const scratch = mlpScratch(p);
  const names = ["w1", "b1", "w2", "b2"] as const;
  return {
    step: () => {
      const loss = lossAndGradHand(p, x, labels, params, g, scratch);
      for (const n of names) {
        const w = params[n];
        const gn = g[n];
        for (let k = 0; k < w.length; k++) w[k] -= p.lr * gn[k];
      }
      return loss;
    },
    params: () => ({ w1: params.w1.slice(), b1: params.b1.slice(), w2: params.w2.slice(), b2: params.b2.slice() }),
  };
};

/** TensorFlow.js as its users write it: variables, tf.losses.softmaxCrossEntropy, tf.train.sgd. */
export const tfjs = (tf: Tf): MlpSystem => (p) => {
  const x = tf.tensor2d(Float32Array.from(p.x), [p.batch, p.inputs]);
  const onehot = tf.oneHot(tf.tensor1d(Int32Array.from(p.labels), "int32"), p.classes);
  const w1 = tf.variable(tf.tensor2d(Float32Array.from(p.w1), [p.inputs, p.hidden]));
  const b1 = tf.variable(tf.tensor1d(Float32Array.from(p.b1)));
  const w2 = tf.variable(tf.tensor2d(Float32Array.from(p.w2), [p.hidden, p.classes]));
  const b2 = tf.variable(tf.tensor1d(Float32Array.from(p.b2)));
  const optimizer = tf.train.sgd(p.lr);
  const loss = () => {
    const logits = tf.add(tf.matMul(tf.tanh(tf.add(tf.matMul(x, w1), b1)), w2), b2);
    const ce = tf.losses.softmaxCrossEntropy(onehot, logits);
    return tf.add(ce, tf.mul(p.l2, tf.add(tf.sum(tf.square(w1)), tf.sum(tf.square(w2))))) as TfScalar;
  };
  return {
    step: () => {
      const l = optimizer.minimize(loss, true, [w1, b1, w2, b2])!;
      const v = l.dataSync()[0];
      l.dispose();
      return v;
    },
    params: () => ({ w1: w1.dataSync(), b1: b1.dataSync(), w2: w2.dataSync(), b2: b2.dataSync() }),
  };
};

type NablaParams = { readonly w1: Tensor; readonly b1: Tensor; readonly w2: Tensor; readonly b2: Tensor };

/** The loss as a pure function of the parameters and the batch (x, one-hot y). */
const nablaLoss = (l2: number) => (q: NablaParams, x: Tensor, y: Tensor): Real => {
  const logits = add(matmul(tanh(add(matmul(x, q.w1), q.b1)), q.w2), q.b2);
  const ce = mean(sub(logSumExp(logits, 1), sum(mul(logits, y), 1)));
  return add(ce, mul(l2, add(sum(square(q.w1)), sum(square(q.w2)))));
};

/** nabla's session: `step` maps the parameters and the batch to [loss, new parameters] (plain, or jitted). */
const nablaSession = (p: MlpProblem, step: (args: readonly [NablaParams, Tensor, Tensor]) => readonly [Real, NablaParams]): MlpSession => {
  const x = tensor(p.x, [p.batch, p.inputs]);
  const y = oneHot(p.labels, p.classes);
  let params: NablaParams = {
    w1: tensor(p.w1, [p.inputs, p.hidden]),
    b1: tensor(p.b1, [p.hidden]),
    w2: tensor(p.w2, [p.hidden, p.classes]),
    b2: tensor(p.b2, [p.classes]),
  };
  const flat = (t: Tensor): number[] => (toArray(reshape(t, [-1])) as number[]);
  return {
    step: () => {
      const [l, next] = step([params, x, y]);
      params = next;
      return primal(l);
    },
    params: () => ({ w1: flat(params.w1), b1: flat(params.b1), w2: flat(params.w2), b2: flat(params.b2) }),
  };
};

/** One SGD step as a pure function: valueAndGrad of the loss at the parameters, then the update. */
const sgdStep = (p: MlpProblem) => {
  const loss = nablaLoss(p.l2);
  return ([q, x, y]: readonly [NablaParams, Tensor, Tensor]): readonly [Real, NablaParams] => {
    const [l, g] = valueAndGrad((r: NablaParams) => loss(r, x, y))(q);
    const next = {
      w1: sub(q.w1, mul(p.lr, g.w1)),
      b1: sub(q.b1, mul(p.lr, g.b1)),
      w2: sub(q.w2, mul(p.lr, g.w2)),
      b2: sub(q.b2, mul(p.lr, g.b2)),
    };
    return [l, next];
  };
};

/** nabla: the loss as a pure function of the parameter record, valueAndGrad, and an SGD step. */
export const nabla: MlpSystem = (p) => nablaSession(p, sgdStep(p));

/**
 * nabla, the same step under `jit`: a function of (parameters, batch) to [loss, new parameters], as a
 * user jits a training step. It works whether jit compiles tensor programs or runs them as written.
 */
export const nablaJit: MlpSystem = (p) => nablaSession(p, jit(sgdStep(p)));

/** Checks 3 steps from the shared initial parameters (losses, then parameters); timing continues from there. */
export const checkedSteps = 3;

export const mlpSuite = (s: MlpSession): Suite<"step"> => {
  const step: Timed = {
    run: s.step,
    release: () => {},
    check: (): Numbers => {
      const losses = Array.from({ length: checkedSteps }, () => s.step());
      const { w1, b1, w2, b2 } = s.params();
      return { losses, w1, b1, w2, b2 };
    },
  };
  return { step };
};

export const workload = erase<MlpProblem>({
  id: "W2",
  title: "MLP 784-128-10, tanh, softmax cross-entropy (mean over batch 128) + 1e-4·(‖W1‖² + ‖W2‖²), SGD lr 0.1",
  input: () => mlpProblem(),
  measures: [
    { key: "step", label: "one SGD step (loss read back)", plan: { runs: 30, warmup: 5, budgetMs: 4_000 } },
    { key: "jitStep", label: "jit(step) (loss read back)", plan: { runs: 30, warmup: 5, budgetMs: 4_000 } },
  ],
  nabla: (p) => ({ step: mlpSuite(nabla(p)).step, jitStep: mlpSuite(nablaJit(p)).step }),
  // one session per row, so each row's check starts from the shared initial parameters
  hand: (p) => ({ step: mlpSuite(hand(p)).step, jitStep: mlpSuite(hand(p)).step }),
  // TensorFlow.js has no jit: its figures are in the first row
  tfjs: (tf) => (p) => mlpSuite(tfjs(tf)(p)),
  backends: ["cpu", "wasm"],
  notes: [`W2: every system is checked on the losses of its first ${checkedSteps} steps from the shared initial parameters and on the parameters after them; the timed steps continue from there (one fixed batch).`],
  targets: [
    { text: "W2 nabla ≤ 0.9× hand-written", holds: (m) => le(m.step?.nabla, m.step?.hand, 0.9) },
    { text: "issue 15: W2 nabla's jitted step ≤ jax-js float32 jit", holds: (m) => le(m.jitStep?.nabla, m.jitStep?.["jax-f32"], 1) },
    { text: "issue 15: W2 nabla's eager step ≤ TensorFlow.js wasm", holds: (m) => le(m.step?.nabla, m.step?.["tfjs-wasm"], 1) },
    { text: "issue 15: W2 memory flat: heap used + ArrayBuffers after GC grow < 1 MB from step 100 to step 1,000 (eager and jit)", holds: flat },
  ],
  extra: (log) => mlpMemoryRows(log),
});
