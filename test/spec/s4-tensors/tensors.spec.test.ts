// SPEC §4 and §7: tensors — construction, immutability, elementwise ops with NumPy broadcasting,
// structural ops, reductions, shape errors, IEEE propagation. Values only (gradients elsewhere).
import { describe, expect, it } from "vitest";
import {
  abs, add, argmax, concat, cos, div, exp, log, logSumExp, matmul, max, mean, min, mul, neg, oneHot, ones,
  pow, relu, reshape, sigmoid, sin, slice, softmax, softplus, sqrt, square, sub, sum, tan, tanh, Tensor, tensor,
  toArray, transpose, zeros, type BinaryOp, type UnaryOp,
} from "../../../src/index.ts";
import {
  expectClose, expectDeepFrozen, expectTensor, expectThrows, expectTreeClose, SPEC_ATOL, SPEC_RTOL,
} from "../../support/approx.ts";
import {
  broadcast, flatten, logSumExpRef, matmulRef, nest, sigmoidRef, sizeOf, softmaxRef, transposeRef, values,
} from "../../support/reference.ts";

type Unary = UnaryOp;
type Binary = BinaryOp;

describe("tensor construction", () => {
  it("builds a tensor from a nested number array and infers its shape", () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t).toBeInstanceOf(Tensor);
    expect([...t.shape]).toEqual([2, 3]);
    expect(toArray(t)).toEqual([[1, 2, 3], [4, 5, 6]]);
  });

  it("builds a 1-D tensor from a flat nested array", () => {
    const t = tensor([1.5, -2, 3]);
    expect([...t.shape]).toEqual([3]);
    expect(toArray(t)).toEqual([1.5, -2, 3]);
  });

  it("builds a rank-3 tensor from a nested array", () => {
    const data = [[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 10], [11, 12]]];
    const t = tensor(data);
    expect([...t.shape]).toEqual([2, 3, 2]);
    expect(toArray(t)).toEqual(data);
  });

  it("builds a tensor from a flat number array and a shape", () => {
    const t = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    expect([...t.shape]).toEqual([2, 3]);
    expect(toArray(t)).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(toArray(tensor([1, 2, 3, 4, 5, 6], [3, 2]))).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(toArray(tensor([1, 2, 3, 4, 5, 6], [6]))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("builds a tensor from a Float64Array and a shape", () => {
    const t = tensor(new Float64Array([0.1, 0.2, 0.3, 0.4]), [2, 2]);
    expect([...t.shape]).toEqual([2, 2]);
    expect(toArray(t)).toEqual([[0.1, 0.2], [0.3, 0.4]]);
  });

  it("builds a tensor from a Float32Array and a shape, widening the values to float64", () => {
    const src = new Float32Array([0.1, 2.5, -3.25]);
    const t = tensor(src, [3]);
    expect([...t.shape]).toEqual([3]);
    expect(toArray(t)).toEqual([Math.fround(0.1), 2.5, -3.25]);
  });

  it("builds a tensor from any ArrayLike of numbers (e.g. an array-like object) and a shape", () => {
    const arrayLike = { length: 4, 0: 1, 1: 2, 2: 3, 3: 4 } as ArrayLike<number>;
    expect(toArray(tensor(arrayLike, [2, 2]))).toEqual([[1, 2], [3, 4]]);
  });

  it("copies a nested source array: mutating it afterwards does not change the tensor", () => {
    const src = [[1, 2], [3, 4]];
    const t = tensor(src);
    src[0][0] = 100;
    src[1] = [7, 7];
    expect(toArray(t)).toEqual([[1, 2], [3, 4]]);
  });

  it("copies a flat number array: mutating it afterwards does not change the tensor", () => {
    const src = [1, 2, 3, 4];
    const t = tensor(src, [2, 2]);
    src[0] = 100;
    expect(toArray(t)).toEqual([[1, 2], [3, 4]]);
  });

  it("copies a Float64Array: mutating it (or its buffer) afterwards does not change the tensor", () => {
    const src = new Float64Array([1, 2, 3, 4]);
    const t = tensor(src, [4]);
    src[0] = 100;
    new Float64Array(src.buffer)[1] = 200;
    expect(toArray(t)).toEqual([1, 2, 3, 4]);
  });

  it("copies the shape array: mutating it afterwards does not change the tensor's shape", () => {
    const shape = [2, 3];
    const t = tensor([1, 2, 3, 4, 5, 6], shape);
    shape[0] = 3;
    shape[1] = 2;
    expect([...t.shape]).toEqual([2, 3]);
  });

  it("throws a RangeError when the flat data's length differs from the shape's size", () => {
    expectThrows(() => tensor([1, 2, 3], [2, 2]), RangeError);
    expectThrows(() => tensor([1, 2, 3, 4, 5], [2, 2]), RangeError);
    expectThrows(() => tensor(new Float64Array(6), [4]), RangeError);
  });

  it("throws when a nested array is ragged", () => {
    expect(() => tensor([[1, 2], [3]])).toThrow();
  });

  it("zeros(shape) and ones(shape) build filled tensors of that shape", () => {
    expectTensor(zeros([2, 3]), [2, 3], [[0, 0, 0], [0, 0, 0]]);
    expectTensor(ones([3]), [3], [1, 1, 1]);
    expectTensor(ones([2, 1, 2]), [2, 1, 2], [[[1, 1]], [[1, 1]]]);
  });

  it("toArray gives nested plain arrays", () => {
    const a = toArray(tensor([[1, 2], [3, 4]]));
    expect(Array.isArray(a)).toBe(true);
    expect(Array.isArray((a as number[][])[0])).toBe(true);
    expect(Object.getPrototypeOf(a)).toBe(Array.prototype);
  });

  it("toArray's result is not shared with the tensor: changing it (if allowed) does not change the tensor", () => {
    const t = tensor([[1, 2], [3, 4]]);
    const a = toArray(t) as number[][];
    try {
      a[0][0] = 99;
    } catch {
      /* frozen is fine */
    }
    try {
      a[1] = [0, 0];
    } catch {
      /* frozen is fine */
    }
    expect(toArray(t)).toEqual([[1, 2], [3, 4]]);
  });

  it("t.shape is a readonly array of the extents", () => {
    expect([...tensor([[[1], [2], [3]]]).shape]).toEqual([1, 3, 1]);
    expect(Array.isArray(zeros([4, 5]).shape)).toBe(true);
    expect([...zeros([4, 5]).shape]).toEqual([4, 5]);
  });
});

describe("tensor immutability", () => {
  it("a tensor and its shape are frozen", () => {
    const t = tensor([[1, 2], [3, 4]]);
    expect(Object.isFrozen(t)).toBe(true);
    expect(Object.isFrozen(t.shape)).toBe(true);
  });

  it("assigning to shape or to one of its elements has no effect (throws in strict mode)", () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(() => {
      (t as unknown as { shape: number[] }).shape = [3, 2];
    }).toThrow(TypeError);
    expect(() => {
      (t.shape as number[])[0] = 3;
    }).toThrow(TypeError);
    expect(() => {
      (t.shape as number[]).push(1);
    }).toThrow(TypeError);
    expect([...t.shape]).toEqual([2, 3]);
    expect(toArray(t)).toEqual([[1, 2, 3], [4, 5, 6]]);
  });

  it("no data-ish property can be written or mutated in place", () => {
    const t = tensor([1, 2, 3, 4], [2, 2]);
    const names = new Set<string>();
    for (let o: object | null = t; o && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
      for (const n of Object.getOwnPropertyNames(o)) names.add(n);
    }
    for (const n of ["data", "values", "buffer", "array", "_data", "storage", "strides", "size", "rank"]) names.add(n);
    names.delete("constructor");
    for (const name of names) {
      const rec = t as unknown as Record<string, unknown>;
      let v: unknown;
      try {
        v = rec[name];
      } catch {
        continue;
      }
      if (ArrayBuffer.isView(v)) {
        try {
          (v as unknown as number[])[0] = 999;
        } catch {
          /* ok */
        }
      } else if (Array.isArray(v)) {
        try {
          (v as unknown[])[0] = 999;
        } catch {
          /* ok */
        }
      } else if (v instanceof ArrayBuffer) {
        try {
          new Float64Array(v)[0] = 999;
        } catch {
          /* ok */
        }
      }
      try {
        rec[name] = new Float64Array([9, 9, 9, 9]);
      } catch {
        /* ok */
      }
    }
    expect([...t.shape]).toEqual([2, 2]);
    expect(toArray(t)).toEqual([[1, 2], [3, 4]]);
  });

  it("no new property can be added to a tensor", () => {
    const t = tensor([1, 2]);
    expect(() => {
      (t as unknown as Record<string, unknown>).extra = 1;
    }).toThrow(TypeError);
  });

  it("the exported Tensor class cannot be used to alias a caller's buffer (no public way to change data)", () => {
    // Tensor is exported as a value; SPEC §7: "no public way to change their data or shape".
    const buf = new Float64Array([1, 2, 3]);
    let t: Tensor | undefined;
    try {
      t = new (Tensor as unknown as new (d: Float64Array, s: readonly number[]) => Tensor)(buf, [3]);
    } catch {
      return; // refusing public construction is fine
    }
    buf[0] = 42;
    expect(toArray(t)).toEqual([1, 2, 3]);
  });

  it("the exported Tensor class does not build a tensor whose data length differs from its shape's size", () => {
    let t: Tensor | undefined;
    try {
      t = new (Tensor as unknown as new (d: Float64Array, s: readonly number[]) => Tensor)(new Float64Array(3), [2, 2]);
    } catch (e) {
      expect(e).toBeInstanceOf(RangeError);
      return;
    }
    expect.fail(`built ${String(t)} from 3 values`);
  });

  it("ops never change their tensor inputs", () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]]);
    const b = tensor([1, 2, 3]);
    add(a, b);
    mul(a, 2);
    matmul(a, transpose(a));
    sum(a, 0);
    softmax(a);
    slice(a, 0, 1);
    concat([a, a]);
    reshape(a, [3, 2]);
    expect(toArray(a)).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(toArray(b)).toEqual([1, 2, 3]);
  });

  it("results of tensor ops are frozen tensors", () => {
    const a = tensor([[1, 2], [3, 4]]);
    for (const r of [add(a, 1), exp(a), matmul(a, a), transpose(a), reshape(a, [4]), sum(a, 0), softmax(a), slice(a, 0, 1), concat([a, a]), oneHot([0, 1], 2)]) {
      expect(r).toBeInstanceOf(Tensor);
      expectDeepFrozen(r);
    }
  });
});

