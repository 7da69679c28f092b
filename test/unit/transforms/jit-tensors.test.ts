// jit on tensor programs: the first call with a structure (and tensor shapes) records every scalar and
// tensor primitive, later calls replay them without running the function, bit for bit what it computes;
// kink masks on tensors are recomputed on every replay, scalar kinks still guard it.
import { describe, expect, it } from "vitest";
import {
  abs, adam, add, grad, hvp, jit, logSumExp, matmul, max, mean, min, mul, oneHot, primal, type Real, relu, reshape, sin, square, sub, sum, tanh,
  type Tensor, tensor, toArray, treeLeaves, valueAndGrad, vmap, where,
} from "../../../src/index.ts";
import { isDeeplyFrozen } from "../../support/approx.ts";
import { withoutCodegen } from "../../support/codegen.ts";

/** Equal bit for bit, leaf by leaf (tensors by shape and every element; −0 is not 0). */
function expectSame(actual: unknown, expected: unknown): void {
  const [a, e] = [treeLeaves(actual as never), treeLeaves(expected as never)];
  expect(a.length).toBe(e.length);
  e.forEach((x, i) => {
    const y = a[i];
    if (typeof x === "number") return expect(Object.is(y, x), `leaf ${i}: ${String(y)} vs ${x}`).toBe(true);
    const [ys, xs] = [toArray(reshape(y as Tensor, [-1])) as number[], toArray(reshape(x as Tensor, [-1])) as number[]];
    expect((y as Tensor).shape).toEqual((x as Tensor).shape);
    xs.forEach((v, k) => expect(Object.is(ys[k], v), `leaf ${i} [${k}]: ${ys[k]} vs ${v}`).toBe(true));
  });
}

/** A function that counts its own runs (impure on purpose: the count says when jit recorded). */
function counted<X, Y>(f: (x: X) => Y): { readonly f: (x: X) => Y; readonly runs: () => number } {
  let n = 0;
  return { f: (x) => (n++, f(x)), runs: () => n };
}

/** Deterministic test data: n values in (−1, 1) from a seed. */
const values = (n: number, seed: number): number[] => Array.from({ length: n }, (_, i) => Math.sin(seed * 7.1 + i * 1.37) * 0.9);

describe("jit records tensor programs once and replays them", () => {
  it("later calls with tensors of the same shapes replay without running the function, exactly as it computes", () => {
    const c = counted((t: Tensor) => sum(mul(sin(t), t)));
    const jf = jit(c.f);
    for (let s = 0; s < 5; s++) {
      const t = tensor(values(6, s), [2, 3]);
      expectSame(jf(t), c.f(t));
    }
    expect(c.runs()).toBe(5 + 1); // one recording, and the five eager calls
  });
  it("tensor shapes are part of the structure: other shapes record again, both are kept", () => {
    const c = counted((t: Tensor) => mul(t, sum(t)));
    const jf = jit(c.f);
    const [a, b] = [tensor([1, 2, 3]), tensor([1, 2, 3, 4])];
    expect(toArray(jf(a) as Tensor)).toEqual([6, 12, 18]);
    expect(toArray(jf(b) as Tensor)).toEqual([10, 20, 30, 40]);
    expect(toArray(jf(tensor([2, 2, 2])) as Tensor)).toEqual([12, 12, 12]);
    expect(toArray(jf(tensor([[1, 1], [1, 1]])) as Tensor)).toEqual([[4, 4], [4, 4]]);
    expect(c.runs()).toBe(3);
  });
  it("results are frozen and independent of later replays (no buffer of theirs is reused)", () => {
    const jf = jit((t: Tensor) => ({ y: tanh(mul(t, 2)), s: sum(t) }));
    const big = (k: number) => tensor(values(5000, k));
    const first = jf(big(1));
    const kept = toArray(first.y) as number[];
    for (let k = 2; k < 6; k++) jf(big(k));
    expect(toArray(first.y)).toEqual(kept);
    expect(isDeeplyFrozen(first)).toBe(true);
  });
  it("a tensor the function closes over is a constant, read once (as in JAX)", () => {
    const w = tensor(values(12, 3), [4, 3]);
    const c = counted((x: Tensor) => sum(tanh(matmul(x, w))));
    const jf = jit(c.f);
    for (let s = 0; s < 3; s++) {
      const x = tensor(values(8, s), [2, 4]);
      expectSame(jf(x), c.f(x));
    }
    expect(c.runs()).toBe(4);
  });
  it("mixed scalar and tensor leaves, scalar × tensor ops, and scalars from tensors", () => {
    const f = ([t, a]: readonly [Tensor, Real]) => {
      const s = sum(square(t)); // a scalar Real from a tensor
      return [mul(a, s), mul(t, add(a, sin(s))), sub(a, mean(t))] as const;
    };
    const c = counted(f);
    const jf = jit(c.f);
    const jg = jit(grad((x: readonly [Tensor, Real]) => mul(f(x)[0], sum(f(x)[1]))));
    for (let s = 0; s < 4; s++) {
      const x = [tensor(values(3, s)), 0.5 + s] as const;
      expectSame(jf(x), f(x));
      expectSame(jg(x), grad((y: readonly [Tensor, Real]) => mul(f(y)[0], sum(f(y)[1])))(x));
    }
    expect(c.runs()).toBe(1);
  });
});

