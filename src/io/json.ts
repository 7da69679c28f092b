// saveParams / loadParams: a params tree as JSON text and back, with the same structure (records,
// arrays, tensors with their shapes, numbers) and the same float64 bits. A finite number is a JSON
// number (JavaScript writes the shortest text that reads back to the same double); −0, ±Infinity and
// NaN are strings, a NaN other than the usual one with its 64 bits in hexadecimal.
//
//   {"nabla":"params","version":1,"tree":NODE}
//   NODE = number | "-0" | "Infinity" | "-Infinity" | "NaN" | "NaN:7ff4000000000000" | [NODE, …]
//        | {"record":{"key":NODE, …}} | {"tensor":{"shape":[2,3],"data":[number or string, …]}}
import { describe } from "../base/errors.ts";
import { formatShape } from "../base/shape.ts";
import { data, fromData, Tensor } from "../tensor/tensor.ts";
import { primal } from "../transforms/values.ts";
import { flattenAs } from "../tree/match.ts";
import { isRecord, record } from "../tree/records.ts";
import { formatPath, LEAF, type Key, type TreeDef } from "../tree/types.ts";
import { isTensorLeaf, type Leaf, partsOf, rebuild } from "../tree/params.ts";
import { bitsOf, fromBits } from "./bits.ts";
import { deepGuard } from "./names.ts";

const QUIET_NAN = bitsOf(Number.NaN);
const NAN_TEXT = /^NaN:([0-9a-f]{16})$/;

/** A float64 as JSON: itself when finite and not −0, else a string naming it (a NaN with its bits unless usual). */
function encodeNumber(x: number, bits: () => bigint): number | string {
  if (x === 0) return Object.is(x, -0) ? "-0" : 0;
  if (Number.isFinite(x)) return x;
  if (!Number.isNaN(x)) return x > 0 ? "Infinity" : "-Infinity";
  const b = bits();
  return b === QUIET_NAN ? "NaN" : `NaN:${b.toString(16).padStart(16, "0")}`;
}

function encodeLeaf(leaf: Leaf): unknown {
  if (!isTensorLeaf(leaf)) {
    const x = primal(leaf);
    return encodeNumber(x, () => bitsOf(x));
  }
  const t = primal(leaf as Tensor);
  const values = data(t);
  const bits = new BigUint64Array(values.buffer, values.byteOffset, values.length);
  const out = new Array<number | string>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = encodeNumber(values[i], () => bits[i]);
  return { tensor: { shape: [...t.shape], data: out } };
}

function encode(def: TreeDef, leaves: readonly Leaf[], cursor: { next: number }): unknown {
  if (def === LEAF) return encodeLeaf(leaves[cursor.next++]);
  const children = Array.from({ length: def.size }, (_, i) => encode(def.children === null ? LEAF : def.children[i], leaves, cursor));
  return def.keys === null ? children : { record: record(def.keys, children) };
}

/**
 * The params tree as JSON text: `loadParams(saveParams(tree))` is the same tree, with the same
 * structure and the same float64 bits (−0, NaN, ±Infinity and subnormals included). Inside a
 * transform, the values are saved.
 * @example
 * const text = saveParams({ w: tensor([1, -0]), b: Number.NaN });
 * text; // => '{"nabla":"params","version":1,"tree":{"record":{"w":{"tensor":{"shape":[2],"data":[1,"-0"]}},"b":"NaN"}}}'
 * saveParams([0.1, -Infinity]); // => '{"nabla":"params","version":1,"tree":[0.1,"-Infinity"]}'
 */
export function saveParams(tree: unknown): string {
  return deepGuard("saveParams", () => {
    const { leaves, def } = partsOf(tree, "saveParams");
    return JSON.stringify({ nabla: "params", version: 1, tree: encode(def, leaves, { next: 0 }) });
  });
}

/** The Error for malformed saved params, naming the path. */
const malformed = (path: readonly Key[], detail: string): Error =>
  new Error(`loadParams: ${path.length === 0 ? "the tree" : `the value at ${formatPath(path)}`} ${detail}`);

function decodeNumber(x: unknown, path: readonly Key[]): number {
  if (typeof x === "number") return x;
  if (x === "-0") return -0;
  if (x === "Infinity") return Infinity;
  if (x === "-Infinity") return -Infinity;
  if (x === "NaN") return Number.NaN;
  const m = typeof x === "string" ? NAN_TEXT.exec(x) : null;
  if (m !== null) {
    const v = fromBits(BigInt(`0x${m[1]}`));
    if (Number.isNaN(v)) return v;
  }
  throw malformed(path, `should be a number, "-0", "Infinity", "-Infinity", "NaN" or "NaN:<16 hex digits of a NaN>", but is ${describe(x)}`);
}

