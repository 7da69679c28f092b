// The course's 2-2-2 worked network (COURSE.txt) built from nabla's dense + sigmoidLayer and scored
// by halfSquaredError (SPEC §5: "the worked network's E_total"). Inputs 0.05, 0.10; targets 0.01,
// 0.99; w1..w8 = .15 .20 .25 .30 .40 .45 .50 .55; biases b1 = .35, b2 = .60 fixed; sigmoid units.
//
// dense acts on the last axis and computes x·W + b with W of shape [in, out], so column j holds the
// weights into unit j: h1 = σ(w1·i1 + w2·i2 + b1), h2 = σ(w3·i1 + w4·i2 + b1) give
// W_h = [[w1, w3], [w2, w4]]; o1 = σ(w5·h1 + w6·h2 + b2), o2 = σ(w7·h1 + w8·h2 + b2) give
// W_o = [[w5, w7], [w6, w8]].
import { describe, expect, it } from "vitest";
import {
  add, dense, grad, halfSquaredError, mul, projectToBall, projected, type Real, serial, sgd, sigmoid, sigmoidLayer, type Tensor, tensor,
  toArray, train, valueAndGrad, withL2,
} from "../../../src/index.ts";
import {
  expectClose, expectDeepFrozen, expectTensor, expectTreeClose, SPEC_ATOL,
} from "../../support/approx.ts";

const W = { w1: 0.15, w2: 0.2, w3: 0.25, w4: 0.3, w5: 0.4, w6: 0.45, w7: 0.5, w8: 0.55 };
const E_TOTAL = 0.298371109;
const AFTER = { w1: 0.149780716, w2: 0.199561432, w3: 0.249751144, w4: 0.299502287, w5: 0.35891648, w6: 0.408666186, w7: 0.51130127, w8: 0.561370121 };
const LOSS_AFTER = 0.291027774;
/** ∂E/∂w from the published one-step update (lr 0.5): (old − new) / 0.5, good to ~1e-9. */
const GRAD = Object.fromEntries(Object.entries(W).map(([k, v]) => [k, (v - AFTER[k as keyof typeof AFTER]) / 0.5])) as typeof W;

const hiddenLayer = serial(dense(2), sigmoidLayer);
const outputLayer = serial(dense(2), sigmoidLayer);
const network = serial(dense(2), sigmoidLayer, dense(2), sigmoidLayer);

type Weights = { readonly hidden: Tensor; readonly output: Tensor };
const initial: Weights = {
  hidden: tensor([[W.w1, W.w3], [W.w2, W.w4]]),
  output: tensor([[W.w5, W.w7], [W.w6, W.w8]]),
};
const inputs = tensor([0.05, 0.1]);
const targets = tensor([0.01, 0.99]);
const b1 = tensor([0.35, 0.35]);
const b2 = tensor([0.6, 0.6]);
const full = (w: Weights) => [{ w: w.hidden, b: b1 }, [], { w: w.output, b: b2 }, []] as const;
const loss = (w: Weights): Real => halfSquaredError(network.apply(full(w), inputs), targets);

const named = (w: { hidden: Tensor; output: Tensor }) => {
  const [[w1, w3], [w2, w4]] = toArray(w.hidden) as number[][];
  const [[w5, w7], [w6, w8]] = toArray(w.output) as number[][];
  return { w1, w2, w3, w4, w5, w6, w7, w8 };
};

