// Issue "Robustness" items 3, 9 and 10: inputs that aborted the process throw at once; the ball
// projection at the edge of the float range; small defects where a call gave a wrong value or an
// engine message naming neither the function nor the argument (SPEC §7 "Bad arguments", "Bounded").
import { describe, expect, it } from "vitest";
import {
  argmax, concat, customJvp, customVjp, derivative, full, grad, jit, key, ones, oneHot, projectToBall, reshape, split,
  sum, tensor, toArray, transpose, uniform, withL2, zeros,
} from "../../src/index.ts";
import { expectThrows } from "../support/approx.ts";

type Any = any;

describe("inputs that aborted the process throw at once (item 3)", () => {
  it("tensor of a cyclic array is a TypeError naming tensor", () => {
    const a: Any[] = [];
    a.push(a);
    expectThrows(() => tensor(a), TypeError, "tensor", "cyclic");
    const b: Any[] = [[1]];
    b[0].unshift(b);
    expectThrows(() => tensor(b), TypeError, "tensor", "cyclic");
  });
  it("tensor of arrays nested deeper than a tensor's axes is a RangeError", () => {
    let t: Any = 1;
    for (let i = 0; i < 10_000; i++) t = [t];
    expectThrows(() => tensor(t), RangeError, "tensor", "nested");
  });
  it("split into 2^32 − 1 keys is a RangeError (each key is an object: ~200 GB of them)", () => {
    const started = performance.now();
    expectThrows(() => split(key(0), 2 ** 32 - 1), RangeError, "split", "4294967295");
    expectThrows(() => split(key(0), 2 ** 21), RangeError, "split");
    expect(performance.now() - started).toBeLessThan(100);
    expect(split(key(0), 3).length).toBe(3);
  });
  it("shapes with more elements than a tensor can hold are RangeErrors naming the function", () => {
    expectThrows(() => zeros([2 ** 20, 2 ** 20]), RangeError, "zeros", "[1048576,1048576]");
    expectThrows(() => ones([2 ** 33]), RangeError, "ones");
    expectThrows(() => full([2 ** 16, 2 ** 16, 2], 1), RangeError, "full");
    expectThrows(() => uniform(key(0), [2 ** 40]), RangeError, "uniform");
    expectThrows(() => tensor([1], [2 ** 32]), RangeError, "tensor");
    expectThrows(() => oneHot([0, 1], 2 ** 32), RangeError, "oneHot");
  });
});

describe("projectToBall at the edge of the float range (item 9)", () => {
  it("projectToBall(1.5e308)([1.5e308, 1.5e308]) is ≈ [1.0607e308, 1.0607e308], not [0, 0]", () => {
    // ‖θ‖ = 1.5e308·√2 overflows; the projection is θ·r/‖θ‖ = [1.5e308/√2, 1.5e308/√2]
    const expected = 1.5e308 / Math.SQRT2;
    const [a, b] = projectToBall(1.5e308)([1.5e308, 1.5e308]) as number[];
    expect(a / expected).toBeCloseTo(1, 14);
    expect(b / expected).toBeCloseTo(1, 14);
    const t = toArray(projectToBall(1.5e308)({ t: tensor([1.5e308, -1.5e308]) }).t as Any) as number[];
    expect(t[0] / expected).toBeCloseTo(1, 14);
    expect(t[1] / -expected).toBeCloseTo(1, 14);
  });
  it("a huge point of three leaves lands on the sphere, every coordinate in proportion", () => {
    // θ = [3, 4, 12]·1e307, ‖θ‖ = 13e307 (overflows as Σx²); r = 1e308 gives θ·(1e308 / 1.3e308)
    const p = projectToBall(1e308)([3e307, 4e307, 12e307]) as number[];
    [3, 4, 12].forEach((c, i) => expect(p[i] / (c * (1e308 / 13))).toBeCloseTo(1, 14));
  });
  it("tiny points (squares underflow) still project, and the projection stays idempotent", () => {
    const p = projectToBall(1e-300)([3e-300, 4e-300]) as number[];
    expect(p[0] / 6e-301).toBeCloseTo(1, 14);
    expect(p[1] / 8e-301).toBeCloseTo(1, 14);
    expect(projectToBall(1e-300)(p)).toEqual(p);
    const big = projectToBall(1.5e308)([1.5e308, 1.5e308]);
    expect(projectToBall(1.5e308)(big)).toEqual(big);
  });
});

