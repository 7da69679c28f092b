// Tensors: construction, immutability, every op's value and derivatives in both modes (against
// closed forms and central differences), broadcasting both ways, shape errors, and the memory
// reuse behind the scenes never showing through.
import { afterAll, describe, expect, it } from "vitest";
import {
  add, argmax, concat, derivative, div, exp, grad, hessian, hvp, jacfwd, jacrev, jvp, log, logSumExp, matmul, max,
  mean, mul, oneHot, ones, pow, primal, type Real, relu, reshape, sigmoid, sin, slice, softmax, sqrt, square,
  stopGradient, sub, sum, tanh, Tensor, tensor, toArray, transpose, valueAndGrad, vjp, zeros, customVjp,
} from "../../../src/index.ts";
import { kernelCount, setCompilation } from "../../../src/internal.ts";
import { expectClose, expectTreeClose, isDeeplyFrozen } from "../../support/approx.ts";

const arr = (t: unknown) => toArray(t as Tensor);

/** Central difference of a scalar function of a tensor along every coordinate. */
function numericGrad(f: (t: Tensor) => Real, x: Tensor, h = 1e-6): number[] {
  const flat = (toArray(reshape(x, [-1])) as number[]).slice();
  return flat.map((_, i) => {
    const at = (d: number) => {
      const v = flat.slice();
      v[i] += d;
      return primal(f(tensor(v, x.shape)));
    };
    return (at(h) - at(-h)) / (2 * h);
  });
}

describe("construction", () => {
  it("builds from nested arrays and from flat data with a shape, copying the data", () => {
    const src = [1, 2, 3, 4, 5, 6];
    const t = tensor(src, [2, 3]);
    src[0] = 99;
    expect(t.shape).toEqual([2, 3]);
    expect(toArray(t)).toEqual([[1, 2, 3], [4, 5, 6]]);
    const f32 = new Float32Array([0.5, 1.5]);
    const u = tensor(f32, [2]);
    f32[0] = 7;
    expect(toArray(u)).toEqual([0.5, 1.5]);
    expect(toArray(tensor([[1, 2], [3, 4]]))).toEqual([[1, 2], [3, 4]]);
    expect(toArray(zeros([2]))).toEqual([0, 0]);
    expect(toArray(ones([1, 2]))).toEqual([[1, 1]]);
    expect(toArray(tensor(5, []))).toBe(5);
  });
  it("rejects data that does not fill the shape, and ragged or non-numeric data", () => {
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow(RangeError);
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow(/\[2,2\]/);
    expect(() => tensor([[1, 2], [3]])).toThrow(RangeError);
    expect(() => tensor([[1, "x"]] as unknown as number[][])).toThrow(TypeError);
  });
  it("is immutable: frozen, with a frozen shape and no public data", () => {
    const t = tensor([1, 2, 3]);
    expect(Object.isFrozen(t)).toBe(true);
    expect(Object.isFrozen(t.shape)).toBe(true);
    expect(() => ((t as unknown as { shape: number[] }).shape = [9])).toThrow(TypeError);
    expect(() => (t.shape as number[]).push(1)).toThrow(TypeError);
    expect(Object.keys(t)).toEqual(["shape"]);
  });
});

