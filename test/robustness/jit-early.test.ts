// Issue "Robustness" item 11: jit decides early that a function is too long to replay. It counts
// steps while recording and stops at a bound (MOST_STEPS), so the first call of jit(grad(f)) on a
// 1,000,000-op chain costs about what grad(f) costs, not seconds of recording that is thrown away.
import { describe, expect, it } from "vitest";
import { add, cos, grad, jit, mul, type Real, sin } from "../../src/index.ts";

/** W4's chain x ← sin(x)·1.0001 + 0.1·cos(x): 5 ops a step. */
const chain = (steps: number) => (x: Real): Real => {
  let y = x;
  for (let i = 0; i < steps; i++) y = add(mul(sin(y), 1.0001), mul(0.1, cos(y)));
  return y;
};

function time<T>(run: () => T): [T, number] {
  const t = performance.now();
  const out = run();
  return [out, performance.now() - t];
}

describe("jit on a function too long to replay", () => {
  it("the first call of jit(grad(f)) on a 1,000,000-op chain costs a few grads, not a recording of all of it", () => {
    const f = chain(200_000);
    grad(f)(0.5); // warm up
    const [expected, plain] = time(() => grad(f)(0.5));
    const [first, jitted] = time(() => jit(grad(f))(0.5));
    expect(first).toBe(expected);
    // recording every step took ~27× grad's time; stopping at the bound leaves ~2–3×
    expect(jitted).toBeLessThan(10 * plain + 200);
  });
  it("later calls run as written and agree; a short function is still compiled and replayed", () => {
    const f = jit(grad(chain(200_000)));
    expect(f(0.25)).toBe(grad(chain(200_000))(0.25));
    const short = jit(grad(chain(3)));
    expect(short(0.5)).toBe(grad(chain(3))(0.5));
    expect(short(0.75)).toBe(grad(chain(3))(0.75));
  });
});