describe("the course's worked network built from dense + sigmoidLayer", () => {
  it("the hidden layer outputs out_h1 = 0.593269992 and out_h2 = 0.596884378", () => {
    const h = hiddenLayer.apply([{ w: initial.hidden, b: b1 }, []], inputs);
    expectTensor(h, [2], [0.593269992, 0.596884378], 0, 1e-9);
  });

  it("the network outputs out_o1 = 0.75136507 and out_o2 = 0.772928465", () => {
    const o = network.apply(full(initial), inputs);
    expectTensor(o, [2], [0.75136507, 0.772928465], 0, 1e-9);
    const o2 = outputLayer.apply([{ w: initial.output, b: b2 }, []], hiddenLayer.apply([{ w: initial.hidden, b: b1 }, []], inputs));
    expectTensor(o2, [2], [0.75136507, 0.772928465], 0, 1e-9);
  });

  it("E_total = 0.298371109 (E_o1 = 0.274811083, E_o2 = 0.023560026)", () => {
    expectClose(loss(initial), E_TOTAL, 0, 1e-9);
    const [o1, o2] = toArray(network.apply(full(initial), inputs)) as number[];
    expectClose(halfSquaredError([o1], [0.01]), 0.274811083, 0, 1e-9);
    expectClose(halfSquaredError([o2], [0.99]), 0.023560026, 0, 1e-9);
  });

  it("E_total is the same with the sample as a batch of one, inputs [1,2]", () => {
    const out = network.apply(full(initial), tensor([[0.05, 0.1]]));
    expect([...out.shape]).toEqual([1, 2]);
    expectClose(halfSquaredError(out, tensor([[0.01, 0.99]])), E_TOTAL, 0, 1e-9);
  });

  it("grad gives the course's ∂E/∂w5 = 0.082167041 and every other ∂E/∂w", () => {
    const g = named(grad(loss)(initial));
    expectClose(g.w5, 0.082167041, 0, 1e-9);
    for (const k of Object.keys(W) as (keyof typeof W)[]) expectClose(g[k], GRAD[k], 0, 3e-9);
  });

  it("valueAndGrad gives E_total and the same gradient together", () => {
    const [v, g] = valueAndGrad(loss)(initial);
    expectClose(v, E_TOTAL, 0, 1e-9);
    expectClose(named(g).w1, GRAD.w1, 0, 3e-9);
  });

  it("one sgd(0.5) step gives the course's new weights w1..w8", () => {
    const opt = sgd(0.5);
    const [next] = opt.update(grad(loss)(initial), opt.init(initial), initial);
    const n = named(next);
    for (const k of Object.keys(AFTER) as (keyof typeof AFTER)[]) expectClose(n[k], AFTER[k], 0, 1e-9);
  });

  it("the loss after that step is 0.291027774", () => {
    const opt = sgd(0.5);
    const [next] = opt.update(grad(loss)(initial), opt.init(initial), initial);
    expectClose(loss(next), LOSS_AFTER, 0, 1e-9);
  });

  it("train for one step with sgd(0.5) records history [0.298371109, 0.291027774] and the new weights", () => {
    const r = train({ loss, params: initial, optimizer: sgd(0.5), steps: 1 });
    expect(r.history).toHaveLength(2);
    expectClose(r.history[0], E_TOTAL, 0, 1e-9);
    expectClose(r.history[1], LOSS_AFTER, 0, 1e-9);
    expect(r.steps).toBe(1);
    const n = named(r.params);
    for (const k of Object.keys(AFTER) as (keyof typeof AFTER)[]) expectClose(n[k], AFTER[k], 0, 1e-9);
    expect(toArray(initial.hidden)).toEqual([[W.w1, W.w3], [W.w2, W.w4]]);
  });

  it("training keeps lowering E_total", () => {
    const r = train({ loss, params: initial, optimizer: sgd(0.5), steps: 200 });
    for (let k = 1; k < r.history.length; k++) expect(r.history[k]).toBeLessThan(r.history[k - 1]);
    expect(r.history[200]).toBeLessThan(0.05);
  });

  it("the gradient with respect to the full serial params tree has the course's weight gradients", () => {
    const params = full(initial);
    const g = grad((p: typeof params) => halfSquaredError(network.apply(p, inputs), targets))(params);
    expect(g).toHaveLength(4);
    expectDeepFrozen(g);
    const n = named({ hidden: g[0].w, output: g[2].w });
    for (const k of Object.keys(W) as (keyof typeof W)[]) expectClose(n[k], GRAD[k], 0, 3e-9);
    // bias gradients: δ_o summed per output unit; computed in plain JS below
    const s = (x: number) => 1 / (1 + Math.exp(-x));
    const h1 = s(W.w1 * 0.05 + W.w2 * 0.1 + 0.35);
    const h2 = s(W.w3 * 0.05 + W.w4 * 0.1 + 0.35);
    const o1 = s(W.w5 * h1 + W.w6 * h2 + 0.6);
    const o2 = s(W.w7 * h1 + W.w8 * h2 + 0.6);
    const d1 = (o1 - 0.01) * o1 * (1 - o1);
    const d2 = (o2 - 0.99) * o2 * (1 - o2);
    expectTensor(g[2].b, [2], [d1, d2], 1e-9, 1e-12);
    expectTensor(g[0].b, [2], [(d1 * W.w5 + d2 * W.w7) * h1 * (1 - h1), (d1 * W.w6 + d2 * W.w8) * h2 * (1 - h2)], 1e-9, 1e-12);
  });

  it("withL2(λ) on the course's weights adds 2λw to every weight gradient and λ‖w‖² to E_total", () => {
    const lambda = 0.01;
    const reg = withL2(lambda)(loss);
    const sq = Object.values(W).reduce((a, v) => a + v * v, 0);
    expectClose(reg(initial), E_TOTAL + lambda * sq, 0, 1e-9);
    const g = named(grad(reg)(initial));
    for (const k of Object.keys(W) as (keyof typeof W)[]) expectClose(g[k], GRAD[k] + 2 * lambda * W[k], 0, 3e-9);
  });
});