const unaryOps: [string, Unary, (x: number) => number, "any" | "positive"][] = [
  ["neg", neg, (x) => -x, "any"],
  ["exp", exp, Math.exp, "any"],
  ["log", log, Math.log, "positive"],
  ["sin", sin, Math.sin, "any"],
  ["cos", cos, Math.cos, "any"],
  ["tan", tan, Math.tan, "any"],
  ["tanh", tanh, Math.tanh, "any"],
  ["sigmoid", sigmoid, sigmoidRef, "any"],
  ["relu", relu, (x) => Math.max(0, x), "any"],
  ["softplus", softplus, (x) => Math.log1p(Math.exp(x)), "any"],
  ["sqrt", sqrt, Math.sqrt, "positive"],
  ["square", square, (x) => x * x, "any"],
  ["abs", abs, Math.abs, "any"],
];

const binaryOps: [string, Binary, (a: number, b: number) => number, "any" | "positive-a"][] = [
  ["add", add, (a, b) => a + b, "any"],
  ["sub", sub, (a, b) => a - b, "any"],
  ["mul", mul, (a, b) => a * b, "any"],
  ["div", div, (a, b) => a / b, "any"],
  ["pow", pow, Math.pow, "positive-a"],
  ["max", max, Math.max, "any"],
  ["min", min, Math.min, "any"],
];

