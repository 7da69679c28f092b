// W1: the course's 2-2-2 sigmoid network trained by gradient descent (lr 0.5, biases fixed), as
// nabla scalar ops under grad, as a hand-written loop with manual derivatives (the floor), and as
// TensorFlow.js with 2×2 weight matrices (its natural form; scalar tensors would be slower still).
import { add, grad, jit, mul, type Real, sigmoid, square, sub } from "../../src/index.ts";
import { erase, le, type Numbers, type Suite, type Tf, type TfTensor, timed } from "../workload.ts";

export const inputs = [0.05, 0.1] as const;
export const targets = [0.01, 0.99] as const;
export const biases = [0.35, 0.6] as const;
export const initial = { w1: 0.15, w2: 0.2, w3: 0.25, w4: 0.3, w5: 0.4, w6: 0.45, w7: 0.5, w8: 0.55 };
export type Weights = typeof initial;
type RealWeights = { readonly [K in keyof Weights]: Real };

export const steps = 10_000;
export const learningRate = 0.5;

/** E_total = ½(t₁ − o₁)² + ½(t₂ − o₂)², written with nabla's scalar ops. */
export function loss(w: RealWeights): Real {
  const [i1, i2] = inputs;
  const [b1, b2] = biases;
  const h1 = sigmoid(add(add(mul(w.w1, i1), mul(w.w2, i2)), b1));
  const h2 = sigmoid(add(add(mul(w.w3, i1), mul(w.w4, i2)), b1));
  const o1 = sigmoid(add(add(mul(w.w5, h1), mul(w.w6, h2)), b2));
  const o2 = sigmoid(add(add(mul(w.w7, h1), mul(w.w8, h2)), b2));
  return add(mul(0.5, square(sub(targets[0], o1))), mul(0.5, square(sub(targets[1], o2))));
}

const gradLoss = grad(loss);
/** The same gradient recorded once and replayed as compiled code (JAX's `jit(grad(loss))`). */
const gradLossJit = jit(grad(loss));

/** One gradient-descent step on the weights. */
const descend = (w: Weights, g: Weights, lr: number): Weights => ({
  w1: w.w1 - lr * g.w1, w2: w.w2 - lr * g.w2, w3: w.w3 - lr * g.w3, w4: w.w4 - lr * g.w4,
  w5: w.w5 - lr * g.w5, w6: w.w6 - lr * g.w6, w7: w.w7 - lr * g.w7, w8: w.w8 - lr * g.w8,
});

// Two loops, not one taking the gradient as a parameter: each call site then sees one function.
export function trainNabla(steps: number, lr = learningRate): Weights {
  let w: Weights = initial;
  for (let s = 0; s < steps; s++) w = descend(w, gradLoss(w), lr);
  return w;
}

export function trainNablaJit(steps: number, lr = learningRate): Weights {
  let w: Weights = initial;
  for (let s = 0; s < steps; s++) w = descend(w, gradLossJit(w), lr);
  return w;
}

/** The same training with the chain rule worked out by hand (the course's backward pass). */
export function trainHand(steps: number, lr = learningRate): Weights {
  let { w1, w2, w3, w4, w5, w6, w7, w8 } = initial;
  const [i1, i2] = inputs;
  const [b1, b2] = biases;
  const [t1, t2] = targets;
  for (let s = 0; s < steps; s++) {
    const h1 = 1 / (1 + Math.exp(-(w1 * i1 + w2 * i2 + b1)));
    const h2 = 1 / (1 + Math.exp(-(w3 * i1 + w4 * i2 + b1)));
    const o1 = 1 / (1 + Math.exp(-(w5 * h1 + w6 * h2 + b2)));
    const o2 = 1 / (1 + Math.exp(-(w7 * h1 + w8 * h2 + b2)));
    const d1 = (o1 - t1) * o1 * (1 - o1);
    const d2 = (o2 - t2) * o2 * (1 - o2);
    const e1 = (d1 * w5 + d2 * w7) * h1 * (1 - h1);
    const e2 = (d1 * w6 + d2 * w8) * h2 * (1 - h2);
    w1 -= lr * e1 * i1; w2 -= lr * e1 * i2; w3 -= lr * e2 * i1; w4 -= lr * e2 * i2;
    w5 -= lr * d1 * h1; w6 -= lr * d1 * h2; w7 -= lr * d2 * h1; w8 -= lr * d2 * h2;
  }
  return { w1, w2, w3, w4, w5, w6, w7, w8 };
}