describe("the course's network written with scalar Reals and a record of plain numbers", () => {
  type P = typeof W;
  const net = (p: P): Real[] => {
    const h1 = sigmoid(add(add(mul(p.w1, 0.05), mul(p.w2, 0.1)), 0.35));
    const h2 = sigmoid(add(add(mul(p.w3, 0.05), mul(p.w4, 0.1)), 0.35));
    const o1 = sigmoid(add(add(mul(p.w5, h1), mul(p.w6, h2)), 0.6));
    const o2 = sigmoid(add(add(mul(p.w7, h1), mul(p.w8, h2)), 0.6));
    return [o1, o2];
  };
  const scalarLoss = (p: P): Real => halfSquaredError(net(p), [0.01, 0.99]);

  it("halfSquaredError on Real[] gives E_total = 0.298371109", () => {
    expectClose(scalarLoss(W), E_TOTAL, 0, 1e-9);
  });

  it("grad returns a record of plain numbers with the course's gradients", () => {
    const g = grad(scalarLoss)(W);
    expect(Object.keys(g).sort()).toEqual(Object.keys(W).sort());
    for (const k of Object.keys(W) as (keyof P)[]) {
      expect(typeof g[k]).toBe("number");
      expectClose(g[k], GRAD[k], 0, 3e-9);
    }
  });

  it("sgd(0.5) on the record gives the course's new weights and loss 0.291027774", () => {
    const opt = sgd(0.5);
    const [next] = opt.update(grad(scalarLoss)(W), opt.init(W), W);
    expectTreeClose(next, AFTER, 0, 1e-9);
    expectClose(scalarLoss(next), LOSS_AFTER, 0, 1e-9);
  });
});

