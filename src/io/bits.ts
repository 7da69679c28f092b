// Float bits for saving and loading: a float64's 64 bits (NaN payloads included) without going
// through arithmetic, little-endian bytes in and out whatever the host's byte order, and the
// narrower floats safetensors files may hold (F32, F16, BF16) widened exactly to float64.

/** Whether this host stores typed arrays little-endian (then bytes copy straight). */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const scratch = new Float64Array(1);
const scratchBits = new BigUint64Array(scratch.buffer);

/** The 64 bits of a float64. */
export function bitsOf(x: number): bigint {
  scratch[0] = x;
  return scratchBits[0];
}

/** The float64 with these 64 bits. */
export function fromBits(bits: bigint): number {
  scratchBits[0] = bits;
  return scratch[0];
}

/** `values`' bytes, little-endian, written into `out` at `at`. */
export function writeFloat64LE(values: Float64Array, out: Uint8Array, at: number): void {
  if (LITTLE_ENDIAN) {
    out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), at);
    return;
  }
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const bits = new BigUint64Array(values.buffer, values.byteOffset, values.length);
  for (let i = 0; i < values.length; i++) view.setBigUint64(at + 8 * i, bits[i], true);
}

/** `count` float64s read little-endian from `bytes` at `at` (the caller has checked the range), bit for bit. */
export function readFloat64LE(bytes: Uint8Array, at: number, count: number): Float64Array {
  const out = new Float64Array(count);
  if (LITTLE_ENDIAN) {
    new Uint8Array(out.buffer).set(bytes.subarray(at, at + 8 * count));
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bits = new BigUint64Array(out.buffer);
  for (let i = 0; i < count; i++) bits[i] = view.getBigUint64(at + 8 * i, true);
  return out;
}

/** An IEEE binary16 (sign, 5 exponent bits, 10 mantissa bits) as the float64 of the same value. */
export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24; // zero and subnormals: m·2⁻¹⁴⁻¹⁰
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : Number.NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

const single = new Float32Array(1);
const singleBits = new Uint32Array(single.buffer);

/** A bfloat16 (the top half of a float32's bits) as the float64 of the same value. */
export function bfloat16ToNumber(b: number): number {
  singleBits[0] = b << 16;
  return single[0];
}

/** Byte-wise comparison of UTF-8 encodings (Rust's ordering of Strings, which safetensors sorts names by). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}
