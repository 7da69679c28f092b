// toSafetensors / fromSafetensors against files written by the reference implementation (Python's
// safetensors 0.8.0; test/fixtures/safetensors/, see its README): nabla reads each exactly as the
// reference reads it back (expected.json), and writes the same tensors byte for byte as the reference
// did (header key order, compact JSON, space padding to 8 bytes). Also the reference's own known-answer
// bytes for an empty file, naming by tree paths, `like`, and malformed files as Errors.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fromSafetensors, Tensor, tensor, toArray, toSafetensors, zeros } from "../../../src/index.ts";
import { data } from "../../../src/tensor/tensor.ts";
import { expectDeepFrozen, expectThrows } from "../../support/approx.ts";

const fixture = (name: string): Uint8Array => readFileSync(new URL(`../../fixtures/safetensors/${name}`, import.meta.url));
type Expected = Record<string, Record<string, { shape: number[]; dtype: string; values: string[] }>>;
const expected = JSON.parse(new TextDecoder().decode(fixture("expected.json"))) as Expected;
/** expected.json writes values as strings so that NaN, ±Infinity and −0 survive JSON. */
const valueOf = (s: string): number => (s === "NaN" ? Number.NaN : s === "-0" ? -0 : Number(s));
const flat = (t: Tensor): number[] => Array.from(data(t));
const header = (bytes: Uint8Array): string => {
  const n = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
  return new TextDecoder().decode(bytes.subarray(8, 8 + n));
};

describe("fromSafetensors reads the reference's files exactly", () => {
  it.each(["f64", "f32", "f16", "bf16"])("%s.safetensors: every tensor, shape and value (Object.is: −0 and NaN too)", (name) => {
    const got = fromSafetensors(fixture(`${name}.safetensors`));
    const want = expected[name];
    expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
    for (const [key, { shape, values }] of Object.entries(want)) {
      expect(got[key].shape).toEqual(shape);
      const actual = flat(got[key]);
      expect(actual).toHaveLength(values.length);
      values.forEach((v, i) => expect(Object.is(actual[i], valueOf(v)), `${name} ${key}[${i}]: ${actual[i]} vs ${v}`).toBe(true));
    }
    expectDeepFrozen(got);
  });
  it("gives the tensors in the file's order (offset order)", () => {
    expect(Object.keys(fromSafetensors(fixture("f64.safetensors")))).toEqual(["0.b", "0.w", "empty", "hidden.b", "scalar"]);
  });
});

