// SPEC §3, §4, §7: derivatives of tensor operations in both modes, broadcasting's reverse rule,
// trees with tensor leaves, Jacobians / Hessians of 1-D tensors, hvp of an MLP-like loss.
import { describe, expect, it } from "vitest";
import {
  abs, add, argmax, concat, cos, customJvp, customVjp, derivative, div, exp, grad, hessian, hvp, jacfwd, jacrev,
  jvp, log, logSumExp, matmul, max, mean, min, mul, neg, oneHot, ones, pow, type Real, relu, reshape, sigmoid, sin,
  slice, softmax, softplus, sqrt, square, stopGradient, sub, sum, tan, tanh, Tensor, tensor, toArray, transpose,
  valueAndGrad, vjp, zeros,
} from "../../../src/index.ts";
import {
  expectClose, expectDeepFrozen, expectTensor, expectThrows, snapshot, SPEC_ATOL, SPEC_RTOL,
} from "../../support/approx.ts";
import {
  broadcast, flatten, matmulRef, nest, sigmoidRef, sizeOf, softmaxRef, transposeRef, values,
} from "../../support/reference.ts";

type Unary = (x: Tensor) => Tensor;
type Binary = (a: Tensor, b: Tensor) => Tensor;

const unaryOps: [string, Unary, (x: number) => number, (x: number) => number, boolean][] = [
  ["neg", neg, (x) => -x, () => -1, false],
  ["exp", exp, Math.exp, Math.exp, false],
  ["log", log, Math.log, (x) => 1 / x, true],
  ["sin", sin, Math.sin, Math.cos, false],
  ["cos", cos, Math.cos, (x) => -Math.sin(x), false],
  ["tan", tan, Math.tan, (x) => 1 / Math.cos(x) ** 2, false],
  ["tanh", tanh, Math.tanh, (x) => 1 - Math.tanh(x) ** 2, false],
  ["sigmoid", sigmoid, sigmoidRef, (x) => sigmoidRef(x) * (1 - sigmoidRef(x)), false],
  ["relu", relu, (x) => Math.max(0, x), (x) => (x > 0 ? 1 : 0), false],
  ["softplus", softplus, (x) => Math.log1p(Math.exp(x)), sigmoidRef, false],
  ["sqrt", sqrt, Math.sqrt, (x) => 0.5 / Math.sqrt(x), true],
  ["square", square, (x) => x * x, (x) => 2 * x, false],
  ["abs", abs, Math.abs, (x) => (x > 0 ? 1 : x < 0 ? -1 : 0), false],
];

const binaryOps: [string, Binary, (a: number, b: number) => number, (a: number, b: number) => number, (a: number, b: number) => number, boolean][] = [
  ["add", add, (a, b) => a + b, () => 1, () => 1, false],
  ["sub", sub, (a, b) => a - b, () => 1, () => -1, false],
  ["mul", mul, (a, b) => a * b, (_a, b) => b, (a) => a, false],
  ["div", div, (a, b) => a / b, (_a, b) => 1 / b, (a, b) => -a / (b * b), false],
  ["pow", pow, Math.pow, (a, b) => b * a ** (b - 1), (a, b) => a ** b * Math.log(a), true],
  ["max", max, Math.max, (a, b) => (a >= b ? 1 : 0), (a, b) => (a >= b ? 0 : 1), false],
  ["min", min, Math.min, (a, b) => (a <= b ? 1 : 0), (a, b) => (a <= b ? 0 : 1), false],
];

const X = [[-1.5, -0.2, 0.4], [1.1, -2.0, 2.5]];
const XP = [[0.3, 0.7, 1.2], [1.9, 2.4, 0.05]];
const V = [[0.5, -1, 2], [0.25, 3, -0.75]];

describe("gradients of elementwise unary operations on tensors", () => {
  for (const [name, op, ref, dref, positive] of unaryOps) {
    const x = positive ? XP : X;
    it(`grad of sum(${name}(t)) is ${name}' elementwise, shaped like t`, () => {
      const g = grad((t: Tensor) => sum(op(t)))(tensor(x));
      expectTensor(g, [2, 3], x.map((r) => r.map(dref)), 1e-12, 1e-14);
    });
    it(`jvp of ${name} on a tensor gives [${name}(x), ${name}'(x)·v]`, () => {
      const [y, dy] = jvp(op, tensor(x), tensor(V));
      expectTensor(y, [2, 3], x.map((r) => r.map(ref)), 1e-12, 1e-14);
      expectTensor(dy, [2, 3], x.map((r, i) => r.map((xi, j) => dref(xi) * V[i][j])), 1e-12, 1e-14);
    });
    it(`the pullback of ${name} on a tensor gives ${name}'(x)·u`, () => {
      const [, pb] = vjp(op, tensor(x));
      expectTensor(pb(tensor(V)), [2, 3], x.map((r, i) => r.map((xi, j) => dref(xi) * V[i][j])), 1e-12, 1e-14);
    });
  }

  it("relu'(0) = 0 and abs'(0) = 0 elementwise in both modes", () => {
    const x = tensor([0, -1, 2]);
    expectTensor(grad((t: Tensor) => sum(relu(t)))(x), [3], [0, 0, 1]);
    expectTensor(grad((t: Tensor) => sum(abs(t)))(x), [3], [0, -1, 1]);
    expectTensor(jvp((t: Tensor) => relu(t), x, ones([3]))[1], [3], [0, 0, 1]);
    expectTensor(jvp((t: Tensor) => abs(t), x, ones([3]))[1], [3], [0, -1, 1]);
  });

  it("sqrt'(0) and log'(0) are +Infinity elementwise (IEEE), not errors", () => {
    expectTensor(grad((t: Tensor) => sum(sqrt(t)))(tensor([0, 4])), [2], [Infinity, 0.25]);
    expectTensor(grad((t: Tensor) => sum(log(t)))(tensor([0, 2])), [2], [Infinity, 0.5]);
  });

  it("NaN inputs give NaN gradients elementwise", () => {
    const g = grad((t: Tensor) => sum(mul(t, t)))(tensor([NaN, 1]));
    expectTensor(g, [2], [NaN, 2]);
  });
});

