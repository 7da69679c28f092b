// Layers and losses: shapes and initialisation, values against closed forms written out here, and
// gradients against hand-derived formulas or central finite differences.
import { describe, expect, it } from "vitest";
import {
  binaryCrossEntropy, dense, grad, halfSquaredError, key, meanSquaredError, type Real, reluLayer, serial, sigmoidLayer,
  softmaxCrossEntropy, softmaxLayer, tanhLayer, type Tensor, tensor, toArray,
} from "../../../src/index.ts";
import { expectClose, expectTreeClose, isDeeplyFrozen } from "../../support/approx.ts";

const rows = (t: Tensor): number[][] => toArray(t) as number[][];
const flat = (t: Tensor): number[] => (toArray(t) as number[]).flat(Infinity as 1) as number[];
const σ = (x: number): number => 1 / (1 + Math.exp(-x));
/** x·W + b by loops. */
const affine = (x: number[][], w: number[][], b: number[]): number[][] =>
  x.map((row) => b.map((bj, j) => row.reduce((s, xi, i) => s + xi * w[i][j], bj)));

describe("dense", () => {
  it("acts on the last axis: init(key, [5, 4]) of dense(1) gives out-shape [5, 1]", () => {
    const [params, out] = dense(1).init(key(0), [5, 4]);
    expect(out).toEqual([5, 1]);
    expect(params.w.shape).toEqual([4, 1]);
    expect(params.b.shape).toEqual([1]);
  });
  it("starts with zero biases and Glorot-uniform weights in ±√(6/(in + out))", () => {
    const [fanIn, fanOut] = [200, 300];
    const [{ w, b }] = dense(fanOut).init(key(1), [fanIn]);
    expect(flat(b).every((v) => v === 0)).toBe(true);
    const ws = flat(w);
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    expect(ws.every((v) => Math.abs(v) <= limit)).toBe(true);
    // U(−a, a) has variance a²/3 = 2/(in + out)
    const variance = ws.reduce((s, v) => s + v * v, 0) / ws.length;
    expectClose(variance, 2 / (fanIn + fanOut), 0.02);
  });
  it("draws He-normal weights with variance 2/in when asked", () => {
    const [{ w }] = dense(300, { init: "he" }).init(key(2), [200]);
    const ws = flat(w);
    const variance = ws.reduce((s, v) => s + v * v, 0) / ws.length;
    expectClose(variance, 2 / 200, 0.03);
  });
  it("gives the same params for the same key and different ones for another", () => {
    const layer = dense(3);
    expect(rows(layer.init(key(4), [2])[0].w)).toEqual(rows(layer.init(key(4), [2])[0].w));
    expect(rows(layer.init(key(5), [2])[0].w)).not.toEqual(rows(layer.init(key(4), [2])[0].w));
  });
  it("returns frozen params and shapes", () => {
    expect(isDeeplyFrozen(dense(2).init(key(0), [3, 4]))).toBe(true);
  });
  it("computes x·W + b for a batch, a single vector, and several batch axes", () => {
    const w = [[1, -2], [0.5, 3], [-1, 0.25]];
    const b = [0.1, -0.2];
    const x = [[1, 2, 3], [-1, 0.5, 2]];
    const params = { w: tensor(w), b: tensor(b) };
    expectTreeClose(rows(dense(2).apply(params, tensor(x))), affine(x, w, b));
    expectTreeClose(toArray(dense(2).apply(params, tensor(x[0]))), affine([x[0]], w, b)[0]);
    const y = dense(2).apply(params, tensor([x, x.map((r) => r.map((v) => 2 * v))]));
    expect(y.shape).toEqual([2, 2, 2]);
    expectTreeClose(toArray(y), [affine(x, w, b), affine(x.map((r) => r.map((v) => 2 * v)), w, b)]);
  });
  it("rejects an input whose last axis does not fit the weights, naming both shapes", () => {
    const [params] = dense(2).init(key(0), [3]);
    expect(() => dense(2).apply(params, tensor([1, 2]))).toThrow(RangeError);
    expect(() => dense(2).apply(params, tensor([1, 2]))).toThrow(/\[2\].*\[3,2\]/);
  });
  it("rejects bad units and bad input shapes", () => {
    expect(() => dense(0)).toThrow(RangeError);
    expect(() => dense(1.5)).toThrow(RangeError);
    expect(() => dense(2).init(key(0), [])).toThrow(RangeError);
  });
});

