// Issue "Robustness" item 2: a params record of any size works on every call of grad, valueAndGrad,
// jit and train. Flat records are read by generated code only up to a bound (MAX_GENERATED_KEYS);
// larger ones by loops, so no call hits an engine limit (65,535 arguments, the parser's stack).
import { describe, expect, it } from "vitest";
import { grad, jit, mul, type Real, sgd, sum, train, valueAndGrad } from "../../src/index.ts";
import { instantiate } from "../../src/internal.ts";

const N = 100_000;
const params: Record<string, number> = {};
for (let i = 0; i < N; i++) params[`k${i}`] = (i % 1000) / 1000;
/** Σ v²: its gradient is 2v, and one SGD step with lr scales every leaf by 1 − 2·lr. */
const loss = (p: Record<string, Real>): Real => sum(Object.values(p).map((v) => mul(v, v)));
const expectedLoss = Object.values(params).reduce((s, v) => s + v * v, 0);

function expectDoubled(g: Record<string, number>): void {
  expect(Object.keys(g).length).toBe(N);
  for (const k of ["k0", "k1", "k999", "k54321", `k${N - 1}`]) expect(g[k]).toBe(2 * params[k]);
  expect(Object.keys(g).every((k) => g[k] === 2 * params[k])).toBe(true);
}

describe(`a record of ${N.toLocaleString("en")} keys`, () => {
  it("grad works on the first call and on every later one", () => {
    const g = grad(loss);
    for (let call = 0; call < 3; call++) expectDoubled(g(params) as Record<string, number>);
  });

  it("valueAndGrad works on every call", () => {
    const vg = valueAndGrad(loss);
    for (let call = 0; call < 2; call++) {
      const [v, g] = vg(params);
      expect(v).toBeCloseTo(expectedLoss, 6);
      expectDoubled(g as Record<string, number>);
    }
  });

  it("jit works on every call (replayed from the second)", () => {
    const f = jit((p: Record<string, Real>) => mul(p.k7, p[`k${N - 1}`]));
    for (let call = 0; call < 3; call++) expect(f(params)).toBe(params.k7 * params[`k${N - 1}`]);
  });

  it("train makes its steps", () => {
    const lr = 0.125;
    const result = train({ loss, params, optimizer: sgd(lr), steps: 2 });
    expect(result.steps).toBe(2);
    expect(result.history[0]).toBeCloseTo(expectedLoss, 6);
    // each step scales θ by 1 − 2·lr = 3/4 (exact in binary), so the loss by 9/16
    expect(result.history[2]).toBeCloseTo((expectedLoss * 81) / 256, 6);
    const p = result.params as Record<string, number>;
    expect(p.k999).toBe(params.k999 * 0.5625);
  });
});

describe("the code generator under engine limits", () => {
  it("gives undefined (the caller's loop) where the engine refuses a source for its size", () => {
    const args = Array.from({ length: 70_000 }, (_, i) => `a${i}`).join(", ");
    // more than 65,535 parameters: engines refuse it (V8 with a SyntaxError, so a caller must bound its
    // sources); a parser's stack overflow is a RangeError, which instantiate turns into undefined
    const deep = `return ${"(".repeat(200_000)}1${")".repeat(200_000)};`;
    expect(instantiate(deep, [], [])).toBeUndefined();
    expect(() => instantiate(`return function (${args}) { return 0; };`, [], [])).toThrow(SyntaxError);
  });
});