describe("gradients of elementwise binary operations with broadcasting", () => {
  const cases: [string, number[], number[]][] = [
    ["[2,3] and [2,3]", [2, 3], [2, 3]],
    ["[2,3] and [3]", [2, 3], [3]],
    ["[3] and [2,3]", [3], [2, 3]],
    ["[2,1] and [1,3]", [2, 1], [1, 3]],
    ["[2,3] and [1]", [2, 3], [1]],
    ["[2,1,3] and [4,1]", [2, 1, 3], [4, 1]],
    ["[1,3,1] and [2,1,4]", [1, 3, 1], [2, 1, 4]],
    ["[2,3] and 0-d []", [2, 3], []],
  ];
  for (const [name, op, , da, db, positiveA] of binaryOps) {
    for (const [label, sa, sb] of cases) {
      it(`grad of ${name} for ${label}: each operand's gradient has that operand's shape (sums over broadcast axes)`, () => {
        const a = values(sizeOf(sa), 3 + sa.length, positiveA ? 0.3 : -2, 2);
        const b = values(sizeOf(sb), 7 + sb.length, name === "div" ? 0.5 : -2, 2);
        const { shape, pairs } = broadcast(sa, sb);
        const w = values(sizeOf(shape), 99, -1, 1);
        const ga = new Array<number>(a.length).fill(0);
        const gb = new Array<number>(b.length).fill(0);
        pairs.forEach(([i, j], k) => {
          ga[i] += da(a[i], b[j]) * w[k];
          gb[j] += db(a[i], b[j]) * w[k];
        });
        const W = tensor(w, shape);
        const g = grad(([p, q]: readonly [Tensor, Tensor]) => sum(mul(op(p, q), W)))([tensor(a, sa), tensor(b, sb)]);
        expect(Array.isArray(g)).toBe(true);
        expectTensor(g[0], sa, nest(ga, sa), 1e-10, 1e-12);
        expectTensor(g[1], sb, nest(gb, sb), 1e-10, 1e-12);
      });
      it(`jvp of ${name} for ${label} combines both tangents through broadcasting`, () => {
        const a = values(sizeOf(sa), 5 + sa.length, positiveA ? 0.3 : -2, 2);
        const b = values(sizeOf(sb), 9 + sb.length, name === "div" ? 0.5 : -2, 2);
        const va = values(sizeOf(sa), 13, -1, 1);
        const vb = values(sizeOf(sb), 17, -1, 1);
        const { shape, pairs } = broadcast(sa, sb);
        const expected = pairs.map(([i, j]) => da(a[i], b[j]) * va[i] + db(a[i], b[j]) * vb[j]);
        const [, t] = jvp(([p, q]: readonly [Tensor, Tensor]) => op(p, q), [tensor(a, sa), tensor(b, sb)], [tensor(va, sa), tensor(vb, sb)]);
        expectTensor(t, shape, nest(expected, shape), 1e-10, 1e-12);
      });
    }
  }

  it("max sends the gradient to a where a >= b and min where a <= b, elementwise (ties included)", () => {
    const a = tensor([1, 2, 3]);
    const b = tensor([1, 5, 0]);
    const gmax = grad(([p, q]: readonly [Tensor, Tensor]) => sum(max(p, q)))([a, b]);
    expectTensor(gmax[0], [3], [1, 0, 1]);
    expectTensor(gmax[1], [3], [0, 1, 0]);
    const gmin = grad(([p, q]: readonly [Tensor, Tensor]) => sum(min(p, q)))([a, b]);
    expectTensor(gmin[0], [3], [1, 1, 0]);
    expectTensor(gmin[1], [3], [0, 0, 1]);
  });

  it("pow's ∂/∂y is taken as 0 where x == 0, elementwise", () => {
    const g = grad(([x, y]: readonly [Tensor, Tensor]) => sum(pow(x, y)))([tensor([0, 2]), tensor([2, 3])]);
    expectTensor(g[0], [2], [0, 12]);
    expectTensor(g[1], [2], [0, 8 * Math.LN2], 1e-12);
  });

  it("the gradient with respect to a plain-number operand broadcast over a tensor is a number (the sum)", () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    const g = grad(([s, u]: readonly [Real, Tensor]) => sum(mul(s, u)))([2, t]);
    expectClose(g[0], 21, SPEC_RTOL, SPEC_ATOL);
    expectTensor(g[1], [2, 3], [[2, 2, 2], [2, 2, 2]]);
    const h = grad(([u, s]: readonly [Tensor, Real]) => sum(div(u, s)))([t, 2]);
    expectTensor(h[0], [2, 3], [[0.5, 0.5, 0.5], [0.5, 0.5, 0.5]]);
    expectClose(h[1], -21 / 4, SPEC_RTOL, SPEC_ATOL);
  });

  it("derivative through a scalar broadcast over a tensor", () => {
    const c = [1, 2, 3];
    const d = derivative((s: Real) => sum(exp(mul(s, tensor(c)))))(0.5);
    expectClose(d, c.reduce((acc, ci) => acc + ci * Math.exp(ci * 0.5), 0), 1e-12, SPEC_ATOL);
  });
});

