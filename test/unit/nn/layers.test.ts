// The layers of SPEC §5 beyond dense: conv, maxPool, avgPool, flatten, layerNorm, dropout, embedding,
// and the context that serial threads through them. Values against plain nested-loop references
// (test/support/windows.ts) and closed forms, initializers against the formulas Keras documents,
// gradients against central finite differences.
import { describe, expect, it } from "vitest";
import {
  avgPool, conv, dense, dropout, embedding, flatten, grad, key, layerNorm, maxPool, mul, reluLayer, serial, split, sum,
  type Tensor, tensor, toArray,
} from "../../../src/index.ts";
import { expectThrows } from "../../support/approx.ts";
import { flatten as flat, values } from "../../support/reference.ts";
import { expectSameTree } from "../../support/stacking.ts";
import { fdGradient, refAvgPool, refConv, refMaxPool, samePads } from "../../support/windows.ts";

const elements = (t: Tensor): number[] => flat(toArray(t));
const stats = (v: readonly number[]) => {
  const m = v.reduce((s, x) => s + x, 0) / v.length;
  return { mean: m, variance: v.reduce((s, x) => s + (x - m) ** 2, 0) / v.length, min: Math.min(...v), max: Math.max(...v) };
};

describe("conv", () => {
  it("init: a Glorot-uniform HWIO kernel (fanIn = kh·kw·in, fanOut = kh·kw·filters), a zero bias, and the output shape apply gives", () => {
    const layer = conv(48, [5, 3], { stride: [2, 1], padding: "same" });
    const [p, out] = layer.init(key(1), [2, 9, 7, 16]);
    expect([...p.w.shape]).toEqual([5, 3, 16, 48]);
    expect(elements(p.b)).toEqual(new Array(48).fill(0));
    const limit = Math.sqrt(6 / (5 * 3 * 16 + 5 * 3 * 48));
    const s = stats(elements(p.w));
    expect(s.min).toBeGreaterThanOrEqual(-limit);
    expect(s.max).toBeLessThan(limit);
    expect(s.max).toBeGreaterThan(0.99 * limit); // 11,520 draws reach the edges
    expect(s.variance).toBeCloseTo(limit ** 2 / 3, 3); // a uniform's variance
    expect(Math.abs(s.mean)).toBeLessThan(0.01 * limit);
    expect(out).toEqual([2, 5, 7, 48]);
    expect([...layer.apply(p, tensor(values(2 * 9 * 7 * 16, 1), [2, 9, 7, 16])).shape]).toEqual(out);
  });

  it("apply is the nested-loop convolution plus the bias", () => {
    const layer = conv(3, 3, { dilation: 2, padding: [[1, 0], [2, 2]] });
    const xs = [2, 6, 5, 2];
    const x = values(2 * 6 * 5 * 2, 2);
    const w = values(3 * 3 * 2 * 3, 3);
    const b = [0.5, -1, 2];
    const ref = refConv(x, xs, w, [3, 3, 2, 3], { stride: [1, 1], dilation: [2, 2], pads: [[1, 0], [2, 2]] });
    const y = layer.apply({ w: tensor(w, [3, 3, 2, 3]), b: tensor(b) }, tensor(x, xs));
    expectSameTree(y, tensor(ref.data.map((v, i) => v + b[i % 3]), ref.shape));
    const [, out] = layer.init(key(0), xs);
    expect(out).toEqual(ref.shape);
  });

  it("is deterministic in the key", () => {
    const [a] = conv(4, 3).init(key(5), [1, 8, 8, 3]);
    const [b] = conv(4, 3).init(key(5), [1, 8, 8, 3]);
    const [c] = conv(4, 3).init(key(6), [1, 8, 8, 3]);
    expect(elements(a.w)).toEqual(elements(b.w));
    expect(elements(a.w)).not.toEqual(elements(c.w));
  });

  it("checks its arguments when made and when initialized", () => {
    expectThrows(() => conv(0, 3), RangeError, /^conv: filters/);
    expectThrows(() => conv(4, [3, 0]), RangeError, /^conv: kernelSize/);
    expectThrows(() => conv(4, 3, { padding: "full" as "same" }), RangeError, /^conv: padding/);
    expectThrows(() => conv(4, 3, { dilation: 0 }), RangeError, /^conv: dilation/);
    expectThrows(() => conv(4, 3).init(key(0), [8, 8, 3]), RangeError, /^conv\.init/, "[8,8,3]");
    expectThrows(() => conv(4, 5).init(key(0), [1, 3, 3, 1]), RangeError, /does not fit/);
  });
});

