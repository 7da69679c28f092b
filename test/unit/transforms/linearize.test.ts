// linearize: [f(x), v ↦ J_f(x)·v] from one run of f, on numbers, trees and tensors; frozen results;
// tangents of the wrong structure or shape named by path; nesting with every transform without
// perturbation confusion. (Agreement with jvp on random programs: laws/test/*programs.laws.test.ts.)
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  add, cos, customJvp, customVjp, derivative, grad, hessian, jit, jvp, linearize, matmul, mul, type Real, sin, square, sum, tanh, type Tensor, tensor, toArray,
  valueAndGrad, vjp,
} from "../../../src/index.ts";
import { expectClose, expectDeepFrozen, expectTensor, expectThrows, expectTreeClose } from "../../support/approx.ts";

/** f(x) = x·sin x: f′ = sin x + x cos x, f″ = 2 cos x − x sin x. */
const f = (x: Real) => mul(x, sin(x));
const df = (x: number) => Math.sin(x) + x * Math.cos(x);
const d2f = (x: number) => 2 * Math.cos(x) - x * Math.sin(x);

/** A function that counts its own runs. */
function counted<X, Y>(g: (x: X) => Y): { readonly g: (x: X) => Y; readonly runs: () => number } {
  let n = 0;
  return { g: (x) => (n++, g(x)), runs: () => n };
}

describe("linearize computes f(x) and v ↦ J·v", () => {
  it("on a Real: y = f(x), jvpAt(v) = f′(x)·v for every v", () => {
    const [y, jvpAt] = linearize(f, 1.25);
    expectClose(y, 1.25 * Math.sin(1.25));
    for (const v of [1, -2, 0.5, 0, 1e3]) expectClose(jvpAt(v), df(1.25) * v);
  });
  it("on trees: records and arrays in and out", () => {
    // g(a, b) = { p: a·b, q: [sin a, b²] }: J·(da, db) = { p: b·da + a·db, q: [cos a·da, 2b·db] }
    const g = (x: { a: Real; b: Real }) => ({ p: mul(x.a, x.b), q: [sin(x.a), square(x.b)] });
    const [y, jvpAt] = linearize(g, { a: 0.5, b: -2 });
    expectTreeClose(y, { p: -1, q: [Math.sin(0.5), 4] });
    expectTreeClose(jvpAt({ a: 1, b: 0 }), { p: -2, q: [Math.cos(0.5), 0] });
    expectTreeClose(jvpAt({ a: 0.25, b: 3 }), { p: -2 * 0.25 + 0.5 * 3, q: [Math.cos(0.5) * 0.25, -4 * 3] });
  });
  it("on tensors: tanh(W·x) with both W and x perturbed", () => {
    // J·(dW, dx) = (1 − tanh²(Wx)) ⊙ (dW·x + W·dx), computed here by hand on 2×2 · 2×1
    const W = [[0.5, -1], [0.25, 2]];
    const xs = [[1], [-0.5]];
    const dW = [[1, 0], [-1, 0.5]];
    const dx = [[0.25], [1]];
    const g = (p: { W: Tensor; x: Tensor }) => tanh(matmul(p.W, p.x));
    const [y, jvpAt] = linearize(g, { W: tensor(W), x: tensor(xs) });
    const z = W.map((row) => row[0] * xs[0][0] + row[1] * xs[1][0]);
    const dz = [0, 1].map((i) => dW[i][0] * xs[0][0] + dW[i][1] * xs[1][0] + W[i][0] * dx[0][0] + W[i][1] * dx[1][0]);
    expectTensor(y, [2, 1], z.map((zi) => [Math.tanh(zi)]));
    expectTensor(jvpAt({ W: tensor(dW), x: tensor(dx) }), [2, 1], z.map((zi, i) => [(1 - Math.tanh(zi) ** 2) * dz[i]]));
  });
  it("outputs that do not depend on x, and inputs f ignores, get zero tangents of their shape", () => {
    const g = (p: { used: Real; unused: Tensor }) => ({ y: square(p.used), c: tensor([1, 2]), k: 3 });
    const [, jvpAt] = linearize(g, { used: 3, unused: tensor([[1, 2]]) });
    const t = jvpAt({ used: 1, unused: tensor([[5, 5]]) });
    expect(t.y).toBe(6);
    expectTensor(t.c, [2], [0, 0]);
    expect(t.k).toBe(0);
  });
  it("agrees with jvp at every v on a mixed tree of tensors and numbers", () => {
    const g = (p: readonly [Tensor, Real]) => [sum(mul(p[0], sin(p[0]))), mul(p[1], sum(p[0]))] as const;
    const x = [tensor([0.5, -1, 2]), 1.5] as const;
    const [, jvpAt] = linearize(g, x);
    for (const v of [[tensor([1, 0, 0]), 0], [tensor([0.25, -1, 3]), 2]] as const) {
      expectTreeClose(jvpAt(v), jvp(g, x, v)[1], 1e-12, 1e-14);
    }
  });
});