describe("gradients of structural tensor operations", () => {
  const A = values(6, 41);
  const B = values(12, 43);
  const W23 = values(6, 47);
  const W24 = values(8, 53);

  it("matmul's reverse rule: ∂/∂A sum(W ⊙ AB) = W·Bᵀ and ∂/∂B = Aᵀ·W", () => {
    const g = grad(([a, b]: readonly [Tensor, Tensor]) => sum(mul(matmul(a, b), tensor(W24, [2, 4]))))([tensor(A, [2, 3]), tensor(B, [3, 4])]);
    expectTensor(g[0], [2, 3], nest(matmulRef(W24, [2, 4], transposeRef(B, [3, 4]), [4, 3]), [2, 3]), 1e-12, 1e-14);
    expectTensor(g[1], [3, 4], nest(matmulRef(transposeRef(A, [2, 3]), [3, 2], W24, [2, 4]), [3, 4]), 1e-12, 1e-14);
  });

  it("matmul's forward rule: d(AB) = dA·B + A·dB", () => {
    const dA = values(6, 61);
    const dB = values(12, 67);
    const [y, t] = jvp(([a, b]: readonly [Tensor, Tensor]) => matmul(a, b), [tensor(A, [2, 3]), tensor(B, [3, 4])], [tensor(dA, [2, 3]), tensor(dB, [3, 4])]);
    expectTensor(y, [2, 4], nest(matmulRef(A, [2, 3], B, [3, 4]), [2, 4]), 1e-12, 1e-14);
    const e1 = matmulRef(dA, [2, 3], B, [3, 4]);
    const e2 = matmulRef(A, [2, 3], dB, [3, 4]);
    expectTensor(t, [2, 4], nest(e1.map((v, i) => v + e2[i]), [2, 4]), 1e-12, 1e-14);
  });

  it("transpose's gradient is the transposed cotangent", () => {
    const W32 = transposeRef(W23, [2, 3]);
    const g = grad((a: Tensor) => sum(mul(transpose(a), tensor(W32, [3, 2]))))(tensor(A, [2, 3]));
    expectTensor(g, [2, 3], nest(W23, [2, 3]), 1e-12);
    const [, t] = jvp(transpose, tensor(A, [2, 3]), tensor(W23, [2, 3]));
    expectTensor(t, [3, 2], nest(W32, [3, 2]), 1e-12);
  });

  it("reshape's gradient is the cotangent reshaped back", () => {
    const g = grad((a: Tensor) => sum(mul(reshape(a, [3, 2]), tensor(W23, [3, 2]))))(tensor(A, [2, 3]));
    expectTensor(g, [2, 3], nest(W23, [2, 3]), 1e-12);
    const [, t] = jvp((a: Tensor) => reshape(a, [6]), tensor(A, [2, 3]), tensor(W23, [2, 3]));
    expectTensor(t, [6], W23, 1e-12);
  });

  it("sum without an axis has gradient ones; with an axis the cotangent is broadcast back", () => {
    expectTensor(grad((a: Tensor) => sum(a))(tensor(A, [2, 3])), [2, 3], [[1, 1, 1], [1, 1, 1]]);
    const w = [2, -1, 0.5];
    const g0 = grad((a: Tensor) => sum(mul(sum(a, 0), tensor(w))))(tensor(A, [2, 3]));
    expectTensor(g0, [2, 3], [w, w]);
    const g1 = grad((a: Tensor) => sum(mul(sum(a, 1), tensor([3, 4]))))(tensor(A, [2, 3]));
    expectTensor(g1, [2, 3], [[3, 3, 3], [4, 4, 4]]);
    const gneg = grad((a: Tensor) => sum(mul(sum(a, -1), tensor([3, 4]))))(tensor(A, [2, 3]));
    expectTensor(gneg, [2, 3], [[3, 3, 3], [4, 4, 4]]);
  });

  it("mean's gradient is 1/n (over all elements or along the axis)", () => {
    expectTensor(grad((a: Tensor) => mean(a))(tensor(A, [2, 3])), [2, 3], [[1 / 6, 1 / 6, 1 / 6], [1 / 6, 1 / 6, 1 / 6]], 1e-14);
    const g = grad((a: Tensor) => sum(mul(mean(a, 1), tensor([3, 6]))))(tensor(A, [2, 3]));
    expectTensor(g, [2, 3], [[1, 1, 1], [2, 2, 2]], 1e-14);
    const [, t] = jvp((a: Tensor) => mean(a, 0), tensor(A, [2, 3]), tensor([[1, 2, 3], [3, 4, 5]]));
    expectTensor(t, [3], [2, 3, 4], 1e-14);
  });

  it("softmax's gradient: ∇ sum(w ⊙ softmax(x)) = s ⊙ (w − s·w), row by row", () => {
    const x = [[0.2, -1, 1.5], [3, 0.1, -0.4]];
    const w = [[1, -2, 0.5], [0.3, 0.7, -1.1]];
    const g = grad((t: Tensor) => sum(mul(softmax(t), tensor(w))))(tensor(x));
    const expected = x.map((row, i) => {
      const s = softmaxRef(row);
      const sw = s.reduce((acc, si, j) => acc + si * w[i][j], 0);
      return s.map((si, j) => si * (w[i][j] - sw));
    });
    expectTensor(g, [2, 3], expected, 1e-10, 1e-13);
    const [, t] = jvp((u: Tensor) => softmax(u), tensor(x), tensor(w));
    expectTensor(t, [2, 3], expected, 1e-10, 1e-13);
  });

  it("softmax along axis 0: the gradient normalises columns", () => {
    const x = [[0.2, -1], [3, 0.1], [1, 1]];
    const w = [[1, -2], [0.3, 0.7], [2, 0]];
    const g = grad((t: Tensor) => sum(mul(softmax(t, 0), tensor(w))))(tensor(x));
    const expected = x.map((r) => r.map(() => 0));
    for (let j = 0; j < 2; j++) {
      const col = x.map((r) => r[j]);
      const wc = w.map((r) => r[j]);
      const s = softmaxRef(col);
      const sw = s.reduce((acc, si, i) => acc + si * wc[i], 0);
      s.forEach((si, i) => (expected[i][j] = si * (wc[i] - sw)));
    }
    expectTensor(g, [3, 2], expected, 1e-10, 1e-13);
  });

  it("logSumExp's gradient is softmax (all elements, and along an axis)", () => {
    const x = [[0.2, -1, 1.5], [3, 0.1, -0.4]];
    const all = softmaxRef(x.flat());
    expectTensor(grad((t: Tensor) => logSumExp(t))(tensor(x)), [2, 3], nest(all, [2, 3]), 1e-12, 1e-14);
    const g = grad((t: Tensor) => sum(logSumExp(t, 1)))(tensor(x));
    expectTensor(g, [2, 3], x.map(softmaxRef), 1e-12, 1e-14);
    const [, tan1] = jvp((t: Tensor) => logSumExp(t), tensor(x), tensor(V));
    expectClose(tan1, all.reduce((acc, s, k) => acc + s * V.flat()[k], 0), 1e-12, SPEC_ATOL);
  });

  it("logSumExp's and softmax's gradients stay finite for inputs like 1000", () => {
    expectTensor(grad((t: Tensor) => logSumExp(t))(tensor([1000, 1000])), [2], [0.5, 0.5], 1e-14);
    expectTensor(grad((t: Tensor) => logSumExp(t))(tensor([-1000, -1000])), [2], [0.5, 0.5], 1e-14);
    const g = grad((t: Tensor) => sum(mul(softmax(t), tensor([1, 0]))))(tensor([1000, 1000]));
    expectTensor(g, [2], [0.25, -0.25], 1e-12);
    const [, d] = jvp((t: Tensor) => logSumExp(t), tensor([1000, 1000]), tensor([1, 3]));
    expectClose(d, 2, 1e-14, SPEC_ATOL);
  });

  it("slice's gradient scatters the cotangent into the sliced rows (zeros elsewhere)", () => {
    const t = tensor(values(8, 71), [4, 2]);
    const g = grad((u: Tensor) => sum(mul(slice(u, 1, 3), tensor([[1, 2], [3, 4]]))))(t);
    expectTensor(g, [4, 2], [[0, 0], [1, 2], [3, 4], [0, 0]]);
    const gneg = grad((u: Tensor) => sum(mul(slice(u, -1, 4), tensor([[5, 6]]))))(t);
    expectTensor(gneg, [4, 2], [[0, 0], [0, 0], [0, 0], [5, 6]]);
    const gax = grad((u: Tensor) => sum(mul(slice(u, 1, 2, 1), tensor([[1], [2], [3], [4]]))))(t);
    expectTensor(gax, [4, 2], [[0, 1], [0, 2], [0, 3], [0, 4]]);
    const [, d] = jvp((u: Tensor) => slice(u, 2, 4), t, tensor([[1, 2], [3, 4], [5, 6], [7, 8]]));
    expectTensor(d, [2, 2], [[5, 6], [7, 8]]);
  });

  it("concat's gradient splits the cotangent among the inputs", () => {
    const g = grad(([a, b]: readonly [Tensor, Tensor]) => sum(mul(concat([a, b]), tensor([[1, 2], [3, 4], [5, 6]]))))([
      tensor([[0, 0]]),
      tensor([[0, 0], [0, 0]]),
    ]);
    expectTensor(g[0], [1, 2], [[1, 2]]);
    expectTensor(g[1], [2, 2], [[3, 4], [5, 6]]);
    const g1 = grad(([a, b]: readonly [Tensor, Tensor]) => sum(mul(concat([a, b], 1), tensor([[1, 2, 3], [4, 5, 6]]))))([
      tensor([[0], [0]]),
      tensor([[0, 0], [0, 0]]),
    ]);
    expectTensor(g1[0], [2, 1], [[1], [4]]);
    expectTensor(g1[1], [2, 2], [[2, 3], [5, 6]]);
    const [, d] = jvp(([a, b]: readonly [Tensor, Tensor]) => concat([a, b]), [tensor([1]), tensor([2, 3])], [tensor([7]), tensor([8, 9])]);
    expectTensor(d, [3], [7, 8, 9]);
  });

  it("softmax cross-entropy with oneHot labels has gradient (softmax − onehot)/batch", () => {
    const logits = [[2, 1, 0.1], [0.5, 2.5, -1]];
    const labels = [0, 1];
    const Y = oneHot(labels, 3);
    const loss = (z: Tensor): Real => neg(mean(sum(mul(Y, sub(z, reshape(logSumExp(z, 1), [2, 1]))), 1)));
    const g = grad(loss)(tensor(logits));
    const expected = logits.map((row, i) => softmaxRef(row).map((s, j) => (s - (labels[i] === j ? 1 : 0)) / 2));
    expectTensor(g, [2, 3], expected, 1e-12, 1e-14);
  });

  it("argmax inside a transform returns plain indices and is not differentiated", () => {
    const seen: unknown[] = [];
    const g = grad((t: Tensor) => {
      const i = argmax(t);
      seen.push(i);
      return mul(sum(t), i);
    })(tensor([1, 5, 2]));
    expect(seen).toEqual([1]);
    expectTensor(g, [3], [1, 1, 1]);
  });
});