describe("dense's initializer", () => {
  it("is Glorot uniform, ±√(6/(in + units)) as Keras's glorot_uniform", () => {
    const [p] = dense(300).init(key(2), [1, 100]);
    const limit = Math.sqrt(6 / 400);
    const s = stats(elements(p.w));
    expect(s.min).toBeGreaterThanOrEqual(-limit);
    expect(s.max).toBeLessThan(limit);
    expect(s.max).toBeGreaterThan(0.99 * limit);
  });
});

describe("maxPool, avgPool, flatten", () => {
  const xs = [2, 5, 7, 3];
  const x = values(2 * 5 * 7 * 3, 4);
  it("the pools equal the nested-loop references, with the output shape init reports", () => {
    const g = { stride: [2, 2] as const, dilation: [1, 1] as const, pads: [samePads(5, 3, 2), samePads(7, 3, 2)] as const };
    for (const [layer, ref] of [[maxPool(3, { stride: 2, padding: "same" }), refMaxPool], [avgPool(3, { stride: 2, padding: "same" }), refAvgPool]] as const) {
      const [p, out] = layer.init(key(0), xs);
      expect(p).toEqual([]);
      const r = ref(x, xs, [3, 3], g);
      expect(out).toEqual(r.shape);
      expectSameTree(layer.apply(p, tensor(x, xs)), tensor(r.data, r.shape));
    }
    expect(maxPool(2).init(key(0), xs)[1]).toEqual([2, 2, 3, 3]);
    expectThrows(() => maxPool([2, 0]), RangeError, /^maxPool: size/);
    expectThrows(() => avgPool(2, { stride: -1 }), RangeError, /^avgPool: stride/);
  });
  it("flatten keeps the batch axis and lays the rest out in row-major order", () => {
    const [p, out] = flatten().init(key(0), xs);
    expect(out).toEqual([2, 105]);
    const y = flatten().apply(p, tensor(x, xs));
    expect([...y.shape]).toEqual([2, 105]);
    expect(elements(y)).toEqual(x);
    expect(flatten().init(key(0), [4])[1]).toEqual([4, 1]);
    expectThrows(() => flatten().init(key(0), []), RangeError, /^flatten/);
  });
});

