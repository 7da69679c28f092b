// SPEC §5 and §7 (Optimizers): pure { init, update } optimizers following optax's conventions —
// sgd, momentum, adam (bias-corrected), adadelta (Zeiler 2012 / optax), projected — checked against
// hand-computed steps on a tree that mixes tensors and plain numbers.
import { describe, expect, it } from "vitest";
import {
  adadelta, adam, grad, momentum, mul, type Optimizer, projectToBall, projected, type Real, sgd, sum, Tensor, tensor,
  toArray,
} from "../../../src/index.ts";
import {
  expectClose, expectDeepFrozen, expectThrows, expectTreeClose, snapshot, SPEC_ATOL,
} from "../../support/approx.ts";
import { l2 } from "../../support/reference.ts";

// A params tree mixing tensors and plain numbers, and its flat view (in this fixed order).
type P = { readonly w: Tensor; readonly b: number; readonly list: readonly [Tensor, number] };
const make = (f: readonly number[]): P => ({
  w: tensor([[f[0], f[1]], [f[2], f[3]]]),
  b: f[4],
  list: [tensor([f[5], f[6], f[7]]), f[8]] as const,
});
const nested = (f: readonly number[]) => ({ w: [[f[0], f[1]], [f[2], f[3]]], b: f[4], list: [[f[5], f[6], f[7]], f[8]] });
const read = (p: P): number[] => {
  const w = toArray(p.w) as number[][];
  return [...w[0], ...w[1], p.b, ...(toArray(p.list[0]) as number[]), p.list[1]];
};

const theta0 = [1, -2, 0.5, 3, 0.25, 1, 2, -3, -1];
const grads = [
  [0.5, -1, 2, 0, 1.5, -0.25, 0.1, 3, -2],
  [-0.3, -0.8, 1, 0.2, -1, 0.5, 0.1, 2, 1],
  [0.1, 0.1, -2, -0.5, 0.7, -0.25, -0.05, 1, 0.3],
];

/** Runs an optimizer for the given gradient sequence; returns the flat params after each step. */
function run<S>(opt: Optimizer<S>, start: readonly number[], gs: readonly (readonly number[])[]): number[][] {
  let params = make(start);
  let state = opt.init(params);
  const out: number[][] = [];
  for (const g of gs) {
    [params, state] = opt.update(make(g), state, params);
    out.push(read(params));
  }
  return out;
}

// Plain-JS references (flat vectors), written from optax's definitions.
function sgdRef(lr: number, start: readonly number[], gs: readonly (readonly number[])[]): number[][] {
  let t = [...start];
  return gs.map((g) => (t = t.map((x, i) => x - lr * g[i])));
}
function momentumRef(lr: number, beta: number, start: readonly number[], gs: readonly (readonly number[])[]): number[][] {
  let t = [...start];
  let v = start.map(() => 0);
  return gs.map((g) => {
    v = v.map((vi, i) => beta * vi + g[i]);
    return (t = t.map((x, i) => x - lr * v[i]));
  });
}
function adamRef(lr: number, b1: number, b2: number, eps: number, start: readonly number[], gs: readonly (readonly number[])[]): number[][] {
  let t = [...start];
  let m = start.map(() => 0);
  let v = start.map(() => 0);
  return gs.map((g, k) => {
    const count = k + 1;
    m = m.map((mi, i) => b1 * mi + (1 - b1) * g[i]);
    v = v.map((vi, i) => b2 * vi + (1 - b2) * g[i] * g[i]);
    return (t = t.map((x, i) => {
      const mh = m[i] / (1 - b1 ** count);
      const vh = v[i] / (1 - b2 ** count);
      return x - (lr * mh) / (Math.sqrt(vh) + eps);
    }));
  });
}
/** optax.scale_by_adadelta then scale by −lr: the accumulators see the unscaled delta. */
function adadeltaRef(rho: number, eps: number, lr: number, start: readonly number[], gs: readonly (readonly number[])[]): number[][] {
  let t = [...start];
  let eg = start.map(() => 0);
  let ex = start.map(() => 0);
  return gs.map((g) => {
    eg = eg.map((e, i) => rho * e + (1 - rho) * g[i] * g[i]);
    const d = g.map((gi, i) => (Math.sqrt(ex[i] + eps) / Math.sqrt(eg[i] + eps)) * gi);
    ex = ex.map((e, i) => rho * e + (1 - rho) * d[i] * d[i]);
    return (t = t.map((x, i) => x - lr * d[i]));
  });
}