describe("trees with tensor leaves", () => {
  const w = tensor(values(6, 81), [3, 2]);
  const b = tensor([0.1, -0.2]);
  const x = tensor(values(12, 83), [4, 3]);
  const loss = (p: { w: Tensor; b: Tensor }): Real => sum(square(add(matmul(x, p.w), p.b)));

  it("grad of a function of { w, b } returns { w, b } tensors of the same shapes", () => {
    const g = grad(loss)({ w, b });
    expect(Object.keys(g).sort()).toEqual(["b", "w"]);
    expect(g.w).toBeInstanceOf(Tensor);
    expect(g.b).toBeInstanceOf(Tensor);
    expect([...g.w.shape]).toEqual([3, 2]);
    expect([...g.b.shape]).toEqual([2]);
    // closed form: Z = XW + b, ∂L/∂Z = 2Z, ∂W = Xᵀ·2Z, ∂b = Σ_rows 2Z
    const xs = flatten(toArray(x));
    const ws = flatten(toArray(w));
    const Z = matmulRef(xs, [4, 3], ws, [3, 2]).map((z, k) => z + [0.1, -0.2][k % 2]);
    const dZ = Z.map((z) => 2 * z);
    expectTensor(g.w, [3, 2], nest(matmulRef(transposeRef(xs, [4, 3]), [3, 4], dZ, [4, 2]), [3, 2]), 1e-12, 1e-14);
    expectTensor(g.b, [2], [dZ[0] + dZ[2] + dZ[4] + dZ[6], dZ[1] + dZ[3] + dZ[5] + dZ[7]], 1e-12, 1e-14);
  });

  it("valueAndGrad of a tensor function gives a plain-number value and tensor gradients", () => {
    const result = valueAndGrad(loss)({ w, b });
    const [v, g] = result;
    expect(typeof v).toBe("number");
    const xs = flatten(toArray(x));
    const ws = flatten(toArray(w));
    const Z = matmulRef(xs, [4, 3], ws, [3, 2]).map((z, k) => z + [0.1, -0.2][k % 2]);
    expectClose(v, Z.reduce((a, z) => a + z * z, 0), 1e-12, SPEC_ATOL);
    expect(g.w).toBeInstanceOf(Tensor);
    expectDeepFrozen(result);
  });

  it("a mixed tree of scalars, tensors, arrays and records keeps its structure in the gradient", () => {
    type P = { scale: Real; t: Tensor; list: readonly [Real, Tensor] };
    const f = (p: P): Real => add(mul(p.scale, sum(p.t)), mul(p.list[0], sum(square(p.list[1]))));
    const g = grad(f)({ scale: 2, t: tensor([[1, 2], [3, 4]]), list: [3, tensor([1, -1, 2])] });
    expectClose(g.scale, 10, SPEC_RTOL, SPEC_ATOL);
    expectTensor(g.t, [2, 2], [[2, 2], [2, 2]]);
    expect(Array.isArray(g.list)).toBe(true);
    expectClose(g.list[0], 6, SPEC_RTOL, SPEC_ATOL);
    expectTensor(g.list[1], [3], [6, -6, 12]);
    expectDeepFrozen(g);
  });

  it("an unused tensor leaf gets a zero gradient of its shape", () => {
    const g = grad((p: { a: Tensor; b: Tensor }) => sum(p.a))({ a: tensor([1, 2]), b: tensor([[1, 2, 3]]) });
    expectTensor(g.a, [2], [1, 1]);
    expectTensor(g.b, [1, 3], [[0, 0, 0]]);
  });

  it("inputs are unchanged (and not frozen) after grad, jvp, vjp and hvp on tensor trees", () => {
    const p = { w: tensor(values(6, 81), [3, 2]), b: tensor([0.1, -0.2]), extra: [1, 2] as Real[] };
    const before = snapshot(p);
    const f = (q: typeof p): Real => add(sum(square(add(matmul(x, q.w), q.b))), sum(q.extra));
    grad(f)(p);
    jvp(f, p, { w: ones([3, 2]), b: ones([2]), extra: [1, 1] });
    const [, pb] = vjp(f, p);
    pb(1);
    hvp(f)(p, { w: ones([3, 2]), b: ones([2]), extra: [1, 1] });
    expect(snapshot(p)).toEqual(before);
    expect(Object.isFrozen(p)).toBe(false);
    expect(Object.isFrozen(p.extra)).toBe(false);
  });

  it("results of every transform on tensors are deeply frozen", () => {
    const p = { w, b };
    expectDeepFrozen(grad(loss)(p));
    expectDeepFrozen(jvp(loss, p, { w: ones([3, 2]), b: ones([2]) }));
    const r = vjp((q: { w: Tensor; b: Tensor }) => ({ y: matmul(x, q.w), b: q.b }), p);
    expectDeepFrozen(r);
    expectDeepFrozen(r[1]({ y: ones([4, 2]), b: ones([2]) }));
    expectDeepFrozen(hvp(loss)(p, { w: ones([3, 2]), b: ones([2]) }));
    expectDeepFrozen(jacfwd((t: Tensor) => mul(t, t))(tensor([1, 2])));
    expectDeepFrozen(jacrev((t: Tensor) => mul(t, t))(tensor([1, 2])));
    expectDeepFrozen(hessian((t: Tensor) => sum(mul(t, mul(t, t))))(tensor([1, 2])));
  });

  it("a pullback on tensors can be called many times with different cotangents and never changes", () => {
    const [y, pb] = vjp((t: Tensor) => mul(t, t), tensor([1, 2, 3]));
    expectTensor(y, [3], [1, 4, 9]);
    const g1 = pb(tensor([1, 1, 1]));
    const g2 = pb(tensor([0, 1, 2]));
    const g3 = pb(tensor([1, 1, 1]));
    expectTensor(g1, [3], [2, 4, 6]);
    expectTensor(g2, [3], [0, 4, 12]);
    expectTensor(g3, [3], [2, 4, 6]);
  });

  it("stopGradient on a tensor blocks its gradient", () => {
    const g = grad((t: Tensor) => sum(mul(t, stopGradient(t))))(tensor([1, 2, 3]));
    expectTensor(g, [3], [1, 2, 3]);
    const [, d] = jvp((t: Tensor) => mul(t, stopGradient(t)), tensor([1, 2, 3]), ones([3]));
    expectTensor(d, [3], [1, 2, 3]);
  });
});

