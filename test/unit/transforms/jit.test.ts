// jit: the compiled replay computes exactly what the function computes (bit for bit), through nested
// transforms and kinks, records again where a kink's decision changes, and runs as is what it cannot replay.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  abs, add, cos, customJvp, customVjp, derivative, exp, grad, hessian, jit, max, min, mul, pow, primal, type Real, relu, sigmoid, sin, square, stopGradient, sub, sum,
  projectToBall, tensor, toArray, valueAndGrad,
} from "../../../src/index.ts";
import { nice } from "../../../laws/arbitraries.ts";
import { programs, run, showProgram } from "../../../laws/programs.ts";
import { initial, loss, type Weights } from "../../../bench/workloads/worked-network.ts";
import { isDeeplyFrozen } from "../../support/approx.ts";
import { withoutCodegen } from "../../support/codegen.ts";

/** Equal bit for bit (−0 is not 0), NaN equal to NaN, leaf by leaf. */
function expectIdentical(actual: unknown, expected: unknown): void {
  if (typeof expected === "number") {
    if (!Object.is(actual, expected)) expect.fail(`expected ${String(actual)} to be exactly ${expected}`);
    return;
  }
  expect(Object.keys(actual as object)).toEqual(Object.keys(expected as object));
  for (const k of Object.keys(expected as object)) {
    expectIdentical((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k]);
  }
}

/** A function that counts its own runs (impure on purpose: the count says when jit recorded). */
function counted<X, Y>(f: (x: X) => Y): { readonly f: (x: X) => Y; readonly runs: () => number } {
  let n = 0;
  return { f: (x) => (n++, f(x)), runs: () => n };
}

describe("jit replays exactly what the function computes", () => {
  const points = fc.array(fc.tuple(nice(-2, 2), nice(-2, 2)), { minLength: 3, maxLength: 3 });
  it("random programs with nested transforms, at several points (the later ones replayed)", () => {
    fc.assert(
      fc.property(programs({ inputs: 2, outputs: 2 }), points, (program, xs) => {
        const f = run(program);
        const jf = jit(f);
        try {
          for (const x of xs) expectIdentical(jf(x), f(x));
        } catch (e) {
          throw new Error(`${showProgram(program)}: ${String(e)}`);
        }
      }),
      { numRuns: 150 },
    );
  });
  it("and their gradients: jit(grad(f)) = grad(f)", () => {
    fc.assert(
      fc.property(programs({ inputs: 2, outputs: 1 }), points, (program, xs) => {
        const f = run(program);
        const g = grad((x: readonly Real[]) => f(x)[0]);
        const jg = jit(g);
        for (const x of xs) expectIdentical(jg(x), g(x));
      }),
      { numRuns: 150 },
    );
  });
  it("the worked network: 200 steps of gradient descent with jit(grad(loss)) follow grad(loss) exactly", () => {
    const g = grad(loss);
    const jg = jit(grad(loss));
    let w: Weights = initial;
    let v: Weights = initial;
    const step = (p: Weights, d: Weights): Weights =>
      Object.fromEntries(Object.entries(p).map(([k, x]) => [k, x - 0.5 * d[k as keyof Weights]])) as Weights;
    for (let s = 0; s < 200; s++) {
      w = step(w, g(w));
      v = step(v, jg(v));
    }
    expectIdentical(v, w);
  });
  it("hessians and value-and-gradient pairs", () => {
    const f = (x: readonly Real[]) => mul(square(x[0]), sin(x[1]));
    const h = jit(hessian(f));
    const vg = jit(valueAndGrad(f));
    for (const x of [[1, 2], [2, 3], [-0.5, 0.25]]) {
      expectIdentical(h(x), hessian(f)(x));
      expectIdentical(vg(x), valueAndGrad(f)(x));
    }
  });
  it("custom rules inside: a customVjp's pullback and a customJvp's tangent are recorded like any arithmetic", () => {
    const mySin = customVjp((x: Real) => sin(x), (x: Real) => [sin(x), (u: Real) => mul(u, cos(x))] as const);
    const myExp = customJvp((x: Real) => exp(x), (x: Real, v: Real) => [exp(x), mul(exp(x), v)] as const);
    const f = (x: readonly Real[]) => add(mySin(x[0]), mul(myExp(x[1]), x[0]));
    const d = (x: readonly Real[]) => derivative((t: Real) => f([t, x[1]]))(x[0]);
    const [jg, jd] = [jit(grad(f)), jit(d)];
    for (const x of [[1, 2], [0.5, -1], [3, 0.25]]) {
      expectIdentical(jg(x), grad(f)(x));
      expectIdentical(jd(x), d(x));
      expect(jd(x)).toBeCloseTo(Math.cos(x[0]) + Math.exp(x[1]), 12);
    }
  });
  it("IEEE special values: −0, NaN and ±Infinity as constants and as results", () => {
    const f = jit((x: readonly Real[]) => [mul(x[0], -0), add(x[0], Infinity), mul(x[1], NaN), sub(x[0], -Infinity), pow(x[0], 0.5)]);
    for (const x of [[1, 2], [-1, 3], [0, 0]]) {
      const ex = [x[0] * -0, x[0] + Infinity, x[1] * NaN, x[0] - -Infinity, x[0] ** 0.5];
      expectIdentical(f(x), ex);
    }
  });
  it("a gradient of −0 is written 0 on replay too, as grad writes it", () => {
    const g = jit(grad((x: Real) => mul(square(x), -0))); // ∂ = 2x·(−0), computed on the replay
    for (const x of [1, 2, 3]) expect(Object.is(g(x), 0)).toBe(true);
  });
  it("stopGradient inside jit stops derivatives, not the recording", () => {
    const g = jit(grad((x: Real) => mul(stopGradient(x), x)));
    expect([g(3), g(5), g(-2)]).toEqual([3, 5, -2]);
  });
});