const expectSteps = (actual: number[][], expected: number[][], rtol = 1e-12, atol = 1e-14) => {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((a, k) => expectTreeClose(nested(a), nested(expected[k]), rtol, atol, `step${k + 1}`));
};

describe("sgd(lr)", () => {
  it("steps θ − lr·g on every leaf of a tree mixing tensors and numbers", () => {
    expectSteps(run(sgd(0.1), theta0, grads), sgdRef(0.1, theta0, grads));
  });

  it("keeps the params tree's structure: tensors stay tensors of the same shape, numbers stay numbers", () => {
    const opt = sgd(0.5);
    const [p] = opt.update(make(grads[0]), opt.init(make(theta0)), make(theta0));
    expect(p.w).toBeInstanceOf(Tensor);
    expect([...p.w.shape]).toEqual([2, 2]);
    expect(typeof p.b).toBe("number");
    expect(Array.isArray(p.list)).toBe(true);
    expect(p.list[0]).toBeInstanceOf(Tensor);
    expect(typeof p.list[1]).toBe("number");
  });

  it("works on a plain Real[] and on a single number", () => {
    const o = sgd(0.25);
    const [a] = o.update([1, 2], o.init([3, 4]), [3, 4]);
    expect(a).toEqual([2.75, 3.5]);
    const [n] = o.update(4, o.init(1), 1);
    expect(n).toBe(0);
  });

  it("takes the gradient tree that grad returns", () => {
    const p = make(theta0);
    const g = grad((q: P): Real => sum(q.w))(p);
    const opt = sgd(1);
    const [next] = opt.update(g, opt.init(p), p);
    expect(toArray(next.w)).toEqual([[0, -3], [-0.5, 2]]);
    expect(next.b).toBe(0.25);
  });
});

describe("momentum(lr, beta)", () => {
  it("accumulates v ← beta·v + g and steps θ − lr·v (three steps)", () => {
    expectSteps(run(momentum(0.1, 0.5), theta0, grads), momentumRef(0.1, 0.5, theta0, grads));
  });

  it("defaults beta to 0.9", () => {
    expectSteps(run(momentum(0.05), theta0, grads), momentumRef(0.05, 0.9, theta0, grads));
  });

  it("its first step equals sgd's", () => {
    expectSteps(run(momentum(0.3, 0.9), theta0, grads.slice(0, 1)), sgdRef(0.3, theta0, grads.slice(0, 1)));
  });
});

describe("adam(lr, beta1, beta2, eps)", () => {
  it("follows optax's bias-corrected update for three steps", () => {
    expectSteps(run(adam(0.1, 0.8, 0.9, 1e-3), theta0, grads), adamRef(0.1, 0.8, 0.9, 1e-3, theta0, grads));
  });

  it("defaults to lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8", () => {
    expectSteps(run(adam(), theta0, grads), adamRef(1e-3, 0.9, 0.999, 1e-8, theta0, grads));
  });

  it("with only lr given uses the default betas and eps", () => {
    expectSteps(run(adam(0.02), theta0, grads), adamRef(0.02, 0.9, 0.999, 1e-8, theta0, grads));
  });

  it("its first step moves every coordinate by lr·g/(|g| + eps), about lr·sign(g)", () => {
    const [after] = run(adam(0.01), theta0, grads.slice(0, 1));
    after.forEach((x, i) => {
      const g = grads[0][i];
      expect(x).toBeCloseTo(theta0[i] - (0.01 * g) / (Math.abs(g) + 1e-8), 12);
    });
  });
});