describe("toSafetensors writes what the reference writes", () => {
  const f64 = expected.f64;
  const t = (key: string) => tensor(f64[key].values.map(valueOf), f64[key].shape);
  it("the same bytes as f64.safetensors for the same tensors and metadata, from a tree whose paths are their names", () => {
    const tree = { hidden: { b: t("hidden.b") }, 0: { w: t("0.w"), b: t("0.b") }, scalar: Math.PI, empty: zeros([0, 4]) };
    const bytes = toSafetensors(tree, { format: "nabla-fixture", "made-by": "safetensors 0.8.0" });
    expect(bytes).toEqual(new Uint8Array(fixture("f64.safetensors")));
  });
  it("the reference's known answers for an empty file, with and without metadata (its test_empty)", () => {
    expect([...toSafetensors({})]).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    expect([...toSafetensors([], { framework: "pt" })]).toEqual([
      40, 0, 0, 0, 0, 0, 0, 0, ...new TextEncoder().encode('{"__metadata__":{"framework":"pt"}}'), 32, 32, 32, 32, 32,
    ]);
  });
  it("names leaves by their paths joined by dots, array indices included, and a number is a 0-d tensor", () => {
    const bytes = toSafetensors({ layers: [{ w: tensor([[1, 2]]) }, { b: 3 }], 0: [4] });
    expect(header(bytes).trimEnd()).toBe(
      '{"0.0":{"dtype":"F64","shape":[],"data_offsets":[0,8]},"layers.0.w":{"dtype":"F64","shape":[1,2],"data_offsets":[8,24]},' +
        '"layers.1.b":{"dtype":"F64","shape":[],"data_offsets":[24,32]}}',
    );
    expect(header(bytes).length % 8).toBe(0);
  });
  it("sorts names by their UTF-8 bytes, as Rust sorts Strings (not by UTF-16 code units)", () => {
    // U+FF61 is EF BD A1 in UTF-8 and U+1F600 is F0 9F 98 80, but in UTF-16 U+1F600 starts with D83D < FF61
    const names = Object.keys(fromSafetensors(toSafetensors({ "😀": 1, "\uFF61": 2, a: 3, B: 4 })));
    expect(names).toEqual(["B", "a", "\uFF61", "😀"]);
  });
  it("round-trips through like with the same bits: numbers as numbers, tensors with their shapes, NaN payloads kept", () => {
    const nan = new Float64Array(new BigUint64Array([0xfff8000000000000n, 0x7ff0000000000123n]).buffer);
    const tree = { a: [-0, 5e-324], t: tensor(nan, [2]), s: tensor(Infinity) };
    const back = fromSafetensors(toSafetensors(tree), tree);
    expect(Object.is(back.a[0], -0) && back.a[1] === 5e-324).toBe(true);
    const d = data(back.t);
    expect([...new BigUint64Array(d.buffer, d.byteOffset, 2)]).toEqual([0xfff8000000000000n, 0x7ff0000000000123n]);
    expect(back.s).toBeInstanceOf(Tensor);
    expect(toArray(back.s)).toBe(Infinity);
    expectDeepFrozen(back);
  });
  it("reads each getter of the tree once", () => {
    let reads = 0;
    const tree = { get w() { reads++; return tensor([1, 2]); }, b: 3 };
    const bytes = toSafetensors(tree);
    expect(reads).toBe(1);
    reads = 0;
    expect(fromSafetensors(bytes, tree).b).toBe(3);
    expect(reads).toBe(1);
  });
  it("rejects colliding names, the reserved name, metadata that is not strings and names that are not Unicode", () => {
    expectThrows(() => toSafetensors({ "a.b": 1, a: { b: 2 } }), TypeError, /^toSafetensors: the leaves at \["a.b"\] and a.b would both be named "a.b"/);
    expectThrows(() => toSafetensors({ __metadata__: 1 }), TypeError, /reserves/);
    expectThrows(() => toSafetensors({ a: 1 }, { v: 1 } as never), TypeError, /^toSafetensors: metadata\["v"\]/);
    expectThrows(() => toSafetensors({ a: 1 }, [] as never), TypeError, /^toSafetensors: metadata/);
    expectThrows(() => toSafetensors({ "\uD800": 1 }), TypeError, /not valid Unicode/);
    expectThrows(() => toSafetensors({ a: "x" } as never), TypeError, /^toSafetensors: .*\ba\b/);
  });
});

describe("fromSafetensors with like", () => {
  const like = { layers: [{ w: zeros([1, 2]) }, { b: 0 }] };
  const bytes = toSafetensors({ layers: [{ w: tensor([[1, 2]]) }, { b: 3 }] });
  it("gives like's structure", () => {
    expect(fromSafetensors(bytes, like)).toEqual({ layers: [{ w: tensor([[1, 2]]) }, { b: 3 }] });
  });
  it("is an Error naming the first path that differs, with §7's brackets", () => {
    expectThrows(() => fromSafetensors(bytes, { layers: [{ w: zeros([2, 1]) }, { b: 0 }] }), Error, /^fromSafetensors: at layers\[0\]\.w/, "[2,1]", "[1,2]");
    expectThrows(() => fromSafetensors(bytes, { layers: [{ w: 0 }, { b: 0 }] }), Error, "layers[0].w", "a number");
    expectThrows(() => fromSafetensors(bytes, { layers: [{ w: zeros([1, 2]) }, { c: 0 }] }), Error, "layers[1].c", '"layers.1.c"');
    expectThrows(() => fromSafetensors(bytes, { layers: [{ w: zeros([1, 2]) }] }), Error, 'tensor "layers.1.b" that like has no leaf for');
  });
  it("reads the reference's F32 file into a tensor leaf", () => {
    expect(toArray(fromSafetensors(fixture("f32.safetensors"), { x: zeros([2, 2]) }).x)).toEqual([[0.5, -1], [3.25, 65504]]);
  });
});