describe("the README's example", () => {
  it("runs as written and trains exactly as grad does", () => {
    // --- as in README.md ---
    const loss = (w: readonly Real[]) => square(sub(0.99, sigmoid(add(mul(w[0], 0.05), mul(w[1], 0.1)))));
    const gradient = jit(grad(loss)); // recorded and compiled on the first call
    let w: readonly number[] = [0.15, 0.2];
    for (let s = 0; s < 1000; s++) {
      const g = gradient(w); // replayed: no tape, no tracers, the same numbers as grad(loss)
      w = w.map((wi, i) => wi - 0.5 * g[i]);
    }
    // ---
    let v: readonly number[] = [0.15, 0.2];
    for (let s = 0; s < 1000; s++) {
      const g = grad(loss)(v);
      v = v.map((vi, i) => vi - 0.5 * g[i]);
    }
    expectIdentical(w, v);
    expect(primal(loss(w))).toBeLessThan(primal(loss([0.15, 0.2])));
  });
});

describe("jit records once per structure and side of each kink", () => {
  it("later calls with the same structure replay without running the function", () => {
    const c = counted((p: { a: Real; b: Real }) => add(mul(p.a, p.b), sigmoid(p.a)));
    const jf = jit(c.f);
    for (let k = 0; k < 5; k++) expect(jf({ a: k, b: 2 })).toBe(k * 2 + 1 / (1 + Math.exp(-k)));
    expect(c.runs()).toBe(1);
    jf({ b: 2, a: 1 } as { a: Real; b: Real }); // another key order is another structure
    expect(c.runs()).toBe(2);
    expect(jf({ a: 3, b: 2 })).toBe(6 + 1 / (1 + Math.exp(-3))); // the first structure is kept
    expect(c.runs()).toBe(2);
  });
  it("arrays of another length, and nested trees, are other structures", () => {
    const c = counted((x: readonly Real[]) => x.reduce((s: Real, v) => add(s, square(v)), 0));
    const jf = jit(c.f);
    expect([jf([1, 2]), jf([3, 4]), jf([1, 2, 3]), jf([2, 2, 2]), jf([5, 5])]).toEqual([5, 25, 14, 12, 50]);
    expect(c.runs()).toBe(2);
    const n = counted((p: { a: { b: Real[] }; c: Real }) => mul(p.a.b[1], p.c));
    const jn = jit(n.f);
    expect([jn({ a: { b: [1, 2] }, c: 3 }), jn({ a: { b: [1, 4] }, c: 5 })]).toEqual([6, 20]);
    expect(n.runs()).toBe(1);
  });
  it("relu, abs, max, min and pow at 0: a replay on the other side of the kink records again, then both sides replay", () => {
    const c = counted((x: readonly Real[]) => add(add(relu(x[0]), abs(x[1])), add(max(x[0], x[1]), min(x[0], x[1]))));
    const jg = jit(grad(c.f));
    const g = grad(c.f);
    const expected = (x: number[]) => [(x[0] > 0 ? 1 : 0) + (x[0] >= x[1] ? 1 : 0) + (x[0] <= x[1] ? 1 : 0), Math.sign(x[1]) + (x[0] >= x[1] ? 0 : 1) + (x[0] <= x[1] ? 0 : 1)];
    expect(jg([1, 2])).toEqual(expected([1, 2]));
    expect(jg([3, 4])).toEqual(expected([3, 4]));
    const before = c.runs();
    expect(jg([-1, 2])).toEqual(expected([-1, 2])); // relu's side changed
    expect(c.runs()).toBe(before + 1);
    expect(jg([5, 6])).toEqual(expected([5, 6])); // back on the first side: its recording is kept
    expect(jg([-5, 6])).toEqual(expected([-5, 6]));
    expect(c.runs()).toBe(before + 1);
    expect(jg([2, -1])).toEqual(expected([2, -1]));
    expect(g([2, -1])).toEqual(expected([2, -1]));
    const p = jit(grad((x: readonly Real[]) => pow(x[0], x[1])));
    expect(p([0, 2])).toEqual([0, 0]);
    expect(p([2, 3])).toEqual([12, 8 * Math.log(2)]);
    expect(p([0, 3])).toEqual([0, 0]);
  });
});