describe("elementwise ops with broadcasting", () => {
  const a = tensor([[1, 2, 3], [4, 5, 6]]);
  it("matches NumPy on scalar⊕tensor, [2,3]⊕[3], [2,1]⊕[1,3] and rank 3", () => {
    expect(arr(add(a, 10))).toEqual([[11, 12, 13], [14, 15, 16]]);
    expect(arr(sub(10, a))).toEqual([[9, 8, 7], [6, 5, 4]]);
    expect(arr(mul(a, tensor([1, 0, -1])))).toEqual([[1, 0, -3], [4, 0, -6]]);
    expect(arr(add(tensor([[1], [2]]), tensor([[10, 20, 30]])))).toEqual([[11, 21, 31], [12, 22, 32]]);
    const r3 = add(tensor([[[1, 2]], [[3, 4]]]), tensor([[10], [20], [30]]));
    expect(r3.shape).toEqual([2, 3, 2]);
    expect(arr(r3)).toEqual([[[11, 12], [21, 22], [31, 32]], [[13, 14], [23, 24], [33, 34]]]);
  });
  it("applies every unary op elementwise exactly as on numbers", () => {
    const x = tensor([0.25, 1.5, 3]);
    for (const op of [sin, exp, log, sqrt, square, tanh, sigmoid, relu]) {
      expect(arr(op(x))).toEqual((toArray(x) as number[]).map((v) => op(v)));
    }
    expect(arr(pow(x, 2.5))).toEqual([0.25 ** 2.5, 1.5 ** 2.5, 3 ** 2.5]);
    expect(arr(max(x, 1))).toEqual([1, 1.5, 3]);
  });
  it("propagates NaN and infinities", () => {
    expect(arr(log(tensor([-1, 0, 1])))).toEqual([NaN, -Infinity, 0]);
    expect(arr(div(tensor([1, 0]), 0))).toEqual([Infinity, NaN]);
  });
  it("names both shapes when they do not broadcast", () => {
    expect(() => add(a, tensor([1, 2]))).toThrow(RangeError);
    expect(() => add(a, tensor([1, 2]))).toThrow(/\[2,3\].*\[2\]/);
  });
  it("gives the same numbers interpreted (no new Function) as compiled", () => {
    const x = tensor([[0.5, -1], [2, 3]]);
    const run = () => [arr(mul(add(square(x), tensor([1, 2])), sin(x))), sum(exp(mul(-1, x)))];
    const compiled = run();
    setCompilation(false);
    try {
      expect(run()).toEqual(compiled);
      expect(arr(grad((t: Tensor) => sum(mul(square(slice(t, 1)), t.shape[0])))(tensor([1, 2, 3])))).toEqual([0, 12, 18]);
    } finally {
      setCompilation(true);
    }
  });
});

describe("fused kernels are compiled once per structure", () => {
  // sizes no other test uses, so that the structures are new here
  const data = (k: number) => tensor(Array.from({ length: 7 }, (_, i) => (i + 1) * k));
  it("the same chain on other data and other constants reuses its kernel, with the new values", () => {
    const chain = (t: Tensor, c: number) => arr(add(mul(sin(t), c), square(sub(t, c))));
    const expected = (t: Tensor, c: number) => (arr(t) as number[]).map((x) => Math.sin(x) * c + (x - c) ** 2);
    const a = data(0.25);
    expect(chain(a, 3)).toEqual(expected(a, 3));
    const before = kernelCount();
    for (const [k, c] of [[0.5, 2], [-1, -0.5], [2, 7]]) expect(chain(data(k), c)).toEqual(expected(data(k), c));
    expect(kernelCount()).toBe(before);
  });
  it("operands that share an array are another structure than operands that do not", () => {
    const a = data(0.5);
    const b = data(-2);
    expect(arr(mul(add(a, b), 3))).toEqual((arr(a) as number[]).map((x, i) => (x + (arr(b) as number[])[i]) * 3));
    expect(arr(mul(add(a, a), 3))).toEqual((arr(a) as number[]).map((x) => (x + x) * 3));
    expect(arr(mul(add(b, a), 3))).toEqual((arr(a) as number[]).map((x, i) => ((arr(b) as number[])[i] + x) * 3));
  });
});

