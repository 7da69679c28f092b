// W7: one training step of a small CNN on a batch of 64 seeded random 28×28×1 images: conv 3×3×16,
// relu, maxPool 2, conv 3×3×32, relu, maxPool 2, dense 10, softmax cross-entropy averaged over the
// batch, SGD lr 0.05 (loss, gradient, update, loss read back). nabla, the hand-written loops of
// cnn-hand.ts, and TensorFlow.js (tf.conv2d, tf.maxPool, tf.losses.softmaxCrossEntropy, tf.train.sgd).
import {
  add, conv2d, jit, logSumExp, matmul, maxPool2d, mean, mul, oneHot, primal, type Real, relu, reshape, sub, sum, type Tensor, tensor, toArray,
  valueAndGrad,
} from "../../src/index.ts";
import { integers, uniformDyadics } from "../rng.ts";
import { erase, le, type Numbers, type Suite, type Tf, type TfScalar, type Timed } from "../workload.ts";
import type { Tensor4D as TfTensor4D } from "@tensorflow/tfjs";
import { type CnnArrays, cnnLossAndGradHand, cnnScratch, type CnnSizes, extents } from "./cnn-hand.ts";

export type { CnnSizes } from "./cnn-hand.ts";

/** One fixed batch and the initial parameters, flat and row-major (kernels HWIO). */
export interface CnnProblem extends CnnSizes {
  readonly x: readonly number[];
  readonly labels: readonly number[];
  readonly k1: readonly number[];
  readonly b1: readonly number[];
  readonly k2: readonly number[];
  readonly b2: readonly number[];
  readonly w3: readonly number[];
  readonly b3: readonly number[];
  readonly lr: number;
}

export const fullSizes: CnnSizes = { batch: 64, size: 28, c1: 16, c2: 32, classes: 10 };

/** The seeded problem: pixels in [0, 1), weights uniform in about ±√(3/fan-in) (powers of two), small biases. */
export function cnnProblem(sizes: CnnSizes = fullSizes, seed = 7): CnnProblem {
  const { batch, size, c1, c2, classes } = sizes;
  const { flat } = extents(sizes);
  return Object.freeze({
    ...sizes,
    x: uniformDyadics(seed * 10 + 1, batch * size * size, 0, 1, 8),
    labels: integers(seed * 10 + 2, batch, classes),
    k1: uniformDyadics(seed * 10 + 3, 9 * c1, -1 / 2, 1 / 2, 16),
    b1: uniformDyadics(seed * 10 + 4, c1, -1 / 64, 1 / 64, 12),
    k2: uniformDyadics(seed * 10 + 5, 9 * c1 * c2, -1 / 8, 1 / 8, 16),
    b2: uniformDyadics(seed * 10 + 6, c2, -1 / 64, 1 / 64, 12),
    w3: uniformDyadics(seed * 10 + 7, flat * classes, -1 / 16, 1 / 16, 16),
    b3: uniformDyadics(seed * 10 + 8, classes, -1 / 64, 1 / 64, 12),
    lr: 0.05,
  });
}

const names = ["k1", "b1", "k2", "b2", "w3", "b3"] as const;

/** A system's training state, made (untimed) from a problem. */
export interface CnnSession {
  /** Timed: one SGD step; returns the loss at the parameters before the update, as a plain number. */
  readonly step: () => number;
  /** Untimed: the current parameters, flat, for the agreement check. */
  readonly params: () => Readonly<Record<(typeof names)[number], ArrayLike<number>>>;
}

export type CnnSystem = (problem: CnnProblem) => CnnSession;

/** The parameters as named groups of numbers, read by `read` (the agreement check compares them group by group). */
const groups = (read: (name: (typeof names)[number]) => ArrayLike<number>): ReturnType<CnnSession["params"]> =>
  ({ k1: read("k1"), b1: read("b1"), k2: read("k2"), b2: read("b2"), w3: read("w3"), b3: read("b3") });

