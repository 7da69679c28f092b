// SPEC §5 and §7 (Layers, Losses): dense, activation layers, serial; halfSquaredError,
// meanSquaredError, binaryCrossEntropy, softmaxCrossEntropy — values and gradients against closed forms.
import { describe, expect, it } from "vitest";
import {
  binaryCrossEntropy, dense, grad, halfSquaredError, key, meanSquaredError, oneHot, type Real, reluLayer, serial,
  sigmoidLayer, softmaxCrossEntropy, softmaxLayer, sum, tanhLayer, Tensor, tensor, toArray, valueAndGrad,
} from "../../../src/index.ts";
import {
  expectClose, expectDeepFrozen, expectTensor, expectThrows, expectTreeClose, SPEC_ATOL, SPEC_RTOL,
} from "../../support/approx.ts";
import { denseRef, leafNumbers, logSumExpRef, sigmoidRef, softmaxRef, values } from "../../support/reference.ts";

const isEmptyTree = (p: unknown): boolean =>
  p !== null && p !== undefined && ((Array.isArray(p) && p.length === 0) || (typeof p === "object" && !Array.isArray(p) && Object.keys(p as object).length === 0 && !(p instanceof Tensor)));

const shapeOf = (t: unknown): number[] => [...(t as Tensor).shape];

describe("dense(units)", () => {
  it("init on a 1-D input shape gives weights [in, units], a bias [units] and out-shape [units]", () => {
    const [p, out] = dense(3).init(key(0), [4]);
    expect([...out]).toEqual([3]);
    expect(p.w).toBeInstanceOf(Tensor);
    expect(p.b).toBeInstanceOf(Tensor);
    expect(shapeOf(p.w)).toEqual([4, 3]);
    expect(shapeOf(p.b)).toEqual([3]);
  });

  it("init(key, [5,4]) of dense(1) gives out-shape [5,1] and 4 + 1 parameters", () => {
    const [p, out] = dense(1).init(key(0), [5, 4]);
    expect([...out]).toEqual([5, 1]);
    expect(leafNumbers(p)).toHaveLength(5);
  });

  it("treats every leading axis as a batch axis: init(key, [2,3,4]) of dense(5) gives out-shape [2,3,5]", () => {
    const [p, out] = dense(5).init(key(1), [2, 3, 4]);
    expect([...out]).toEqual([2, 3, 5]);
    expect(shapeOf(p.w)).toEqual([4, 5]);
    expect(shapeOf(p.b)).toEqual([5]);
  });

  it("its params depend only on the last axis of inShape: init(key, [5,4]) and init(key, [4]) agree (as stax.Dense)", () => {
    const [a] = dense(3).init(key(8), [5, 4]);
    const [b] = dense(3).init(key(8), [4]);
    expect(toArray(a.w)).toEqual(toArray(b.w));
    expect(toArray(a.b)).toEqual(toArray(b.b));
  });

  it("the same key gives the same params, and different keys give different weights", () => {
    const [a] = dense(6).init(key(42), [3]);
    const [b] = dense(6).init(key(42), [3]);
    const [c] = dense(6).init(key(43), [3]);
    expect(toArray(a.w)).toEqual(toArray(b.w));
    expect(toArray(a.b)).toEqual(toArray(b.b));
    expect(toArray(a.w)).not.toEqual(toArray(c.w));
  });

  it("init draws finite, not all equal, weights of a plausible scale", () => {
    const [p] = dense(16).init(key(3), [8]);
    const w = leafNumbers(p.w);
    expect(w.every(Number.isFinite)).toBe(true);
    expect(new Set(w).size).toBeGreaterThan(100);
    expect(Math.max(...w.map(Math.abs))).toBeLessThan(5);
    expect(leafNumbers(p.b).every(Number.isFinite)).toBe(true);
  });

  it("apply computes x·W + b on a batch [n, in] with W of shape [in, units]", () => {
    const w = [[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]];
    const b = [0.01, -0.02, 0.03];
    const x = [[1, 2], [-3, 0.5], [0.25, -1]];
    const y = dense(3).apply({ w: tensor(w), b: tensor(b) }, tensor(x));
    expectTensor(y, [3, 3], denseRef(x, w, b));
  });

  it("apply on a single 1-D input [in] gives a 1-D output [units]", () => {
    const w = [[0.1, -0.2], [0.4, 0.5], [1, 2]];
    const b = [0.5, -0.5];
    const y = dense(2).apply({ w: tensor(w), b: tensor(b) }, tensor([1, -1, 2]));
    expectTensor(y, [2], denseRef([[1, -1, 2]], w, b)[0]);
  });

  it("apply on a rank-3 batch maps every row of the last axis", () => {
    const w = [[1, 0.5], [-1, 2], [0.25, 0]];
    const b = [0.1, 0.2];
    const flat = values(2 * 4 * 3, 11);
    const x = [0, 1].map((i) => [0, 1, 2, 3].map((j) => flat.slice((i * 4 + j) * 3, (i * 4 + j) * 3 + 3)));
    const y = dense(2).apply({ w: tensor(w), b: tensor(b) }, tensor(x));
    expectTensor(y, [2, 4, 2], x.map((rows) => denseRef(rows, w, b)));
  });

  it("apply to initialized params gives a tensor of the advertised out-shape", () => {
    const layer = dense(1);
    const [p, out] = layer.init(key(0), [5, 4]);
    const y = layer.apply(p, tensor(values(20, 2), [5, 4]));
    expect(shapeOf(y)).toEqual([...out]);
  });

  it("grad of sum(apply(p, x)) is Σ_rows xᵀ for the weights and the batch size for the bias", () => {
    const x = [[1, 2], [3, -4], [0.5, 0.5]];
    const p = { w: tensor([[0.3, 0.1, -0.2], [0.7, -0.5, 0.9]]), b: tensor([0, 0, 0]) };
    const g = grad((q: typeof p) => sum(dense(3).apply(q, tensor(x))))(p);
    const colSums = [x.reduce((a, r) => a + r[0], 0), x.reduce((a, r) => a + r[1], 0)];
    expectTensor(g.w, [2, 3], [[colSums[0], colSums[0], colSums[0]], [colSums[1], colSums[1], colSums[1]]]);
    expectTensor(g.b, [3], [3, 3, 3]);
  });

  it("init and apply do not change their inputs", () => {
    const shape = [2, 3];
    const k = key(5);
    const [p] = dense(2).init(k, shape);
    expect(shape).toEqual([2, 3]);
    const before = toArray(p.w);
    dense(2).apply(p, tensor([[1, 2, 3], [4, 5, 6]]));
    expect(toArray(p.w)).toEqual(before);
  });
});