describe("the linearization is kept: f runs once", () => {
  it("however often jvpAt is called, f ran exactly once, and each call matches jvp", () => {
    const c = counted((p: readonly Real[]) => [mul(p[0], sin(p[1])), add(square(p[0]), p[1])]);
    const x = [0.75, -1.25];
    const [, jvpAt] = linearize(c.g, x);
    expect(c.runs()).toBe(1);
    const vs = [[1, 0], [0, 1], [0.5, -2], [3, 3], [0, 0]];
    for (const v of vs) {
      // J = [[sin x1, x0 cos x1], [2 x0, 1]]
      const expected = [Math.sin(x[1]) * v[0] + x[0] * Math.cos(x[1]) * v[1], 2 * x[0] * v[0] + v[1]];
      expectTreeClose(jvpAt(v), expected);
    }
    expect(c.runs()).toBe(1);
  });
  it("with tensors past the buffer pool's threshold, repeated calls give the same numbers", () => {
    const n = 3000;
    const x = tensor(Array.from({ length: n }, (_, i) => Math.sin(i)), [n]);
    const v = tensor(Array.from({ length: n }, (_, i) => Math.cos(i)), [n]);
    const c = counted((t: Tensor) => mul(sin(t), add(t, 1)));
    const [, jvpAt] = linearize(c.g, x);
    const first = toArray(jvpAt(v)) as number[];
    for (let k = 0; k < 3; k++) {
      grad((t: Tensor) => sum(mul(t, t)))(x); // other transforms recycle buffers in between
      expect(toArray(jvpAt(v))).toEqual(first);
    }
    // d/dt sin t·(t + 1) = cos t·(t + 1) + sin t
    for (const i of [0, 1, 1234, n - 1]) {
      const xi = Math.sin(i);
      expectClose(first[i], (Math.cos(xi) * (xi + 1) + Math.sin(xi)) * Math.cos(i));
    }
    expect(c.runs()).toBe(1);
  });
});

describe("results and errors", () => {
  it("the pair, jvpAt and what it returns are deeply frozen", () => {
    const r = linearize((p: { a: Real }) => ({ y: [p.a, square(p.a)] }), { a: 2 });
    expectDeepFrozen(r);
    expect(Object.isFrozen(r[1])).toBe(true);
    expectDeepFrozen(r[1]({ a: 1 }));
  });
  it("a tangent of another structure or shape is a TypeError naming the first path that differs", () => {
    const [, jvpAt] = linearize((p: { w: Tensor; b: readonly Real[] }) => sum(mul(p.w, p.b[0])), { w: tensor([[1, 2], [3, 4]]), b: [1, 2] });
    expectThrows(() => jvpAt({ w: tensor([1, 2]), b: [1, 2] }), TypeError, /^linearize: /, "the tangent at w", "[2,2]", "[2]");
    expectThrows(() => jvpAt({ w: tensor([[1, 2], [3, 4]]), b: [1] } as never), TypeError, /^linearize: /, "b", "length 2");
    expectThrows(() => jvpAt({ w: tensor([[1, 2], [3, 4]]), b: [1, "x"] } as never), TypeError, "b[1]");
    expectThrows(() => jvpAt({ w: tensor([[1, 2], [3, 4]]) } as never), TypeError, "b", "missing");
  });
  it("a bad argument is a TypeError naming its path", () => {
    expectThrows(() => linearize((p: readonly Real[]) => p[0], [1, "a"] as never), TypeError, /^linearize: /, "[1]");
  });
  it("types: plain numbers in, plain numbers out", () => {
    const [y, jvpAt] = linearize((p: { a: Real }) => [p.a, square(p.a)] as const, { a: 1 });
    expectTypeOf(y).toEqualTypeOf<readonly [number, number]>();
    expectTypeOf(jvpAt).parameter(0).toEqualTypeOf<{ a: number }>();
  });
});