describe("elementwise scalar operations on tensors", () => {
  const anyData = [[-1.5, -0.2, 0.4], [1.1, -2.0, 2.5]];
  const posData = [[0.3, 0.7, 1.2], [1.9, 2.4, 0.05]];
  for (const [name, op, ref, domain] of unaryOps) {
    it(`${name} applies elementwise to a [2,3] tensor`, () => {
      const data = domain === "positive" ? posData : anyData;
      const r = op(tensor(data));
      expectTensor(r, [2, 3], data.map((row) => row.map(ref)), 1e-12, 1e-15);
    });
  }

  it("relu and abs are elementwise at 0 too", () => {
    expectTensor(relu(tensor([0, -0, 3])), [3], [0, 0, 3]);
    expectTensor(abs(tensor([0, -3])), [2], [0, 3]);
  });

  const cases: [string, number[], number[]][] = [
    ["same shapes [2,3] and [2,3]", [2, 3], [2, 3]],
    ["[2,3] and [3]", [2, 3], [3]],
    ["[3] and [2,3]", [3], [2, 3]],
    ["[2,1] and [1,3]", [2, 1], [1, 3]],
    ["[2,3] and [2,1]", [2, 3], [2, 1]],
    ["[2,3] and [1]", [2, 3], [1]],
    ["rank 3 [2,1,3] and [4,1]", [2, 1, 3], [4, 1]],
    ["rank 3 [2,3,4] and [3,1]", [2, 3, 4], [3, 1]],
    ["rank 3 [1,3,1] and [2,1,4]", [1, 3, 1], [2, 1, 4]],
    ["rank 3 [2,3,4] and 0-d []", [2, 3, 4], []],
  ];
  for (const [name, op, ref, domain] of binaryOps) {
    for (const [label, sa, sb] of cases) {
      it(`${name} broadcasts ${label} as NumPy does`, () => {
        const lo = domain === "positive-a" ? 0.2 : -2;
        const da = values(sizeOf(sa), 11 + sa.length, lo, 2);
        const db = values(sizeOf(sb), 29 + sb.length, name === "div" ? 0.5 : -2, 2);
        const { shape, pairs } = broadcast(sa, sb);
        const expected = pairs.map(([i, j]) => ref(da[i], db[j]));
        const r = op(tensor(da, sa), tensor(db, sb));
        expectTensor(r, shape, nest(expected, shape), 1e-12, 1e-14);
      });
    }
    it(`${name} of a plain number and a tensor broadcasts the number (both orders)`, () => {
      const data = [[0.5, 1.5, 2], [3, 0.25, 1]];
      const t = tensor(data);
      expectTensor(op(2, t), [2, 3], data.map((row) => row.map((x) => ref(2, x))), 1e-12);
      expectTensor(op(t, 2), [2, 3], data.map((row) => row.map((x) => ref(x, 2))), 1e-12);
    });
  }

  it("max and min of equal tensors give the common value", () => {
    const t = tensor([1, 2, 3]);
    expectTensor(max(t, t), [3], [1, 2, 3]);
    expectTensor(min(t, t), [3], [1, 2, 3]);
  });

  it("broadcasting incompatible shapes is a RangeError naming both shapes", () => {
    expectThrows(() => add(tensor(values(6, 1), [2, 3]), tensor([1, 2, 3, 4])), RangeError, "[2,3]", "[4]");
    expectThrows(() => mul(tensor(values(6, 1), [2, 3]), tensor(values(6, 2), [3, 2])), RangeError, "[2,3]", "[3,2]");
    expectThrows(() => sub(tensor(values(4, 1), [4]), tensor(values(6, 1), [2, 3])), RangeError, "[4]", "[2,3]");
    expectThrows(() => div(zeros([2, 3, 4]), ones([2, 4])), RangeError, "[2,3,4]", "[2,4]");
    expectThrows(() => pow(ones([2, 3]), ones([2])), RangeError, "[2,3]", "[2]");
    expectThrows(() => max(ones([5]), ones([3])), RangeError, "[5]", "[3]");
    expectThrows(() => min(ones([5]), ones([3])), RangeError, "[5]", "[3]");
  });
});