describe("higher order and nesting with tensors", () => {
  it("an inner grad on tensors carries the outer perturbation (derivative of a gradient)", () => {
    const x = tensor([1, 2, 3]);
    // ∇_t sum(s·t²) = 2 s t; sum = 2 s Σt; d/ds = 2 Σt = 12
    const d = derivative((s: Real) => sum(grad((t: Tensor) => sum(mul(s, mul(t, t))))(x)))(3);
    expectClose(d, 12, SPEC_RTOL, SPEC_ATOL);
  });

  it("grad of a function that takes a gradient on tensors", () => {
    const x = tensor([1, 2, 3]);
    const g = grad((s: Real) => sum(grad((t: Tensor) => sum(mul(s, mul(t, mul(t, t)))))(x)))(2);
    // inner: 3 s t², sum: 3 s Σt² = 42 s; d/ds = 42
    expectClose(g, 42, SPEC_RTOL, SPEC_ATOL);
  });

  it("jvp of vjp on tensors gives a Hessian-vector product", () => {
    const f = (t: Tensor): Real => sum(mul(t, mul(t, t)));
    const x = tensor([1, -2, 3]);
    const v = tensor([1, 0.5, 2]);
    const [, d] = jvp((t: Tensor) => vjp(f, t)[1](1), x, v);
    expectTensor(d, [3], [6 * 1 * 1, 6 * -2 * 0.5, 6 * 3 * 2], 1e-12);
  });

  it("hvp of an MLP-like loss tanh(x·W + b) → Σ squares matches a finite difference of the gradient", () => {
    const X = values(12, 101, -1, 1);
    const W0 = values(6, 103, -1, 1);
    const b0 = [0.1, -0.3];
    const VW = values(6, 107, -1, 1);
    const vb = [0.7, -0.4];
    // closed-form gradient in plain JS
    const gradRef = (w: number[], bb: number[]): { w: number[]; b: number[] } => {
      const Z = matmulRef(X, [4, 3], w, [3, 2]).map((z, k) => z + bb[k % 2]);
      const H = Z.map(Math.tanh);
      const G = H.map((h) => 2 * h * (1 - h * h));
      return { w: matmulRef(transposeRef(X, [4, 3]), [3, 4], G, [4, 2]), b: [G[0] + G[2] + G[4] + G[6], G[1] + G[3] + G[5] + G[7]] };
    };
    const eps = 1e-5;
    const gp = gradRef(W0.map((w, i) => w + eps * VW[i]), b0.map((b, i) => b + eps * vb[i]));
    const gm = gradRef(W0.map((w, i) => w - eps * VW[i]), b0.map((b, i) => b - eps * vb[i]));
    const hvW = gp.w.map((g, i) => (g - gm.w[i]) / (2 * eps));
    const hvb = gp.b.map((g, i) => (g - gm.b[i]) / (2 * eps));

    const Xt = tensor(X, [4, 3]);
    const loss = (p: { W: Tensor; b: Tensor }): Real => sum(square(tanh(add(matmul(Xt, p.W), p.b))));
    const params = { W: tensor(W0, [3, 2]), b: tensor(b0) };
    const before = snapshot(params);
    const r = hvp(loss)(params, { W: tensor(VW, [3, 2]), b: tensor(vb) });
    expectTensor(r.W, [3, 2], nest(hvW, [3, 2]), 1e-6, 1e-8);
    expectTensor(r.b, [2], hvb, 1e-6, 1e-8);
    expectDeepFrozen(r);
    expect(snapshot(params)).toEqual(before);
    // and the gradient itself matches the closed form
    const g = grad(loss)(params);
    const g0 = gradRef(W0, b0);
    expectTensor(g.W, [3, 2], nest(g0.w, [3, 2]), 1e-12, 1e-14);
    expectTensor(g.b, [2], g0.b, 1e-12, 1e-14);
  });

  it("customJvp on a tensor function applies at every nesting level", () => {
    // f = sin, but its rule says f'(t) = t²: g(x) = Σ f(x·c) has g' = x²·Σc³ = 9x², g'' = 18x
    const f = customJvp((t: Tensor) => sin(t), (t: Tensor, v: Tensor) => [sin(t), mul(mul(t, t), v)] as const);
    const c = tensor([1, 2]);
    const g = (x: Real): Real => sum(f(mul(x, c)));
    expectClose(derivative(g)(1), 9, SPEC_RTOL, SPEC_ATOL);
    expectClose(derivative(derivative(g))(1), 18, SPEC_RTOL, SPEC_ATOL);
  });

  it("customVjp on a tensor function applies at every nesting level", () => {
    // f = sin, but its rule says f'(t) = t²: g(x) = Σ f(x·c) has g' = 9x², g'' = 18x
    const f = customVjp((t: Tensor) => sin(t), (t: Tensor) => [sin(t), (u: Tensor) => mul(u, mul(t, t))] as const);
    const c = tensor([1, 2]);
    const g = (x: Real): Real => sum(f(mul(x, c)));
    expectClose(grad(g)(1), 9, SPEC_RTOL, SPEC_ATOL);
    expectClose(grad(grad(g))(1), 18, SPEC_RTOL, SPEC_ATOL);
  });

  it("customVjp and customJvp work on tensor functions", () => {
    const double = customVjp(
      (t: Tensor) => mul(t, 2),
      (t: Tensor) => [mul(t, 2), (u: Tensor) => mul(u, 10)] as const,
    );
    expectTensor(grad((t: Tensor) => sum(double(t)))(tensor([1, 2])), [2], [10, 10]);
    expectTensor(jvp(double, tensor([1, 2]), tensor([1, 1]))[1], [2], [2, 2]);
    const triple = customJvp(
      (t: Tensor) => mul(t, 3),
      (t: Tensor, v: Tensor) => [mul(t, 3), mul(v, 7)] as const,
    );
    expectTensor(jvp(triple, tensor([1, 2]), tensor([1, 1]))[1], [2], [7, 7]);
    expectTensor(grad((t: Tensor) => sum(triple(t)))(tensor([1, 2])), [2], [3, 3]);
  });
});

