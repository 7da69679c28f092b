// The one code generator: copies of typed factories (the per-rule fast paths), and the fallbacks
// where code cannot be generated.
import { afterEach, describe, expect, it, vi } from "vitest";
import { instantiate, specialize } from "../../../src/internal.ts";

const factory = (k: number) => (x: number): number => k * x + 1;

describe("specialize", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("makes a fresh copy of a factory that computes what the factory does", () => {
    const copy = specialize(factory);
    expect(copy).not.toBe(factory);
    expect(copy(3)(2)).toBe(factory(3)(2));
  });

  it("uses the factory itself when its source calls a bundler's helper (not in scope of a copy)", () => {
    const helper = (f: unknown): unknown => f;
    // written so that its source shows the call, as esbuild's keepNames does
    const wrapped = (k: number) => __name(helper((x: number) => k + x));
    function __name(f: unknown): (x: number) => number {
      return f as (x: number) => number;
    }
    expect(specialize(wrapped)).toBe(wrapped);
    expect(specialize(wrapped)(1)(2)).toBe(3);
  });

  it("uses the factory itself where new Function is forbidden (a strict CSP)", () => {
    vi.stubGlobal("Function", function forbidden() {
      throw new EvalError("Refused to evaluate a string as JavaScript");
    });
    expect(instantiate("return 1;", [], [])).toBeUndefined();
    expect(specialize(factory)).toBe(factory);
  });
});
