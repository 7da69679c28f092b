// Sums down the rows of a block (sumAxis over any axis but the last, sumTo's bias gradients) in wasm:
// two columns per f64x2 lane pair, each summed in row order from +0 as the JS kernel does.
import { sizeOf, type Shape } from "../../base/shape.ts";
import { trailing } from "../js/layout.ts";
import type { Kernels } from "../kernels.ts";
import { allocateUninitialized } from "../memory.ts";
import { Body, type Func } from "./emit.ts";
import type { Instance } from "./platform.ts";

/**
 * colsum(x, out, rows, cols, first): out[j] = (first ? +0 : out[j]) + x[0][j] + … + x[rows−1][j], left
 * to right, for j < cols, where x is rows × cols doubles; byte addresses; rows ≥ 1.
 */
export function colsumKernel(): Func {
  const body = new Body(["i32", "i32", "i32", "i32", "i32"]);
  const [x, out, rows, cols, first] = [0, 1, 2, 3, 4];
  const rowBytes = body.local("i32");
  const pairEnd = body.local("i32");
  const j = body.local("i32");
  const r = body.local("i32");
  const at = body.local("i32");
  const s = body.local("v128");
  const t = body.local("f64");
  body.get(cols).i32(8).i32Mul().set(rowBytes);
  // pairEnd = (cols >> 1) · 16 bytes: the columns the f64x2 loop covers
  body.get(cols).i32(1).i32ShrU().i32(16).i32Mul().set(pairEnd);
  body.get(pairEnd).i32Eqz().i32Eqz().ifElse(() => {
    body.doWhile(j, 16, pairEnd, () => {
      body.zero().set(s);
      body.get(first).i32Eqz().ifElse(() => body.get(out).get(j).i32Add().v128Load().set(s));
      body.get(x).get(j).i32Add().set(at).i32(0).set(r);
      body.doWhile(r, 1, rows, () => body.get(s).get(at).v128Load().f64x2Add().set(s).get(at).get(rowBytes).i32Add().set(at));
      body.get(out).get(j).i32Add().get(s).v128Store();
    });
  });
  // an odd last column, one lane
  body.get(cols).i32(1).i32And().ifElse(() => {
    body.f64Zero().set(t);
    body.get(first).i32Eqz().ifElse(() => body.get(out).get(pairEnd).i32Add().f64Load().set(t));
    body.get(x).get(pairEnd).i32Add().set(at).i32(0).set(r);
    body.doWhile(r, 1, rows, () => body.get(t).get(at).f64Load().f64Add().set(t).get(at).get(rowBytes).i32Add().set(at));
    body.get(out).get(pairEnd).i32Add().get(t).f64Store();
  });
  return { name: "colsum", body };
}

/** Below this many elements per summed block, the JS loop is as fast as a call and two copies. */
const SMALL = 128;

/** sumAxis and sumTo on a module's colsum, through the JS kernels where a block is small or not a column sum. */
export function wasmSums(instance: Instance, js: Pick<Kernels, "sumAxis" | "sumTo">, pages: number): Pick<Kernels, "sumAxis" | "sumTo"> {
  const colsum = instance.exports.colsum as (x: number, out: number, rows: number, cols: number, first: number) => void;
  let heap = new Float64Array(instance.memory.buffer);
  /** Doubles of the out block, at 0, and of the x block after it (the whole memory: kernels never overlap). */
  const J = 4096;
  const CAP = (pages * 65536) / 8 - J;

  /** out[oo + j] = Σ_k x[xo + k·inner + j] for j < inner, k < len; blocks of columns and of rows bound the memory. */
  function columns(x: Float64Array, xo: number, len: number, inner: number, out: Float64Array, oo: number): void {
    if (heap.buffer !== instance.memory.buffer) heap = new Float64Array(instance.memory.buffer);
    for (let j0 = 0; j0 < inner; j0 += J) {
      const cols = Math.min(J, inner - j0);
      const block = Math.floor(CAP / cols);
      for (let k0 = 0; k0 < len; k0 += block) {
        const rows = Math.min(block, len - k0);
        if (cols === inner) heap.set(x.subarray(xo + k0 * inner, xo + (k0 + rows) * inner), J);
        else for (let r = 0; r < rows; r++) heap.set(x.subarray(xo + (k0 + r) * inner + j0, xo + (k0 + r) * inner + j0 + cols), J + r * cols);
        colsum(J * 8, 0, rows, cols, k0 === 0 ? 1 : 0);
      }
      out.set(heap.subarray(0, cols), oo + j0);
    }
  }

  return {
    sumAxis(x: Float64Array, shape: Shape, axis: number): Float64Array {
      const len = shape[axis]!;
      const inner = sizeOf(shape.slice(axis + 1));
      if (inner < 2 || len < 2 || len * inner < SMALL) return js.sumAxis(x, shape, axis);
      const outer = sizeOf(shape.slice(0, axis));
      const out = allocateUninitialized(outer * inner);
      for (let o = 0; o < outer; o++) columns(x, o * len * inner, len, inner, out, o * inner);
      return out;
    },
    sumTo(x: Float64Array, shape: Shape, target: Shape): Float64Array {
      const n = sizeOf(target);
      if (n < 2 || n === x.length || x.length < SMALL || !trailing(shape, target)) return js.sumTo(x, shape, target);
      const out = allocateUninitialized(n);
      columns(x, 0, x.length / n, n, out, 0);
      return out;
    },
  };
}