describe("the course's regularization: hard constraint (projected GD) and soft constraint (withL2) agree", () => {
  // Least squares L(θ) = ½‖Aθ − y‖² in R², whose unconstrained minimiser lies outside the ball ‖θ‖ ≤ r.
  const A = [[2, 0.5], [0.5, 1], [1, -1]];
  const y = [3, 2, 1];
  const r = 1;
  const L = (t: readonly Real[]): Real => {
    const res = A.map((row, i) => add(add(mul(row[0], t[0]), mul(row[1], t[1])), -y[i]));
    return halfSquaredError(res, [0, 0, 0]);
  };
  // Plain-JS reference: the soft-constraint minimiser solves (AᵀA + 2λI)θ = Aᵀy; choose λ* so that ‖θ‖ = r.
  const AtA = [0, 1].map((i) => [0, 1].map((j) => A.reduce((s, row) => s + row[i] * row[j], 0)));
  const Aty = [0, 1].map((i) => A.reduce((s, row, k) => s + row[i] * y[k], 0));
  const solve = (lam: number): number[] => {
    const a = AtA[0][0] + 2 * lam, b = AtA[0][1], c = AtA[1][0], d = AtA[1][1] + 2 * lam;
    const det = a * d - b * c;
    return [(d * Aty[0] - b * Aty[1]) / det, (a * Aty[1] - c * Aty[0]) / det];
  };
  let lo = 0;
  let hi = 100;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (Math.hypot(...solve(mid)) > r) lo = mid;
    else hi = mid;
  }
  const lambdaStar = (lo + hi) / 2;
  const thetaStar = solve(lambdaStar);

  it("the unconstrained minimiser is outside the ball (so the constraint is active)", () => {
    expect(Math.hypot(...solve(0))).toBeGreaterThan(r);
  });

  it("projected gradient descent (projected(sgd, projectToBall(r))) reaches θ* on the sphere ‖θ‖ = r", () => {
    const fit = train({ loss: L, params: [0, 0], optimizer: projected(sgd(0.1), projectToBall(r)), steps: 2000, tolerance: 1e-15 });
    expectTreeClose(fit.params, thetaStar, 1e-6, 1e-8);
    expectClose(Math.hypot(fit.params[0] as number, fit.params[1] as number), r, 1e-9, SPEC_ATOL);
  });

  it("withL2(λ*) with no constraint reaches the same θ*", () => {
    const fit = train({ loss: withL2(lambdaStar)(L), params: [0, 0], optimizer: sgd(0.1), steps: 2000, tolerance: 1e-15 });
    expectTreeClose(fit.params, thetaStar, 1e-6, 1e-8);
  });

  it("λ* = ‖∇L(θ*)‖ / (2‖θ*‖) (the Lagrange multiplier)", () => {
    const g = grad(L)(thetaStar) as readonly number[];
    expectClose(Math.hypot(g[0], g[1]) / (2 * r), lambdaStar, 1e-9, SPEC_ATOL);
  });
});

describe("the course's workflow iterated: 10,000 steps of gradient descent", () => {
  it("train with sgd(0.5) for 10,000 steps matches a plain backpropagation loop (E_total ≈ 3.5102e-5)", () => {
    // plain-JS backpropagation, biases fixed, exactly the course's update
    const s = (x: number) => 1 / (1 + Math.exp(-x));
    let w = [W.w1, W.w2, W.w3, W.w4, W.w5, W.w6, W.w7, W.w8];
    const fwd = (v: number[]) => {
      const h1 = s(v[0] * 0.05 + v[1] * 0.1 + 0.35);
      const h2 = s(v[2] * 0.05 + v[3] * 0.1 + 0.35);
      const o1 = s(v[4] * h1 + v[5] * h2 + 0.6);
      const o2 = s(v[6] * h1 + v[7] * h2 + 0.6);
      return { h1, h2, o1, o2, E: 0.5 * (0.01 - o1) ** 2 + 0.5 * (0.99 - o2) ** 2 };
    };
    for (let k = 0; k < 10_000; k++) {
      const { h1, h2, o1, o2 } = fwd(w);
      const d1 = (o1 - 0.01) * o1 * (1 - o1);
      const d2 = (o2 - 0.99) * o2 * (1 - o2);
      const e1 = (d1 * w[4] + d2 * w[6]) * h1 * (1 - h1);
      const e2 = (d1 * w[5] + d2 * w[7]) * h2 * (1 - h2);
      const g = [e1 * 0.05, e1 * 0.1, e2 * 0.05, e2 * 0.1, d1 * h1, d1 * h2, d2 * h1, d2 * h2];
      w = w.map((x, i) => x - 0.5 * g[i]);
    }
    const ref = fwd(w);
    const r = train({ loss, params: initial, optimizer: sgd(0.5), steps: 10_000 });
    expect(r.history).toHaveLength(10_001);
    expectClose(r.history[10_000], ref.E, 1e-8, SPEC_ATOL);
    expectClose(r.history[10_000], 3.5101878e-5, 1e-6, SPEC_ATOL);
    const n = named(r.params);
    expectTreeClose([n.w1, n.w2, n.w3, n.w4, n.w5, n.w6, n.w7, n.w8], w, 1e-9, SPEC_ATOL);
    const out = toArray(network.apply(full(r.params), inputs)) as number[];
    expectTreeClose(out, [ref.o1, ref.o2], 1e-9, SPEC_ATOL);
  });
});
