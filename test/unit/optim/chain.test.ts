// Gradient transformations against optax's definitions (optax/transforms/_clipping.py, _adding.py,
// _combining.py): clip_by_global_norm keeps g when ‖g‖ < maxNorm and else gives g/‖g‖·maxNorm; clip is
// jnp.clip(g, −δ, δ); add_decayed_weights is g + wd·θ; chain runs them in order, then the optimizer.
import { describe, expect, it } from "vitest";
import {
  adam, add, addDecayedWeights, chain, clip, clipByGlobalNorm, grad, jit, momentum, type Optimizer, type Real, sgd, square, tensor, toArray, vmap,
} from "../../../src/index.ts";
import { expectClose, expectThrows, expectTreeClose, isDeeplyFrozen } from "../../support/approx.ts";

describe("clipByGlobalNorm", () => {
  const t = clipByGlobalNorm(1);
  it("scales a gradient whose global norm (over every leaf) is not below maxNorm to norm maxNorm", () => {
    // ‖g‖ = √(3² + 4² + 12²) = 13 over a Real and a tensor
    const [g] = t.update({ a: 3, b: tensor([4, 12]) }, t.init({ a: 0, b: tensor([0, 0]) }), { a: 0, b: tensor([0, 0]) });
    expectTreeClose(g, { a: 3 / 13, b: [4 / 13, 12 / 13] }, 1e-15);
  });
  it("returns a gradient with a smaller norm unchanged, bit for bit", () => {
    const g0 = [0.3, tensor([-0.4, 1e-300])];
    const [g] = t.update(g0, t.init(g0), g0);
    expect(g[0]).toBe(0.3);
    expect(toArray(g[1] as never)).toEqual([-0.4, 1e-300]);
  });
  it("clips a norm equal to maxNorm by the formula (optax's trigger is ‖g‖ < maxNorm), and NaN to NaN", () => {
    const c = clipByGlobalNorm(5);
    const [g] = c.update([3, 4], c.init([0, 0]), [0, 0]);
    expect(g).toEqual([(3 / 5) * 5, (4 / 5) * 5]);
    const [n] = c.update([Number.NaN, 1], c.init([0, 0]), [0, 0]);
    expect(n.every(Number.isNaN)).toBe(true);
  });
  it("is differentiable: ∂(g₀/‖g‖)/∂g₀ = 1/‖g‖ − g₀²/‖g‖³", () => {
    const f = (g: readonly Real[]): Real => t.update(g, t.init(g), g)[0][0];
    expectTreeClose(grad(f)([3, 4]), [1 / 5 - 9 / 125, -(3 * 4) / 125], 1e-15);
  });
  it("decides per example under vmap, and under jit again on every call", () => {
    const f = (g: ReturnType<typeof tensor>) => t.update(g, t.init(g), g)[0];
    expectTreeClose(vmap(f)(tensor([[3, 4], [0.3, 0.4]])), [[0.6, 0.8], [0.3, 0.4]], 1e-15);
    const j = jit(f);
    expectTreeClose(j(tensor([3, 4])), [0.6, 0.8], 1e-15);
    expectTreeClose(j(tensor([0.3, 0.4])), [0.3, 0.4], 0);
    expectTreeClose(j(tensor([6, 8])), [0.6, 0.8], 1e-15);
  });
});

describe("clip", () => {
  it("clips every element to [−maxDelta, maxDelta], NaN staying NaN (jnp.clip)", () => {
    const c = clip(0.5);
    const g0 = { w: tensor([-2, -0.25, 0.5, 3, Number.NaN]), b: 0.7 };
    const [g] = c.update(g0, c.init(g0), g0);
    expect(toArray(g.w)).toEqual([-0.5, -0.25, 0.5, 0.5, Number.NaN]);
    expect(g.b).toBe(0.5);
  });
  it("passes the gradient through inside the interval and blocks it outside", () => {
    const c = clip(1);
    const f = (x: readonly Real[]): Real => c.update(x, c.init(x), x)[0].reduce((s: Real, v) => (s as number) + (v as number), 0);
    expect(grad((x: readonly Real[]) => c.update(x, c.init(x), x)[0][0])([0.5, 3])).toEqual([1, 0]);
    expect(grad((x: readonly Real[]) => c.update(x, c.init(x), x)[0][1])([0.5, 3])).toEqual([0, 0]);
    expect(f([0.25, 2])).toBe(1.25);
  });
});

describe("addDecayedWeights", () => {
  it("adds wd·θ to the gradient, leaf by leaf", () => {
    const d = addDecayedWeights(0.1);
    const p = { w: tensor([1, -2]), b: 3 };
    const [g] = d.update({ w: tensor([0.5, 0.5]), b: 0 }, d.init(p), p);
    expectTreeClose(g, { w: [0.5 + 0.1, 0.5 - 0.2], b: 0.3 }, 1e-15);
  });
  it("needs params of the gradient's structure: a TypeError naming the first path that differs", () => {
    const d = addDecayedWeights(0.1);
    expectThrows(() => d.update({ w: 1, b: 2 }, {}, { w: 1 }), TypeError, /^addDecayedWeights.update: /, /\bb\b/);
    expectThrows(() => d.update({ w: tensor([1, 2]) }, {}, { w: tensor([1, 2, 3]) }), TypeError, "w", "[3]");
  });
});

