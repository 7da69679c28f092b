// saveParams / loadParams (SPEC §5): the same tree back — structure, shapes, numbers vs tensors — and
// the same float64 bits, −0, NaN (with its payload), ±Infinity and subnormals included; checking
// against `like`; malformed text as an Error saying what is wrong.
import { describe, expect, it } from "vitest";
import { grad, loadParams, mul, type Real, saveParams, sum, Tensor, tensor, zeros } from "../../../src/index.ts";
import { data } from "../../../src/tensor/tensor.ts";
import { expectDeepFrozen, expectThrows } from "../../support/approx.ts";

/** A tensor holding exactly these 64-bit patterns. */
const fromBits = (bits: readonly bigint[], shape: readonly number[]): Tensor =>
  tensor(new Float64Array(new BigUint64Array(bits).buffer), shape);
/** The tensor's own storage read as 64-bit patterns (nothing passes through a JavaScript number). */
const bitsOf = (t: Tensor): bigint[] => {
  const d = data(t);
  return [...new BigUint64Array(d.buffer, d.byteOffset, d.length)];
};
const numberBits = (x: number): bigint => new BigUint64Array(new Float64Array([x]).buffer)[0];

const special = [0, -0, Number.NaN, Infinity, -Infinity, 5e-324, -1e-310, 2.2250738585072014e-308, Number.MAX_VALUE, 0.1, 1 / 3, 2 ** 53 + 2];

describe("saveParams and loadParams", () => {
  it("give back the same float64 bits for every special number, as leaves and inside tensors", () => {
    const tree = { xs: special, t: tensor(special, [3, 4]) };
    const back = loadParams(saveParams(tree)) as typeof tree;
    expect(back.xs.map(numberBits)).toEqual(special.map(numberBits));
    expect(bitsOf(back.t)).toEqual(special.map(numberBits));
    expect(back.t.shape).toEqual([3, 4]);
  });
  it("keep a NaN's payload and sign bit in tensors", () => {
    const nans = [0x7ff8000000000000n, 0xfff8000000000000n, 0x7ff0000000000001n, 0x7ff4000000000abcn, 0xffffffffffffffffn];
    const t = fromBits(nans, [5]);
    expect(bitsOf(t)).toEqual(nans);
    expect(bitsOf(loadParams(saveParams(t)) as Tensor)).toEqual(nans);
  });
  it("give back the same structure: records in key order, arrays, tensors of every shape, numbers as numbers", () => {
    const tree = { b: [1, { c: tensor([[1, 2, 3]]) }], a: zeros([0, 3]), s: tensor(7), "weird key": [], __proto__x: {}, n: 2 };
    const back = loadParams(saveParams(tree)) as Record<string, unknown>;
    expect(Object.keys(back)).toEqual(Object.keys(tree));
    expect(back).toEqual(tree);
    expect((back.s as Tensor).shape).toEqual([]);
    expect((back.a as Tensor).shape).toEqual([0, 3]);
    expect(typeof back.n).toBe("number");
    expectDeepFrozen(back);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
  });
  it("keep a __proto__ key as an own key, and a bare number or tensor as the root", () => {
    const tree = JSON.parse('{"__proto__": [1, 2], "k": 3}') as Record<string, unknown>;
    const back = loadParams(saveParams(tree)) as Record<string, unknown>;
    expect(Object.keys(back)).toEqual(["__proto__", "k"]);
    expect(Object.getOwnPropertyDescriptor(back, "__proto__")?.value).toEqual([1, 2]);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.is(loadParams(saveParams(-0)), -0)).toBe(true);
    expect(loadParams(saveParams(tensor([1, 2])))).toEqual(tensor([1, 2]));
  });
  it("write the documented JSON: a record, a tensor and the special numbers as strings", () => {
    expect(saveParams({ w: tensor([1.5, -0, Number.NaN], [3]), b: [Infinity, 2] })).toBe(
      '{"nabla":"params","version":1,"tree":{"record":{"w":{"tensor":{"shape":[3],"data":[1.5,"-0","NaN"]}},"b":["Infinity",2]}}}',
    );
    expect(loadParams('{"nabla":"params","version":1,"tree":[1e-320,"-Infinity",{"record":{}}]}')).toEqual([1e-320, -Infinity, {}]);
  });
  it("save the values of Reals and tensors inside a transform", () => {
    let inside = "";
    grad((p: { w: Tensor; b: Real }) => {
      inside = saveParams(p);
      return mul(p.b, sum(p.w));
    })({ w: tensor([1, 2]), b: 3 });
    expect(inside).toBe(saveParams({ w: tensor([1, 2]), b: 3 }));
  });
  it("read each getter of the tree once", () => {
    let reads = 0;
    const tree = { get w() { reads++; return [1, tensor([2])]; } };
    const text = saveParams(tree);
    expect(reads).toBe(1);
    reads = 0;
    expect(loadParams(text, tree)).toEqual({ w: [1, tensor([2])] });
    expect(reads).toBe(1);
  });
  it("change nothing they are given", () => {
    const tree = { w: [1, 2], t: tensor([3]) };
    saveParams(tree);
    expect(Object.isFrozen(tree) || Object.isFrozen(tree.w)).toBe(false);
    expect(tree.w).toEqual([1, 2]);
  });
});

