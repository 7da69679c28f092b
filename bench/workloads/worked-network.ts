// W1: the course's 2-2-2 sigmoid network trained by gradient descent (lr 0.5, biases fixed), as
// nabla scalar ops under grad, and as a hand-written loop with manual derivatives (the floor).
import { add, grad, mul, type Real, sigmoid, square, sub } from "../../src/index.ts";

export const inputs = [0.05, 0.1] as const;
export const targets = [0.01, 0.99] as const;
export const biases = [0.35, 0.6] as const;
export const initial = { w1: 0.15, w2: 0.2, w3: 0.25, w4: 0.3, w5: 0.4, w6: 0.45, w7: 0.5, w8: 0.55 };
export type Weights = typeof initial;
type RealWeights = { readonly [K in keyof Weights]: Real };

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

export function trainNabla(steps: number, lr = 0.5): Weights {
  let w: Weights = initial;
  for (let s = 0; s < steps; s++) {
    const g = gradLoss(w);
    w = {
      w1: w.w1 - lr * g.w1, w2: w.w2 - lr * g.w2, w3: w.w3 - lr * g.w3, w4: w.w4 - lr * g.w4,
      w5: w.w5 - lr * g.w5, w6: w.w6 - lr * g.w6, w7: w.w7 - lr * g.w7, w8: w.w8 - lr * g.w8,
    };
  }
  return w;
}

/** The same training with the chain rule worked out by hand (the course's backward pass). */
export function trainHand(steps: number, lr = 0.5): Weights {
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
