// Issue "Robustness" items 6–8 (SPEC §7 "Trees"): a cyclic tree is a TypeError naming the path where
// the cycle closes; trees 100,000 levels deep work in every walk (no stack overflow); an array hole
// is an undefined leaf reported at its own path.
import { describe, expect, it } from "vitest";
import {
  adam, grad, hvp, jit, jvp, momentum, mul, projectToBall, type Real, sgd, stopGradient, train, valueAndGrad, vjp,
  withL2,
} from "../../src/index.ts";
import { expectThrows } from "../support/approx.ts";

type Any = any;

/** `{ a: 1, b: { c: [1, 2, <b>] } }`: the cycle closes at b.c[2] (b contains itself). */
function cyclicRecord(): Any {
  const t: Any = { a: 1, b: { c: [1, 2] } };
  t.b.c.push(t.b);
  return t;
}
/** `a = [1, a]`: closes at [1]. */
function cyclicArray(): Any {
  const a: Any[] = [1];
  a.push(a);
  return a;
}

describe("a cyclic tree is a TypeError naming the function and the path where the cycle closes", () => {
  const calls: [string, (t: Any) => unknown][] = [
    ["grad", (t) => grad(() => 0)(t)],
    ["valueAndGrad", (t) => valueAndGrad(() => 0)(t)],
    ["vjp", (t) => vjp(() => 0, t)],
    ["jvp", (t) => jvp(() => 0, t, t)],
    ["hvp", (t) => hvp(() => 0)(t, t)],
    ["jit", (t) => jit(() => 0)(t)],
    ["stopGradient", (t) => stopGradient(t)],
    ["sgd.init", (t) => sgd(0.1).init(t)],
    ["sgd.update", (t) => sgd(0.1).update(t, {}, t)],
    ["momentum.init", (t) => momentum(0.1).init(t)],
    ["adam.init", (t) => adam().init(t)],
    ["projectToBall", (t) => projectToBall(1)(t)],
    ["withL2", (t) => withL2(0.1)(() => 0)(t)],
    ["train", (t) => train({ loss: () => 0, params: t, optimizer: sgd(0.1), steps: 1 })],
  ];
  for (const [name, call] of calls) {
    it(name, () => {
      expectThrows(() => call(cyclicRecord()), TypeError, name, "cyclic", "b.c[2]");
      expectThrows(() => call(cyclicArray()), TypeError, name, "cyclic", "at [1] ");
    });
  }
  it("a tree that shares a subtree without a cycle is fine (each place a leaf of its own)", () => {
    const shared = { w: 2 };
    const g = grad((p: { u: { w: Real }; v: { w: Real } }) => mul(p.u.w, p.v.w))({ u: shared, v: shared });
    expect(g).toEqual({ u: { w: 2 }, v: { w: 2 } });
  });
  it("a cycle closing deep (past the depth from which the path is tracked) is found with its path", () => {
    let t: Any = { x: 1 };
    const bottom = t;
    for (let i = 0; i < 100; i++) t = { n: t };
    bottom.back = t.n.n; // the node two levels below the root
    const err = expectThrows(() => grad(() => 0)(t), TypeError, "cyclic");
    expect(err.message).toContain(`at ${"n.".repeat(100)}back is one of its own containers`);
  });
});

const DEPTH = 100_000;
/** `{ a: { a: … 1.5 } }`, DEPTH levels. */
function deepRecord(leaf: number = 1.5): Any {
  let t: Any = leaf;
  for (let i = 0; i < DEPTH; i++) t = { a: t };
  return t;
}
/** `[[[… 2]]]`, DEPTH levels. */
function deepArray(): Any {
  let t: Any = 2;
  for (let i = 0; i < DEPTH; i++) t = [t];
  return t;
}
/** The leaf at the bottom of a deep tree, found with a loop. */
function bottom(t: Any): Any {
  let v = t;
  while (typeof v === "object" && v !== null && (Array.isArray(v) || Object.getPrototypeOf(v) === Object.prototype)) {
    v = Array.isArray(v) ? v[0] : v.a;
  }
  return v;
}
/** The depth of a deep result, checked level by level (plain, frozen containers). */
function depthOf(t: Any): number {
  let d = 0;
  for (let v = t; typeof v === "object" && v !== null && !("trace" in v); v = Array.isArray(v) ? v[0] : v.a, d++) {
    expect(Object.isFrozen(v)).toBe(true);
  }
  return d;
}
const square = (p: Any): Real => mul(bottom(p), bottom(p));