describe("gradients of elementwise ops, broadcasting reversed", () => {
  it("a broadcast operand's gradient has the operand's shape (summed over the broadcast axes)", () => {
    const g = grad((p: { a: Tensor; b: Tensor; s: Real }) => sum(mul(mul(p.a, p.b), p.s)))({
      a: tensor([[1, 2, 3], [4, 5, 6]]),
      b: tensor([10, 20, 30]),
      s: 2,
    });
    expect(g.a.shape).toEqual([2, 3]);
    expect(arr(g.a)).toEqual([[20, 40, 60], [20, 40, 60]]);
    expect(arr(g.b)).toEqual([10, 14, 18]);
    expect(g.s).toBe(10 * 5 + 20 * 7 + 30 * 9);
  });
  it("matches central differences for a composite of every unary op", () => {
    const f = (t: Tensor) => sum(mul(sigmoid(tanh(mul(sin(t), exp(mul(0.3, t))))), sqrt(add(square(t), 1))));
    const x = tensor([[0.2, -0.7], [1.1, 0.4]]);
    expectTreeClose(toArray(reshape(grad(f)(x), [-1])), numericGrad(f, x), 1e-7, 1e-9);
  });
  it("forward and reverse agree: ⟨u, J·v⟩ = ⟨Jᵀ·u, v⟩", () => {
    const f = (t: Tensor) => mul(softmax(t), tensor([1, 2, 3]));
    const x = tensor([0.3, -1, 2]);
    const v = tensor([0.5, -0.25, 1]);
    const u = tensor([1, 3, -2]);
    const [, jv] = jvp(f, x, v);
    const [, pullback] = vjp(f, x);
    const jtu = pullback(u);
    expectClose(sum(mul(u, jv as Tensor)) as number, sum(mul(jtu, v)) as number, 1e-13);
  });
});

describe("matmul", () => {
  const A = tensor([[1, 2, 3], [4, 5, 6]]);
  const B = tensor([[1, 0], [0, 1], [2, -1]]);
  it("multiplies matrices, vectors on either side, and batched left operands", () => {
    expect(arr(matmul(A, B))).toEqual([[7, -1], [16, -1]]);
    expect(arr(matmul(tensor([1, 1]), A))).toEqual([5, 7, 9]);
    expect(arr(matmul(A, tensor([1, 0, 1])))).toEqual([4, 10]);
    expect(matmul(tensor([1, 2]), tensor([3, 4]))).toBe(11);
    const batched = matmul(tensor([[[1, 2, 3]], [[4, 5, 6]]]), B);
    expect(batched.shape).toEqual([2, 1, 2]);
    expect(arr(batched)).toEqual([[[7, -1]], [[16, -1]]]);
  });
  it("names both shapes when they do not fit", () => {
    expect(() => matmul(zeros([2, 3]), zeros([4, 5]))).toThrow(RangeError);
    expect(() => matmul(zeros([2, 3]), zeros([4, 5]))).toThrow("matmul: [2,3] × [4,5]");
  });
  it("has gradients Ā = C̄Bᵀ and B̄ = AᵀC̄, and the product rule forward", () => {
    const C = tensor([[1, -1], [2, 0.5]]);
    const g = grad((p: { a: Tensor; b: Tensor }) => sum(mul(matmul(p.a, p.b), C)))({ a: A, b: B });
    // Ā = C·Bᵀ, B̄ = Aᵀ·C
    expect(arr(g.a)).toEqual([[1, -1, 3], [2, 0.5, 3.5]]);
    expect(arr(g.b)).toEqual([[9, 1], [12, 0.5], [15, 0]]);
    const [, t] = jvp((p: { a: Tensor; b: Tensor }) => matmul(p.a, p.b), { a: A, b: B }, { a: ones([2, 3]), b: ones([3, 2]) });
    // dA·B + A·dB
    expect(arr(t)).toEqual([[3 + 6, 0 + 6], [3 + 15, 0 + 15]]);
  });
  it("is correct on odd sizes, against a naive triple loop", () => {
    const [n, k, m] = [7, 5, 9];
    const a = Array.from({ length: n * k }, (_, i) => ((i * 7) % 11) - 5);
    const b = Array.from({ length: k * m }, (_, i) => ((i * 5) % 13) - 6);
    const want = Array.from({ length: n }, (_, i) => Array.from({ length: m }, (_, j) => {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p] * b[p * m + j];
      return s;
    }));
    expect(arr(matmul(tensor(a, [n, k]), tensor(b, [k, m])))).toEqual(want);
    // and transposed operands through the pullback agree with explicit transposes
    const g = grad((w: Tensor) => sum(square(matmul(tensor(a, [n, k]), w))))(tensor(b, [k, m]));
    const explicit = mul(2, matmul(transpose(tensor(a, [n, k])), matmul(tensor(a, [n, k]), tensor(b, [k, m]))));
    expect(arr(g)).toEqual(arr(explicit));
  });
});