describe("activation layers", () => {
  const x = [[-2, 0, 0.5], [1, 3, -0.25]];
  it.each([
    ["sigmoidLayer", sigmoidLayer, (r: number[]) => r.map(σ)],
    ["tanhLayer", tanhLayer, (r: number[]) => r.map(Math.tanh)],
    ["reluLayer", reluLayer, (r: number[]) => r.map((v) => Math.max(v, 0))],
    ["softmaxLayer", softmaxLayer, (r: number[]) => {
      const s = r.reduce((a, v) => a + Math.exp(v), 0);
      return r.map((v) => Math.exp(v) / s);
    }],
  ] as const)("%s has no params (an empty tree), keeps the shape, and applies its function", (_name, layer, f) => {
    const [params, out] = layer.init(key(0), [2, 3]);
    expect(params).toEqual([]);
    expect(params).not.toBeNull();
    expect(out).toEqual([2, 3]);
    expectTreeClose(rows(layer.apply(params, tensor(x))), x.map((r) => f(r)), 1e-14);
  });
});

describe("serial", () => {
  const model = serial(dense(16), tanhLayer, dense(3));
  it("has the tuple of its layers' params and chains the shapes", () => {
    const [params, out] = model.init(key(0), [7, 4]);
    expect(out).toEqual([7, 3]);
    expect(params).toHaveLength(3);
    expect(params[0].w.shape).toEqual([4, 16]);
    expect(params[1]).toEqual([]);
    expect(params[2].w.shape).toEqual([16, 3]);
    expect(isDeeplyFrozen(params)).toBe(true);
  });
  it("gives each layer a key of its own", () => {
    const [params] = serial(dense(3), dense(3)).init(key(0), [3]);
    expect(rows(params[0].w)).not.toEqual(rows(params[1].w));
  });
  it("applies its layers in order", () => {
    const [params] = model.init(key(1), [2, 4]);
    const x = tensor([[1, 2, 3, 4], [0, -1, 0.5, 2]]);
    const hidden = affine(rows(x), rows(params[0].w), flat(params[0].b)).map((r) => r.map(Math.tanh));
    expectTreeClose(rows(model.apply(params, x)), affine(hidden, rows(params[2].w), flat(params[2].b)), 1e-13);
  });
  it("is differentiable end to end: grad agrees with central finite differences", () => {
    const net = serial(dense(3), sigmoidLayer, dense(2));
    const [params] = net.init(key(2), [4, 2]);
    const x = tensor([[0.5, -1], [1, 2], [0, 0.3], [-0.7, 0.1]]);
    const loss = (p: typeof params): Real => halfSquaredError(net.apply(p, x), tensor([[1, 0], [0, 1], [1, 1], [0, 0]]));
    const g = grad(loss)(params);
    const w = rows(params[0].w);
    const h = 1e-6;
    const at = (d: number): typeof params => {
      const shifted = w.map((r, i) => r.map((v, j) => (i === 1 && j === 2 ? v + d : v)));
      return [{ w: tensor(shifted), b: params[0].b }, params[1], params[2]];
    };
    const fd = ((loss(at(h)) as number) - (loss(at(-h)) as number)) / (2 * h);
    expectClose(rows(g[0].w)[1][2], fd, 1e-7, 1e-10);
  });
  it("rejects something that is not a layer", () => {
    expect(() => serial(dense(2), {} as never)).toThrow(TypeError);
  });
});

describe("halfSquaredError", () => {
  it("is the course's E_total = Σ ½(target − out)² (0.298371109 at the course's outputs)", () => {
    expectClose(halfSquaredError([0.75136507, 0.772928465], [0.01, 0.99]), 0.298371109, 1e-8);
    expectClose(halfSquaredError(tensor([0.75136507, 0.772928465]), tensor([0.01, 0.99])), 0.298371109, 1e-8);
  });
  it("sums over every element of a tensor", () => {
    const o = [[1, 2], [3, 4]];
    const t = [[0, 2.5], [3, 1]];
    expectClose(halfSquaredError(tensor(o), tensor(t)), 0.5 * (1 + 0.25 + 0 + 9));
    expectClose(halfSquaredError(tensor(o), t as never), 0.5 * (1 + 0.25 + 0 + 9));
  });
  it("has gradient out − target", () => {
    expectTreeClose(grad((o: readonly Real[]) => halfSquaredError(o, [0.01, 0.99]))([0.5, 0.25]), [0.49, -0.74]);
  });
  it("rejects outputs and targets of different shapes, naming both", () => {
    expect(() => halfSquaredError(tensor([1, 2]), tensor([1, 2, 3]))).toThrow(RangeError);
    expect(() => halfSquaredError(tensor([1, 2]), tensor([1, 2, 3]))).toThrow(/\[2\].*\[3\]/);
    expect(() => halfSquaredError([1, 2], [1])).toThrow(RangeError);
  });
});