/**
 * TensorFlow.js: h = σ(x·Wh + b₁), o = σ(h·Wo + b₂) with Wh = [[w1, w3], [w2, w4]] and
 * Wo = [[w5, w7], [w6, w8]], so that h₁ = σ(w1·i1 + w2·i2 + b₁) as in the course.
 * Returns the final [Wh, Wo]; the caller disposes them.
 */
export function trainTfjs(tf: Tf, steps: number, lr = learningRate): readonly [TfTensor, TfTensor] {
  const { w1, w2, w3, w4, w5, w6, w7, w8 } = initial;
  const [x, t, b1, b2] = [tf.tensor2d([[...inputs]]), tf.tensor2d([[...targets]]), tf.scalar(biases[0]), tf.scalar(biases[1])];
  const g = tf.grads((wh, wo) => {
    const h = tf.sigmoid(tf.add(tf.matMul(x, wh), b1));
    const o = tf.sigmoid(tf.add(tf.matMul(h, wo), b2));
    return tf.mul(0.5, tf.sum(tf.square(tf.sub(t, o))));
  });
  let wh = tf.tensor2d([[w1, w3], [w2, w4]]);
  let wo = tf.tensor2d([[w5, w7], [w6, w8]]);
  for (let s = 0; s < steps; s++) {
    const [nh, no] = tf.tidy(() => {
      const [gh, go] = g([wh, wo]);
      return [tf.sub(wh, tf.mul(lr, gh)), tf.sub(wo, tf.mul(lr, go))];
    });
    wh.dispose();
    wo.dispose();
    [wh, wo] = [nh, no];
  }
  tf.dispose([x, t, b1, b2]);
  return [wh, wo];
}

const ordered = (w: Weights): Numbers => ({ weights: [w.w1, w.w2, w.w3, w.w4, w.w5, w.w6, w.w7, w.w8] });

export const workload = erase<null>({
  id: "W1",
  title: "worked network (2-2-2 sigmoid), 10,000 gradient-descent steps, lr 0.5, biases fixed",
  input: () => null,
  measures: [
    { key: "train", label: "10,000 GD steps, grad", plan: { runs: 15, warmup: 3, budgetMs: 5_000 } },
    { key: "trainJit", label: "10,000 GD steps, jit(grad)", plan: { runs: 15, warmup: 3, budgetMs: 5_000 } },
  ],
  nabla: (): Suite => ({
    train: timed(() => trainNabla(steps), ordered),
    trainJit: timed(() => trainNablaJit(steps), ordered),
  }),
  // the hand-written loop is already compiled code: the same loop is its figure for both rows
  hand: (): Suite => ({ train: timed(() => trainHand(steps), ordered), trainJit: timed(() => trainHand(steps), ordered) }),
  // TensorFlow.js has no jit of its own: its figures are in the grad row
  tfjs: (tf) => (): Suite => ({
    train: timed(
      () => trainTfjs(tf, steps),
      ([wh, wo]) => {
        const [w1, w3, w2, w4] = wh.dataSync();
        const [w5, w7, w6, w8] = wo.dataSync();
        return { weights: [w1, w2, w3, w4, w5, w6, w7, w8] };
      },
      (ws) => tf.dispose([...ws]),
      { maxRuns: 3, maxWarmup: 1 },
    ),
  }),
  backends: ["cpu", "wasm"],
  notes: ["W1 TensorFlow.js: the network as 2×2 weight matrices (its natural form; 8 scalar tensors would be slower), tf.grads and tf.tidy per step; 10,000 steps take seconds, so 3 runs after one warm-up."],
  targets: [
    { text: "W1 nabla jit(grad) ≤ 10× hand-written", holds: (m) => le(m.trainJit?.nabla, m.trainJit?.hand, 10) },
    { text: "W1 nabla jit(grad) ≥ 80× faster than TensorFlow.js CPU", holds: (m) => le(m.trainJit?.nabla, m.train?.["tfjs-cpu"], 1 / 80) },
    { text: "W1 nabla grad alone ≤ 10× hand-written (for scale: without jit)", holds: (m) => le(m.train?.nabla, m.train?.hand, 10) },
    { text: "W1 nabla grad alone ≥ 80× faster than TensorFlow.js CPU", holds: (m) => le(m.train?.nabla, m.train?.["tfjs-cpu"], 1 / 80) },
    { text: "issue 15: W1 nabla jit(grad) ≤ 1.5× hand-written", holds: (m) => le(m.trainJit?.nabla, m.trainJit?.hand, 1.5) },
    { text: "issue 15: W1 nabla grad ≤ 10× hand-written", holds: (m) => le(m.train?.nabla, m.train?.hand, 10) },
  ],
});