const arraysOf = (p: CnnProblem): CnnArrays =>
  ({ k1: Float64Array.from(p.k1), b1: Float64Array.from(p.b1), k2: Float64Array.from(p.k2), b2: Float64Array.from(p.b2), w3: Float64Array.from(p.w3), b3: Float64Array.from(p.b3) });

/** Hand-written Float64Array loops (direct convolutions), the backward pass by hand. */
export const hand: CnnSystem = (p) => {
  const x = Float64Array.from(p.x);
  const labels = Int32Array.from(p.labels);
  const params = arraysOf(p);
  const g = arraysOf(p);
  const scratch = cnnScratch(p);
  return {
    step: () => {
      const loss = cnnLossAndGradHand(p, x, labels, params, g, scratch);
      for (const n of names) {
        const w = params[n];
        const gn = g[n];
        for (let k = 0; k < w.length; k++) w[k] -= p.lr * gn[k];
      }
      return loss;
    },
    params: () => groups((n) => params[n].slice()),
  };
};

type Params = { readonly k1: Tensor; readonly b1: Tensor; readonly k2: Tensor; readonly b2: Tensor; readonly w3: Tensor; readonly b3: Tensor };

/** nabla: the loss as a pure function of the parameter record, valueAndGrad, and an SGD step. */
export const nabla: CnnSystem = (p) => nablaSession(p, false);

/** nabla, the same step under `jit` (parameters and batch to [loss, new parameters]), whatever jit does with tensor programs. */
export const nablaJit: CnnSystem = (p) => nablaSession(p, true);

function nablaSession(p: CnnProblem, jitted: boolean): CnnSession {
  const { batch: B, size: S, c1, c2, classes: K } = p;
  const { flat } = extents(p);
  const x = tensor(p.x, [B, S, S, 1]);
  const y = oneHot(p.labels, K);
  const loss = (q: Params, xb: Tensor, yb: Tensor): Real => {
    const h1 = maxPool2d(relu(add(conv2d(xb, q.k1), q.b1)), 2);
    const h2 = maxPool2d(relu(add(conv2d(h1, q.k2), q.b2)), 2);
    const logits = add(matmul(reshape(h2, [B, flat]), q.w3), q.b3);
    return mean(sub(logSumExp(logits, 1), sum(mul(logits, yb), 1)));
  };
  const sgd = ([q, xb, yb]: readonly [Params, Tensor, Tensor]): readonly [Real, Params] => {
    const [l, g] = valueAndGrad((r: Params) => loss(r, xb, yb))(q);
    const next = {
      k1: sub(q.k1, mul(p.lr, g.k1)), b1: sub(q.b1, mul(p.lr, g.b1)), k2: sub(q.k2, mul(p.lr, g.k2)), b2: sub(q.b2, mul(p.lr, g.b2)),
      w3: sub(q.w3, mul(p.lr, g.w3)), b3: sub(q.b3, mul(p.lr, g.b3)),
    };
    return [l, next];
  };
  const step = jitted ? jit(sgd) : sgd;
  let params: Params = {
    k1: tensor(p.k1, [3, 3, 1, c1]), b1: tensor(p.b1, [c1]), k2: tensor(p.k2, [3, 3, c1, c2]), b2: tensor(p.b2, [c2]),
    w3: tensor(p.w3, [flat, K]), b3: tensor(p.b3, [K]),
  };
  const flatOf = (t: Tensor): number[] => toArray(reshape(t, [-1])) as number[];
  return {
    step: () => {
      const [l, next] = step([params, x, y]);
      params = next;
      return primal(l);
    },
    params: () => groups((n) => flatOf(params[n])),
  };
}