describe("shape ops and reductions", () => {
  const t = tensor([[1, 2, 3], [4, 5, 6]]);
  it("reshape, transpose, slice, concat", () => {
    expect(arr(reshape(t, [3, -1]))).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(() => reshape(t, [4, 2])).toThrow(/\[2,3\].*\[4,2\]/);
    expect(arr(transpose(t))).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(arr(slice(t, 1, 3, 1))).toEqual([[2, 3], [5, 6]]);
    expect(arr(slice(t, -1))).toEqual([[4, 5, 6]]);
    expect(arr(slice(tensor([1, 2, 3, 4]), 1, -1))).toEqual([2, 3]);
    expect(arr(concat([t, t], 1))).toEqual([[1, 2, 3, 1, 2, 3], [4, 5, 6, 4, 5, 6]]);
    expect(() => concat([t, zeros([2, 2])], 0)).toThrow(RangeError);
  });
  it("reductions: no axis gives a scalar Real, an axis removes it", () => {
    expect(sum(t)).toBe(21);
    expect(mean(t)).toBe(3.5);
    expect(arr(sum(t, 0))).toEqual([5, 7, 9]);
    expect(arr(mean(t, 1))).toEqual([2, 5]);
    expect(arr(sum(t, -1))).toEqual([6, 15]);
    expectClose(logSumExp(tensor([1, 2, 3])) as number, Math.log(Math.E + Math.E ** 2 + Math.E ** 3));
    expect(arr(logSumExp(tensor([[1000, 1000], [0, -Infinity]]), 1))).toEqual([1000 + Math.log(2), 0]);
    const s = arr(softmax(tensor([[1, 2, 3]]))) as number[][];
    const z = Math.E + Math.E ** 2 + Math.E ** 3;
    expectTreeClose(s, [[Math.E / z, Math.E ** 2 / z, Math.E ** 3 / z]], 1e-15);
  });
  it("oneHot and argmax give plain values", () => {
    expect(arr(oneHot([2, 0], 3))).toEqual([[0, 0, 1], [1, 0, 0]]);
    expect(() => oneHot([3], 3)).toThrow(RangeError);
    expect(argmax(tensor([1, 9, 3]))).toBe(1);
    expect(argmax(t, 1)).toEqual([2, 2]);
    expect(argmax(t, 0)).toEqual([1, 1, 1]);
  });
  it("their gradients match central differences", () => {
    const x = tensor([[0.5, -1, 2], [1, 0.25, -0.5]]);
    const fs: ((u: Tensor) => Real)[] = [
      (u) => sum(mul(reshape(u, [3, 2]), tensor([[1, 2], [3, 4], [5, 6]]))),
      (u) => sum(mul(transpose(u), tensor([[1, -1], [2, 0], [0, 3]]))),
      (u) => sum(square(slice(u, 1, 3, 1))),
      (u) => sum(mul(concat([u, square(u)], 0), 0.5)),
      (u) => sum(square(sum(u, 0))),
      (u) => sum(mul(mean(u, 1), tensor([3, -2]))),
      (u) => logSumExp(u),
      (u) => sum(mul(logSumExp(u, 0), tensor([1, 2, 3]))),
      (u) => sum(mul(softmax(u), tensor([[1, 2, 3], [-1, 0, 1]]))),
    ];
    for (const f of fs) expectTreeClose(toArray(reshape(grad(f)(x), [-1])), numericGrad(f, x), 1e-7, 1e-9);
  });
});