describe("Jacobians and Hessians of 1-D tensors", () => {
  const x = [0.5, -1, 2];

  it("jacfwd and jacrev of an elementwise map on a 1-D tensor give a 2-D tensor (diagonal)", () => {
    for (const jac of [jacfwd, jacrev]) {
      const J = jac((t: Tensor) => mul(t, t))(tensor(x));
      expectTensor(J, [3, 3], [[1, 0, 0], [0, -2, 0], [0, 0, 4]]);
    }
  });

  it("jacfwd and jacrev of t ↦ A·t (via broadcasting) give A, with J[i][j] = ∂y_i/∂x_j, shape [m,n]", () => {
    const A = [[1, 2, 3], [4, 5, 6]];
    for (const jac of [jacfwd, jacrev]) {
      const J = jac((t: Tensor) => sum(mul(tensor(A), t), 1))(tensor(x));
      expectTensor(J, [2, 3], A);
    }
  });

  it("jacfwd and jacrev of softmax on a 1-D tensor give diag(s) − s·sᵀ", () => {
    const s = softmaxRef(x);
    const expected = s.map((si, i) => s.map((sj, j) => (i === j ? si : 0) - si * sj));
    for (const jac of [jacfwd, jacrev]) {
      expectTensor(jac((t: Tensor) => softmax(t))(tensor(x)), [3, 3], expected, 1e-12, 1e-14);
    }
  });

  it("hessian of a function of a 1-D tensor gives a 2-D tensor", () => {
    const H = hessian((t: Tensor) => sum(mul(t, mul(t, t))))(tensor(x));
    expectTensor(H, [3, 3], [[3, 0, 0], [0, -6, 0], [0, 0, 12]], 1e-12);
  });

  it("hessian of logSumExp on a 1-D tensor is diag(s) − s·sᵀ (and symmetric)", () => {
    const s = softmaxRef(x);
    const expected = s.map((si, i) => s.map((sj, j) => (i === j ? si : 0) - si * sj));
    const H = hessian((t: Tensor) => logSumExp(t))(tensor(x));
    expectTensor(H, [3, 3], expected, 1e-10, 1e-13);
  });

  it("Jacobian and Hessian transforms leave the 1-D tensor argument unchanged", () => {
    const t = tensor(x);
    jacfwd((u: Tensor) => mul(u, u))(t);
    jacrev((u: Tensor) => mul(u, u))(t);
    hessian((u: Tensor) => sum(mul(u, u)))(t);
    expect(toArray(t)).toEqual(x);
  });
});