function decodeTensor(spec: unknown, path: readonly Key[]): Tensor {
  if (!isRecord(spec) || !Array.isArray(spec.shape) || !Array.isArray(spec.data)) {
    throw malformed(path, "should be a tensor { shape: [...], data: [...] }");
  }
  const shape = spec.shape as unknown[];
  if (!shape.every((d) => typeof d === "number" && Number.isSafeInteger(d) && d >= 0)) {
    throw malformed(path, `has a shape that is not an array of integers >= 0: ${JSON.stringify(shape)}`);
  }
  const size = (shape as number[]).reduce((p, d) => p * d, 1);
  const items = spec.data as unknown[];
  if (items.length !== size) throw malformed(path, `has ${items.length} numbers for shape ${formatShape(shape as number[])} (${size})`);
  const buffer = new Float64Array(size);
  const bits = new BigUint64Array(buffer.buffer);
  for (let i = 0; i < size; i++) {
    const item = items[i];
    const m = typeof item === "string" ? NAN_TEXT.exec(item) : null;
    // a NaN's bits go straight into the buffer, never through a JavaScript number
    if (m !== null) {
      bits[i] = BigInt(`0x${m[1]}`);
      if (!Number.isNaN(buffer[i])) throw malformed([...path, i], `"${item}" is not the bits of a NaN`);
    } else buffer[i] = decodeNumber(item, [...path, i]);
  }
  return fromData(buffer, Object.freeze([...(shape as number[])]));
}

function decode(node: unknown, path: Key[]): unknown {
  if (Array.isArray(node)) {
    return Object.freeze(node.map((child, i) => {
      path.push(i);
      const v = decode(child, path);
      path.pop();
      return v;
    }));
  }
  if (isRecord(node)) {
    const keys = Object.keys(node);
    if (keys.length === 1 && keys[0] === "tensor") return decodeTensor(node.tensor, path);
    if (keys.length === 1 && keys[0] === "record" && isRecord(node.record)) {
      const entries = node.record;
      const names = Object.keys(entries);
      return Object.freeze(record(names, names.map((k) => {
        path.push(k);
        const v = decode(entries[k], path);
        path.pop();
        return v;
      })));
    }
    throw malformed(path, `should be { "record": {...} } or { "tensor": {...} }, but has keys ${JSON.stringify(keys)}`);
  }
  return decodeNumber(node, path);
}

/**
 * The tree `saveParams` saved as `text`, deeply frozen. With `like`, the saved tree must have like's
 * structure (the same records, keys, arrays, and a number or a tensor of the same shape at every
 * leaf), and comes back in like's key order. Malformed text, or a structure that differs from
 * `like` (naming the first path that differs), is an Error.
 * @example
 * const text = saveParams({ w: [1, 2], b: -0 });
 * loadParams(text); // => { w: [1, 2], b: -0 }
 * Object.is(loadParams(text, { b: 0, w: [0, 0] }).b, -0); // => true
 * Object.keys(loadParams(text, { b: 0, w: [0, 0] })); // => ["b", "w"]
 * loadParams(text, { w: [0, 0, 0], b: 0 }); // throws Error
 * loadParams("{}"); // throws Error /not saved params/
 */
export function loadParams<T = unknown>(text: string, like?: T): T {
  if (typeof text !== "string") throw new TypeError(`loadParams: expects the JSON text saveParams made, got ${describe(text)}`);
  return deepGuard("loadParams", () => {
    const expected = like === undefined ? undefined : partsOf(like, "loadParams", "like");
    let root: unknown;
    try {
      root = JSON.parse(text);
    } catch (e) {
      throw new Error(`loadParams: the text is not JSON (${(e as Error).message})`);
    }
    if (!isRecord(root) || root.nabla !== "params" || !("tree" in root)) {
      throw new Error('loadParams: the text is not saved params (expected {"nabla":"params","version":1,"tree":...})');
    }
    if (root.version !== 1) throw new Error(`loadParams: version ${JSON.stringify(root.version)} is not one this nabla reads (1)`);
    const tree = decode(root.tree, []);
    if (expected === undefined) return tree as T;
    let leaves: readonly Leaf[];
    try {
      leaves = flattenAs(expected.def, tree, "loadParams", "the saved tree", expected.leaves) as readonly Leaf[];
    } catch (e) {
      throw new Error((e as Error).message);
    }
    return rebuild<T>(expected.def, leaves);
  });
}