describe("transforms over tensors", () => {
  const loss = (p: { w: Tensor; b: Tensor }) => sum(square(tanh(add(matmul(tensor([[1, 2], [0.5, -1]]), p.w), p.b))));
  const params = { w: tensor([[0.1, -0.2], [0.3, 0.05]]), b: tensor([0.01, -0.02]) };
  it("grad of { w, b } returns tensors of the same shapes, frozen, inputs unchanged", () => {
    const g = grad(loss)(params);
    expect(g.w.shape).toEqual([2, 2]);
    expect(g.b.shape).toEqual([2]);
    expect(g.w).toBeInstanceOf(Tensor);
    expect(isDeeplyFrozen(g)).toBe(true);
    expect(arr(params.w)).toEqual([[0.1, -0.2], [0.3, 0.05]]);
  });
  it("hvp of an MLP loss (forward over reverse on tensors) matches differences of the gradient", () => {
    const v = { w: tensor([[1, 0], [0, -1]]), b: tensor([0.5, 0.5]) };
    const hv = hvp(loss)(params, v);
    const h = 1e-6;
    const shift = (s: number) => ({ w: add(params.w, mul(s * h, v.w)), b: add(params.b, mul(s * h, v.b)) });
    const gp = grad(loss)(shift(1));
    const gm = grad(loss)(shift(-1));
    expectTreeClose(arr(hv.w), arr(mul(sub(gp.w, gm.w), 1 / (2 * h))), 1e-6, 1e-8);
    expectTreeClose(arr(hv.b), arr(mul(sub(gp.b, gm.b), 1 / (2 * h))), 1e-6, 1e-8);
  });
  it("Jacobians and Hessians of a 1-D tensor are 2-D tensors", () => {
    const f = (x: Tensor) => mul(x, sum(square(x)));
    const x = tensor([1, 2]);
    // J = diag(Σx²) + 2 x xᵀ = [[5 + 2, 4], [4, 5 + 8]]
    expect(arr(jacfwd(f)(x))).toEqual([[7, 4], [4, 13]]);
    expect(arr(jacrev(f)(x))).toEqual([[7, 4], [4, 13]]);
    // H of Σx⁴ is diag(12x²)
    expect(arr(hessian((t: Tensor) => sum(square(square(t))))(x))).toEqual([[12, 0], [0, 48]]);
  });
  it("a 0-d or one-element tensor result is not a scalar for grad", () => {
    expect(() => grad(((t: Tensor) => reshape(sum(t, 0), [1])) as unknown as (t: Tensor) => Real)(tensor([1, 2]))).toThrow(TypeError);
  });
  it("a tangent or cotangent of the wrong shape is a TypeError naming the path and both shapes", () => {
    expect(() => jvp((p: { w: Tensor }) => sum(p.w), { w: zeros([2, 2]) }, { w: zeros([2]) })).toThrow(/w.*\[2,2\].*\[2\]/);
    const [, pullback] = vjp((t: Tensor) => mul(t, 2), zeros([3]));
    expect(() => pullback(zeros([2]))).toThrow(TypeError);
    expect(() => pullback(1 as unknown as Tensor)).toThrow(/\[3\]/);
  });
  it("derivative of a scalar function building tensors, and mixed trees", () => {
    expectClose(derivative((a) => sum(mul(tensor([1, 2, 3]), sin(mul(a, tensor([1, 1, 1]))))))(0.5), 6 * Math.cos(0.5));
    const [v, g] = valueAndGrad((p: { s: Real; t: Tensor }) => mul(p.s, sum(p.t)))({ s: 2, t: tensor([1, 2]) });
    expect(v).toBe(6);
    expect(g.s).toBe(3);
    expect(arr(g.t)).toEqual([2, 2]);
  });
});

