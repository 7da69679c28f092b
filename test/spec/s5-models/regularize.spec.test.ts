// SPEC §5 and §7 (withL2, projectToBall): the course's regularization as soft constraint
// (loss + λ‖θ‖₂²) and as hard constraint (projection onto ‖θ‖₂ ≤ r).
import { describe, expect, it } from "vitest";
import {
  add, dense, grad, hvp, key, mul, projectToBall, type Real, serial, sum, tanhLayer, Tensor, tensor, toArray,
  valueAndGrad, weightsOnly, withL2,
} from "../../../src/index.ts";
import { expectClose, expectThrows, expectTreeClose, snapshot, SPEC_ATOL, SPEC_RTOL } from "../../support/approx.ts";
import { l2, leafNumbers, values } from "../../support/reference.ts";

type Theta = { readonly w: Tensor; readonly b: Tensor; readonly s: number };
const theta: Theta = { w: tensor([[1, -2], [3, 0.5]]), b: tensor([0.5, -1]), s: 2 };
const sqNorm = 1 + 4 + 9 + 0.25 + 0.25 + 1 + 4;
/** A loss whose gradient is 1 at every element. */
const linear = (p: Theta): Real => add(add(sum(p.w), sum(p.b)), p.s);
const linearValue = 1 - 2 + 3 + 0.5 + 0.5 - 1 + 2;