describe("activation layers", () => {
  const x = [[-2, -0.5, 0], [0.5, 1.5, 3]];
  const cases: [string, typeof sigmoidLayer, (row: number[]) => number[]][] = [
    ["sigmoidLayer", sigmoidLayer, (r) => r.map(sigmoidRef)],
    ["tanhLayer", tanhLayer, (r) => r.map(Math.tanh)],
    ["reluLayer", reluLayer, (r) => r.map((v) => Math.max(0, v))],
    ["softmaxLayer", softmaxLayer, (r) => softmaxRef(r)],
  ];
  for (const [name, layer, ref] of cases) {
    it(`${name} has an empty params tree ([] or {}), never null, and keeps the input shape`, () => {
      const [p, out] = layer.init(key(0), [2, 3]);
      expect(isEmptyTree(p)).toBe(true);
      expect([...out]).toEqual([2, 3]);
      const [p3, out3] = layer.init(key(0), [4, 2, 7]);
      expect(isEmptyTree(p3)).toBe(true);
      expect([...out3]).toEqual([4, 2, 7]);
    });

    it(`${name} applies its function (along the last axis for softmax) to every row`, () => {
      const [p] = layer.init(key(0), [2, 3]);
      expectTensor(layer.apply(p, tensor(x)), [2, 3], x.map(ref), 1e-12, 1e-15);
    });
  }

  it("sigmoidLayer's gradient is σ(x)(1 − σ(x)) elementwise", () => {
    const g = grad((t: Tensor) => sum(sigmoidLayer.apply([], t)))(tensor(x));
    expectTensor(g, [2, 3], x.map((r) => r.map((v) => sigmoidRef(v) * (1 - sigmoidRef(v)))), 1e-12, 1e-15);
  });

  it("softmaxLayer on a 1-D input gives probabilities that sum to 1", () => {
    const y = softmaxLayer.apply([], tensor([1, 2, 3, 4]));
    expectTensor(y, [4], softmaxRef([1, 2, 3, 4]), 1e-12, 1e-15);
  });
});

