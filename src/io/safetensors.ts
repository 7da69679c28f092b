// toSafetensors / fromSafetensors: a params tree as the bytes of a safetensors file (Hugging Face's
// format, which Python's safetensors.numpy.load_file reads) and back. Written as the reference
// implementation writes: F64 tensors sorted by name (byte-wise, as Rust sorts Strings), laid out in
// that order; the header `{"__metadata__":{…},"name":{"dtype":"F64","shape":[…],"data_offsets":[b,e]},…}`
// in compact JSON padded with spaces to a multiple of 8 bytes; its length as a little-endian u64 first.
import { encodeUtf8 } from "./text.ts";
import { describe } from "../base/errors.ts";
import type { Real, Value } from "../core/protocol.ts";
import { shapeOf } from "../core/value.ts";
import { formatShape, sameShape } from "../base/shape.ts";
import { data, fromData, Tensor } from "../tensor/tensor.ts";
import { primal } from "../transforms/values.ts";
import { isRecord, record } from "../tree/records.ts";
import { isTensorLeaf, type Leaf, partsOf, rebuild } from "../tree/params.ts";
import { bfloat16ToNumber, compareBytes, halfToNumber, readFloat64LE, writeFloat64LE } from "./bits.ts";
import { type Entry, malformed, readHeader } from "./header.ts";
import { deepGuard, leafNames } from "./names.ts";

const utf8 = { encode: encodeUtf8 };

/** Checks `metadata` (undefined, or a record of strings) and returns it as `"k":"v"` JSON members in its key order. */
function metadataMembers(metadata: unknown): string | undefined {
  if (metadata === undefined) return undefined;
  if (!isRecord(metadata)) throw new TypeError(`toSafetensors: metadata must be a record of strings, got ${describe(metadata)}`);
  return Object.keys(metadata).map((k) => {
    const v = metadata[k];
    if (typeof v !== "string") throw new TypeError(`toSafetensors: metadata[${JSON.stringify(k)}] must be a string, got ${describe(v)}`);
    return `${JSON.stringify(k)}:${JSON.stringify(v)}`;
  }).join(",");
}

/** Whether a string is well-formed UTF-16 (no lone surrogate), so that it has a UTF-8 encoding. */
const wellFormed = (s: string): boolean => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

/**
 * The bytes of a safetensors file holding every leaf of `tree` as an F64 tensor named by its path
 * (`{ layers: [{ w }] }` → `layers.0.w`; a number is a 0-d tensor), with `metadata` (a record of
 * strings, kept in its key order) as `__metadata__`. Two leaves whose names collide, or a name the
 * format reserves, is a TypeError.
 * @example
 * const bytes = toSafetensors({ w: tensor([1, 2]), b: 0.5 });
 * // the header's length n as a little-endian u64, the JSON header padded with spaces to a multiple of 8, the data
 * const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
 * [n, bytes.length]; // => [112, 8 + 112 + 24]
 * const header = new TextDecoder().decode(bytes.subarray(8, 8 + n));
 * header; // => `{"b":{"dtype":"F64","shape":[],"data_offsets":[0,8]},"w":{"dtype":"F64","shape":[2],"data_offsets":[8,24]}}     `
 * // the tensors sorted by name: b, then w
 * new Float64Array(bytes.slice(8 + n).buffer); // => new Float64Array([0.5, 1, 2])
 * // the metadata comes first: {"__metadata__":{"format":"pt"},"a":{…,"data_offsets":[0,8]}} is 84 bytes, padded to 88
 * toSafetensors({ a: 1 }, { format: "pt" }).length; // => 8 + 88 + 8
 */
export function toSafetensors(tree: unknown, metadata?: Readonly<Record<string, string>>): Uint8Array {
  return deepGuard("toSafetensors", () => {
    const { leaves, def } = partsOf(tree, "toSafetensors");
    const names = leafNames(def, "toSafetensors");
    const members = metadataMembers(metadata);
    const tensors = leaves.map((leaf, i) => {
      if (!wellFormed(names[i].name)) throw new TypeError(`toSafetensors: the name of the leaf at ${names[i].path} is not valid Unicode`);
      const t = isTensorLeaf(leaf) ? primal(leaf as Tensor) : undefined;
      return {
        name: names[i].name,
        key: utf8.encode(names[i].name),
        shape: t === undefined ? [] : t.shape,
        values: t === undefined ? new Float64Array([primal(leaf as Real)]) : data(t),
      };
    });
    tensors.sort((a, b) => compareBytes(a.key, b.key));
    let offset = 0;
    const parts = members === undefined ? [] : [`"__metadata__":{${members}}`];
    for (const t of tensors) {
      const end = offset + t.values.byteLength;
      parts.push(`${JSON.stringify(t.name)}:{"dtype":"F64","shape":[${t.shape.join(",")}],"data_offsets":[${offset},${end}]}`);
      offset = end;
    }
    const json = utf8.encode(`{${parts.join(",")}}`);
    const n = Math.ceil(json.length / 8) * 8;
    const out = new Uint8Array(8 + n + offset);
    const view = new DataView(out.buffer);
    view.setUint32(0, n % 2 ** 32, true);
    view.setUint32(4, Math.floor(n / 2 ** 32), true);
    out.set(json, 8);
    out.fill(0x20, 8 + json.length, 8 + n);
    let at = 8 + n;
    for (const t of tensors) {
      writeFloat64LE(t.values, out, at);
      at += t.values.byteLength;
    }
    return out;
  });
}