describe("chain", () => {
  const θ = { w: tensor([1, -2]), b: 0.5 };
  const g = { w: tensor([3, 4]), b: 12 };
  it("runs the transformations on the gradient in order, then the optimizer: sgd after clipping and decay", () => {
    const [lr, wd] = [0.1, 0.01];
    const opt = chain(clipByGlobalNorm(1), addDecayedWeights(wd), sgd(lr));
    const [p] = opt.update(g, opt.init(θ), θ);
    // ‖g‖ = 13: g/13, plus wd·θ, then θ − lr·that
    const step = (x: number, gi: number) => x - lr * (gi / 13 + wd * x);
    expectTreeClose(p, { w: [step(1, 3), step(-2, 4)], b: step(0.5, 12) }, 1e-15);
  });
  it("depends on the order: clip then decay differs from decay then clip", () => {
    const a = chain(clip(1), addDecayedWeights(10), sgd(1));
    const b = chain(addDecayedWeights(10), clip(1), sgd(1));
    expect(a.update([0], a.init([1]), [1])[0]).toEqual([1 - (0 + 10)]);
    expect(b.update([0], b.init([1]), [1])[0]).toEqual([1 - 1]);
  });
  it("with no transformation is the optimizer itself", () => {
    const opt = chain(adam(0.1));
    const [p, s] = opt.update(g, opt.init(θ), θ);
    const [q, t] = adam(0.1).update(g, adam(0.1).init(θ), θ);
    expectTreeClose(p, { w: toArray(q.w), b: q.b }, 0, 0);
    expect(s).toEqual([t]);
  });
  it("keeps the frozen array of every part's state, and threads the optimizer's state", () => {
    const opt = chain(clip(100), momentum(0.1, 0.5));
    const s0 = opt.init([1]);
    expect(isDeeplyFrozen(s0)).toBe(true);
    const [p1, s1] = opt.update([2], s0, [1]);
    const [p2, s2] = opt.update([2], s1, p1);
    // v₁ = 2, v₂ = 0.5·2 + 2 = 3
    expectClose(p1[0], 1 - 0.2, 1e-15);
    expectClose(p2[0], 0.8 - 0.3, 1e-15);
    expect(s2).toHaveLength(2);
    expect(isDeeplyFrozen(p2) && isDeeplyFrozen(s2)).toBe(true);
  });
  it("is an optimizer: chain of a chain, and training with it reaches the minimum of a quadratic", () => {
    const inner = chain(clipByGlobalNorm(10), sgd(0.1)) as Optimizer<unknown>;
    const opt = chain(clip(5), inner);
    let x: readonly Real[] = [4, -3];
    let s = opt.init(x);
    for (let k = 0; k < 200; k++) [x, s] = opt.update(grad((t: readonly Real[]) => add(square(t[0]), square(t[1])))(x), s, x);
    expectTreeClose(x, [0, 0], 0, 1e-12);
  });
  it("changes nothing it is given", () => {
    const p = { a: [1, 2] };
    const gr = { a: [5, -5] };
    const opt = chain(clipByGlobalNorm(1), adam(0.1));
    const pair = opt.update(gr, opt.init(p), p);
    expect(p).toEqual({ a: [1, 2] });
    expect(gr).toEqual({ a: [5, -5] });
    expect(opt.update(gr, opt.init(p), p)).toEqual(pair);
  });
  it("reads each getter of the params and the gradient once per call", () => {
    let reads = 0;
    const counted = (v: number) => ({ get x() { reads++; return v; } });
    const opt = chain(clip(10), addDecayedWeights(0.5), clipByGlobalNorm(10), sgd(0.1));
    const s = opt.init(counted(1));
    expect(reads).toBe(1);
    reads = 0;
    const [p] = opt.update(counted(2), s, counted(1));
    expect(reads).toBe(2);
    expectClose(p.x, 1 - 0.1 * (2 + 0.5), 1e-15);
  });
  it("rejects what is not a transformation or an optimizer, and a state it did not make", () => {
    expectThrows(() => (chain as (...x: unknown[]) => unknown)(), TypeError, /^chain: /);
    expectThrows(() => chain(clip(1), 5 as never), TypeError, /^chain: the optimizer/);
    expectThrows(() => chain({ init: 1 } as never, sgd(1)), TypeError, /^chain: argument 1/);
    const opt = chain(clip(1), sgd(1));
    expectThrows(() => opt.update([1], [{}] as never, [1]), TypeError, /^chain.update: the state must be the array of 2 states/);
  });
  it("transformation arguments are checked when made", () => {
    expectThrows(() => clipByGlobalNorm(0), RangeError, /^clipByGlobalNorm: maxNorm/);
    expectThrows(() => clipByGlobalNorm(Number.NaN), RangeError, /^clipByGlobalNorm: /);
    expectThrows(() => clip(-1), RangeError, /^clip: maxDelta/);
    expectThrows(() => addDecayedWeights(-0.1), RangeError, /^addDecayedWeights: /);
    expectThrows(() => clip(1).update({ a: "x" } as never, {}, {}), TypeError, /^clip.update: .*a/);
  });
});