describe("meanSquaredError", () => {
  it("averages (target − output)² over every element", () => {
    expectClose(meanSquaredError(tensor([[1, 2], [3, 4]]), tensor([[0, 2.5], [3, 1]])), (1 + 0.25 + 0 + 9) / 4);
    expectClose(meanSquaredError([1, 2, 3], [1, 0, 0]), (0 + 4 + 9) / 3);
  });
  it("has gradient 2(output − target)/n", () => {
    expectTreeClose(grad((o: readonly Real[]) => meanSquaredError(o, [1, 0, 0]))([1, 2, 3]), [0, 4 / 3, 2]);
  });
});

describe("binaryCrossEntropy", () => {
  const p = [0.9, 0.2, 0.6];
  const t = [1, 0, 0];
  const expected = -(Math.log(0.9) + Math.log(0.8) + Math.log(0.4)) / 3;
  it("is −mean(t·log p + (1 − t)·log(1 − p))", () => {
    expectClose(binaryCrossEntropy(p, t), expected, 1e-14);
    expectClose(binaryCrossEntropy(tensor(p), tensor(t)), expected, 1e-14);
  });
  it("has gradient (p − t)/(p(1 − p))/n", () => {
    expectTreeClose(grad((q: readonly Real[]) => binaryCrossEntropy(q, t))(p), p.map((q, i) => (q - t[i]) / (q * (1 - q)) / 3), 1e-12);
  });
});

describe("softmaxCrossEntropy", () => {
  const logits = [[2, 1, 0.1], [0.5, 2.5, -1]];
  const labels = [0, 2];
  const logSoftmax = (r: number[]): number[] => {
    const lse = Math.log(r.reduce((s, v) => s + Math.exp(v), 0));
    return r.map((v) => v - lse);
  };
  const expected = -(logSoftmax(logits[0])[0] + logSoftmax(logits[1])[2]) / 2;
  it("averages −log softmax(logits)[label] over the batch, from class indices or one-hot labels", () => {
    expectClose(softmaxCrossEntropy(tensor(logits), labels), expected, 1e-14);
    expectClose(softmaxCrossEntropy(tensor(logits), tensor([[1, 0, 0], [0, 0, 1]])), expected, 1e-14);
    expectClose(softmaxCrossEntropy(tensor(logits), tensor(labels)), expected, 1e-14);
  });
  it("takes one example as [classes] logits", () => {
    expectClose(softmaxCrossEntropy(tensor(logits[1]), 2), -logSoftmax(logits[1])[2], 1e-14);
  });
  it("is stable for huge logits (a stable log-sum-exp)", () => {
    const z = tensor([[1000, 0, -1000], [-1000, 1000, 0]]);
    // −log softmax: 0 + log(1 + e^-1000 + e^-2000) ≈ 0 for the first row's class 0; 1000 for the second row's class 2
    expectClose(softmaxCrossEntropy(z, [0, 2]), (0 + 1000) / 2, 1e-14);
    // and so is its gradient, (softmax − onehot)/batch: softmax rows are [1, 0, 0] and [0, 1, 0] to within e^-1000
    expectTreeClose(rows(grad((l: Tensor) => softmaxCrossEntropy(l, [0, 2]))(z)), [[0, 0, 0], [0, 0.5, -0.5]]);
  });
  it("has gradient (softmax(logits) − onehot)/batch", () => {
    const g = rows(grad((l: Tensor) => softmaxCrossEntropy(l, labels))(tensor(logits)));
    const expectedGrad = logits.map((r, i) => logSoftmax(r).map((ls, c) => (Math.exp(ls) - (c === labels[i] ? 1 : 0)) / 2));
    expectTreeClose(g, expectedGrad, 1e-13);
  });
  it("rejects labels that do not fit the logits", () => {
    expect(() => softmaxCrossEntropy(tensor(logits), [0])).toThrow(RangeError);
    expect(() => softmaxCrossEntropy(tensor(logits), [0, 3])).toThrow(RangeError);
    expect(() => softmaxCrossEntropy(tensor(logits), tensor([[1, 0], [0, 1]]))).toThrow(RangeError);
    expect(() => softmaxCrossEntropy([1, 2] as never, [0])).toThrow(TypeError);
  });
});
