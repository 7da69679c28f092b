// Edges of SPEC §4/§7 (0-d and empty tensors, invalid shapes, infinities), and — in a separate
// block — places where SPEC is silent and "what a user of JAX would expect" decides.
import { describe, expect, it } from "vitest";
import {
  add, argmax, concat, derivative, dual, grad, hessian, jacfwd, jvp, logSumExp, matmul, max, mean, mul, oneHot,
  ones, primal, type Real, relu, reshape, slice, softmax, sum, tangent, Tensor, tensor, toArray, transpose,
  valueAndGrad, vjp, zeros,
} from "../../../src/index.ts";
import { expectClose, expectTensor, SPEC_ATOL } from "../../support/approx.ts";
import { nest, softmaxRef, values } from "../../support/reference.ts";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

describe("0-d and empty tensors", () => {
  it("tensor(flat, []) builds a 0-d tensor whose toArray is the number", () => {
    const t = tensor([7], []);
    expect([...t.shape]).toEqual([]);
    expect(toArray(t)).toBe(7);
  });

  it("zeros([]) and ones([]) are 0-d tensors", () => {
    expect([...zeros([]).shape]).toEqual([]);
    expect(toArray(ones([]))).toBe(1);
  });

  it("an empty tensor has shape [0]; its sum is 0", () => {
    const t = tensor([]);
    expect([...t.shape]).toEqual([0]);
    expect(toArray(t)).toEqual([]);
    expect(sum(t)).toBe(0);
    expect([...zeros([2, 0]).shape]).toEqual([2, 0]);
    expect(toArray(zeros([2, 0]))).toEqual([[], []]);
  });

  it("the mean of an empty tensor is NaN (0/0), not an error", () => {
    expect(mean(tensor([]))).toBeNaN();
  });

  it("ops broadcast a 0-d tensor like a scalar, and the gradient w.r.t. it is 0-d", () => {
    const s = tensor([2], []);
    const t = tensor([[1, 2], [3, 4]]);
    expectTensor(mul(s, t), [2, 2], [[2, 4], [6, 8]]);
    const g = grad(([a, b]: readonly [Tensor, Tensor]) => sum(mul(a, b)))([s, t]);
    expectTensor(g[0], [], 10);
    expectTensor(g[1], [2, 2], [[2, 2], [2, 2]]);
  });

  it("grad of a function of a 0-d tensor returns a 0-d tensor", () => {
    const g = grad((t: Tensor) => sum(mul(t, t)))(tensor([3], []));
    expectTensor(g, [], 6);
  });
});

describe("invalid shapes", () => {
  it("a negative extent is a RangeError", () => {
    expect(() => zeros([-1])).toThrow(RangeError);
    expect(() => ones([2, -3])).toThrow(RangeError);
    expect(() => tensor([1, 2], [-1, -2])).toThrow(RangeError);
  });

  it("a non-integer extent is a RangeError", () => {
    expect(() => zeros([1.5])).toThrow(RangeError);
    expect(() => tensor([1, 2, 3], [1.5, 2])).toThrow(RangeError);
  });

  it("reshape to a shape with negative extents of the right size is a RangeError", () => {
    expect(() => reshape(zeros([2, 3]), [-2, -3])).toThrow(RangeError);
  });

  it("a non-number element in the data is rejected", () => {
    expect(() => tensor(["a" as Any, 1])).toThrow();
    expect(() => tensor([[1, 2], [3, undefined as Any]])).toThrow();
  });

  it("oneHot of a label outside [0, classes) or a non-integer label is rejected or gives a zero row", () => {
    // JAX gives a zero row for out-of-range labels; throwing a RangeError is also acceptable.
    let r: Tensor | undefined;
    try {
      r = oneHot([0, 3], 3);
    } catch (e) {
      expect(e).toBeInstanceOf(RangeError);
      return;
    }
    expect(toArray(r)).toEqual([[1, 0, 0], [0, 0, 0]]);
  });

  it("concat of an empty list is an error", () => {
    expect(() => concat([])).toThrow();
  });

  it("softmax and logSumExp along an axis that does not exist are RangeErrors", () => {
    expect(() => softmax(zeros([2, 3]), 2)).toThrow(RangeError);
    expect(() => logSumExp(zeros([2, 3]), -3)).toThrow(RangeError);
  });

  it("slice along an axis that does not exist is a RangeError", () => {
    expect(() => slice(zeros([2, 3]), 0, 1, 2)).toThrow(RangeError);
  });
});