describe("serial(...layers)", () => {
  it("its params are the tuple of its layers' params and its out-shapes chain", () => {
    const model = serial(dense(4), reluLayer, dense(2));
    const [p, out] = model.init(key(0), [3, 5]);
    expect([...out]).toEqual([3, 2]);
    expect(Array.isArray(p)).toBe(true);
    expect(p).toHaveLength(3);
    expect(shapeOf(p[0].w)).toEqual([5, 4]);
    expect(shapeOf(p[0].b)).toEqual([4]);
    expect(isEmptyTree(p[1])).toBe(true);
    expect(shapeOf(p[2].w)).toEqual([4, 2]);
    expect(shapeOf(p[2].b)).toEqual([2]);
  });

  it("apply is the composition of its layers' apply, each with its own params", () => {
    const model = serial(dense(3), tanhLayer, dense(2), sigmoidLayer);
    const [p] = model.init(key(9), [4, 2]);
    const x = tensor(values(8, 4), [4, 2]);
    const manual = sigmoidLayer.apply(p[3], dense(2).apply(p[2], tanhLayer.apply(p[1], dense(3).apply(p[0], x))));
    expectTensor(model.apply(p, x), [4, 2], toArray(manual), 1e-12, 1e-15);
  });

  it("apply with hand-set params matches a plain reference network", () => {
    const w1 = [[0.5, -1], [0.25, 2]];
    const b1 = [0.1, -0.1];
    const w2 = [[1], [-0.5]];
    const b2 = [0.3];
    const model = serial(dense(2), tanhLayer, dense(1));
    const params = [{ w: tensor(w1), b: tensor(b1) }, [], { w: tensor(w2), b: tensor(b2) }] as const;
    const x = [[1, 2], [-1, 0.5]];
    const h = denseRef(x, w1, b1).map((r) => r.map(Math.tanh));
    expectTensor(model.apply(params, tensor(x)), [2, 1], denseRef(h, w2, b2), 1e-12, 1e-15);
  });

  it("nests: serial(serial(dense(2), sigmoidLayer), dense(1)) has params [[dense, []], dense]", () => {
    const model = serial(serial(dense(2), sigmoidLayer), dense(1));
    const [p, out] = model.init(key(2), [3]);
    expect([...out]).toEqual([1]);
    expect(p).toHaveLength(2);
    expect(p[0]).toHaveLength(2);
    expect(shapeOf(p[0][0].w)).toEqual([3, 2]);
    expect(isEmptyTree(p[0][1])).toBe(true);
    expect(shapeOf(p[1].w)).toEqual([2, 1]);
  });

  it("the same key gives the same params for the whole stack", () => {
    const model = serial(dense(3), reluLayer, dense(3));
    const [a] = model.init(key(7), [2]);
    const [b] = model.init(key(7), [2]);
    expect(leafNumbers(a)).toEqual(leafNumbers(b));
  });

  it("two dense layers of the same shape in one serial get different weights", () => {
    const model = serial(dense(3), dense(3));
    const [p] = model.init(key(7), [3]);
    expect(toArray(p[0].w)).not.toEqual(toArray(p[1].w));
  });

  it("grad flows through a serial stack to every dense layer (finite differences)", () => {
    const model = serial(dense(2), tanhLayer, dense(1));
    const [p] = model.init(key(4), [3, 2]);
    const x = tensor([[0.5, -1], [1, 2], [-0.3, 0.7]]);
    const f = (q: typeof p): Real => sum(model.apply(q, x));
    const g = grad(f)(p);
    // finite difference on the first weight of the first layer
    const w = toArray(p[0].w) as number[][];
    const h = 1e-6;
    const bump = (d: number) => {
      const w2 = w.map((r) => [...r]);
      w2[0][0] += d;
      return f([{ w: tensor(w2), b: p[0].b }, p[1], p[2]] as unknown as typeof p) as number;
    };
    expectClose((toArray(g[0].w) as number[][])[0][0], (bump(h) - bump(-h)) / (2 * h), 1e-6, 1e-9);
    expectTensor(g[2].b, [1], [3]);
  });
});