describe("kinks on tensors are data, kinks on scalars guard", () => {
  it("relu, abs, max, min and where on tensors: masks recomputed on replay as the signs change", () => {
    const f = (t: Tensor) => sum(add(add(relu(t), abs(mul(t, 3))), add(max(t, 0.1), where(min(t, -0.2), t, mul(t, t)))));
    const c = counted(grad(f));
    const jg = jit(c.f);
    const jf = jit(f);
    for (const xs of [[1, -2, 3, -4], [-1, 2, -3, 4], [0, 0.1, -0.2, 5], [-1, -1, -1, -1]]) {
      const t = tensor(xs);
      expectSame(jg(t), grad(f)(t));
      expectSame(jf(t), f(t));
    }
    expect(c.runs()).toBe(1);
  });
  it("a scalar kink (relu's derivative at a scalar from a tensor) still records again on its other side", () => {
    const c = counted(grad((t: Tensor) => mul(relu(sum(t)), sum(square(t)))));
    const jf = jit(c.f);
    const run = (xs: number[]) => expectSame(jf(tensor(xs)), c.f(tensor(xs)));
    run([1, 2]);
    run([3, 4]);
    expect(c.runs()).toBe(3);
    run([-3, 1]); // the other side: recorded again
    expect(c.runs()).toBe(5);
    run([5, 1]);
    run([-5, 1]); // both sides kept
    expect(c.runs()).toBe(7);
  });
});

/** A small 6-5-3 tanh MLP with softmax cross-entropy, and its SGD step. */
const mlp = (() => {
  type P = { readonly w1: Tensor; readonly b1: Tensor; readonly w2: Tensor; readonly b2: Tensor };
  const x = tensor(values(24, 9), [4, 6]);
  const y = oneHot([0, 2, 1, 2], 3);
  const loss = (q: P): Real => {
    const logits = add(matmul(tanh(add(matmul(x, q.w1), q.b1)), q.w2), q.b2);
    return add(mean(sub(logSumExp(logits, 1), sum(mul(logits, y), 1))), mul(1e-4, sum(square(q.w1))));
  };
  const step = (q: P) => {
    const [l, g] = valueAndGrad(loss)(q);
    return [l, { w1: sub(q.w1, mul(0.1, g.w1)), b1: sub(q.b1, mul(0.1, g.b1)), w2: sub(q.w2, mul(0.1, g.w2)), b2: sub(q.b2, mul(0.1, g.b2)) }] as const;
  };
  const init: P = { w1: tensor(values(30, 1), [6, 5]), b1: tensor(values(5, 2)), w2: tensor(values(15, 3), [5, 3]), b2: tensor(values(3, 4)) };
  return { loss, step, init, x };
})();

describe("jit of gradients, training steps, vmap and hvp on tensors", () => {
  it("jit(grad(loss)) and jit(valueAndGrad(loss)) of an MLP equal eager", () => {
    const [jg, jvg] = [jit(grad(mlp.loss)), jit(valueAndGrad(mlp.loss))];
    for (let s = 0; s < 3; s++) {
      const q = { ...mlp.init, b1: tensor(values(5, 10 + s)) };
      expectSame(jg(q), grad(mlp.loss)(q));
      expectSame(jvg(q), valueAndGrad(mlp.loss)(q));
    }
  });
  it("jit(step) over three training steps follows the eager steps exactly, running the step once", () => {
    const c = counted(mlp.step);
    const js = jit(c.f);
    let [p, q] = [mlp.init, mlp.init];
    for (let s = 0; s < 3; s++) {
      const [le, pe] = mlp.step(p);
      const [lj, pj] = js(q);
      expectSame([lj, pj], [le, pe]);
      [p, q] = [pe, pj];
    }
    expect(c.runs()).toBe(1);
  });
  it("jit(vmap(grad(loss), [null, 0, 0])): per-example gradients", () => {
    const loss = ([p, x]: readonly [typeof mlp.init, Tensor]) => sum(tanh(add(matmul(tanh(add(matmul(x, p.w1), p.b1)), p.w2), p.b2)));
    const per = vmap(grad(loss), [null, 0]);
    const c = counted(per);
    const jper = jit(c.f);
    for (let s = 0; s < 3; s++) {
      const xs = tensor(values(24, 20 + s), [4, 6]);
      expectSame(jper([mlp.init, xs]), per([mlp.init, xs]));
    }
    expect(c.runs()).toBe(1);
  });
  it("jit(hvp(f)) on tensors, and grad of a jitted function (run as written inside another transform)", () => {
    const f = (t: Tensor) => sum(mul(square(t), sin(t)));
    const h = jit((a: readonly [Tensor, Tensor]) => hvp(f)(a[0], a[1]));
    for (let s = 0; s < 3; s++) {
      const [x, v] = [tensor(values(5, s)), tensor(values(5, s + 7))];
      expectSame(h([x, v]), hvp(f)(x, v));
    }
    const jf = jit(f);
    const x = tensor(values(5, 1));
    expectSame(grad((t: Tensor) => mul(jf(t), 2))(x), grad((t: Tensor) => mul(f(t), 2))(x));
  });
});