describe("matmul, transpose, reshape", () => {
  it("matmul multiplies [2,3] by [3,2]", () => {
    const a = [1, 2, 3, 4, 5, 6];
    const b = [7, 8, 9, 10, 11, 12];
    expectTensor(matmul(tensor(a, [2, 3]), tensor(b, [3, 2])), [2, 2], [[58, 64], [139, 154]]);
  });

  it("matmul of non-square random matrices agrees with the plain product", () => {
    const a = values(12, 3);
    const b = values(20, 4);
    const r = matmul(tensor(a, [3, 4]), tensor(b, [4, 5]));
    expectTensor(r, [3, 5], nest(matmulRef(a, [3, 4], b, [4, 5]), [3, 5]), 1e-12, 1e-14);
  });

  it("matmul of [2,3] and [4,5] is a RangeError naming both shapes", () => {
    expectThrows(() => matmul(zeros([2, 3]), zeros([4, 5])), RangeError, "[2,3]", "[4,5]");
  });

  it("matmul of [1,3] by [3,1] gives a [1,1] tensor", () => {
    expectTensor(matmul(tensor([[1, 2, 3]]), tensor([[4], [5], [6]])), [1, 1], [[32]]);
  });

  it("transpose swaps the axes of a matrix", () => {
    const a = [1, 2, 3, 4, 5, 6];
    expectTensor(transpose(tensor(a, [2, 3])), [3, 2], nest(transposeRef(a, [2, 3]), [3, 2]));
  });

  it("transpose of a rank-3 tensor reverses its axes by default (as NumPy/JAX do)", () => {
    const a = values(24, 5);
    const r = transpose(tensor(a, [2, 3, 4]));
    const expected: number[] = [];
    for (let k = 0; k < 4; k++) for (let j = 0; j < 3; j++) for (let i = 0; i < 2; i++) expected.push(a[i * 12 + j * 4 + k]);
    expectTensor(r, [4, 3, 2], nest(expected, [4, 3, 2]));
  });

  it("reshape keeps the row-major order of elements", () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expectTensor(reshape(t, [3, 2]), [3, 2], [[1, 2], [3, 4], [5, 6]]);
    expectTensor(reshape(t, [6]), [6], [1, 2, 3, 4, 5, 6]);
    expectTensor(reshape(t, [1, 6]), [1, 6], [[1, 2, 3, 4, 5, 6]]);
    expectTensor(reshape(t, [2, 1, 3]), [2, 1, 3], [[[1, 2, 3]], [[4, 5, 6]]]);
  });

  it("reshape to a shape of another size is a RangeError naming both shapes", () => {
    expectThrows(() => reshape(zeros([2, 3]), [4]), RangeError, "[2,3]", "[4]");
  });
});

