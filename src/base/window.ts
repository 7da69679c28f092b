// The geometry of a 2-D sliding window over NHWC images (convolution and pooling): how the options
// `stride`, `dilation` and `padding` ("valid", "same" or explicit) become output extents and the
// padding before the first row and column. Plain numbers only, shared by the kernels and the rules.
import { describe } from "./errors.ts";

/**
 * A window sliding over `inH × inW` images of `inC` channels, giving `outH × outW` positions of
 * `outC` channels (for pooling `outC = inC`). Output position (oy, ox) with window offset (ky, kx)
 * reads input row `oy·strideH − padTop + ky·dilationH` and column `ox·strideW − padLeft + kx·dilationW`;
 * rows and columns outside the input are padding.
 */
export interface Window2d {
  readonly inH: number;
  readonly inW: number;
  readonly inC: number;
  readonly outH: number;
  readonly outW: number;
  readonly outC: number;
  readonly kh: number;
  readonly kw: number;
  readonly strideH: number;
  readonly strideW: number;
  readonly dilationH: number;
  readonly dilationW: number;
  readonly padTop: number;
  readonly padLeft: number;
}

/** A number for both spatial axes, or `[h, w]`. */
export type Pair = number | readonly [number, number];

/** "valid" (no padding), "same" (TensorFlow's: output ⌈size/stride⌉) or `[[top, bottom], [left, right]]`. */
export type Padding = "valid" | "same" | readonly [readonly [number, number], readonly [number, number]];

/** A pair of integers ≥ `min` from a number or `[h, w]`, or a RangeError naming the op and the option. */
export function pairOf(value: unknown, op: string, what: string, min = 1): readonly [number, number] {
  const ok = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= min;
  if (ok(value)) return [value, value];
  if (Array.isArray(value) && value.length === 2 && ok(value[0]) && ok(value[1])) return [value[0], value[1]];
  const shown = Array.isArray(value) ? `[${value.map(String).join(", ")}]` : typeof value === "number" ? String(value) : describe(value);
  throw new RangeError(`${op}: ${what} must be an integer ≥ ${min} or a pair [h, w] of them, got ${shown}`);
}

/** The padding option checked: a keyword, or four integers ≥ 0 as `[[top, bottom], [left, right]]`. */
export function paddingOf(value: unknown, op: string): Padding {
  if (value === "valid" || value === "same") return value;
  const side = (s: unknown): s is readonly [number, number] =>
    Array.isArray(s) && s.length === 2 && s.every((v) => typeof v === "number" && Number.isInteger(v) && v >= 0);
  if (Array.isArray(value) && value.length === 2 && side(value[0]) && side(value[1])) {
    return [[value[0][0], value[0][1]], [value[1][0], value[1][1]]];
  }
  const shown = typeof value === "string" ? JSON.stringify(value) : Array.isArray(value) ? JSON.stringify(value) : describe(value);
  throw new RangeError(`${op}: padding must be "valid", "same" or [[top, bottom], [left, right]] of integers ≥ 0, got ${shown}`);
}

/** One spatial axis: output extent and the padding before it; null when the window does not fit. */
function axis(size: number, k: number, stride: number, dilation: number, padding: Padding, which: 0 | 1): readonly [number, number] | null {
  const span = (k - 1) * dilation + 1;
  if (padding === "same") {
    // TensorFlow: ⌈size/stride⌉ positions; the total padding split with the odd one after (bottom/right)
    const out = Math.ceil(size / stride);
    const total = Math.max((out - 1) * stride + span - size, 0);
    return [out, Math.floor(total / 2)];
  }
  const [before, after] = padding === "valid" ? [0, 0] : padding[which];
  const room = size + before + after - span;
  return room < 0 ? null : [Math.floor(room / stride) + 1, before];
}

/** The window's options, already checked. */
export interface WindowOptions {
  readonly stride: readonly [number, number];
  readonly dilation: readonly [number, number];
  readonly padding: Padding;
}

/**
 * The geometry of a `kh × kw` window over `[inH, inW]` images, or a RangeError from `fail` (given
 * which axis) when the dilated window is larger than the padded input.
 */
export function windowOf(
  inH: number, inW: number, inC: number, outC: number, kh: number, kw: number, o: WindowOptions, fail: (detail: string) => RangeError,
): Window2d {
  const rows = axis(inH, kh, o.stride[0], o.dilation[0], o.padding, 0);
  const cols = axis(inW, kw, o.stride[1], o.dilation[1], o.padding, 1);
  if (rows === null || cols === null) {
    const spanH = (kh - 1) * o.dilation[0] + 1;
    const spanW = (kw - 1) * o.dilation[1] + 1;
    const padText = o.padding === "valid" ? "without padding" : `padded by ${JSON.stringify(o.padding)}`;
    throw fail(`the window ${spanH}×${spanW} does not fit the ${inH}×${inW} image ${padText}`);
  }
  return Object.freeze({
    inH, inW, inC, outC, kh, kw,
    outH: rows[0], outW: cols[0],
    strideH: o.stride[0], strideW: o.stride[1],
    dilationH: o.dilation[0], dilationW: o.dilation[1],
    padTop: rows[1], padLeft: cols[1],
  });
}

/** Options read from an options argument: undefined means the defaults; null or a non-object is a TypeError. */
export function optionsRecord(options: unknown, op: string): Readonly<Record<string, unknown>> {
  if (options === undefined) return {};
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError(`${op}: options must be a record, got ${describe(options)}`);
  }
  return options as Readonly<Record<string, unknown>>;
}