describe("adadelta(rho, eps, lr)", () => {
  it("follows Zeiler (2012) with lr = 1 for three steps", () => {
    expectSteps(run(adadelta(0.9, 1e-2, 1), theta0, grads), adadeltaRef(0.9, 1e-2, 1, theta0, grads));
  });

  it("defaults to rho = 0.95, eps = 1e-6, lr = 1", () => {
    expectSteps(run(adadelta(), theta0, grads), adadeltaRef(0.95, 1e-6, 1, theta0, grads));
  });

  it("with lr ≠ 1 scales the step but its accumulators see the unscaled delta (optax)", () => {
    expectSteps(run(adadelta(0.9, 1e-2, 0.5), theta0, grads), adadeltaRef(0.9, 1e-2, 0.5, theta0, grads));
  });

  it("its first step is −√eps / √((1 − rho)·g² + eps) · g", () => {
    const [after] = run(adadelta(0.95, 1e-6, 1), theta0, grads.slice(0, 1));
    after.forEach((x, i) => {
      const g = grads[0][i];
      expect(x).toBeCloseTo(theta0[i] - (Math.sqrt(1e-6) / Math.sqrt(0.05 * g * g + 1e-6)) * g, 12);
    });
  });
});

describe("projected(optimizer, projection)", () => {
  it("projects the params after every step (projected gradient descent)", () => {
    const r = 2;
    const start = [0.1, 0, 0, 0, 0, 0, 0, 0, 0];
    const expected: number[][] = [];
    let t = [...start];
    for (const g of grads) {
      t = t.map((x, i) => x - 0.5 * g[i]);
      const n = l2(t);
      t = t.map((x) => x * Math.min(1, r / n));
      expected.push(t);
    }
    const actual = run(projected(sgd(0.5), projectToBall(r)), start, grads);
    expectSteps(actual, expected, 1e-12);
    for (const a of actual) expect(l2(a)).toBeLessThanOrEqual(r * (1 + 1e-12));
  });

  it("keeps the inner optimizer's state: projected momentum is momentum followed by the projection", () => {
    const r = 3;
    const expected: number[][] = [];
    let t = [...theta0];
    let v = theta0.map(() => 0);
    for (const g of grads) {
      v = v.map((vi, i) => 0.9 * vi + g[i]);
      t = t.map((x, i) => x - 0.2 * v[i]);
      const n = l2(t);
      t = t.map((x) => x * Math.min(1, r / n));
      expected.push(t);
    }
    expectSteps(run(projected(momentum(0.2, 0.9), projectToBall(r)), theta0, grads), expected, 1e-12);
  });

  it("leaves a step that stays inside the ball exactly as the inner optimizer made it", () => {
    const small = grads.map((g) => g.map((x) => x * 1e-3));
    const start = theta0.map((x) => x * 0.01);
    expect(run(projected(sgd(0.1), projectToBall(100)), start, small)).toEqual(run(sgd(0.1), start, small));
  });

  it("accepts a leaf-by-leaf projection", () => {
    const start = [0, 0, 0, 0, 0, 0, 0, 0, 0];
    const g = [[-3, -4, 0, 0, 5, 0, 0, 0, 0]];
    const [after] = run(projected(sgd(1), projectToBall(1, { perLeaf: true })), start, g);
    expectTreeClose(nested(after), nested([0.6, 0.8, 0, 0, -1, 0, 0, 0, 0]), 1e-12, SPEC_ATOL);
  });
});

describe("optimizers are pure", () => {
  const optimizers: [string, () => Optimizer<unknown>][] = [
    ["sgd", () => sgd(0.1)],
    ["momentum", () => momentum(0.1)],
    ["adam", () => adam(0.1)],
    ["adadelta", () => adadelta()],
    ["projected", () => projected(adam(0.1), projectToBall(1))],
  ];
  for (const [name, mk] of optimizers) {
    it(`${name}: init and update change nothing they are given`, () => {
      const opt = mk();
      const params = make(theta0);
      const g = make(grads[0]);
      const before = snapshot(params);
      const gBefore = snapshot(g);
      const s0 = opt.init(params);
      expect(snapshot(params)).toEqual(before);
      const s0Before = snapshot(s0);
      const [p1, s1] = opt.update(g, s0, params);
      opt.update(make(grads[1]), s1, p1);
      expect(snapshot(params)).toEqual(before);
      expect(snapshot(g)).toEqual(gBefore);
      expect(snapshot(s0)).toEqual(s0Before);
    });

    it(`${name}: update returns deeply frozen params, state and pair; init returns a frozen state`, () => {
      const opt = mk();
      const params = make(theta0);
      const s0 = opt.init(params);
      expectDeepFrozen(s0);
      const result = opt.update(make(grads[0]), s0, params);
      expectDeepFrozen(result);
      expectDeepFrozen(result[0]);
      expectDeepFrozen(result[1]);
    });

    it(`${name}: the same inputs give the same outputs, even after the state was used`, () => {
      const opt = mk();
      const params = make(theta0);
      const s0 = opt.init(params);
      const [p1, s1] = opt.update(make(grads[0]), s0, params);
      const [p2] = opt.update(make(grads[1]), s1, p1);
      const [p1again, s1again] = opt.update(make(grads[0]), s0, params);
      const [p2again] = opt.update(make(grads[1]), s1again, p1again);
      expect(read(p1again)).toEqual(read(p1));
      expect(read(p2again)).toEqual(read(p2));
    });
  }
});