describe("reductions", () => {
  const data = [[1, 2, 3], [4, 5, 6]];

  it("sum without an axis reduces every element and returns a plain number for plain tensors", () => {
    const s = sum(tensor(data));
    expect(typeof s).toBe("number");
    expect(s).toBe(21);
    expect(sum(tensor(values(24, 9), [2, 3, 4]))).toBeCloseTo(values(24, 9).reduce((a, b) => a + b, 0), 12);
  });

  it("sum of a Real[] still works as in section 2", () => {
    expect(sum([1, 2, 3.5])).toBe(6.5);
    expect(sum([])).toBe(0);
  });

  it("sum with an axis removes that axis", () => {
    expectTensor(sum(tensor(data), 0), [3], [5, 7, 9]);
    expectTensor(sum(tensor(data), 1), [2], [6, 15]);
    expectTensor(sum(tensor(data), -1), [2], [6, 15]);
    expectTensor(sum(tensor(data), -2), [3], [5, 7, 9]);
  });

  it("sum over the middle axis of a rank-3 tensor gives the remaining axes", () => {
    const a = values(24, 12);
    const expected: number[] = [];
    for (let i = 0; i < 2; i++) for (let k = 0; k < 4; k++) {
      let s = 0;
      for (let j = 0; j < 3; j++) s += a[i * 12 + j * 4 + k];
      expected.push(s);
    }
    expectTensor(sum(tensor(a, [2, 3, 4]), 1), [2, 4], nest(expected, [2, 4]), 1e-12, 1e-14);
  });

  it("sum along an axis of a 1-D tensor gives a 0-d tensor", () => {
    const r = sum(tensor([1, 2, 3]), 0);
    expect(r).toBeInstanceOf(Tensor);
    expect([...r.shape]).toEqual([]);
  });

  it("mean without an axis is the average of every element, a plain number", () => {
    const m = mean(tensor(data));
    expect(typeof m).toBe("number");
    expectClose(m, 3.5, SPEC_RTOL, SPEC_ATOL);
  });

  it("mean with an axis removes that axis", () => {
    expectTensor(mean(tensor(data), 0), [3], [2.5, 3.5, 4.5]);
    expectTensor(mean(tensor(data), 1), [2], [2, 5]);
    expectTensor(mean(tensor(data), -1), [2], [2, 5]);
  });

  it("logSumExp without an axis is log Σ exp over every element, a plain number", () => {
    const l = logSumExp(tensor(data));
    expect(typeof l).toBe("number");
    expectClose(l, logSumExpRef([1, 2, 3, 4, 5, 6]), 1e-12, SPEC_ATOL);
  });

  it("logSumExp with an axis removes that axis", () => {
    expectTensor(logSumExp(tensor(data), 1), [2], [logSumExpRef([1, 2, 3]), logSumExpRef([4, 5, 6])], 1e-12);
    expectTensor(logSumExp(tensor(data), 0), [3], [logSumExpRef([1, 4]), logSumExpRef([2, 5]), logSumExpRef([3, 6])], 1e-12);
  });

  it("logSumExp is stable for large inputs (1000 does not overflow, -1000 does not underflow)", () => {
    expectClose(logSumExp(tensor([1000, 1000])), 1000 + Math.LN2, 1e-14, SPEC_ATOL);
    expectClose(logSumExp(tensor([-1000, -1000])), -1000 + Math.LN2, 1e-14, SPEC_ATOL);
    expectClose(logSumExp(tensor([1000, 0])), 1000, 1e-14, SPEC_ATOL);
    expectTensor(logSumExp(tensor([[1000, 1000], [-1000, -1000]]), 1), [2], [1000 + Math.LN2, -1000 + Math.LN2], 1e-14);
  });

  it("softmax defaults to the last axis: each row sums to 1", () => {
    const r = softmax(tensor(data));
    expectTensor(r, [2, 3], [softmaxRef([1, 2, 3]), softmaxRef([4, 5, 6])], 1e-12);
  });

  it("softmax along axis 0 normalises each column", () => {
    const r = softmax(tensor(data), 0);
    const c = [0, 1, 2].map((j) => softmaxRef([data[0][j], data[1][j]]));
    expectTensor(r, [2, 3], [c.map((x) => x[0]), c.map((x) => x[1])], 1e-12);
  });

  it("softmax of a 1-D tensor and of a rank-3 tensor (last axis)", () => {
    expectTensor(softmax(tensor([1, 2, 3])), [3], softmaxRef([1, 2, 3]), 1e-12);
    const a = values(24, 21, -3, 3);
    const expected: number[] = [];
    for (let r = 0; r < 6; r++) expected.push(...softmaxRef(a.slice(r * 4, r * 4 + 4)));
    expectTensor(softmax(tensor(a, [2, 3, 4])), [2, 3, 4], nest(expected, [2, 3, 4]), 1e-12);
  });

  it("softmax is stable for large inputs", () => {
    expectTensor(softmax(tensor([1000, 1000])), [2], [0.5, 0.5], 1e-14);
    expectTensor(softmax(tensor([1000, 1001])), [2], softmaxRef([0, 1]), 1e-12);
    expectTensor(softmax(tensor([-1000, -1000, -1000, -1000])), [4], [0.25, 0.25, 0.25, 0.25], 1e-14);
  });

  it("reducing along an axis that does not exist is a RangeError", () => {
    expect(() => sum(zeros([2, 3]), 2)).toThrow(RangeError);
    expect(() => mean(zeros([2, 3]), -3)).toThrow(RangeError);
  });
});

