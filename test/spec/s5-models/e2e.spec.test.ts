// SPEC §5 end to end: serial(dense(8), tanhLayer, dense(3)) trained with train + adam +
// softmaxCrossEntropy + withL2 on a synthetic, separable three-class dataset.
import { describe, expect, it } from "vitest";
import {
  adam, argmax, dense, key, type Real, serial, softmaxCrossEntropy, tanhLayer, tensor, train, weightsOnly, withL2,
  oneHot,
} from "../../../src/index.ts";
import { values } from "../../support/reference.ts";

// Three clusters around (2, 0), (−1, 1.8), (−1, −1.8) with uniform noise in ±0.6: separable.
const centers = [[2, 0], [-1, 1.8], [-1, -1.8]];
const perClass = 30;
const noise = values(centers.length * perClass * 2, 12345, -0.6, 0.6);
const points: number[][] = [];
const labels: number[] = [];
centers.forEach(([cx, cy], c) => {
  for (let i = 0; i < perClass; i++) {
    const j = (c * perClass + i) * 2;
    points.push([cx + noise[j], cy + noise[j + 1]]);
    labels.push(c);
  }
});
const X = tensor(points);

const model = serial(dense(8), tanhLayer, dense(3));
const accuracy = (p: Parameters<typeof model.apply>[0]): number => {
  const predicted = argmax(model.apply(p, X), 1);
  return predicted.filter((k, i) => k === labels[i]).length / labels.length;
};

describe("a small MLP trained end to end", () => {
  it("reaches high training accuracy with integer labels, adam, softmaxCrossEntropy and withL2 on the weights", () => {
    const [params, out] = model.init(key(0), X.shape);
    expect([...out]).toEqual([90, 3]);
    const loss = withL2(1e-3, { select: weightsOnly })((p: typeof params): Real => softmaxCrossEntropy(model.apply(p, X), labels));
    const fit = train({ loss, params, optimizer: adam(0.05), steps: 150 });
    expect(fit.history).toHaveLength(151);
    expect(fit.history[150]).toBeLessThan(fit.history[0] / 4);
    expect(accuracy(fit.params)).toBeGreaterThanOrEqual(0.97);
  });

  it("reaches high training accuracy with one-hot labels and plain withL2", () => {
    const [params] = model.init(key(1), X.shape);
    const y = oneHot(labels, 3);
    const loss = withL2(1e-4)((p: typeof params): Real => softmaxCrossEntropy(model.apply(p, X), y));
    const fit = train({ loss, params, optimizer: adam(0.05), steps: 150, tolerance: 1e-7 });
    expect(fit.history[fit.steps]).toBeLessThan(fit.history[0]);
    expect(accuracy(fit.params)).toBeGreaterThanOrEqual(0.97);
  });

  it("the untrained model starts with a clearly non-zero loss (the training above does real work)", () => {
    const [params] = model.init(key(0), X.shape);
    const start = softmaxCrossEntropy(model.apply(params, X), labels) as number;
    expect(start).toBeGreaterThan(0.3);
  });
});