describe(`trees ${DEPTH.toLocaleString("en")} levels deep work in every walk`, () => {
  it("grad and valueAndGrad (records and arrays)", () => {
    const g = grad(square)(deepRecord());
    expect(depthOf(g)).toBe(DEPTH);
    expect(bottom(g)).toBe(3);
    const [v, ga] = valueAndGrad(square)(deepArray());
    expect(v).toBe(4);
    expect(bottom(ga)).toBe(4);
  });
  it("jvp, vjp and hvp", () => {
    const d = deepRecord();
    expect(jvp((p: Any) => mul(bottom(p), 2), d, deepRecord(1))).toEqual([3, 2]);
    expect(bottom(vjp((p: Any) => mul(bottom(p), 2), d)[1](1))).toBe(2);
    expect(bottom(hvp(square)(d, deepRecord(1)))).toBe(2);
  });
  it("stopGradient and jit", () => {
    const s = stopGradient(deepRecord());
    expect(depthOf(s)).toBe(DEPTH);
    expect(bottom(s)).toBe(1.5);
    const f = jit((p: Any) => mul(bottom(p), 2));
    expect(f(deepRecord())).toBe(3);
    expect(f(deepRecord(4))).toBe(8);
  });
  it("optimizers, projectToBall, withL2 (with a selector) and train", () => {
    const d = deepRecord();
    expect(bottom(sgd(0.5).update(deepRecord(1), {}, d)[0])).toBe(1);
    const opt = adam(0.1);
    // the first Adam step is lr·ĝ/(|ĝ| + ε) with ĝ = g = 1
    expect(bottom(opt.update(deepRecord(1), opt.init(d), d)[0])).toBeCloseTo(1.5 - 0.1 / (1 + 1e-8), 12);
    expect(bottom(projectToBall(1)(deepRecord(3)))).toBe(1);
    expect(withL2(0.5, { select: () => true })(() => 0)(d)).toBe(0.5 * 1.5 * 1.5);
    const r = train({ loss: square, params: d, optimizer: sgd(0.25), steps: 2 });
    // each step: x ← x − 0.25·2x = x/2
    expect(bottom(r.params)).toBe(0.375);
    expect(r.history).toEqual([2.25, 0.5625, 0.140625]);
  });
});

describe("an array hole is an undefined leaf at its own path", () => {
  it("in the argument of a transform", () => {
    // biome-ignore lint/suspicious/noSparseArray: a hole on purpose
    expectThrows(() => grad((p: Any) => p[0])([1, , 3]), TypeError, "grad", "at [1] is undefined");
    // biome-ignore lint/suspicious/noSparseArray: a hole on purpose
    expectThrows(() => grad((p: Any) => p.a[0])({ a: [1, 2, , 4] }), TypeError, "grad", "at a[2] is undefined");
    // biome-ignore lint/suspicious/noSparseArray: a hole on purpose
    expectThrows(() => stopGradient({ b: [[1], [, 2]] }), TypeError, "stopGradient", "at b[1][0] is undefined");
  });
  it("in a gradient, tangent or params tree", () => {
    // biome-ignore lint/suspicious/noSparseArray: a hole on purpose
    expectThrows(() => sgd(0.1).update({ a: [1, 2, , 4] }, {}, { a: [1, 2, 3, 4] }), TypeError, "sgd.update", "a[2]");
    // biome-ignore lint/suspicious/noSparseArray: a hole on purpose
    expectThrows(() => jvp((p: Any) => p[0], [1, 2], [1, ,] as Any), TypeError, "jvp", "[1]");
    // biome-ignore lint/suspicious/noSparseArray: a hole on purpose
    expectThrows(() => projectToBall(1)([1, , 3]), TypeError, "projectToBall", "[1]");
  });
});