describe("slice, concat, oneHot, argmax", () => {
  const t = tensor([[1, 2], [3, 4], [5, 6], [7, 8]]);

  it("slice(t, begin, end) is half-open along axis 0", () => {
    expectTensor(slice(t, 1, 3), [2, 2], [[3, 4], [5, 6]]);
    expectTensor(slice(t, 0, 1), [1, 2], [[1, 2]]);
    expectTensor(slice(t, 0, 4), [4, 2], [[1, 2], [3, 4], [5, 6], [7, 8]]);
  });

  it("slice's negative indices count from the end", () => {
    expectTensor(slice(t, -2, 4), [2, 2], [[5, 6], [7, 8]]);
    expectTensor(slice(t, 1, -1), [2, 2], [[3, 4], [5, 6]]);
    expectTensor(slice(t, -3, -2), [1, 2], [[3, 4]]);
  });

  it("slice along axis 1", () => {
    expectTensor(slice(t, 1, 2, 1), [4, 1], [[2], [4], [6], [8]]);
    expectTensor(slice(t, -1, 2, 1), [4, 1], [[2], [4], [6], [8]]);
  });

  it("slice of a 1-D tensor", () => {
    expectTensor(slice(tensor([10, 20, 30, 40, 50]), 1, 4), [3], [20, 30, 40]);
    expectTensor(slice(tensor([10, 20, 30, 40, 50]), -2, 5), [2], [40, 50]);
  });

  it("concat joins along axis 0 by default", () => {
    expectTensor(concat([tensor([[1, 2]]), tensor([[3, 4], [5, 6]])]), [3, 2], [[1, 2], [3, 4], [5, 6]]);
    expectTensor(concat([tensor([1]), tensor([2, 3]), tensor([4])]), [4], [1, 2, 3, 4]);
  });

  it("concat joins along axis 1", () => {
    expectTensor(concat([tensor([[1], [2]]), tensor([[3, 4], [5, 6]])], 1), [2, 3], [[1, 3, 4], [2, 5, 6]]);
  });

  it("concat of incompatible shapes is a RangeError naming both shapes", () => {
    expectThrows(() => concat([zeros([2, 3]), zeros([2, 4])]), RangeError, "[2,3]", "[2,4]");
  });

  it("oneHot(labels, classes) gives a [n, classes] tensor of 0s and 1s", () => {
    expectTensor(oneHot([0, 2, 1], 3), [3, 3], [[1, 0, 0], [0, 0, 1], [0, 1, 0]]);
    expectTensor(oneHot([3], 5), [1, 5], [[0, 0, 0, 1, 0]]);
  });

  it("argmax of a 1-D tensor is a plain index", () => {
    const i = argmax(tensor([0.5, 3, -1, 2]));
    expect(i).toBe(1);
  });

  it("argmax along an axis gives plain indices", () => {
    const r = argmax(tensor([[1, 9, 3], [7, 2, 5]]), 1);
    expect(Array.isArray(r)).toBe(true);
    expect([...r]).toEqual([1, 0]);
    expect([...argmax(tensor([[1, 9, 3], [7, 2, 5]]), 0)]).toEqual([1, 0, 1]);
    expect([...argmax(tensor([[1, 9, 3], [7, 2, 5]]), -1)]).toEqual([1, 0]);
  });

  it("argmax breaks ties by the first occurrence (as NumPy does)", () => {
    expect(argmax(tensor([2, 5, 5, 1]))).toBe(1);
  });
});