describe("halfSquaredError(output, target)", () => {
  it("is Σ ½(target − output)² on Real[] (the course's E_total)", () => {
    const out = [0.75136507, 0.772928465];
    const tgt = [0.01, 0.99];
    expectClose(halfSquaredError(out, tgt), 0.5 * (0.01 - 0.75136507) ** 2 + 0.5 * (0.99 - 0.772928465) ** 2, 1e-12, SPEC_ATOL);
    expectClose(halfSquaredError(out, tgt), 0.298371109, 0, 1e-8);
  });

  it("sums over every element of a 2-D tensor", () => {
    const o = [[1, 2, 3], [4, 5, 6]];
    const t = [[0, 2, 5], [4, 1, 7]];
    const expected = 0.5 * (1 + 0 + 4 + 0 + 16 + 1);
    expectClose(halfSquaredError(tensor(o), tensor(t)), expected, SPEC_RTOL, SPEC_ATOL);
  });

  it("returns a plain number on plain inputs", () => {
    expect(typeof halfSquaredError([1, 2], [0, 0])).toBe("number");
    expect(typeof halfSquaredError(tensor([1, 2]), tensor([0, 0]))).toBe("number");
  });

  it("its gradient with respect to the output is output − target (Real[] and tensor)", () => {
    const tgt = [0.5, -1, 2];
    const o = [1.5, 0.25, -3];
    expectTreeClose(grad((y: readonly Real[]) => halfSquaredError(y, tgt))(o), o.map((v, i) => v - tgt[i]), SPEC_RTOL, SPEC_ATOL);
    expectTensor(grad((y: Tensor) => halfSquaredError(y, tensor(tgt)))(tensor(o)), [3], o.map((v, i) => v - tgt[i]));
  });

  it("its gradient with respect to the target is target − output", () => {
    const o = [1.5, 0.25, -3];
    const t = [0.5, -1, 2];
    expectTensor(grad((y: Tensor) => halfSquaredError(tensor(o), y))(tensor(t)), [3], t.map((v, i) => v - o[i]));
  });

  it("rejects tensors of shapes that do not match with a RangeError", () => {
    expectThrows(() => halfSquaredError(tensor([1, 2, 3]), tensor([1, 2])), RangeError);
  });
});

describe("meanSquaredError(output, target)", () => {
  it("is the mean of (output − target)² over every element (Real[])", () => {
    expectClose(meanSquaredError([1, 2, 3, 4], [0, 2, 5, 1]), (1 + 0 + 4 + 9) / 4, SPEC_RTOL, SPEC_ATOL);
  });

  it("averages over every element of a 2-D tensor", () => {
    const o = [[1, 2, 3], [4, 5, 6]];
    const t = [[0, 2, 5], [4, 1, 7]];
    expectClose(meanSquaredError(tensor(o), tensor(t)), (1 + 0 + 4 + 0 + 16 + 1) / 6, SPEC_RTOL, SPEC_ATOL);
  });

  it("its gradient is 2(output − target)/n", () => {
    const o = [[1, 2, 3], [4, 5, 6]];
    const t = [[0, 2, 5], [4, 1, 7]];
    const g = grad((y: Tensor) => meanSquaredError(y, tensor(t)))(tensor(o));
    expectTensor(g, [2, 3], o.map((r, i) => r.map((v, j) => (2 * (v - t[i][j])) / 6)));
    expectTreeClose(grad((y: readonly Real[]) => meanSquaredError(y, [0, 1]))([3, -1]), [3, -2], SPEC_RTOL, SPEC_ATOL);
  });
});