describe("loadParams with like", () => {
  const like = { w: tensor([0, 0]), b: 0, layers: [{ k: tensor([[0]]) }] };
  const saved = saveParams({ b: 5, layers: [{ k: tensor([[2]]) }], w: tensor([3, 4]) });
  it("gives the tree in like's key order when the structure matches", () => {
    const back = loadParams(saved, like);
    expect(Object.keys(back)).toEqual(["w", "b", "layers"]);
    expect(back).toEqual({ w: tensor([3, 4]), b: 5, layers: [{ k: tensor([[2]]) }] });
  });
  it("is an Error naming the first path that differs", () => {
    expectThrows(() => loadParams(saved, { ...like, w: tensor([0, 0, 0]) }), Error, /^loadParams: /, "at w", "[3]", "[2]");
    expectThrows(() => loadParams(saved, { ...like, layers: [{ k: 0 }] }), Error, "layers[0].k");
    expectThrows(() => loadParams(saved, { ...like, extra: 1 }), Error, "extra", "missing");
    expectThrows(() => loadParams(saved, { w: like.w, b: 0 }), Error, "layers", "not expected");
    expectThrows(() => loadParams(saved, { ...like, b: tensor([1]) }), Error, "at b");
  });
});

describe("loadParams of malformed text", () => {
  const cases: readonly (readonly [string, string, RegExp])[] = [
    ["not JSON", "{", /not JSON/],
    ["not saved params", '{"tree": 1}', /not saved params/],
    ["another version", '{"nabla":"params","version":2,"tree":1}', /version 2/],
    ["an unknown number text", '{"nabla":"params","version":1,"tree":{"record":{"a":"nan"}}}', /at a should be a number/],
    ["the bits of a number as a NaN", '{"nabla":"params","version":1,"tree":{"tensor":{"shape":[1],"data":["NaN:3ff0000000000000"]}}}', /not the bits of a NaN/],
    ["a scalar NaN text with non-NaN bits", '{"nabla":"params","version":1,"tree":"NaN:0000000000000001"}', /should be a number/],
    ["too few numbers for the shape", '{"nabla":"params","version":1,"tree":[{"tensor":{"shape":[2,2],"data":[1,2,3]}}]}', /\[0\] has 3 numbers for shape \[2,2\]/],
    ["a bad shape", '{"nabla":"params","version":1,"tree":{"tensor":{"shape":[-1],"data":[]}}}', /shape that is not/],
    ["a node of another kind", '{"nabla":"params","version":1,"tree":{"w":1}}', /should be \{ "record"/],
    ["null", '{"nabla":"params","version":1,"tree":null}', /should be a number/],
  ];
  it.each(cases)("%s is an Error saying what is wrong", (_what, text, message) => {
    expectThrows(() => loadParams(text), Error, /^loadParams: /, message);
  });
  it("text that is not a string, or a bad tree to save, is a TypeError", () => {
    expectThrows(() => loadParams(3 as never), TypeError, /^loadParams: /);
    expectThrows(() => saveParams({ w: [1, "x"] }), TypeError, /^saveParams: .*w\[1\]/);
  });
  it("a tree nested too deeply is a RangeError naming the function, not a bare stack overflow", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    for (const run of [() => saveParams(deep), () => loadParams(`{"nabla":"params","version":1,"tree":${"[".repeat(100_000)}1${"]".repeat(100_000)}}`)]) {
      try {
        run();
      } catch (e) {
        expect((e as Error).message).toMatch(/^(saveParams|loadParams): /);
      }
    }
  });
});