describe("forward mode, as jvp", () => {
  it("custom forward rules apply (and custom reverse rules do not), as in jvp", () => {
    // rules that disagree on purpose: the forward one doubles the derivative, the reverse one triples it
    const fwd = customJvp(sin, (x: Real, v: Real) => [sin(x), mul(2, mul(cos(x), v))] as const);
    const rev = customVjp(sin, (x: Real) => [sin(x), (u: Real) => mul(3, mul(cos(x), u))] as const);
    expectClose(linearize(fwd, 0.5)[1](1), 2 * Math.cos(0.5));
    expectClose(linearize(rev, 0.5)[1](1), Math.cos(0.5));
  });
});

describe("nesting, free of perturbation confusion", () => {
  it("grad, derivative and jvp of x ↦ jvpAt(1) are f″", () => {
    const inner = (x: Real) => linearize(f, x)[1](1);
    expectClose(grad(inner)(0.8), d2f(0.8));
    expectClose(derivative(inner)(0.8), d2f(0.8));
    expectClose(jvp(inner, 0.8, 2)[1], 2 * d2f(0.8));
    expectClose(linearize(inner, 0.8)[1](1), d2f(0.8));
  });
  it("the canonical confusion example with linearize as the inner derivative is 1, not 2", () => {
    expect(derivative((x: Real) => mul(x, linearize((y: Real) => add(x, y), 1)[1](1)))(1)).toBe(1);
    expect(grad((x: Real) => mul(x, linearize((y: Real) => add(x, y), 1)[1](1)))(1)).toBe(1);
  });
  it("a closure over an outer variable, linearized inside grad: d/dx [J_y(x·y²)(y0)·v] = 2·y0·v", () => {
    const outer = grad((x: Real) => linearize((y: Real) => mul(x, square(y)), 1.5)[1](2));
    expectClose(outer(0.3), 2 * 1.5 * 2);
  });
  it("jvpAt of a plain linearization applied to a traced tangent: grad in v gives J", () => {
    const [, jvpAt] = linearize((p: readonly Real[]) => mul(p[0], square(p[1])), [2, 3]);
    expect(grad((v: readonly Real[]) => jvpAt(v as number[]))([0, 0])).toEqual([9, 12]);
  });
  it("the Hessian through linearize inside valueAndGrad and vjp", () => {
    const h = (p: readonly Real[]) => mul(square(p[0]), sin(p[1]));
    // ∇h = [2 p0 sin p1, p0² cos p1]; H·e0 = [2 sin p1, 2 p0 cos p1]
    const p = [0.5, 1.25];
    const gradAlong = (q: readonly Real[]) => linearize(grad(h), q)[1]([1, 0]);
    expectTreeClose(gradAlong(p), [2 * Math.sin(1.25), 2 * 0.5 * Math.cos(1.25)]);
    expectTreeClose((hessian(h)(p) as number[][]).map((row) => row[0]), gradAlong(p));
    const [v, g] = valueAndGrad((q: readonly Real[]) => linearize(h, q)[1]([1, 0]))(p);
    expectClose(v, 2 * 0.5 * Math.sin(1.25));
    expectTreeClose(g, [2 * Math.sin(1.25), 2 * 0.5 * Math.cos(1.25)]);
    const [, pullback] = vjp((q: readonly Real[]) => linearize(h, q)[1]([0, 1]), p);
    expectTreeClose(pullback(1), [2 * 0.5 * Math.cos(1.25), -0.25 * Math.sin(1.25)]);
  });
  it("a jvpAt kept past the grad it was made in throws an Error naming grad", () => {
    let kept: ((v: Real) => Real) | undefined;
    grad((x: Real) => {
      const [y, jvpAt] = linearize(f, x);
      kept = jvpAt;
      return y;
    })(1);
    expectThrows(() => kept!(1), Error, "grad");
  });
  it("jit of a function using linearize gives what it gives", () => {
    const g = (x: Real) => linearize(f, x)[1](1);
    const jitted = jit(g);
    for (const x of [0.5, 1, -2]) expectClose(jitted(x), df(x), 0, 0);
  });
});