describe("reused memory never shows through", () => {
  const f = (t: Tensor) => sum(square(mul(t, 3)));
  const x = tensor(Array.from({ length: 5000 }, (_, i) => i / 5000));
  it("earlier results stay intact after later transforms", () => {
    const expected = toArray(grad(f)(x));
    const g1 = grad(f)(x);
    for (let i = 0; i < 5; i++) grad(f)(tensor(Array.from({ length: 5000 }, () => i)));
    expect(toArray(g1)).toEqual(expected);
  });
  it("tensors the function made and kept, stopped gradients and nested results stay intact", () => {
    let made: Tensor | undefined;
    let stopped: Tensor | undefined;
    let nested: Tensor | undefined;
    grad((t: Tensor) => {
      made = mul(x, 2);
      stopped = stopGradient(mul(t, 5));
      nested = grad((u: Tensor) => sum(square(u)))(x);
      return sum(mul(t, made));
    })(x);
    for (let i = 0; i < 5; i++) grad(f)(tensor(Array.from({ length: 5000 }, () => -i)));
    expect(toArray(made!)).toEqual(toArray(mul(x, 2)));
    expect(toArray(stopped!)).toEqual(toArray(mul(x, 5)));
    expect(toArray(nested!)).toEqual(toArray(mul(x, 2)));
  });
  it("what a custom rule was given stays intact, and a pullback can be called again", () => {
    const kept: Tensor[] = [];
    const g = customVjp((t: Tensor) => square(t), (t: Tensor) => {
      kept.push(t);
      return [square(t), (u: Tensor) => (kept.push(u), mul(mul(2, t), u))] as const;
    });
    const before = toArray(mul(x, 3));
    grad((t: Tensor) => sum(g(mul(t, 3))))(x);
    for (let i = 0; i < 3; i++) grad(f)(tensor(Array.from({ length: 5000 }, () => i)));
    expect(toArray(kept[0])).toEqual(before);
    expect(toArray(kept[1])).toEqual(toArray(ones([5000])));
    const [, pullback] = vjp((t: Tensor) => square(mul(t, 3)), x);
    const first = toArray(pullback(ones([5000])));
    grad(f)(x);
    expect(toArray(pullback(ones([5000])))).toEqual(first);
  });
  afterAll(() => setCompilation(true));
});