describe("layerNorm", () => {
  const xs = values(3 * 5, 7, -2, 3);
  const ref = (x: readonly number[], scale: readonly number[], offset: readonly number[], eps: number): number[] => {
    const out: number[] = [];
    for (let r = 0; r < x.length / 5; r++) {
      const row = x.slice(r * 5, r * 5 + 5);
      const m = row.reduce((s, v) => s + v, 0) / 5;
      const v = row.reduce((s, u) => s + (u - m) ** 2, 0) / 5;
      row.forEach((u, i) => out.push(((u - m) / Math.sqrt(v + eps)) * scale[i] + offset[i]));
    }
    return out;
  };
  it("init: scale ones and offset zeros over the last axis; apply normalizes each row (biased variance, eps inside the root)", () => {
    const [p, out] = layerNorm().init(key(0), [3, 5]);
    expect(out).toEqual([3, 5]);
    expect(elements(p.scale)).toEqual([1, 1, 1, 1, 1]);
    expect(elements(p.offset)).toEqual([0, 0, 0, 0, 0]);
    expectSameTree(layerNorm().apply(p, tensor(xs, [3, 5])), tensor(ref(xs, [1, 1, 1, 1, 1], [0, 0, 0, 0, 0], 1e-5), [3, 5]));
    const scale = [1, 2, 3, 4, 5];
    const offset = [0, -1, 0.5, 2, 0];
    expectSameTree(layerNorm({ eps: 0.1 }).apply({ scale: tensor(scale), offset: tensor(offset) }, tensor(xs, [3, 5])), tensor(ref(xs, scale, offset, 0.1), [3, 5]));
  });
  it("has the gradient of central finite differences in x, scale and offset", () => {
    const w = values(15, 8);
    const L = (q: { x: Tensor; scale: Tensor; offset: Tensor }) => sum(mul(layerNorm().apply({ scale: q.scale, offset: q.offset }, q.x), tensor(w, [3, 5])));
    const scale = [1, 2, 3, 4, 5];
    const offset = [0, -1, 0.5, 2, 0];
    const g = grad(L)({ x: tensor(xs, [3, 5]), scale: tensor(scale), offset: tensor(offset) });
    const refL = (x: readonly number[], s: readonly number[], o: readonly number[]) => ref(x, s, o, 1e-5).reduce((a, v, i) => a + v * w[i], 0);
    expectSameTree(g.x, tensor(fdGradient((v) => refL(v, scale, offset), xs, 1e-5), [3, 5]), 1e-6, 1e-8);
    expectSameTree(g.scale, tensor(fdGradient((v) => refL(xs, v, offset), scale, 1e-5), [5]), 1e-6, 1e-8);
    expectSameTree(g.offset, tensor(fdGradient((v) => refL(xs, scale, v), offset, 1e-5), [5]), 1e-6, 1e-8);
  });
  it("refuses a bad eps and an input that does not fit", () => {
    expectThrows(() => layerNorm({ eps: -1 }), RangeError, /^layerNorm: eps/);
    const [p] = layerNorm().init(key(0), [3, 5]);
    expectThrows(() => layerNorm().apply(p, tensor(values(12, 1), [3, 4])), RangeError, /^layerNorm\.apply/, "[3,4]", "[5]");
  });
});

describe("dropout", () => {
  const x = tensor(values(20_000, 9, 1, 2), [100, 200]);
  it("is the identity unless training: without a context, with training false, and at rate 0", () => {
    const layer = dropout(0.3);
    expect(layer.apply([], x)).toBe(x);
    expect(layer.apply([], x, { key: key(1) })).toBe(x);
    expect(layer.apply([], x, { key: key(1), training: false })).toBe(x);
    expect(dropout(0).apply([], x, { key: key(1), training: true })).toBe(x);
  });
  it("while training zeroes each element with probability rate and scales the rest by 1/(1 − rate)", () => {
    const rate = 0.3;
    const y = elements(dropout(rate).apply([], x, { key: key(1), training: true }));
    const xv = elements(x);
    const zeros = y.filter((v) => v === 0).length;
    // a binomial count: within 4 standard deviations of n·rate
    expect(Math.abs(zeros - 20_000 * rate)).toBeLessThan(4 * Math.sqrt(20_000 * rate * (1 - rate)));
    y.forEach((v, i) => {
      if (v !== 0) expect(Math.abs(v - xv[i] / (1 - rate))).toBeLessThanOrEqual(1e-15 * Math.abs(v));
    });
    // the same key gives the same zeros, another key others
    expect(elements(dropout(rate).apply([], x, { key: key(1), training: true }))).toEqual(y);
    expect(elements(dropout(rate).apply([], x, { key: key(2), training: true }))).not.toEqual(y);
  });
  it("its gradient is its mask: 0 where dropped, 1/(1 − rate) where kept", () => {
    const ctx = { key: key(3), training: true };
    const y = elements(dropout(0.5).apply([], x, ctx));
    const g = elements(grad((t: Tensor) => sum(dropout(0.5).apply([], t, ctx)))(x));
    expect(g).toEqual(y.map((v) => (v === 0 ? 0 : 2)));
  });
  it("training without a key is a TypeError; a rate outside [0, 1) a RangeError", () => {
    expectThrows(() => dropout(0.5).apply([], x, { training: true }), TypeError, /^dropout\.apply: training needs a key/);
    expectThrows(() => dropout(1), RangeError, /^dropout: rate/);
    expectThrows(() => dropout(-0.1), RangeError, /^dropout: rate/);
    expectThrows(() => dropout(0.5).apply([], x, { key: "k" as never, training: true }), TypeError, /^dropout\.apply/);
  });
});