describe("tensor errors inside transforms", () => {
  it("grad of a function returning a 0-d tensor is a TypeError", () => {
    expectThrows(() => grad((t: Tensor) => sum(t, 0) as unknown as Real)(tensor([1, 2, 3])), TypeError);
  });

  it("grad of a function returning a 1-element tensor is a TypeError", () => {
    expectThrows(() => grad((t: Tensor) => slice(t, 0, 1) as unknown as Real)(tensor([1, 2, 3])), TypeError);
    expectThrows(() => grad((t: Tensor) => reshape(sum(t, 0), [1, 1]) as unknown as Real)(tensor([1, 2, 3])), TypeError);
  });

  it("the message names the result's shape, as SPEC writes shapes", () => {
    expect(() => grad((t: Tensor) => slice(t, 0, 1) as unknown as Real)(tensor([1, 2, 3]))).toThrow(/a Tensor of shape \[1\]/);
    expect(() => grad((t: Tensor) => mul(t, 2) as unknown as Tensor as unknown as Real)(tensor([[1, 2], [3, 4]]))).toThrow(/a Tensor of shape \[2,2\]/);
  });

  it("grad and valueAndGrad of a function returning a tensor with several elements are TypeErrors", () => {
    expectThrows(() => grad((t: Tensor) => mul(t, 2) as unknown as Real)(tensor([1, 2, 3])), TypeError);
    expectThrows(() => valueAndGrad((t: Tensor) => mul(t, 2) as unknown as Real)(tensor([1, 2, 3])), TypeError);
    expectThrows(() => valueAndGrad((t: Tensor) => sum(t, 0) as unknown as Real)(tensor([1, 2, 3])), TypeError);
  });

  it("a jvp tangent whose tensor shape differs is a TypeError naming the path", () => {
    const f = (p: { w: Tensor }): Real => sum(p.w);
    expectThrows(() => jvp(f, { w: tensor([1, 2, 3]) }, { w: tensor([1, 2]) }), TypeError, "w");
    expectThrows(() => jvp(f, { w: tensor([1, 2, 3]) }, { w: tensor([[1, 2, 3]]) }), TypeError, "w");
    expectThrows(() => jvp(f, { w: tensor([1, 2, 3]) }, { w: 1 as unknown as Tensor }), TypeError, "w");
  });

  it("an hvp vector whose tensor shape differs is a TypeError naming the path", () => {
    const f = (p: { a: Real; w: Tensor }): Real => sum(square(p.w));
    expectThrows(() => hvp(f)({ a: 1, w: zeros([2, 3]) }, { a: 0, w: zeros([3, 2]) }), TypeError, "w");
  });

  it("a pullback cotangent whose tensor shape differs is a TypeError naming the path", () => {
    const [, pb] = vjp((p: { w: Tensor }) => ({ out: mul(p.w, 2), other: [sum(p.w)] }), { w: tensor([1, 2]) });
    expectThrows(() => pb({ out: tensor([1, 2, 3]), other: [1] }), TypeError, "out");
    expectThrows(() => pb({ out: tensor([[1, 2]]), other: [1] }), TypeError, "out");
    expectThrows(() => pb({ out: tensor([1, 2]), other: [tensor([1]) as unknown as Real] }), TypeError, "other[0]");
  });

  it("shape errors inside a transform are still RangeErrors naming both shapes", () => {
    expectThrows(() => grad((t: Tensor) => sum(add(t, tensor([1, 2, 3, 4]))))(zeros([2, 3])), RangeError, "[2,3]", "[4]");
    expectThrows(() => jvp((t: Tensor) => matmul(t, zeros([4, 5])), zeros([2, 3]), ones([2, 3])), RangeError, "[2,3]", "[4,5]");
  });

  it("a tensor that escapes grad throws an Error naming grad when used later", () => {
    let leaked: Tensor | undefined;
    grad((t: Tensor) => {
      leaked = t;
      return sum(t);
    })(tensor([1, 2]));
    expectThrows(() => add(leaked as Tensor, 1), Error, /grad/);
  });
});