describe("infinities in softmax and logSumExp", () => {
  it("softmax gives exactly 0 where the input is -Infinity", () => {
    expectTensor(softmax(tensor([-Infinity, 0, 0])), [3], [0, 0.5, 0.5]);
  });

  it("logSumExp's gradient is 0 where the input is -Infinity (masking)", () => {
    expectTensor(grad((t: Tensor) => logSumExp(t))(tensor([-Infinity, 0, 0])), [3], [0, 0.5, 0.5]);
  });

  it("softmax of equal huge values is uniform (its rows sum to 1), as max-subtraction gives", () => {
    expectTensor(softmax(tensor([1e16, 1e16])), [2], [0.5, 0.5]);
    expectTensor(softmax(tensor([1e300, 1e300, 1e300, 1e300])), [4], [0.25, 0.25, 0.25, 0.25]);
    expectTensor(softmax(tensor([[1e308, 1e308], [-1e308, 0]])), [2, 2], [[0.5, 0.5], [0, 1]]);
  });

  it("softmax of large logits like 1e10 keeps full precision (as max-subtraction does)", () => {
    // 1e10, 1e10+1, 1e10+2 are exact doubles; softmax is shift-invariant, so this is softmax([0, 1, 2]).
    expectTensor(softmax(tensor([1e10, 1e10 + 1, 1e10 + 2])), [3], softmaxRef([0, 1, 2]), 1e-12);
    expectTensor(softmax(tensor([1e6, 1e6, 1e6])), [3], [1 / 3, 1 / 3, 1 / 3], 1e-13);
  });

  it("logSumExp's gradient at equal huge values is uniform (it is softmax)", () => {
    expectTensor(grad((t: Tensor) => logSumExp(t))(tensor([1e16, 1e16])), [2], [0.5, 0.5]);
  });
});

describe("tensor ops mixed with transforms and user duals", () => {
  it("max(t, 0) sends the gradient to t at ties (a >= b), unlike relu'(0) = 0", () => {
    expectTensor(grad((t: Tensor) => sum(max(t, 0)))(tensor([0, -1, 2])), [3], [1, 0, 1]);
    expectTensor(grad((t: Tensor) => sum(relu(t)))(tensor([0, -1, 2])), [3], [0, 0, 1]);
  });

  it("a user-held dual broadcast over a tensor gives a tensor whose sum is a dual", () => {
    const d = sum(mul(dual(2, 1), tensor([1, 2, 3]))) as Real;
    expect(primal(d)).toBe(12);
    expect(tangent(d)).toBe(6);
  });

  it("perturbation confusion does not happen through tensors", () => {
    const c = tensor([1, 2]);
    // d/dx [ x · d/dy sum(x·c + y) ] at y=1 = d/dx [ x · 2 ] = 2
    const r = derivative((x: Real) => mul(x, derivative((y: Real) => sum(add(mul(x, c), y)))(1)))(1);
    expect(r).toBe(2);
  });

  it("valueAndGrad of a tensor function that ignores its input gives a zero tensor", () => {
    const [v, g] = valueAndGrad((_t: Tensor) => 3)(tensor([[1, 2]]));
    expect(v).toBe(3);
    expectTensor(g, [1, 2], [[0, 0]]);
  });

  it("a gradient through only argmax is zero", () => {
    expectTensor(grad((t: Tensor) => argmax(t) as number)(tensor([1, 3, 2])), [3], [0, 0, 0]);
  });

  it("vjp of a function returning a tuple of a tensor and a Real", () => {
    const [y, pb] = vjp((t: Tensor) => [mul(t, 3), sum(t)] as const, tensor([1, 2]));
    expectTensor(y[0], [2], [3, 6]);
    expect(y[1]).toBe(3);
    expectTensor(pb([tensor([1, 10]), 100]), [2], [103, 130]);
  });

  it("jacfwd of a Real[] function built from tensor ops gives number[][]", () => {
    const J = jacfwd((x: readonly Real[]) => {
      const t = add(mul(x[0], tensor([1, 0])), mul(x[1], tensor([0, 1])));
      const s = mul(t, t);
      return [sum(s), sum(mul(s, tensor([1, -1])))];
    })([2, 3]);
    expect(J).toEqual([[4, 6], [4, -6]]);
  });

  it("hessian of a Real[] function returns plain number[][] even through tensor ops", () => {
    const H = hessian((x: readonly Real[]) => sum(mul(add(mul(x[0], tensor([1, 2])), x[1]), add(mul(x[0], tensor([1, 2])), x[1]))))([1, 1]);
    // f = (x0 + x1)² + (2x0 + x1)²: H = [[2 + 8, 2 + 4], [2 + 4, 2 + 2]]
    expect(H).toEqual([[10, 6], [6, 4]]);
  });

  it("jvp of matmul with a tangent only on one side", () => {
    const A = tensor([[1, 2], [3, 4]]);
    const [, t] = jvp((b: Tensor) => matmul(A, b), tensor([[1], [1]]), tensor([[1], [0]]));
    expectTensor(t, [2, 1], [[1], [3]]);
  });
});