describe("compiled loops over a repeated row (a bias) agree with interpreted evaluation", () => {
  it("rows of odd lengths, as sums and as written results, with their gradients", async () => {
    const fc = (await import("fast-check")).default;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 13 }), fc.integer({ min: 40, max: 90 }), (width, rows) => {
        const x = tensor(Array.from({ length: rows * width }, (_, i) => Math.sin(i + 0.5)), [rows, width]);
        const b = tensor(Array.from({ length: width }, (_, i) => Math.cos(3 * i) - 0.2), [width]);
        const f = (p: readonly [Tensor, Tensor]) => sum(mul(relu(add(p[0], p[1])), add(p[0], mul(p[1], p[1]))));
        const run = () => [toArray(relu(add(x, b))), primal(f([x, b])), grad(f)([x, b]).map((t) => toArray(t))];
        const compiled = run();
        setCompilation(false);
        try {
          expect(run()).toEqual(compiled);
        } finally {
          setCompilation(true);
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe("compiled stencils (slices and their pullbacks) agree with interpreted evaluation", () => {
  for (const [what, least, most, runs] of [["small", 3, 9, 200], ["compiled into loops (split at the shifts' bounds, or not past 4 cuts)", 300, 700, 40]] as const) {
  it(`on random overlapping slices and their gradients, ${what}`, async () => {
    const fc = (await import("fast-check")).default;
    const ops = [sin, square, tanh, (t: Tensor) => mul(t, 3)];
    const stencil = fc.record({
      n: fc.integer({ min: least, max: most }),
      shifts: fc.array(fc.record({ lo: fc.integer({ min: 0, max: 2 }), inner: fc.integer({ min: 0, max: 1 }), op: fc.integer({ min: 0, max: 3 }) }), { minLength: 1, maxLength: 5 }),
    });
    fc.assert(
      fc.property(stencil, ({ n, shifts }) => {
        const width = n - 2;
        // every term is op(slice(x, lo, lo + width)), some through a slice of a slice, so all terms
        // have the same length and can multiply; their pullbacks are chains of shifts
        const term = ({ lo, inner, op }: { lo: number; inner: number; op: number }) =>
          ops[op](inner === 1 && lo > 0 ? slice(slice(x0(), 1), lo - 1, lo - 1 + width) : slice(x0(), lo, lo + width));
        let current: Tensor | undefined;
        const x0 = () => current!;
        const f = (x: Tensor) => {
          current = x;
          return sum(shifts.map(term).reduce((a, b) => mul(add(a, 0.5), b)));
        };
        const x = tensor(Array.from({ length: n }, (_, i) => Math.sin(i + 1)));
        const compiled = [primal(f(x)), toArray(grad(f)(x))];
        setCompilation(false);
        try {
          expect([primal(f(x)), toArray(grad(f)(x))]).toEqual(compiled);
        } finally {
          setCompilation(true);
        }
      }),
      { numRuns: Number(process.env.NABLA_LAW_RUNS ?? runs) },
    );
  });
  }
});

describe("dual tensors and signed zeros", () => {
  it("dual(tensor, tangent) pushes a tangent tensor through ops, shaped like the primal", async () => {
    const { dual, tangent } = await import("../../../src/index.ts");
    const d = dual(tensor([1, 2]), tensor([1, 0]));
    expect(arr(tangent(mul(d, d)))).toEqual([2, 0]);
    expectTreeClose(arr(tangent(sin(d))), [Math.cos(1), 0]);
    expect(() => dual(tensor([1, 2]), 1 as unknown as Tensor)).toThrow(/\[2\].*Real/);
    expect(() => dual(tensor([1, 2]), tensor([1, 2, 3]))).toThrow(TypeError);
  });
  it("a zero derivative is 0, never −0, in tensors as in numbers", () => {
    // cos(2)·0 = −0 in IEEE arithmetic; derivatives are returned unsigned
    expect(Object.is((arr(jvp((t: Tensor) => sin(t), tensor([1, 2]), tensor([1, 0]))[1]) as number[])[1], 0)).toBe(true);
    expect(Object.is((arr(grad((t: Tensor) => sum(mul(t, tensor([-0, 1]))))(tensor([1, 1]))) as number[])[0], 0)).toBe(true);
  });
});

describe("a pullback keeps its forward values", () => {
  it("gives the same answer on every call, for tensors large enough to reuse memory (≥ 2048 elements)", () => {
    // the intermediates are pending when vjp returns and grow past the fusion limit in the pullback,
    // so its first call computes them: that memory belongs to the tape, not to the call
    const S = [48, 47];
    const fit = (lo: number, hi: number, e: Tensor): Tensor =>
      add((lo + hi) / 2, mul((0.9 * (hi - lo)) / 2, sin(mul(2 / (hi - lo), sub(e, (lo + hi) / 2)))));
    const f = (s: Real): Tensor => {
      const a = add(s, zeros(S));
      return sub(div(a, fit(0.25, 4, add(fit(-4, 4, a), a))), add(s, zeros([47])));
    };
    const u = tensor(Array.from({ length: 48 * 47 }, (_, i) => (i % 17) / 8 - 1), S);
    const [, pullback] = vjp(f, 0);
    const first = pullback(u);
    pullback(mul(2, u));
    grad((t: Tensor) => sum(square(mul(t, 3))))(tensor(Array.from({ length: 48 * 47 }, () => 1), S));
    expect(pullback(u)).toEqual(first);
  });
});
