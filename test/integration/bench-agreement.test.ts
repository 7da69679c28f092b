// The bench's workloads compute the same numbers in nabla as in the hand-written code (no timing here):
// W1 and W4 directly; W2, W3, W5, W7's hand-written derivatives also against central finite differences;
// jax-js's suites at reduced sizes (it is loaded here, in float32 and float64); the matmul rows' shapes.
// TensorFlow.js is never loaded here: the workload modules only import its types.
import { createRequire } from "node:module";
import { beforeAll, describe, expect, it } from "vitest";
import { integers, uniformDyadics } from "../../bench/rng.ts";
import { agree, float64Tolerance, type Numbers } from "../../bench/workload.ts";
import * as w1 from "../../bench/workloads/worked-network.ts";
import * as w2 from "../../bench/workloads/mlp.ts";
import * as w3 from "../../bench/workloads/rosenbrock.ts";
import * as w4 from "../../bench/workloads/chain.ts";
import * as w5 from "../../bench/workloads/hvp.ts";
import * as w6 from "../../bench/workloads/per-example.ts";
import * as w7 from "../../bench/workloads/cnn.ts";
import { naiveProduct, operands, relativeError, shapes } from "../../bench/matmul.ts";
import { js } from "../../src/internal.ts";
import { jaxFloat64Tolerance, float32Tolerance } from "../../bench/workload.ts";
import type { Jax, JaxDtype } from "../../bench/peers/jaxjs.ts";
import { cnnLossAndGradHand } from "../../bench/workloads/cnn-hand.ts";

const expectAgree = (actual: Numbers, expected: Numbers, tol = float64Tolerance): void => {
  const a = agree(actual, expected, tol);
  expect(a.ok, a.detail).toBe(true);
};

