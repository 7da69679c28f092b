// The course's 2-2-2 sigmoid network as in examples/worked-network.ts, with no DOM and no Node API:
// its weights, its loss E_total, and the forward values the page shows. Biases are fixed, as in the course.
import {
  dense, halfSquaredError, primal, type Real, serial, sigmoidLayer, type Tensor, tensor, toArray,
} from "nabla";

// W_h = [[w1, w3], [w2, w4]] and W_o = [[w5, w7], [w6, w8]]: column j of a dense layer's W feeds unit j.
export type Weights = { readonly hidden: Tensor; readonly output: Tensor };

export const initial: Weights = {
  hidden: tensor([[0.15, 0.25], [0.2, 0.3]]),
  output: tensor([[0.4, 0.5], [0.45, 0.55]]),
};
export const inputs = [0.05, 0.1] as const;
export const targets = [0.01, 0.99] as const;
export const biases = { b1: 0.35, b2: 0.6 } as const;

const x = tensor([...inputs]);
const t = tensor([...targets]);
const b1 = tensor([biases.b1, biases.b1]);
const b2 = tensor([biases.b2, biases.b2]);

const hiddenLayer = serial(dense(2), sigmoidLayer);
const network = serial(hiddenLayer, serial(dense(2), sigmoidLayer));

/** The network's params: the trainable weights beside the fixed biases. */
const withBiases = (w: Weights) => [[{ w: w.hidden, b: b1 }, []], [{ w: w.output, b: b2 }, []]] as const;

/** E_total = Σ ½(target − out)², a function of the weights alone (differentiable by nabla). */
export const loss = (w: Weights): Real => halfSquaredError(network.apply(withBiases(w), x), t);

export const weightNames = ["w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8"] as const;
export type WeightName = (typeof weightNames)[number];

/** The course's names for the entries of W_h and W_o (also for a gradient, which has the same shape). */
export function named(w: Weights): Record<WeightName, number> {
  const [[w1, w3], [w2, w4]] = toArray(w.hidden) as number[][];
  const [[w5, w7], [w6, w8]] = toArray(w.output) as number[][];
  return { w1, w2, w3, w4, w5, w6, w7, w8 };
}

export const forwardNames = ["out_h1", "out_h2", "out_o1", "out_o2", "E_o1", "E_o2", "E_total"] as const;
export type Forward = Record<(typeof forwardNames)[number], number>;

/** The forward pass at `w`, with the course's names. */
export function forward(w: Weights): Forward {
  const params = withBiases(w);
  const [out_h1, out_h2] = toArray(hiddenLayer.apply(params[0], x)) as number[];
  const [out_o1, out_o2] = toArray(network.apply(params, x)) as number[];
  return {
    out_h1, out_h2, out_o1, out_o2,
    E_o1: primal(halfSquaredError([out_o1], [targets[0]])),
    E_o2: primal(halfSquaredError([out_o2], [targets[1]])),
    E_total: primal(loss(w)),
  };
}
