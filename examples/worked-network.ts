// `npm run demo`: the course's worked example, the 2-2-2 sigmoid network, built from nabla's layers
// and loss and differentiated by `grad`. Inputs 0.05, 0.10; targets 0.01, 0.99; biases fixed at
// b1 = 0.35 (hidden) and b2 = 0.60 (output), as in the course; only the eight weights are trained.
import {
  dense, grad, halfSquaredError, primal, type Real, serial, sgd, sigmoidLayer, type Tensor, tensor, toArray, train,
} from "../src/index.ts";
import { lineChart, sparkline, writeOutput } from "./lib/plot.ts";

const fmt = (x: Real): string => primal(x).toFixed(9);
/** 3.510187783e-05: nine decimals, a two-digit exponent. */
const fmtExp = (x: Real): string => primal(x).toExponential(9).replace(/e([+-])(\d)$/, "e$10$2");

// A dense layer computes x·W + b with W of shape [in, out]: column j holds the weights into unit j.
// h1 = σ(w1·i1 + w2·i2 + b1) and h2 = σ(w3·i1 + w4·i2 + b1), so W_h = [[w1, w3], [w2, w4]];
// o1 = σ(w5·h1 + w6·h2 + b2) and o2 = σ(w7·h1 + w8·h2 + b2), so W_o = [[w5, w7], [w6, w8]].
type Weights = { readonly hidden: Tensor; readonly output: Tensor };
const initial: Weights = {
  hidden: tensor([[0.15, 0.25], [0.2, 0.3]]),
  output: tensor([[0.4, 0.5], [0.45, 0.55]]),
};
const inputs = tensor([0.05, 0.1]);
const targets = tensor([0.01, 0.99]);
const b1 = tensor([0.35, 0.35]);
const b2 = tensor([0.6, 0.6]);

const hiddenLayer = serial(dense(2), sigmoidLayer);
const outputLayer = serial(dense(2), sigmoidLayer);
const network = serial(hiddenLayer, outputLayer);

/** The network's params: the trainable weights beside the fixed biases. */
const withBiases = (w: Weights) =>
  [[{ w: w.hidden, b: b1 }, []], [{ w: w.output, b: b2 }, []]] as const;

/** E_total = Σ ½(target − out)², a function of the weights alone. */
const loss = (w: Weights): Real => halfSquaredError(network.apply(withBiases(w), inputs), targets);

/** The course's names for the entries of W_h and W_o. */
const named = (w: Weights): Record<string, number> => {
  const [[w1, w3], [w2, w4]] = toArray(w.hidden) as number[][];
  const [[w5, w7], [w6, w8]] = toArray(w.output) as number[][];
  return { w1, w2, w3, w4, w5, w6, w7, w8 };
};

console.log("The course's 2-2-2 network: inputs 0.05, 0.10 → targets 0.01, 0.99; sigmoid units; biases 0.35, 0.60 fixed");

// Forward pass
const params = withBiases(initial);
const [outH1, outH2] = toArray(hiddenLayer.apply(params[0], inputs)) as number[];
const [outO1, outO2] = toArray(network.apply(params, inputs)) as number[];
console.log("\nforward pass");
console.log(`  out_h1 = ${fmt(outH1)}`);
console.log(`  out_h2 = ${fmt(outH2)}`);
console.log(`  out_o1 = ${fmt(outO1)}`);
console.log(`  out_o2 = ${fmt(outO2)}`);
console.log(`  E_o1 = ${fmt(halfSquaredError([outO1], [0.01]))}`);
console.log(`  E_o2 = ${fmt(halfSquaredError([outO2], [0.99]))}`);
console.log(`  E_total = ${fmt(loss(initial))}`);

// Backward pass: every ∂E/∂w by reverse mode
const gradient = named(grad(loss)(initial));
console.log("\nbackward pass (grad)");
for (const w of ["w5", "w6", "w7", "w8", "w1", "w2", "w3", "w4"]) console.log(`  ∂E/∂${w} = ${fmt(gradient[w])}`);

// One step of gradient descent
const optimizer = sgd(0.5);
const [stepped] = optimizer.update(grad(loss)(initial), optimizer.init(initial), initial);
const after = named(stepped);
console.log("\nafter one step of gradient descent, lr = 0.5");
for (const w of ["w5", "w6", "w7", "w8", "w1", "w2", "w3", "w4"]) console.log(`  new ${w} = ${fmt(after[w])}`);
console.log(`  E_total after one step = ${fmt(loss(stepped))}`);

// The course's workflow, iterated: forward, loss, backward, update
const steps = 10_000;
const result = train({ loss, params: initial, optimizer, steps });
const [o1, o2] = toArray(network.apply(withBiases(result.params), inputs)) as number[];
console.log(`\nafter ${steps.toLocaleString("en-US")} steps (train)`);
console.log(`  E_total after 10,000 steps = ${fmtExp(result.history[steps])}`);
console.log(`  out_o1, out_o2 after 10,000 steps = ${fmt(o1)}, ${fmt(o2)}`);
console.log(`  loss ${sparkline(result.history)} (log scale)`);
const svg = writeOutput(
  "worked-network-loss.svg",
  lineChart("The course's 2-2-2 network: E_total under gradient descent (lr 0.5)", [{ name: "E_total", values: result.history, color: "#1f77b4" }], { logY: true }),
);
console.log(`  loss curve written to ${svg}`);