/** |a − b| ≤ tol·max(1, |b|): the yardstick for finite differences (its own criterion, not support/approx's close). */
const expectNear = (a: number, b: number, tol: number): void => {
  expect(Math.abs(a - b), `${a} vs ${b}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));
};

describe("seeded generator", () => {
  it("is deterministic and gives dyadics exact in float32 within [lo, hi)", () => {
    const a = uniformDyadics(7, 1000, -2, 2, 16);
    expect(uniformDyadics(7, 1000, -2, 2, 16)).toEqual(a);
    expect(uniformDyadics(8, 1000, -2, 2, 16)).not.toEqual(a);
    for (const v of a) {
      expect(Math.fround(v)).toBe(v);
      expect(v * 2 ** 14).toBe(Math.round(v * 2 ** 14));
      expect(v >= -2 && v < 2).toBe(true);
    }
    expect(Object.isFrozen(a)).toBe(true);
  });

  it("refuses grids that are not dyadic", () => {
    expect(() => uniformDyadics(1, 3, 0, 3)).toThrow(RangeError);
    expect(() => uniformDyadics(1, 3, 0, 1, 30)).toThrow(RangeError);
  });

  it("gives integers in range, all of them", () => {
    const k = integers(3, 1000, 10);
    expect(Math.min(...k)).toBe(0);
    expect(Math.max(...k)).toBe(9);
    expect(k.every(Number.isInteger)).toBe(true);
  });
});

describe("agreement check", () => {
  it("passes equal numbers and fails NaN, missing groups and differences beyond the tolerance", () => {
    expect(agree({ a: [1, 2] }, { a: [1, 2] }, float64Tolerance).ok).toBe(true);
    expect(agree({ a: [1, NaN] }, { a: [1, 2] }, float64Tolerance).ok).toBe(false);
    expect(agree({}, { a: [1] }, float64Tolerance).ok).toBe(false);
    expect(agree({ a: [1 + 1e-9] }, { a: [1] }, float64Tolerance).ok).toBe(false);
    expect(agree({ a: [1e-45] }, { a: [5e-324] }, { rtol: 1e-4, atol: 1e-30 }).ok).toBe(true);
  });
});

describe("W1 worked network", () => {
  it("nabla and the hand-written loop give the same weights after 200 steps", () => {
    const n = w1.trainNabla(200);
    const h = w1.trainHand(200);
    expectAgree({ weights: Object.values(n) }, { weights: Object.values(h) });
    expect(h.w1).not.toBe(w1.initial.w1); // it did train
  });
  it("every W1 row (grad and jit(grad)) agrees with the hand-written loop over the full 10,000 steps", () => {
    const systems = w1.workload.systems(undefined);
    const nabla = systems.nabla!();
    const hand = systems.hand!();
    expect(w1.workload.measures.map((m) => m.key)).toEqual(["train", "trainJit"]);
    for (const m of w1.workload.measures) expectAgree(nabla[m.key].check(), hand[m.key].check());
  });
});

describe("W4 chain", () => {
  it("nabla's value and grad of a 1,000-step chain agree with the plain loop and the hand-written tape", () => {
    expectAgree({ value: [w4.chain(1000)(0.5) as number] }, { value: [w4.valueHand(1000, 0.5)] });
    const g = w4.gradHandTape(1000, 0.5);
    expect(g).not.toBe(0); // still a normal number in float64 at 1,000 steps
    expectAgree({ grad: [w4.gradNabla(1000)(0.5)] }, { grad: [g] });
  });

  it("the hand-written tape gives the product of the step derivatives", () => {
    let x = 0.5;
    let d = 1;
    for (let i = 0; i < 200; i++) {
      d *= 1.0001 * Math.cos(x) - 0.1 * Math.sin(x);
      x = Math.sin(x) * 1.0001 + 0.1 * Math.cos(x);
    }
    expectAgree({ grad: [w4.gradHandTape(200, 0.5)] }, { grad: [d] }, { rtol: 1e-12, atol: 0 });
  });
});

describe("W2 MLP (reduced sizes)", () => {
  const sizes = { batch: 5, inputs: 12, hidden: 7, classes: 4 };
  const p = w2.mlpProblem(sizes, 9);
  const arrays = () => ({ w1: Float64Array.from(p.w1), b1: Float64Array.from(p.b1), w2: Float64Array.from(p.w2), b2: Float64Array.from(p.b2) });
  const zeros = () => ({ w1: new Float64Array(p.w1.length), b1: new Float64Array(p.b1.length), w2: new Float64Array(p.w2.length), b2: new Float64Array(p.b2.length) });
  const x = Float64Array.from(p.x);
  const labels = Int32Array.from(p.labels);
  const loss = (params: ReturnType<typeof arrays>): number => w2.lossAndGradHand(p, x, labels, params, zeros());

  it("the hand-written loss is mean softmax cross-entropy plus 1e-4·(‖W1‖² + ‖W2‖²)", () => {
    // Written the plain way, row by row, as a check on the buffered loops.
    let ce = 0;
    for (let i = 0; i < p.batch; i++) {
      const hidden = Array.from({ length: p.hidden }, (_, j) =>
        Math.tanh(p.b1[j] + Array.from({ length: p.inputs }, (_, k) => p.x[i * p.inputs + k] * p.w1[k * p.hidden + j]).reduce((a, b) => a + b)),
      );
      const logits = Array.from({ length: p.classes }, (_, c) =>
        p.b2[c] + hidden.map((h, j) => h * p.w2[j * p.classes + c]).reduce((a, b) => a + b),
      );
      ce += Math.log(logits.map(Math.exp).reduce((a, b) => a + b)) - logits[p.labels[i]];
    }
    const sq = [...p.w1, ...p.w2].reduce((a, w) => a + w * w, 0);
    expectNear(loss(arrays()), ce / p.batch + 1e-4 * sq, 1e-12);
  });

  it("the hand-written gradient matches central finite differences", () => {
    const g = zeros();
    w2.lossAndGradHand(p, x, labels, arrays(), g);
    const h = 1e-6;
    for (const name of ["w1", "b1", "w2", "b2"] as const) {
      for (const k of [0, 3, p[name].length - 1]) {
        const plus = arrays();
        plus[name][k] += h;
        const minus = arrays();
        minus[name][k] -= h;
        expectNear(g[name][k], (loss(plus) - loss(minus)) / (2 * h), 1e-7);
      }
    }
  });

  it("a hand-written step is θ − 0.1·∇ and returns the loss before it", () => {
    const g = zeros();
    const before = w2.lossAndGradHand(p, x, labels, arrays(), g);
    const session = w2.hand(p);
    expect(session.step()).toBe(before);
    const after = session.params();
    expectAgree({ w1: after.w1 }, { w1: p.w1.map((w, k) => w - 0.1 * g.w1[k]) });
  });

  it("nabla agrees with the hand-written steps, with and without jit", () => {
    const run = (s: w2.MlpSession): Numbers => ({ losses: [s.step(), s.step(), s.step()], ...s.params() });
    const reference = run(w2.hand(p));
    expectAgree(run(w2.nabla(p)), reference);
    expectAgree(run(w2.nablaJit(p)), reference);
  });
});

describe("W3 Rosenbrock (reduced size)", () => {
  const xs = w3.rosenbrockInput(64, 11);
  const x = Float64Array.from(xs);

  it("the hand-written value is Σ 100(x_{i+1} − x_i²)² + (1 − x_i)²", () => {
    const f = xs.slice(0, -1).reduce((s, xi, i) => s + 100 * (xs[i + 1] - xi ** 2) ** 2 + (1 - xi) ** 2, 0);
    expectNear(w3.rosenbrockHand(x), f, 1e-13);
    expect(w3.rosenbrockHand(Float64Array.from([1, 1, 1]))).toBe(0);
  });

  it("the hand-written gradient matches central finite differences", () => {
    const g = w3.rosenbrockGradHand(x);
    const h = 1e-6;
    for (const i of [0, 1, 31, 62, 63]) {
      const plus = x.slice();
      plus[i] += h;
      const minus = x.slice();
      minus[i] -= h;
      expectNear(g[i], (w3.rosenbrockHand(plus) - w3.rosenbrockHand(minus)) / (2 * h), 1e-6);
    }
  });

  it("nabla's f and grad agree with the hand-written ones", () => {
    const [a, b] = [w3.nabla(xs), w3.hand(xs)];
    expectAgree(a.f.check(), b.f.check());
    expectAgree(a.grad.check(), b.grad.check());
    expectAgree(a.gradRead.check(), b.gradRead.check());
    expectAgree(a.jitGradRead!.check(), b.gradRead.check());
  });
});

describe("W5 Hessian-vector product (reduced size)", () => {
  const input = w5.hvpInput(48, 13);
  const x = Float64Array.from(input.x);
  const v = Float64Array.from(input.v);

  it("the hand-written H·v matches central differences of the hand-written gradient along v", () => {
    const hv = w5.rosenbrockHvpHand(x, v);
    const h = 1e-6;
    const gp = w3.rosenbrockGradHand(x.map((xi, i) => xi + h * v[i]));
    const gm = w3.rosenbrockGradHand(x.map((xi, i) => xi - h * v[i]));
    for (let i = 0; i < x.length; i++) expectNear(hv[i], (gp[i] - gm[i]) / (2 * h), 1e-6);
  });

  it("H is symmetric: ⟨u, H·v⟩ = ⟨H·u, v⟩", () => {
    const u = Float64Array.from(uniformDyadics(99, x.length, -1, 1));
    const dot = (a: Float64Array, b: Float64Array): number => a.reduce((s, ai, i) => s + ai * b[i], 0);
    expectNear(dot(u, w5.rosenbrockHvpHand(x, v)), dot(w5.rosenbrockHvpHand(x, u), v), 1e-12);
  });

  it("nabla's H·v agrees with the hand-written one", () => {
    expectAgree(w5.nabla(input).hvp.check(), w5.hand(input).hvp.check());
    expectAgree(w5.nabla(input).jitHvp!.check(), w5.hand(input).hvp.check());
  });
});

describe("the bench's own wiring", () => {
  it("loads no TensorFlow.js (the workloads import only its types)", () => {
    const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes("@tensorflow"));
    expect(loaded).toEqual([]);
  });

  // Every workload as `npm run bench` runs it, nabla against hand-written, on the bench's checks (full sizes).
  for (const w of [w1.workload, w2.workload, w3.workload, w4.workload, w5.workload]) {
    const systems = w.systems(undefined);
    it(`${w.id}: nabla agrees with hand-written on every measure`, () => {
      expect(systems.nabla).toBeDefined();
      const [a, b] = [systems.nabla!(), systems.hand!()];
      for (const m of w.measures) expectAgree(a[m.key].check(), b[m.key].check());
    });
  }
});

describe("W7 CNN (reduced sizes)", () => {
  const sizes = { batch: 3, size: 10, c1: 2, c2: 3, classes: 4 };
  const p = w7.cnnProblem(sizes, 5);
  const names = ["k1", "b1", "k2", "b2", "w3", "b3"] as const;
  const arrays = () => Object.fromEntries(names.map((n) => [n, Float64Array.from(p[n])])) as Record<(typeof names)[number], Float64Array>;
  const zeros = () => Object.fromEntries(names.map((n) => [n, new Float64Array(p[n].length)])) as Record<(typeof names)[number], Float64Array>;
  const x = Float64Array.from(p.x);
  const labels = Int32Array.from(p.labels);
  const loss = (params: ReturnType<typeof arrays>): number => cnnLossAndGradHand(p, x, labels, params, zeros());

  it("the hand-written gradient matches central finite differences", () => {
    const g = zeros();
    cnnLossAndGradHand(p, x, labels, arrays(), g);
    const h = 1e-6;
    for (const name of names) {
      for (const k of [0, 1, p[name].length - 1]) {
        const plus = arrays();
        plus[name][k] += h;
        const minus = arrays();
        minus[name][k] -= h;
        expectNear(g[name][k], (loss(plus) - loss(minus)) / (2 * h), 1e-6);
      }
    }
  });

  it("nabla agrees with the hand-written steps, with and without jit", () => {
    const run = (s: w7.CnnSession): Numbers => ({ losses: [s.step(), s.step(), s.step()], ...s.params() });
    const reference = run(w7.hand(p));
    expectAgree(run(w7.nabla(p)), reference);
    expectAgree(run(w7.nablaJit(p)), reference);
  });

  it("and at the bench's own sizes, for one step", () => {
    const full = w7.cnnProblem();
    const [a, b] = [w7.nabla(full), w7.hand(full)];
    expectAgree({ losses: [a.step()], ...a.params() }, { losses: [b.step()], ...b.params() });
  });
});


describe("matmul lines", () => {
  it("nabla's js kernel agrees with plain loops at every shape of the matmul rows (up to 256)", () => {
    for (const shape of shapes.filter((s) => s.nkm[0] <= 256 && s.nkm[2] <= 256)) {
      const [a, b] = operands(shape);
      const [n, k, m] = shape.nkm;
      expect(relativeError(js.matmul(a, b, n, k, m, shape.transA, shape.transB), naiveProduct(shape)), shape.label).toBeLessThanOrEqual(1e-12);
    }
  });
});

// jax-js at reduced sizes, as the bench's child process runs it: every suite against hand-written.
describe("jax-js peer (reduced sizes)", () => {
  let jax: Jax;
  beforeAll(async () => {
    const { loadJax } = await import("../../bench/peers/jaxjs.ts");
    ({ jax } = await loadJax());
  });
  const dtypes: readonly JaxDtype[] = ["float32", "float64"];
  const tol = (d: JaxDtype) => (d === "float32" ? float32Tolerance : jaxFloat64Tolerance);
  const systems = () => import("../../bench/peers/jaxjs-systems.ts");

  it("W2: eager and jitted steps agree with the hand-written steps", async () => {
    const { jaxMlp } = await systems();
    const p = w2.mlpProblem({ batch: 5, inputs: 12, hidden: 7, classes: 4 }, 9);
    const run = (s: w2.MlpSession): Numbers => ({ losses: [s.step(), s.step(), s.step()], ...s.params() });
    const reference = run(w2.hand(p));
    for (const d of dtypes) for (const jitted of [false, true]) expectAgree(run(jaxMlp(jax, d, jitted)(p)), reference, tol(d));
  });

  it("W7: eager and jitted CNN steps agree with the hand-written steps", async () => {
    const { jaxCnn } = await import("../../bench/peers/jaxjs-cnn.ts");
    const p = w7.cnnProblem({ batch: 3, size: 10, c1: 2, c2: 3, classes: 4 }, 5);
    const run = (s: w7.CnnSession): Numbers => ({ losses: [s.step(), s.step(), s.step()], ...s.params() });
    const reference = run(w7.hand(p));
    for (const d of dtypes) for (const jitted of [false, true]) expectAgree(run(jaxCnn(jax, d, jitted)(p)), reference, tol(d));
  });

  it("W3, W5, W6: gradients, H·v and per-example gradients, eager and jit, agree with hand-written", async () => {
    const { jaxHvp, jaxPerExample, jaxRosenbrock } = await systems();
    const xs = w3.rosenbrockInput(64, 11);
    const grad = w3.hand(xs).grad.check();
    const hvpInput = w5.hvpInput(48, 13);
    const hv = w5.hand(hvpInput).hvp.check();
    const problem = w6.perExampleProblem();
    const perExample = w6.perExampleHand(problem);
    for (const d of dtypes) {
      const r = jaxRosenbrock(jax, d, xs);
      expectAgree(r.gradRead.check(), grad, tol(d));
      expectAgree(r.jitGradRead.check(), grad, tol(d));
      const h = jaxHvp(jax, d, hvpInput);
      expectAgree(h.hvp.check(), hv, tol(d));
      expectAgree(h.jitHvp.check(), hv, tol(d));
      const e = jaxPerExample(jax, d, problem);
      expectAgree(e.vmap.check(), perExample, tol(d));
      expectAgree(e.jit.check(), perExample, tol(d));
    }
  });
});