/** The entry's values as float64 (F64 bit for bit; F32, F16 and BF16 widened exactly). */
function valuesOf(bytes: Uint8Array, e: Entry): Float64Array {
  if (e.dtype === "F64") return readFloat64LE(bytes, e.begin, e.size);
  const view = new DataView(bytes.buffer, bytes.byteOffset + e.begin, e.end - e.begin);
  const out = new Float64Array(e.size);
  for (let i = 0; i < e.size; i++) {
    out[i] = e.dtype === "F32" ? view.getFloat32(4 * i, true) : e.dtype === "F16" ? halfToNumber(view.getUint16(2 * i, true)) : bfloat16ToNumber(view.getUint16(2 * i, true));
  }
  return out;
}

/** `bytes` as a Uint8Array over exactly its own bytes, or a TypeError. */
function asBytes(bytes: unknown): Uint8Array {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  throw new TypeError(`fromSafetensors: expects the file's bytes as a Uint8Array or an ArrayBuffer, got ${describe(bytes)}`);
}

/**
 * The tensors of a safetensors file: a frozen record from name to Tensor (F64, F32, F16 and BF16
 * read as float64), in the file's order. With `like`, the tree of like's structure instead: every
 * leaf is the tensor named by its path (`layers.0.w`), a number leaf of `like` a 0-d tensor coming
 * back as a number, a tensor leaf one of the same shape, and no tensor left over. Malformed bytes, or
 * a file that does not fit `like` (naming the first path that differs), is an Error.
 * @example
 * const bytes = toSafetensors({ layers: [{ w: tensor([[1, 2]]) }], scale: 3 });
 * fromSafetensors(bytes); // => { "layers.0.w": tensor([[1, 2]]), scale: tensor(3) }
 * fromSafetensors(bytes, { layers: [{ w: zeros([1, 2]) }], scale: 0 }); // => { layers: [{ w: tensor([[1, 2]]) }], scale: 3 }
 * fromSafetensors(bytes, { scale: 0 }); // throws Error /layers.0.w/
 * fromSafetensors(bytes.subarray(0, 10)); // throws Error
 */
export function fromSafetensors(bytes: Uint8Array | ArrayBuffer): Readonly<Record<string, Tensor>>;
export function fromSafetensors<T>(bytes: Uint8Array | ArrayBuffer, like: T): T;
export function fromSafetensors(bytes: Uint8Array | ArrayBuffer, like?: unknown): unknown {
  const b = asBytes(bytes);
  return deepGuard("fromSafetensors", () => {
    const expected = like === undefined ? undefined : partsOf(like, "fromSafetensors", "like");
    const entries = readHeader(b);
    const tensors = new Map<string, Tensor>(entries.map((e) => [e.name, fromData(valuesOf(b, e), e.shape)]));
    if (expected === undefined) return Object.freeze(record([...tensors.keys()], [...tensors.values()]));
    const names = leafNames(expected.def, "fromSafetensors");
    const leaves = expected.leaves.map((leaf: Leaf, i): Leaf => {
      const { name, path } = names[i];
      const where = path === "" ? "the root" : path;
      const t = tensors.get(name);
      if (t === undefined) throw malformed(`like has a leaf at ${where}, but the file has no tensor ${JSON.stringify(name)}`);
      tensors.delete(name);
      const want = shapeOf(leaf as Value) ?? [];
      if (!sameShape(t.shape, want)) {
        throw malformed(`at ${where}: like has ${isTensorLeaf(leaf) ? `a Tensor of shape ${formatShape(want)}` : "a number"}, but tensor ${JSON.stringify(name)} has shape ${formatShape(t.shape)}`);
      }
      return isTensorLeaf(leaf) ? t : data(t)[0];
    });
    const extra = tensors.keys().next();
    if (!extra.done) throw malformed(`the file has a tensor ${JSON.stringify(extra.value)} that like has no leaf for`);
    return rebuild(expected.def, leaves);
  });
}
