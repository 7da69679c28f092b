// Fuzzing the readers with fast-check: random bytes, random headers and mutations of valid files either
// read or fail with an Error that names fromSafetensors (never an engine error from reading outside
// the bytes); and random trees round-trip through both formats with the same bits.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromSafetensors, loadParams, saveParams, Tensor, tensor, toSafetensors } from "../../../src/index.ts";
import { data } from "../../../src/tensor/tensor.ts";

/** fromSafetensors(bytes), or the Error it threw; any other outcome fails the property. */
function read(bytes: Uint8Array): Readonly<Record<string, Tensor>> | Error {
  try {
    return fromSafetensors(bytes);
  } catch (e) {
    if (!(e instanceof Error) || !e.message.startsWith("fromSafetensors: ")) throw e;
    return e;
  }
}
/** Reading succeeded with tensors that fit in the file's data (at least 2 bytes an element), or failed as a reader's Error. */
const wellBehaved = (bytes: Uint8Array): boolean => {
  const r = read(bytes);
  if (r instanceof Error) return r.constructor === Error;
  const tensors = Object.values(r);
  return tensors.every((t) => t instanceof Tensor) && tensors.reduce((s, t) => s + 2 * t.size, 0) <= bytes.length - 8;
};

const leaf = fc.oneof(
  fc.double(),
  fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }).chain((shape) =>
    fc.array(fc.double(), { minLength: shape.reduce((p, d) => p * d, 1), maxLength: shape.reduce((p, d) => p * d, 1) }).map((xs) => tensor(xs, shape)),
  ),
);
const key = fc.oneof(fc.constantFrom("w", "b", "layers", "__proto__", "é", "😀", "\uFF61", "0"), fc.string({ maxLength: 4 }));
const { tree } = fc.letrec<{ tree: unknown }>((t) => ({
  tree: fc.oneof(
    { depthSize: "small" },
    leaf,
    fc.array(t("tree"), { maxLength: 3 }),
    fc.dictionary(key, t("tree"), { maxKeys: 3 }),
  ),
}));

/** Two trees are the same: containers, keys in order, numbers as numbers and tensors as tensors, the same bits. */
function same(a: unknown, b: unknown): boolean {
  if (typeof a === "number") return typeof b === "number" && Object.is(a, b);
  if (a instanceof Tensor) {
    if (!(b instanceof Tensor) || a.shape.join() !== b.shape.join()) return false;
    const [x, y] = [data(a), data(b)];
    const [bx, by] = [new BigUint64Array(x.buffer, x.byteOffset, x.length), new BigUint64Array(y.buffer, y.byteOffset, y.length)];
    return bx.every((v, i) => v === by[i]);
  }
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => same(v, b[i]));
  const [ka, kb] = [Object.keys(a as object), Object.keys(b as object)];
  return ka.join("\u0000") === kb.join("\u0000") && ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** toSafetensors(t), or undefined when two of t's leaves would share a name (a TypeError, tested elsewhere). */
function write(t: unknown): Uint8Array | undefined {
  try {
    return toSafetensors(t);
  } catch (e) {
    if (e instanceof TypeError && /would both be named|reserves|not valid Unicode/.test(e.message)) return undefined;
    throw e;
  }
}

describe("fuzzing fromSafetensors", () => {
  it("random byte strings are read or rejected with the reader's Error", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), wellBehaved), { numRuns: 500 });
  });
  it("random headers (any dtypes, shapes and offsets) over random data are read or rejected, and what is read tiles the data", () => {
    const entry = fc.record({
      dtype: fc.constantFrom("F64", "F32", "F16", "BF16", "I8", "f64", ""),
      shape: fc.array(fc.integer({ min: -1, max: 4 }), { maxLength: 3 }),
      data_offsets: fc.array(fc.integer({ min: -1, max: 80 }), { maxLength: 3 }),
    });
    const sizes: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2 };
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 3 }), entry, { maxKeys: 4 }), fc.nat(80), (header, dataBytes) => {
        const h = new TextEncoder().encode(JSON.stringify(header));
        const bytes = new Uint8Array(8 + h.length + dataBytes);
        new DataView(bytes.buffer).setUint32(0, h.length, true);
        bytes.set(h, 8);
        if (!wellBehaved(bytes)) return false;
        const r = read(bytes);
        if (r instanceof Error) return true;
        // every byte of data belongs to exactly one tensor of the header
        const used = Object.keys(r).reduce((s, k) => s + r[k].size * sizes[header[k].dtype], 0);
        return used === dataBytes;
      }),
      { numRuns: 500 },
    );
  });
  it("mutations of valid files (bytes changed, cut, inserted; the header length changed) are read or rejected", () => {
    const mutation = fc.oneof(
      fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }).map(({ at, byte }) => (b: Uint8Array) => {
        const c = b.slice();
        if (c.length > 0) c[at % c.length] = byte;
        return c;
      }),
      fc.nat().map((n) => (b: Uint8Array) => b.slice(0, n % (b.length + 1))),
      fc.record({ at: fc.nat(), extra: fc.uint8Array({ minLength: 1, maxLength: 9 }) }).map(({ at, extra }) => (b: Uint8Array) => {
        const i = at % (b.length + 1);
        return new Uint8Array([...b.subarray(0, i), ...extra, ...b.subarray(i)]);
      }),
      fc.integer({ min: -16, max: 16 }).map((d) => (b: Uint8Array) => {
        const c = b.slice();
        if (c.length < 8) return c;
        const v = new DataView(c.buffer);
        v.setUint32(0, Math.max(0, v.getUint32(0, true) + d), true);
        return c;
      }),
    );
    fc.assert(
      fc.property(tree, fc.array(mutation, { minLength: 1, maxLength: 3 }), (t, mutations) => {
        const bytes = write(t);
        fc.pre(bytes !== undefined);
        return wellBehaved(mutations.reduce((b, m) => m(b), bytes as Uint8Array));
      }),
      { numRuns: 300 },
    );
  });
});

describe("round trips of random trees", () => {
  it("loadParams(saveParams(t)) is t: the same structure and bits", () => {
    fc.assert(fc.property(tree, (t) => same(loadParams(saveParams(t)), t)), { numRuns: 300 });
  });
  it("fromSafetensors(toSafetensors(t), t) is t, and every header is padded to a multiple of 8 bytes", () => {
    fc.assert(
      fc.property(tree, (t) => {
        const bytes = write(t);
        fc.pre(bytes !== undefined);
        const b = bytes as Uint8Array;
        return new DataView(b.buffer).getUint32(0, true) % 8 === 0 && same(fromSafetensors(b, t), t);
      }),
      { numRuns: 300 },
    );
  });
});