describe("embedding", () => {
  it("init: a table uniform in [−0.05, 0.05), and the indices' shape plus the dimension", () => {
    const [p, out] = embedding(1000, 16).init(key(4), [8, 5]);
    expect(out).toEqual([8, 5, 16]);
    const s = stats(elements(p.table));
    expect(s.min).toBeGreaterThanOrEqual(-0.05);
    expect(s.max).toBeLessThan(0.05);
    expect(s.max).toBeGreaterThan(0.0499);
    expect(s.variance).toBeCloseTo(0.1 ** 2 / 12, 4);
  });
  it("apply gathers rows; the gradient adds into the rows used (repeated indices accumulate)", () => {
    const table = tensor([[1, 2], [3, 4], [5, 6]]);
    const layer = embedding(3, 2);
    expect(toArray(layer.apply({ table }, tensor([[2, 0], [0, 0]])))).toEqual([[[5, 6], [1, 2]], [[1, 2], [1, 2]]]);
    const g = grad((t: Tensor) => sum(mul(layer.apply({ table: t }, tensor([2, 0, 0])), tensor([[1, 1], [10, 10], [100, 100]]))))(table);
    expect(toArray(g)).toEqual([[110, 110], [0, 0], [1, 1]]);
  });
  it("refuses indices outside [0, vocabularySize) with a RangeError", () => {
    const table = tensor([[1, 2], [3, 4], [5, 6]]);
    expectThrows(() => embedding(3, 2).apply({ table }, tensor([3])), RangeError);
    expectThrows(() => embedding(3, 2).apply({ table }, tensor([-1])), RangeError, /^embedding\.apply/);
    expectThrows(() => embedding(0, 2), RangeError, /^embedding: vocabularySize/);
  });
});

describe("serial threads the context", () => {
  const x = tensor(values(400, 10, 1, 2), [20, 20]);
  it("each layer gets its own split of the key; the rest of the context goes to every layer", () => {
    const model = serial(dropout(0.5), reluLayer, dropout(0.5));
    const [k0, , k2] = split(key(7), 3);
    const ctx = { key: key(7), training: true };
    const expected = dropout(0.5).apply([], dropout(0.5).apply([], x, { key: k0, training: true }), { key: k2, training: true });
    expectSameTree(model.apply([[], [], []], x, ctx), expected, 0, 0);
    // the two dropouts draw different zeros
    const first = elements(dropout(0.5).apply([], x, { key: k0, training: true })).map((v) => v === 0);
    const second = elements(dropout(0.5).apply([], x, { key: k2, training: true })).map((v) => v === 0);
    expect(first).not.toEqual(second);
  });
  it("works without a context (dropout is then the identity), and refuses a context that is not a record", () => {
    const model = serial(dense(3), dropout(0.5), reluLayer);
    const [p] = model.init(key(0), [20, 20]);
    expectSameTree(model.apply(p, x), serial(dense(3), reluLayer).apply([p[0], p[2]], x), 0, 0);
    expectThrows(() => model.apply(p, x, null as never), TypeError, /^serial\.apply: the context/);
    expectThrows(() => model.apply(p, x, { key: 3 } as never), TypeError, /^serial\.apply/);
  });
  it("a CNN: conv, relu, pool, flatten, layerNorm, dropout, dense, initialized and differentiated end to end", () => {
    const model = serial(conv(4, 3, { padding: "same" }), reluLayer, maxPool(2), flatten(), layerNorm(), dropout(0.25), dense(3));
    const [p, out] = model.init(key(1), [2, 6, 6, 1]);
    expect(out).toEqual([2, 3]);
    const images = tensor(values(72, 11), [2, 6, 6, 1]);
    const loss = (q: typeof p) => sum(model.apply(q, images, { key: key(2), training: true }));
    const g = grad(loss)(p);
    expect([...g[0].w.shape]).toEqual([3, 3, 1, 4]);
    expect([...g[4].scale.shape]).toEqual([36]);
    expect(elements(g[6].b)).toEqual([2, 2, 2]); // ∂/∂b of Σ over 2 rows of y = … + b
  });
});