describe("binaryCrossEntropy(probabilities, targets)", () => {
  const bce = (p: number[], y: number[]) =>
    -p.reduce((a, pi, i) => a + y[i] * Math.log(pi) + (1 - y[i]) * Math.log(1 - pi), 0) / p.length;

  it("is the mean of −[y·log p + (1 − y)·log(1 − p)] (Real[])", () => {
    const p = [0.9, 0.2, 0.6, 0.35];
    const y = [1, 0, 1, 0];
    expectClose(binaryCrossEntropy(p, y), bce(p, y), 1e-12, SPEC_ATOL);
  });

  it("averages over every element of a 2-D tensor and accepts soft targets", () => {
    const p = [[0.9, 0.2], [0.6, 0.35]];
    const y = [[1, 0.25], [0.5, 0]];
    expectClose(binaryCrossEntropy(tensor(p), tensor(y)), bce(p.flat(), y.flat()), 1e-12, SPEC_ATOL);
  });

  it("its gradient is −(y/p − (1 − y)/(1 − p))/n", () => {
    const p = [0.9, 0.2, 0.6];
    const y = [1, 0, 0.3];
    const expected = p.map((pi, i) => -(y[i] / pi - (1 - y[i]) / (1 - pi)) / 3);
    expectTensor(grad((q: Tensor) => binaryCrossEntropy(q, tensor(y)))(tensor(p)), [3], expected, 1e-10);
    expectTreeClose(grad((q: readonly Real[]) => binaryCrossEntropy(q, y))(p), expected, 1e-10, SPEC_ATOL);
  });

  it("composed with a sigmoid, its gradient in the logit is (σ(z) − y)/n", () => {
    const z = [2, -1, 0.5];
    const y = [1, 0, 1];
    const g = grad((t: Tensor) => binaryCrossEntropy(sigmoidLayer.apply([], t), tensor(y)))(tensor(z));
    expectTensor(g, [3], z.map((zi, i) => (sigmoidRef(zi) - y[i]) / 3), 1e-9);
  });
});

describe("softmaxCrossEntropy(logits, labels)", () => {
  const logits = [[2, 1, 0.1], [0.5, 2.5, -1], [-1, 0, 3], [1, 1, 1]];
  const labels = [0, 1, 2, 0];
  const onehot = labels.map((l) => [0, 1, 2].map((c) => (c === l ? 1 : 0)));
  const ref = logits.reduce((a, row, i) => a + logSumExpRef(row) - row[labels[i]], 0) / logits.length;
  const gradRef = logits.map((row, i) => softmaxRef(row).map((s, c) => (s - onehot[i][c]) / logits.length));

  it("with one-hot labels of the same shape is the batch mean of logSumExp(z) − z[label]", () => {
    expectClose(softmaxCrossEntropy(tensor(logits), tensor(onehot)), ref, 1e-12, SPEC_ATOL);
  });

  it("with integer class indices (a number[]) gives the same value", () => {
    expectClose(softmaxCrossEntropy(tensor(logits), labels), ref, 1e-12, SPEC_ATOL);
  });

  it("with integer class indices as a 1-D tensor gives the same value", () => {
    expectClose(softmaxCrossEntropy(tensor(logits), tensor(labels)), ref, 1e-12, SPEC_ATOL);
  });

  it("with labels made by oneHot gives the same value", () => {
    expectClose(softmaxCrossEntropy(tensor(logits), oneHot(labels, 3)), ref, 1e-12, SPEC_ATOL);
  });

  it("its gradient in the logits is (softmax(z) − onehot)/batch, for both label forms", () => {
    const g1 = grad((z: Tensor) => softmaxCrossEntropy(z, tensor(onehot)))(tensor(logits));
    expectTensor(g1, [4, 3], gradRef, 1e-10, 1e-14);
    const g2 = grad((z: Tensor) => softmaxCrossEntropy(z, labels))(tensor(logits));
    expectTensor(g2, [4, 3], gradRef, 1e-10, 1e-14);
  });

  it("is stable for huge logits: finite value and gradient", () => {
    const z = [[1000, 0, -1000], [0, 1000, 2000]];
    const [v, g] = valueAndGrad((t: Tensor) => softmaxCrossEntropy(t, [0, 0]))(tensor(z));
    expectClose(v, (0 + 2000) / 2, 1e-12, SPEC_ATOL);
    expectTensor(g, [2, 3], [[0, 0, 0], [-0.5, 0, 0.5]], 1e-12, 1e-15);
  });

  it("is stable for hugely negative logits", () => {
    const v = softmaxCrossEntropy(tensor([[-1000, -1001]]), [1]);
    expectClose(v, 1 + Math.log1p(Math.exp(-1)), 1e-12, SPEC_ATOL);
  });

  it("returns a plain number on plain inputs", () => {
    expect(typeof softmaxCrossEntropy(tensor(logits), labels)).toBe("number");
  });

  it("rejects one-hot labels whose shape differs from the logits' with a RangeError", () => {
    expectThrows(() => softmaxCrossEntropy(tensor(logits), tensor([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [1, 0, 0, 0]])), RangeError);
  });
});