describe("withL2(λ)(loss)", () => {
  it("adds λ·‖θ‖₂² summed over every leaf of the params tree", () => {
    expectClose(withL2(0.1)(linear)(theta), linearValue + 0.1 * sqNorm, 1e-12, SPEC_ATOL);
  });

  it("its gradient is ∇loss + 2λθ at every leaf (tensors and plain numbers)", () => {
    const lambda = 0.25;
    const g = grad(withL2(lambda)(linear))(theta);
    expectTreeClose(g, {
      w: [[1 + 2 * lambda * 1, 1 + 2 * lambda * -2], [1 + 2 * lambda * 3, 1 + 2 * lambda * 0.5]],
      b: [1 + 2 * lambda * 0.5, 1 + 2 * lambda * -1],
      s: 1 + 2 * lambda * 2,
    }, 1e-12, SPEC_ATOL);
  });

  it("passes the loss's other arguments through unchanged and does not regularize them", () => {
    const data = (p: Theta, x: Tensor, y: number): Real => mul(add(sum(mul(p.w, x)), p.s), y);
    const x = tensor([[1, 1], [2, 2]]);
    const reg = withL2(0.5)(data);
    const plain = (1 * 1 + -2 * 1 + 3 * 2 + 0.5 * 2 + 2) * 3;
    expectClose(reg(theta, x, 3), plain + 0.5 * sqNorm, 1e-12, SPEC_ATOL);
  });

  it("with λ = 0 is the loss itself", () => {
    expectClose(withL2(0)(linear)(theta), linearValue, 1e-15, SPEC_ATOL);
  });

  it("counts every leaf of nested arrays and records, numbers and tensors alike", () => {
    const p = [1, [2, tensor([3, -1])], { k: 4 }] as const;
    const zero = (_: typeof p): Real => 0;
    expectClose(withL2(2)(zero)(p), 2 * (1 + 4 + 9 + 1 + 16), 1e-12, SPEC_ATOL);
  });

  it("with { select: weightsOnly } regularizes the dense weights but not the biases", () => {
    const model = serial(dense(3), tanhLayer, dense(2));
    const [p] = model.init(key(0), [4]);
    const zero = (_: typeof p): Real => 0;
    const wOnly = leafNumbers(p[0].w).concat(leafNumbers(p[2].w));
    expectClose(withL2(0.3, { select: weightsOnly })(zero)(p), 0.3 * wOnly.reduce((a, v) => a + v * v, 0), 1e-12, SPEC_ATOL);
    const g = grad(withL2(0.3, { select: weightsOnly })(zero))(p);
    expectTreeClose(g[0].b, [0, 0, 0], SPEC_RTOL, SPEC_ATOL);
    expectTreeClose(g[2].b, [0, 0], SPEC_RTOL, SPEC_ATOL);
    expectTreeClose(g[0].w, (toArray(p[0].w) as number[][]).map((r) => r.map((v) => 0.6 * v)), 1e-12, SPEC_ATOL);
  });

  it("with a custom select(path, leaf) regularizes only the chosen leaves", () => {
    const p = { keep: tensor([1, 2]), skip: tensor([10, 20]) };
    const zero = (_: typeof p): Real => 0;
    const reg = withL2(1, { select: (path) => path.includes("keep") })(zero);
    expectClose(reg(p), 5, SPEC_RTOL, SPEC_ATOL);
  });

  it("valueAndGrad of the regularized loss agrees with its value", () => {
    const [v, g] = valueAndGrad(withL2(0.1)(linear))(theta);
    expectClose(v, linearValue + 0.1 * sqNorm, 1e-12, SPEC_ATOL);
    expectClose(g.s, 1 + 0.2 * 2, 1e-12, SPEC_ATOL);
  });

  for (const bad of [-1, -1e-12, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
    it(`withL2(${bad}) throws a RangeError when called, before any loss is given`, () => {
      expectThrows(() => withL2(bad), RangeError);
    });
  }

  it("does not change the params it is given", () => {
    const before = snapshot(theta);
    withL2(0.5)(linear)(theta);
    grad(withL2(0.5)(linear))(theta);
    expect(snapshot(theta)).toEqual(before);
  });
});

describe("projectToBall(r)", () => {
  it("scales a point outside the ball by r/‖θ‖₂ with the global norm over every leaf", () => {
    const p = { a: tensor([3, 0]), b: 4 };
    const q = projectToBall(1)(p);
    expectTreeClose(q, { a: [0.6, 0], b: 0.8 }, 1e-12, SPEC_ATOL);
    expect(q.a).toBeInstanceOf(Tensor);
    expect([...q.a.shape]).toEqual([2]);
    expect(typeof q.b).toBe("number");
  });

  it("projects a nested params tree onto the sphere of radius r", () => {
    const p = [tensor([[1, 2], [3, 4]]), { x: -5, y: [tensor([6]), 7] }] as const;
    const n = l2([1, 2, 3, 4, 5, 6, 7]);
    const q = projectToBall(2)(p);
    expectClose(l2(leafNumbers(q)), 2, 1e-12, SPEC_ATOL);
    expectTreeClose(q, [[[2 / n, 4 / n], [6 / n, 8 / n]], { x: -10 / n, y: [[12 / n], 14 / n] }], 1e-12, SPEC_ATOL);
  });

  it("returns a point inside the ball unchanged (the same values exactly)", () => {
    const p = { a: tensor([0.1, -0.2, 0.3]), b: 0.123456789 };
    const q = projectToBall(1)(p);
    expect(toArray(q.a)).toEqual([0.1, -0.2, 0.3]);
    expect(q.b).toBe(0.123456789);
  });

  it("returns a point on the sphere unchanged", () => {
    const p = { a: tensor([3, 4]) };
    expect(toArray(projectToBall(5)(p).a)).toEqual([3, 4]);
  });

  it("returns the zero point unchanged (no NaN)", () => {
    const p = { a: tensor([0, 0]), b: 0 };
    const q = projectToBall(1)(p);
    expect(toArray(q.a)).toEqual([0, 0]);
    expect(q.b).toBe(0);
  });

  it("is idempotent", () => {
    const proj = projectToBall(0.7);
    for (let seed = 1; seed <= 20; seed++) {
      const v = values(5, seed, -3, 3);
      const p = { a: tensor(v.slice(0, 3)), b: v[3], c: [v[4]] };
      const once = proj(p);
      expectTreeClose(proj(once), { a: toArray(once.a), b: once.b, c: [...once.c] }, 1e-14, 0);
    }
  });

  it("is non-expansive: ‖P(a) − P(b)‖ ≤ ‖a − b‖", () => {
    const proj = projectToBall(1.5);
    for (let seed = 1; seed <= 40; seed++) {
      const va = values(4, seed, -3, 3);
      const vb = values(4, seed + 1000, -3, 3);
      const pa = proj({ t: tensor(va.slice(0, 3)), n: va[3] });
      const pb = proj({ t: tensor(vb.slice(0, 3)), n: vb[3] });
      const na = leafNumbers(pa);
      const nb = leafNumbers(pb);
      const d = l2(na.map((x, i) => x - nb[i]));
      expect(d).toBeLessThanOrEqual(l2(va.map((x, i) => x - vb[i])) + 1e-12);
    }
  });

  it("with { perLeaf: true } projects every leaf onto its own ball", () => {
    const p = { a: tensor([3, 4]), b: tensor([0.1, 0.1]), c: -2 };
    const q = projectToBall(1, { perLeaf: true })(p);
    expectTreeClose(q, { a: [0.6, 0.8], b: [0.1, 0.1], c: -1 }, 1e-12, SPEC_ATOL);
  });

  for (const bad of [0, -0, -1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
    it(`projectToBall(${Object.is(bad, -0) ? "-0" : bad}) throws a RangeError when called, before any point is given`, () => {
      expectThrows(() => projectToBall(bad), RangeError);
    });
  }

  it("does not change the point it is given", () => {
    const p = { a: tensor([30, 40]), b: [5] };
    const before = snapshot(p);
    projectToBall(1)(p);
    expect(snapshot(p)).toEqual(before);
  });
});

describe("projectToBall(r) at extreme magnitudes", () => {
  it("projects a point with huge coordinates (‖θ‖² overflows float64) onto the sphere, not to zero", () => {
    const q = projectToBall(1)({ a: tensor([1e200, 1e200]) });
    expectTreeClose(q, { a: [Math.SQRT1_2, Math.SQRT1_2] }, 1e-12, SPEC_ATOL);
  });

  it("projects a point with tiny coordinates (‖θ‖² underflows) onto a tiny ball", () => {
    const q = projectToBall(1e-201)({ a: tensor([3e-200, 4e-200]) });
    expectTreeClose(q, { a: [6e-202, 8e-202] }, 1e-12, 0);
  });
});

describe("withL2 and projectToBall compose with the transforms", () => {
  it("hvp of withL2(λ)(½‖x‖²) is (1 + 2λ)·v", () => {
    const half = (x: readonly Real[]): Real => mul(0.5, add(add(mul(x[0], x[0]), mul(x[1], x[1])), mul(x[2], x[2])));
    const h = hvp(withL2(0.25)(half))([1, -2, 3], [1, 0.5, -2]);
    expectTreeClose(h, [1.5, 0.75, -3], 1e-12, SPEC_ATOL);
  });

  it("grad through projectToBall outside the ball is r(e/‖θ‖ − θ·Σθ/‖θ‖³) for f = Σ P(θ)", () => {
    const t = [3, 4];
    const n = 5;
    const r = 2;
    const g = grad((p: Tensor) => sum(projectToBall(r)(p)))(tensor(t));
    const s = t[0] + t[1];
    expectTreeClose(g, t.map((tj) => r * (1 / n - (tj * s) / n ** 3)), 1e-12, SPEC_ATOL);
  });

  it("grad through projectToBall inside the ball is the identity's", () => {
    const g = grad((p: Tensor) => sum(projectToBall(10)(p)))(tensor([3, 4]));
    expectTreeClose(g, [1, 1], 1e-12, SPEC_ATOL);
  });
});

describe("withL2 and projectToBall reject bad params trees with a TypeError naming the path", () => {
  it("projectToBall(1) of a tree with a string leaf names its path", () => {
    expectThrows(() => projectToBall(1)({ layer: { w: [1, "x"] } } as never), TypeError, "layer.w[1]");
  });

  it("withL2(0.1)(loss) of a tree with a null leaf names its path", () => {
    expectThrows(() => withL2(0.1)((_: unknown): Real => 0)({ hidden: [tensor([1]), null] }), TypeError, "hidden[1]");
  });
});