describe("small defects (item 10)", () => {
  it("argmax of an empty tensor, or along an empty axis, is a RangeError (NumPy raises)", () => {
    expectThrows(() => argmax(tensor([])), RangeError, "argmax", "empty");
    expectThrows(() => argmax(zeros([2, 0]), 1), RangeError, "argmax", "empty");
    expectThrows(() => argmax(zeros([0, 3]), 0), RangeError, "argmax", "empty");
    expect(argmax(zeros([0, 3]), 1)).toEqual([]);
    expect(argmax(tensor([[1, 5], [7, 2]]), 1)).toEqual([1, 0]);
  });
  it("tensor of a DataView is a TypeError (it has no elements), not a tensor of shape [undefined]", () => {
    expectThrows(() => tensor(new DataView(new ArrayBuffer(16)) as Any), TypeError, "tensor", "DataView");
    expectThrows(() => tensor(new DataView(new ArrayBuffer(16)) as Any, [2]), TypeError, "tensor", "DataView");
  });
  it("full with a fill value that is not a number is a TypeError, not NaNs", () => {
    expectThrows(() => full([2], "a" as Any), TypeError, "full", "fill value", "string");
    expectThrows(() => (full as Any)([2]), TypeError, "full", "undefined");
    expect(toArray(full([2], 2.5))).toEqual([2.5, 2.5]);
  });
  it("oneHot with a hole in the labels is a TypeError at the hole, not a zero row", () => {
    // biome-ignore lint/suspicious/noSparseArray: a hole on purpose
    expectThrows(() => oneHot([0, , 1] as Any, 3), TypeError, "oneHot", "[1]");
    expectThrows(() => oneHot(["1"] as Any, 3), TypeError, "oneHot", "[0]");
  });
  it("bad arguments are typed errors naming the function and the argument", () => {
    const t = tensor([1, 2, 3, 4]);
    expectThrows(() => reshape(t, "abc" as Any), TypeError, "reshape", "shape", "string");
    expectThrows(() => reshape(t, null as Any), TypeError, "reshape", "shape", "null");
    expectThrows(() => transpose(t, "10" as Any), TypeError, "transpose", "permutation");
    // biome-ignore lint/suspicious/noSparseArray: a hole on purpose
    expectThrows(() => concat([t, , t] as Any), TypeError, "concat", "[1]", "undefined");
    expectThrows(() => withL2(1, null as Any), TypeError, "withL2", "options", "null");
    expectThrows(() => projectToBall(1, null as Any), TypeError, "projectToBall", "options", "null");
    expectThrows(() => (grad as Any)(3)(1), TypeError, "grad", "f must be a function", "number");
    expectThrows(() => (jit as Any)("f"), TypeError, "jit", "f must be a function");
    expectThrows(() => sum(t, Symbol("axis") as Any), TypeError, "sum", "axis", "symbol");
  });
  it("a custom rule that returns no pair, or a pullback that is not a function, is a TypeError naming the transform", () => {
    expectThrows(() => grad(customVjp((x: Any) => x, (() => 5) as Any))(1), TypeError, "customVjp", "pair", "number");
    expectThrows(() => grad(customVjp((x: Any) => x, ((x: Any) => [x, 3]) as Any))(1), TypeError, "customVjp", "pullback", "function");
    expectThrows(() => derivative(customJvp((x: Any) => x, (() => [1]) as Any))(1), TypeError, "customJvp", "pair");
    expectThrows(() => customJvp((x: Any) => x, null as Any), TypeError, "customJvp", "rule");
  });
});