describe("what jit cannot replay runs as written, on every call", () => {
  it("a function that reads a value with primal (value-dependent control flow)", () => {
    const c = counted((x: Real) => (primal(x) > 0 ? mul(x, 2) : mul(x, 3)));
    const jf = jit(c.f);
    expect([jf(1), jf(-1), jf(2), jf(-2)]).toEqual([2, -3, 4, -6]);
    expect(c.runs()).toBe(4);
  });
  it("jit inside jit: a kink inside the inner one is guarded in the outer recording too", () => {
    const outer = counted((y: Real) => jit((x: Real) => grad((t: Real) => relu(mul(t, y)))(x))(3));
    const jo = jit(outer.f);
    expect([jo(2), jo(4), jo(-1), jo(5), jo(-2)]).toEqual([2, 4, 0, 5, 0]); // ∂/∂t relu(t·y) = y·[t·y > 0]
    expect(outer.runs()).toBe(2); // once per side
  });
  it("a recording too long to pay off (straight-line code V8 would not optimize)", () => {
    const chain = (x0: Real) => {
      let x = x0;
      for (let i = 0; i < 400; i++) x = add(mul(sin(x), 1.0001), mul(0.1, x));
      return x;
    };
    const c = counted(grad(chain));
    const jg = jit(c.f);
    for (const x of [0.5, 0.6, 0.7]) expectIdentical(jg(x), grad(chain)(x));
    expect(c.runs()).toBe(3);
    const short = counted(grad((x: Real) => mul(sin(x), x)));
    const js = jit(short.f);
    [0.5, 0.6, 0.7].forEach((x) => js(x));
    expect(short.runs()).toBe(1);
  });
  it("projectToBall (its overflow check reads the values)", () => {
    const project = projectToBall(1);
    const c = counted(project);
    const jp = jit(c.f);
    for (const p of [{ a: 3, b: 4 }, { a: 0.3, b: 0.4 }, { a: 1e300, b: 1e300 }]) expectIdentical(jp(p), project(p));
    expect(c.runs()).toBe(3);
  });
  it("a function that reads a tensor's values (toArray)", () => {
    const c = counted((t: ReturnType<typeof tensor>) => ((toArray(primal(sum(t)) > 0 ? t : mul(t, -1)) as number[])[0]! > 0 ? sum(mul(t, t)) : sum(t)));
    const jf = jit(c.f);
    expect([jf(tensor([1, 2])), jf(tensor([-3, -4])), jf(tensor([3, 4]))]).toEqual([5, 25, 25]);
    expect(c.runs()).toBe(3);
  });
  it("inside another transform: grad(jit(f)) = grad(f)", () => {
    const f = (x: readonly Real[]) => mul(sin(x[0]), x[1]);
    expect(grad((x: readonly Real[]) => jit(f)(x))([1, 2])).toEqual(grad(f)([1, 2]));
    const jf = jit(f);
    const g = grad((x: readonly Real[]) => jf(x));
    expect(g([0.5, 3])).toEqual(grad(f)([0.5, 3]));
    expect(g([1.5, -3])).toEqual(grad(f)([1.5, -3]));
  });
  it("a Real of an enclosing transform read from a closure", () => {
    const outer = grad((y: Real) => {
      const jf = jit((x: Real) => mul(x, y)); // y carries grad's level
      return add(jf(2), jf(3));
    });
    expect(outer(7)).toBe(5);
  });
});

describe("jit's results and errors", () => {
  it("results are deeply frozen, arguments unchanged", () => {
    const jf = jit((p: { w: Real[]; b: Real }) => ({ out: [add(p.w[0], p.b), mul(p.w[1], p.b)], k: 3 }));
    for (let k = 0; k < 3; k++) {
      const x = { w: [1, 2], b: k };
      const y = jf(x);
      expect(y).toEqual({ out: [1 + k, 2 * k], k: 3 });
      expect(isDeeplyFrozen(y)).toBe(true);
      expect(x).toEqual({ w: [1, 2], b: k });
    }
  });
  it("a recording value that escapes jit and is used later is an Error naming jit", () => {
    let kept: Real = 0;
    const jf = jit((x: Real) => ((kept = x), mul(x, 2)));
    jf(1);
    expect(() => mul(kept, 2)).toThrow(/jit/);
    expect(primal(kept)).toBe(1);
  });
  it("bad leaves are TypeErrors with their path", () => {
    expect(() => jit((p: { a: Real[] }) => p.a[0])({ a: [1, "x" as unknown as number] })).toThrow(/a\[1\]/);
  });
  it("where code cannot be generated (a strict CSP), the replay runs over the steps and agrees", () => {
    const f = (x: readonly Real[]) => add(relu(x[0]), mul(sigmoid(x[1]), x[0]));
    const g = grad(f);
    withoutCodegen(() => {
      const jg = jit(grad(f));
      for (const x of [[1, 2], [3, -1], [-2, 0.5], [4, 4]]) expectIdentical(jg(x), g(x));
    });
  });
});