describe("JAX/NumPy parity where SPEC is silent", () => {
  it("argmax of a 2-D tensor without an axis is the index into the flattened tensor", () => {
    expect(argmax(tensor([[1, 9, 3], [7, 2, 50]]))).toBe(5);
  });

  it("oneHot accepts a 1-D tensor of labels", () => {
    expectTensor(oneHot(tensor([2, 0]), 3), [2, 3], [[0, 0, 1], [1, 0, 0]]);
  });

  it("concat along a negative axis counts from the end", () => {
    expectTensor(concat([tensor([[1], [2]]), tensor([[3], [4]])], -1), [2, 2], [[1, 3], [2, 4]]);
  });

  it("slice with a negative axis counts from the end", () => {
    expectTensor(slice(tensor([[1, 2, 3], [4, 5, 6]]), 0, 2, -1), [2, 2], [[1, 2], [4, 5]]);
  });

  it("slice clamps out-of-range bounds as Python slicing does", () => {
    expectTensor(slice(tensor([1, 2, 3]), 1, 10), [2], [2, 3]);
    expectTensor(slice(tensor([1, 2, 3]), -10, 2), [2], [1, 2]);
  });

  it("slice with begin >= end gives an empty tensor", () => {
    const r = slice(tensor([[1, 2], [3, 4]]), 1, 1);
    expect([...r.shape]).toEqual([0, 2]);
  });

  it("transpose accepts an axis permutation", () => {
    const a = values(24, 5);
    const r = (transpose as Any)(tensor(a, [2, 3, 4]), [1, 0, 2]) as Tensor;
    const expected: number[] = [];
    for (let j = 0; j < 3; j++) for (let i = 0; i < 2; i++) for (let k = 0; k < 4; k++) expected.push(a[i * 12 + j * 4 + k]);
    expectTensor(r, [3, 2, 4], nest(expected, [3, 2, 4]));
  });

  it("reshape accepts a single -1 extent, inferred from the size", () => {
    expectTensor(reshape(tensor([[1, 2, 3], [4, 5, 6]]), [-1]), [6], [1, 2, 3, 4, 5, 6]);
    expectTensor(reshape(tensor([[1, 2, 3], [4, 5, 6]]), [3, -1]), [3, 2], [[1, 2], [3, 4], [5, 6]]);
  });

  it("matmul of a matrix and a 1-D vector gives a 1-D vector (jnp.matmul)", () => {
    expectTensor(matmul(tensor([[1, 2, 3], [4, 5, 6]]), tensor([1, 0, -1])), [2], [-2, -2]);
    expectTensor(matmul(tensor([1, 1]), tensor([[1, 2, 3], [4, 5, 6]])), [3], [5, 7, 9]);
  });

  it("matmul of a batch [b,n,k] by [k,m] gives [b,n,m] (jnp.matmul)", () => {
    const r = matmul(tensor([[[1, 0], [0, 1]], [[2, 0], [0, 2]]]), tensor([[1, 2], [3, 4]]));
    expectTensor(r, [2, 2, 2], [[[1, 2], [3, 4]], [[2, 4], [6, 8]]]);
  });

  it("jacfwd of a 1-D tensor function returning a scalar gives a 1-D tensor (the gradient)", () => {
    const J = jacfwd((t: Tensor) => sum(mul(t, t)))(tensor([1, 2]));
    expect(J).toBeInstanceOf(Tensor);
    expectTensor(J, [2], [2, 4]);
  });

  it("mean over an axis of a traced tensor then the gradient has 1/n", () => {
    const g = grad((t: Tensor) => sum(mean(t, 0)))(tensor([[1, 2], [3, 4], [5, 6]]));
    expectTensor(g, [3, 2], [[1 / 3, 1 / 3], [1 / 3, 1 / 3], [1 / 3, 1 / 3]], 1e-15);
  });

  it("derivative of a scalar function using a softmax is a plain number", () => {
    const d = derivative((s: Real) => sum(mul(softmax(mul(s, tensor([1, 2]))), tensor([0, 1]))))(0);
    // p = σ(s): dp/ds at 0 = 1/4
    expectClose(d, 0.25, 1e-14, SPEC_ATOL);
  });
});

describe("tensor computations at scale", () => {
  it("shared tensor subexpressions are not re-walked: a 2⁶⁰-path DAG of tensor ops differentiates quickly", () => {
    const t0 = Date.now();
    const g = grad((t: Tensor) => {
      let y = t;
      for (let i = 0; i < 60; i++) y = mul(0.5, add(y, y));
      return sum(y);
    })(ones([3]));
    expectTensor(g, [3], [1, 1, 1]);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it("a chain of 100,000 tensor operations differentiates without a RangeError", () => {
    const g = grad((t: Tensor) => {
      let y = t;
      for (let i = 0; i < 100_000; i++) y = mul(y, 1.000001);
      return sum(y);
    })(ones([2]));
    expectTensor(g, [2], [1.000001 ** 100_000, 1.000001 ** 100_000], 1e-9);
  }, 30_000);
});