describe("layers: edges and errors", () => {
  it("dense.apply on an input whose last axis does not match the weights is a RangeError naming both shapes", () => {
    const p = { w: tensor([[1, 2], [3, 4], [5, 6]]), b: tensor([0, 0]) };
    expectThrows(() => dense(2).apply(p, tensor([[1, 2, 3, 4, 5], [1, 2, 3, 4, 5]])), RangeError, "[2,5]", "[3,2]");
  });

  it("init returns deeply frozen params (immutable, like every other result)", () => {
    const [p, out] = serial(dense(3), tanhLayer, dense(1)).init(key(0), [2]);
    expectDeepFrozen(p);
    expect(Object.isFrozen(out)).toBe(true);
  });

  it("serial() with no layers is the identity with an empty params tuple (as stax.serial())", () => {
    const model = serial();
    const [p, out] = model.init(key(0), [2, 3]);
    expect(p).toEqual([]);
    expect([...out]).toEqual([2, 3]);
    expectTensor(model.apply(p, tensor([[1, 2, 3], [4, 5, 6]])), [2, 3], [[1, 2, 3], [4, 5, 6]]);
  });

  for (const bad of [0, -1, 2.5, Number.NaN]) {
    it(`dense(${bad}) is rejected with an Error rather than building a broken layer`, () => {
      let err: unknown;
      try {
        dense(bad).init(key(0), [3]);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(Error);
    });
  }
});

describe("losses: edges and errors", () => {
  it("halfSquaredError of Real[] of different lengths is a RangeError", () => {
    expectThrows(() => halfSquaredError([1, 2, 3], [1, 2]), RangeError);
  });

  it("meanSquaredError of tensors of shapes that do not match is a RangeError naming both shapes", () => {
    expectThrows(() => meanSquaredError(tensor([[1, 2, 3]]), tensor([[1, 2], [3, 4]])), RangeError, "[1,3]", "[2,2]");
  });

  it("softmaxCrossEntropy with integer labels and a −Infinity logit on a non-label class (a mask) is finite, as optax's", () => {
    const v = softmaxCrossEntropy(tensor([[0, Number.NEGATIVE_INFINITY, 0]]), [0]);
    expectClose(v, Math.log(2), 1e-12, SPEC_ATOL);
  });

  it("softmaxCrossEntropy with one-hot labels and a −Infinity logit where the label is 0 is finite, as optax's", () => {
    const v = softmaxCrossEntropy(tensor([[0, Number.NEGATIVE_INFINITY, 0]]), tensor([[1, 0, 0]]));
    expectClose(v, Math.log(2), 1e-12, SPEC_ATOL);
  });

  it("softmaxCrossEntropy with a batch of one matches the single-example closed form", () => {
    const z = [0.3, -1.2, 2.2, 0];
    expectClose(softmaxCrossEntropy(tensor([z]), [2]), logSumExpRef(z) - 2.2, 1e-12, SPEC_ATOL);
  });

  it("softmaxCrossEntropy gradients stay finite and correct when one logit is huge", () => {
    const g = grad((z: Tensor) => softmaxCrossEntropy(z, [1]))(tensor([[800, 0, -5]]));
    expectTensor(g, [1, 3], [[1, -1, 0]], 1e-12, 1e-300);
  });

  it("reluLayer's gradient is 1 for positive inputs and 0 for negative inputs and at 0", () => {
    const g = grad((t: Tensor) => sum(reluLayer.apply([], t)))(tensor([-1, 0, 2]));
    expectTensor(g, [3], [0, 0, 1]);
  });
});