describe("optimizers reject bad trees with a TypeError naming the path", () => {
  it("init of a params tree with a string leaf names its path", () => {
    expectThrows(() => sgd(0.1).init({ a: [1, "x"] } as never), TypeError, "a[1]");
    expectThrows(() => adam().init({ layer: { w: [1, 2, null] } } as never), TypeError, "layer.w[2]");
  });

  it("update with a gradient tree missing a key names that key", () => {
    const p = { w: tensor([1, 2]), b: 3 };
    const opt = adam(0.1);
    expectThrows(() => opt.update({ w: tensor([1, 1]) } as never, opt.init(p), p), TypeError, /\bb\b/);
  });

  it("update with a gradient array of another length names the path", () => {
    const p = { xs: [1, 2, 3] };
    const opt = sgd(0.1);
    expectThrows(() => opt.update({ xs: [1, 2] } as never, opt.init(p), p), TypeError, "xs");
  });

  it("update with a nested array where the params hold a tensor names the path", () => {
    const p = { layer: { w: tensor([[1, 2]]) } };
    const opt = sgd(0.1);
    expectThrows(() => opt.update({ layer: { w: [[1, 2]] } } as never, opt.init(p), p), TypeError, "layer.w");
  });

  it("update with a params leaf that is undefined names its path", () => {
    const p = { w: tensor([1, 2]), b: 3 };
    const opt = momentum(0.1);
    const s = opt.init(p);
    expectThrows(() => opt.update(p, s, { w: tensor([1, 2]), b: undefined } as never), TypeError, /\bb\b/);
  });

  it("update with a gradient tensor of another shape is an error naming the path", () => {
    const p = { w: tensor([1, 2]) };
    const opt = sgd(0.1);
    let err: unknown;
    try {
      opt.update({ w: tensor([1, 2, 3]) }, opt.init(p), p);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Error);
    expect(err instanceof TypeError || err instanceof RangeError).toBe(true);
    expect((err as Error).message).toContain("w");
  });
});

describe("optimizer updates are differentiable (as optax's are under jax.grad)", () => {
  it("grad through one sgd step: d/dθ L(θ − lr·∇L(θ)) for L = θ² is 2(1 − 2lr)²θ", () => {
    const L = (t: Real): Real => mul(t, t);
    const opt = sgd(0.1);
    const after = (t: Real): Real => {
      const [next] = opt.update(grad(L)(t), opt.init(t), t);
      return L(next);
    };
    expectClose(grad(after)(3), 2 * 0.8 * 0.8 * 3, 1e-12, SPEC_ATOL);
  });

  it("grad through two momentum steps on L = ½θ² matches the closed form", () => {
    // g = θ; v1 = θ0, θ1 = (1 − lr)θ0; v2 = beta·θ0 + θ1, θ2 = θ1 − lr·v2 = ((1 − lr)² − lr·beta)θ0
    const lr = 0.1;
    const beta = 0.5;
    const L = (t: Real): Real => mul(0.5, mul(t, t));
    const opt = momentum(lr, beta);
    const after = (t: Real): Real => {
      const s0 = opt.init(t);
      const [t1, s1] = opt.update(grad(L)(t), s0, t);
      const [t2] = opt.update(grad(L)(t1), s1, t1);
      return t2;
    };
    expectClose(grad(after)(2), (1 - lr) ** 2 - lr * beta, 1e-12, SPEC_ATOL);
  });
});