describe("IEEE propagation on tensors", () => {
  it("NaN and infinities propagate elementwise, nothing throws", () => {
    expectTensor(add(tensor([NaN, 1, Infinity]), 1), [3], [NaN, 2, Infinity]);
    expectTensor(log(tensor([0, -1, Infinity])), [3], [-Infinity, NaN, Infinity]);
    expectTensor(div(tensor([1, -1, 0]), 0), [3], [Infinity, -Infinity, NaN]);
    expectTensor(sqrt(tensor([-1, 4])), [2], [NaN, 2]);
    expectTensor(exp(tensor([Infinity, -Infinity])), [2], [Infinity, 0]);
  });

  it("reductions propagate NaN and infinities", () => {
    expect(sum(tensor([1, NaN, 3]))).toBeNaN();
    expect(sum(tensor([1, Infinity]))).toBe(Infinity);
    expect(mean(tensor([Infinity, -Infinity]))).toBeNaN();
    expectTensor(sum(tensor([[1, NaN], [2, 3]]), 1), [2], [NaN, 5]);
  });

  it("softmax and logSumExp propagate NaN", () => {
    expect(logSumExp(tensor([1, NaN]))).toBeNaN();
    const s = flatten(toArray(softmax(tensor([1, NaN]))));
    expect(s.some(Number.isNaN)).toBe(true);
  });

  it("logSumExp handles infinities as log Σ exp would (JAX's behaviour)", () => {
    expect(logSumExp(tensor([-Infinity, 0]))).toBe(0);
    expect(logSumExp(tensor([-Infinity, -Infinity]))).toBe(-Infinity);
    expect(logSumExp(tensor([Infinity, 0]))).toBe(Infinity);
  });

  it("matmul propagates NaN", () => {
    const r = matmul(tensor([[NaN, 1]]), tensor([[1], [1]]));
    expectTreeClose(toArray(r), [[NaN]], SPEC_RTOL, SPEC_ATOL);
  });
});