describe("what jit cannot replay on tensors runs as written", () => {
  it("a function that reads a tensor's values", () => {
    const c = counted((t: Tensor) => ((toArray(t) as number[])[0]! > 0 ? sum(t) : sum(mul(t, 2))));
    const jf = jit(c.f);
    expect([jf(tensor([1, 2])), jf(tensor([-1, 2])), jf(tensor([3, 2]))]).toEqual([3, 2, 5]);
    expect(c.runs()).toBe(3);
    const p = counted((t: Tensor) => mul(t, primal(sum(t)) as number));
    const jp = jit(p.f);
    expect([toArray(jp(tensor([1, 2]))), toArray(jp(tensor([2, 2])))]).toEqual([[3, 6], [8, 8]]);
    expect(p.runs()).toBe(2);
  });
});

describe("a function that fails on recording values runs as written", () => {
  it("an Adam step with its state in the argument (its count must be a plain number): the same as eager", () => {
    const opt = adam(0.1);
    const loss = (p: { readonly w: Tensor }) => sum(square(sub(p.w, tensor([1, 2, 3]))));
    type State = ReturnType<typeof opt.init>;
    const step = ([p, s]: readonly [{ readonly w: Tensor }, State]) => opt.update(grad(loss)(p), s, p);
    const js = jit(step);
    let [e, j] = [[{ w: tensor([0, 0, 0]) }, opt.init({ w: tensor([0, 0, 0]) })] as const, [{ w: tensor([0, 0, 0]) }, opt.init({ w: tensor([0, 0, 0]) })] as const];
    for (let k = 0; k < 3; k++) {
      [e, j] = [step(e), js(j) as typeof e];
      expectSame(j, e);
    }
  });
  it("an error of the function's own is thrown as it is, and nothing is kept for the structure", () => {
    let fail = true;
    const c = counted((t: Tensor) => {
      if (fail) throw new RangeError("mine");
      return sum(t);
    });
    const jf = jit(c.f);
    expect(() => jf(tensor([1, 2]))).toThrow("mine");
    fail = false;
    expect([jf(tensor([1, 2])), jf(tensor([3, 4]))]).toEqual([3, 7]);
    expect(c.runs()).toBe(3); // the failed recording, the call as written, then one recording replayed
  });
});

describe("jit and other transforms around it", () => {
  it("vmap of a jitted function, jit inside jit, and a tensor of an enclosing grad read from a closure", () => {
    const f = (t: Tensor) => sum(mul(tanh(t), t));
    const xs = tensor(values(6, 2), [2, 3]);
    expectSame(vmap(jit(f))(xs), vmap(f)(xs));
    const c = counted((t: Tensor) => mul(jit(f)(t), t));
    const jj = jit(c.f);
    for (let s = 0; s < 3; s++) expectSame(jj(tensor(values(3, s))), c.f(tensor(values(3, s))));
    expect(c.runs()).toBe(4);
    const outer = grad((w: Tensor) => sum(jit((x: Tensor) => mul(x, w))(tensor([1, 2]))));
    expect(toArray(outer(tensor([3, 4])))).toEqual([1, 2]);
  });
  it("results that are an input or a constant tensor, unchanged", () => {
    const k = tensor([7, 8]);
    const jf = jit((t: Tensor) => [t, k, mul(t, 2)] as const);
    for (const xs of [[1, 2], [3, 4]]) {
      const t = tensor(xs);
      const [a, b, c] = jf(t);
      expect(a).toBe(t);
      expect(b).toBe(k);
      expect(toArray(c)).toEqual(xs.map((v) => 2 * v));
    }
  });
});

describe("without generated code (a strict CSP)", () => {
  it("the replay runs over the steps and agrees, tensor steps and masks included", () => {
    const f = (t: Tensor) => sum(mul(relu(t), tanh(t)));
    withoutCodegen(() => {
      const c = counted(grad(f));
      const jg = jit(c.f);
      for (const xs of [[1, -2, 3], [-1, 2, 0], [4, 4, -4]]) expectSame(jg(tensor(xs)), grad(f)(tensor(xs)));
      expect(c.runs()).toBe(1);
      let [p, q] = [mlp.init, mlp.init];
      const js = jit(mlp.step);
      for (let s = 0; s < 2; s++) {
        const [e, j] = [mlp.step(p), js(q)];
        expectSame(j, e);
        [p, q] = [e[1], j[1]];
      }
    });
  });
});
