// Reading a safetensors header (Hugging Face's format: an 8-byte little-endian length N, N bytes of
// UTF-8 JSON, then the data), checked as the reference implementation checks it: the header is a JSON
// object; each tensor names a dtype, a shape and [begin, end) offsets that hold exactly its bytes; the
// tensors, in offset order, tile the data section from 0 to its end with no gap and no overlap.
// Every problem is an Error saying what is wrong; nothing is read outside the given bytes.
import { decodeUtf8 } from "./text.ts";
import { formatShape } from "../base/shape.ts";
import { describe } from "../base/errors.ts";
import { isRecord } from "../tree/records.ts";

/** The dtypes nabla reads, with their sizes in bytes. */
export const DTYPE_SIZES: Readonly<Record<string, number>> = Object.freeze({ F64: 8, F32: 4, F16: 2, BF16: 2 });
/** The reference implementation's limit on the header's length. */
const MAX_HEADER = 100_000_000;

/** One tensor of the file: where its bytes are, counted from the start of the file. */
export interface Entry {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly size: number;
  readonly begin: number;
  readonly end: number;
}

/** The Error for a malformed file. */
export const malformed = (detail: string): Error => new Error(`fromSafetensors: ${detail}`);

const isCount = (x: unknown): x is number => typeof x === "number" && Number.isSafeInteger(x) && x >= 0;

/** The tensor described by `info` under `name`, checked, with offsets relative to the data section. */
function entry(name: string, info: unknown, dataLength: number): Omit<Entry, "begin" | "end"> & { begin: number; end: number } {
  const at = `tensor ${JSON.stringify(name)}`;
  if (!isRecord(info)) throw malformed(`${at} should be { dtype, shape, data_offsets }, but is ${describe(info)}`);
  const { dtype, shape, data_offsets: offsets } = info;
  if (typeof dtype !== "string") throw malformed(`${at} has no dtype string (got ${describe(dtype)})`);
  const width = Object.hasOwn(DTYPE_SIZES, dtype) ? DTYPE_SIZES[dtype] : undefined;
  if (width === undefined) throw malformed(`${at} has dtype ${JSON.stringify(dtype)}, not one nabla reads (F64, F32, F16, BF16)`);
  if (!Array.isArray(shape) || !shape.every(isCount)) throw malformed(`${at} has a shape that is not an array of integers >= 0: ${JSON.stringify(shape) ?? describe(shape)}`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    throw malformed(`${at} has data_offsets that are not two integers >= 0: ${JSON.stringify(offsets) ?? describe(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) throw malformed(`${at} has data_offsets [${begin}, ${end}] that end before they begin`);
  if (end > dataLength) throw malformed(`${at} has data_offsets [${begin}, ${end}] that run past the end of the data (${dataLength} bytes)`);
  let size = 1;
  for (const d of shape as number[]) size *= d;
  if (!Number.isSafeInteger(size * width)) throw malformed(`${at} has a shape ${formatShape(shape as number[])} too large to hold`);
  if (size * width !== end - begin) {
    throw malformed(`${at} of shape ${formatShape(shape as number[])} and dtype ${dtype} needs ${size * width} bytes, but its data_offsets [${begin}, ${end}] hold ${end - begin}`);
  }
  return { name, dtype, shape: Object.freeze([...(shape as number[])]), size, begin, end };
}

/** The tensors of a safetensors file, in offset order, with absolute offsets; or an Error saying what is wrong. */
export function readHeader(bytes: Uint8Array): readonly Entry[] {
  if (bytes.length < 8) throw malformed(`the file is ${bytes.length} bytes, too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const low = view.getUint32(0, true);
  const high = view.getUint32(4, true);
  const n = high * 2 ** 32 + low;
  if (n > MAX_HEADER) throw malformed(`the header length ${high >= 2 ** 21 ? `${high}·2^32 + ${low}` : n} is over the format's limit of ${MAX_HEADER} bytes`);
  if (n > bytes.length - 8) throw malformed(`the header length ${n} runs past the end of the file (${bytes.length} bytes)`);
  let text: string;
  try {
    text = decodeUtf8(bytes.subarray(8, 8 + n));
  } catch {
    throw malformed("the header is not valid UTF-8");
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw malformed(`the header is not JSON (${(e as Error).message})`);
  }
  if (!isRecord(header)) throw malformed(`the header should be a JSON object, but is ${describe(header)}`);
  const start = 8 + n;
  const dataLength = bytes.length - start;
  const entries: { name: string; dtype: string; shape: readonly number[]; size: number; begin: number; end: number }[] = [];
  for (const name of Object.keys(header)) {
    const info = header[name];
    if (name === "__metadata__") {
      if (!isRecord(info) || !Object.values(info).every((v) => typeof v === "string")) {
        throw malformed("__metadata__ should be a JSON object of strings");
      }
    } else entries.push(entry(name, info, dataLength));
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let last = "";
  for (const e of entries) {
    if (e.begin < covered) throw malformed(`tensors ${JSON.stringify(last)} and ${JSON.stringify(e.name)} overlap (the second begins at ${e.begin}, before ${covered})`);
    if (e.begin > covered) throw malformed(`the data has a gap: bytes [${covered}, ${e.begin}) belong to no tensor (before ${JSON.stringify(e.name)})`);
    covered = e.end;
    last = e.name;
  }
  if (covered !== dataLength) throw malformed(`the tensors cover ${covered} bytes of data, but the file has ${dataLength} after the header`);
  return entries.map((e) => Object.freeze({ ...e, begin: start + e.begin, end: start + e.end }));
}