/** A file from a header text and data bytes, the header's length as given or its own. */
function file(json: string, dataBytes: number, length?: number): Uint8Array {
  const h = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + h.length + dataBytes);
  new DataView(out.buffer).setUint32(0, length ?? h.length, true);
  out.set(h, 8);
  return out;
}
const info = (dtype: string, shape: number[], b: number, e: number): string => JSON.stringify({ dtype, shape, data_offsets: [b, e] });

describe("fromSafetensors of malformed files is an Error saying what is wrong", () => {
  const cases: readonly (readonly [string, Uint8Array, RegExp])[] = [
    ["a file shorter than 8 bytes", new Uint8Array(5), /5 bytes, too short/],
    ["a header length past the end", file("{}", 0, 100), /header length 100 runs past the end of the file \(10 bytes\)/],
    ["a header length over the format's limit", file("{}", 0, 2 ** 31), /over the format's limit/],
    ["a header that is not UTF-8", (() => { const f = file('{"a":1}', 0); f[10] = 0xff; return f; })(), /not valid UTF-8/],
    ["a header that is not JSON", file("{nope}", 0), /not JSON/],
    ["a header with a byte-order mark", file("\uFEFF{}", 0), /not JSON/],
    ["a header that is an array", file("[]", 0), /should be a JSON object/],
    ["an unknown dtype", file(`{"x":${info("F128", [1], 0, 16)}}`, 16), /tensor "x" has dtype "F128", not one nabla reads/],
    ["a dtype nabla does not read", file(`{"x":${info("I64", [1], 0, 8)}}`, 8), /dtype "I64"/],
    ["a bad shape", file(`{"x":${info("F64", [-1], 0, 8)}}`, 8), /shape that is not an array of integers/],
    ["offsets of the wrong size", file(`{"x":${info("F64", [2], 0, 8)}}`, 8), /needs 16 bytes, but its data_offsets \[0, 8\] hold 8/],
    ["offsets that overrun the file", file(`{"x":${info("F64", [2], 0, 16)}}`, 8), /run past the end of the data \(8 bytes\)/],
    ["offsets that end before they begin", file(`{"x":${info("F64", [0], 8, 0)}}`, 8), /end before they begin/],
    ["overlapping tensors", file(`{"x":${info("F64", [2], 0, 16)},"y":${info("F64", [2], 8, 24)}}`, 24), /"x" and "y" overlap/],
    ["a gap between tensors", file(`{"x":${info("F64", [1], 0, 8)},"y":${info("F64", [1], 16, 24)}}`, 24), /gap: bytes \[8, 16\)/],
    ["bytes after the last tensor", file(`{"x":${info("F64", [1], 0, 8)}}`, 16), /cover 8 bytes of data, but the file has 16/],
    ["metadata that is not strings", file('{"__metadata__":{"a":1}}', 0), /__metadata__ should be/],
    ["a tensor entry that is not an object", file('{"x":3}', 0), /tensor "x" should be/],
  ];
  it.each(cases)("%s", (_what, bytes, message) => {
    expectThrows(() => fromSafetensors(bytes), Error, /^fromSafetensors: /, message);
  });
  it("never reads past the end of its bytes: a truncated file inside a larger buffer is an Error", () => {
    const whole = fixture("f64.safetensors");
    const buffer = new Uint8Array(whole.length + 16);
    buffer.set(whole, 16);
    expect(Object.keys(fromSafetensors(buffer.subarray(16)))).toHaveLength(5);
    expectThrows(() => fromSafetensors(buffer.subarray(16, 16 + whole.length - 8)), Error, /tensor "scalar" has data_offsets \[96, 104\] that run past the end of the data \(96 bytes\)/);
    expectThrows(() => fromSafetensors(buffer.subarray(16, 40)), Error, /runs past the end/);
  });
  it("takes an ArrayBuffer too, and rejects what is not bytes with a TypeError", () => {
    const bytes = toSafetensors({ a: 1 });
    expect(fromSafetensors(bytes.slice().buffer)).toEqual({ a: tensor(1) });
    expectThrows(() => fromSafetensors([1, 2] as never), TypeError, /^fromSafetensors: expects the file's bytes/);
  });
});
