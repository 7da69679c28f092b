// The numeric backend's contract: every loop over tensor data, on plain Float64Array buffers with
// their shapes. It knows no Tensor and no tracer, so a backend (js/ first) is one object implementing it.
import type { Shape } from "../base/shape.ts";
import type { Window2d } from "../base/window.ts";
import type { Expr } from "./expr.ts";

/**
 * The kernels. Each returns a fresh buffer from memory.ts that it has filled (slice may return a view
 * of its input instead: data is immutable). Axes are already normalized and arguments validated;
 * each reduction sums in index order, so every backend gives the same numbers.
 */
export interface Kernels {
  /**
   * C[n×m] = op(A)·op(B), where op(A) is n×k (A stored k×n when transA) and op(B) is k×m (B stored
   * m×k when transB); all row-major.
   */
  matmul(a: Float64Array, b: Float64Array, n: number, k: number, m: number, transA: boolean, transB: boolean): Float64Array;
  /**
   * `count` products op(A_i)·op(B_i), stacked into [count, n, m]: A_i is the i-th n×k block of `a`
   * when `stackedA` (else `a` itself, shared by every product), likewise B_i.
   */
  matmulStack(
    a: Float64Array, b: Float64Array, count: number, stackedA: boolean, stackedB: boolean,
    n: number, k: number, m: number, transA: boolean, transB: boolean,
  ): Float64Array;
  /**
   * The fused expression at every index i < n: written into `out` (and 0 returned), or, with `out`
   * undefined, summed (Σ in index order) and returned.
   */
  run(expr: Expr, n: number, out: Float64Array | undefined): number;
  /** `x` (of `shape`) written out repeated to `to`, which it broadcasts to. */
  broadcast(x: Float64Array, shape: Shape, to: Shape): Float64Array;
  /** `x` (of `shape`) summed down to `target`, which broadcasts to `shape` (the reverse of broadcast). */
  sumTo(x: Float64Array, shape: Shape, target: Shape): Float64Array;
  /** Σ along `axis`, which is removed. */
  sumAxis(x: Float64Array, shape: Shape, axis: number): Float64Array;
  /** Axes permuted: output axis k is input axis perm[k]. */
  transpose(x: Float64Array, shape: Shape, perm: readonly number[]): Float64Array;
  /** Elements begin … end−1 along `axis` (in range). */
  slice(x: Float64Array, shape: Shape, begin: number, end: number, axis: number): Float64Array;
  /** `x` placed at `begin` along `axis` of zeros whose extent there is `len` (slice's reverse). */
  pad(x: Float64Array, shape: Shape, begin: number, len: number, axis: number): Float64Array;
  /** Arrays joined along `axis`; their shapes agree on every other axis. */
  concat(xs: readonly Float64Array[], shapes: readonly Shape[], axis: number): Float64Array;
  /** exp(x − max) / Σ exp(x − max) along `axis`; same shape as `x`. */
  softmax(x: Float64Array, shape: Shape, axis: number): Float64Array;
  /** log Σ exp along `axis` (removed), or of every element (null: one element); ±∞ and NaN pass through. */
  logSumExp(x: Float64Array, shape: Shape, axis: number | null): Float64Array;
  /**
   * Flat indices of the largest element (the first of equals): one per position of the other axes
   * along `axis`, in row-major order, or (undefined) one index into the flattened array.
   */
  argmax(x: Float64Array, shape: Shape, axis: number | undefined): number[];
  /** Rows `indices` (in range) along `axis`: the shape before the axis, one row per index, the shape after. */
  take(x: Float64Array, shape: Shape, indices: Int32Array, axis: number): Float64Array;
  /**
   * take's transpose: `ct` (before the axis, one row per index, after) added into zeros of `shape` at
   * the rows of `axis` the indices name; repeated indices accumulate.
   */
  scatterAdd(ct: Float64Array, shape: Shape, indices: Int32Array, axis: number): Float64Array;
  /** The largest (sign 1) or smallest (sign −1) element along `axis` (removed), or of everything (null: one element); NaN wins. */
  extremum(x: Float64Array, shape: Shape, axis: number | null, sign: 1 | -1): Float64Array;

  // 2-D convolution over `n` NHWC images x [n, inH, inW, inC] with an HWIO kernel w [kh, kw, inC, outC],
  // giving y [n, outH, outW, outC] (the geometry `g`), and its two transposes. `stack` runs `count`
  // of them on consecutive blocks of each operand marked stacked (a shared operand serves them all).
  /** y = x ⋆ w. */
  conv2d(x: Float64Array, w: Float64Array, n: number, g: Window2d, stack: Stack): Float64Array;
  /** x̄[n, inH, inW, inC]: the transpose in x, Σ over the windows of ȳ·w (operands ȳ, w). */
  conv2dInput(y: Float64Array, w: Float64Array, n: number, g: Window2d, stack: Stack): Float64Array;
  /** w̄[kh, kw, inC, outC]: the transpose in w, Σ over the images and windows of x·ȳ (operands x, ȳ). */
  conv2dFilter(x: Float64Array, y: Float64Array, n: number, g: Window2d, stack: Stack): Float64Array;

  // Pooling of `n` NHWC images over windows of the geometry `g` (its outC = inC, dilation 1; every
  // window holds at least one element of the image). A max window's chosen element is its first
  // largest one in row-major window order (NaN wins).
  /** The largest element of each window, [n, outH, outW, inC]. */
  maxPool(x: Float64Array, n: number, g: Window2d): Float64Array;
  /** `t` (shaped like x) read at the element each window of `x` chooses. */
  maxPoolGather(x: Float64Array, t: Float64Array, n: number, g: Window2d): Float64Array;
  /** The transpose of maxPoolGather: `ct` (shaped like the result) added at the chosen elements of zeros shaped like x. */
  maxPoolScatter(x: Float64Array, ct: Float64Array, n: number, g: Window2d): Float64Array;
  /** The mean of the elements of each window inside the image (padding is not counted). */
  avgPool(x: Float64Array, n: number, g: Window2d): Float64Array;
  /** The transpose of avgPool: each result element's share added back over its window, shaped like x. */
  avgPoolTranspose(ct: Float64Array, n: number, g: Window2d): Float64Array;
}

/** `count` operations on stacked operands: block i of an operand marked stacked, or all of a shared one. */
export interface Stack {
  readonly count: number;
  readonly a: boolean;
  readonly b: boolean;
}

/** One operation, nothing stacked. */
export const single: Stack = Object.freeze({ count: 1, a: false, b: false });