/** TensorFlow.js as its users write it: variables, tf.conv2d, tf.maxPool, tf.losses.softmaxCrossEntropy, tf.train.sgd. */
export const tfjs = (tf: Tf): CnnSystem => (p) => {
  const { batch: B, size: S, c1, c2, classes: K } = p;
  const { flat } = extents(p);
  const x = tf.tensor4d(Float32Array.from(p.x), [B, S, S, 1]);
  const onehot = tf.oneHot(tf.tensor1d(Int32Array.from(p.labels), "int32"), K);
  const v = {
    k1: tf.variable(tf.tensor4d(Float32Array.from(p.k1), [3, 3, 1, c1])), b1: tf.variable(tf.tensor1d(Float32Array.from(p.b1))),
    k2: tf.variable(tf.tensor4d(Float32Array.from(p.k2), [3, 3, c1, c2])), b2: tf.variable(tf.tensor1d(Float32Array.from(p.b2))),
    w3: tf.variable(tf.tensor2d(Float32Array.from(p.w3), [flat, K])), b3: tf.variable(tf.tensor1d(Float32Array.from(p.b3))),
  };
  const optimizer = tf.train.sgd(p.lr);
  const loss = () => {
    const h1: TfTensor4D = tf.maxPool(tf.relu(tf.add(tf.conv2d(x, v.k1, 1, "valid") as TfTensor4D, v.b1)), 2, 2, "valid");
    const h2: TfTensor4D = tf.maxPool(tf.relu(tf.add(tf.conv2d(h1, v.k2, 1, "valid") as TfTensor4D, v.b2)), 2, 2, "valid");
    const logits = tf.add(tf.matMul(tf.reshape(h2, [B, flat]), v.w3), v.b3);
    return tf.losses.softmaxCrossEntropy(onehot, logits) as TfScalar;
  };
  return {
    step: () => {
      const l = optimizer.minimize(loss, true, names.map((n) => v[n]))!;
      const value = l.dataSync()[0];
      l.dispose();
      return value;
    },
    params: () => groups((n) => v[n].dataSync()),
  };
};

/** Checks 3 steps from the shared initial parameters (losses, then parameters); timing continues from there. */
export const checkedSteps = 3;

export const cnnSuite = (s: CnnSession): Suite<"step"> => {
  const step: Timed = {
    run: s.step,
    release: () => {},
    check: (): Numbers => {
      const losses = Array.from({ length: checkedSteps }, () => s.step());
      return { losses, ...s.params() };
    },
  };
  return { step };
};

export const workload = erase<CnnProblem>({
  id: "W7",
  title: "CNN on 64 images 28×28×1: conv 3×3×16, relu, maxPool 2, conv 3×3×32, relu, maxPool 2, dense 10, softmax cross-entropy, SGD lr 0.05",
  input: () => cnnProblem(),
  measures: [
    { key: "step", label: "one SGD step (loss read back)", plan: { runs: 20, warmup: 3, budgetMs: 6_000 } },
    { key: "jitStep", label: "jit(step) (loss read back)", plan: { runs: 20, warmup: 3, budgetMs: 6_000 } },
  ],
  nabla: (p) => ({ step: cnnSuite(nabla(p)).step, jitStep: cnnSuite(nablaJit(p)).step }),
  // one session per row, so each row's check starts from the shared initial parameters
  hand: (p) => ({ step: cnnSuite(hand(p)).step, jitStep: cnnSuite(hand(p)).step }),
  // TensorFlow.js has no jit: its figures are in the first row
  tfjs: (tf) => (p) => cnnSuite(tfjs(tf)(p)),
  backends: ["cpu", "wasm"],
  notes: [
    `W7: every system is checked on the losses of its first ${checkedSteps} steps from the shared initial parameters and on all parameters after them; the timed steps continue from there (one fixed batch). Convolutions are "valid", pools 2×2 with stride 2.`,
    "W7: TensorFlow.js's wasm backend has no Conv2DBackpropFilter kernel (tf.grad of a conv2d's filter throws there); bench/peers/tfjs.ts registers one built from the backend's own Transpose and Conv2D kernels (the filter gradient as a convolution of the transposed images with the transposed output gradient), as a user of the wasm backend would have to.",
  ],
  targets: [{ text: "W7 nabla ≤ TF.js wasm", holds: (m) => le(m.step?.nabla, m.step?.["tfjs-wasm"], 1) }],
});
