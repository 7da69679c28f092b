// `npx tsx bench/wasm-copies.ts`: what a wasm kernel's copies at its edges cost, against the JS loop it
// would replace: an elementwise a + b and a column sum (sumAxis over the rows) at several sizes, each
// as the JS kernel (fused loop, sumAxis), as wasm f64x2 with its copies in and out, and as the copies alone (medians, alternated).
import type { ElementOp, Expr } from "../src/backend/expr.ts";
import { js } from "../src/backend/js/index.ts";
import { Body } from "../src/backend/wasm/emit.ts";
import { hostWasm, instantiate } from "../src/backend/wasm/platform.ts";

const PAGES = 64; // 4 MiB: three arrays of up to 170k doubles
const add = new Body(["i32", "i32", "i32", "i32"]); // (a, b, c, bytes): c = a + b, two lanes at a time
{
  const i = add.local("i32");
  add.doWhile(i, 16, 3, () => {
    add.get(2).get(i).i32Add();
    add.get(0).get(i).i32Add().v128Load().get(1).get(i).i32Add().v128Load().f64x2Add();
    add.v128Store();
  });
}
const colsum = new Body(["i32", "i32", "i32", "i32"]); // (x, out, rows, rowBytes): out[j] = Σ_i x[i][j] in i order
{
  const [x, out, rows, rowBytes] = [0, 1, 2, 3];
  const j = colsum.local("i32"), r = colsum.local("i32"), at = colsum.local("i32"), s = colsum.local("v128");
  colsum.doWhile(j, 16, rowBytes, () => {
    colsum.zero().set(s).i32(0).set(r).get(x).get(j).i32Add().set(at);
    colsum.doWhile(r, 1, rows, () => { colsum.get(s).get(at).v128Load().f64x2Add().set(s).get(at).get(rowBytes).i32Add().set(at); });
    colsum.get(out).get(j).i32Add().get(s).v128Store();
  });
}
const inst = instantiate(hostWasm(), [{ name: "add", body: add }, { name: "colsum", body: colsum }], PAGES);
if (inst === undefined) throw new Error("no WebAssembly SIMD here");
const heap = new Float64Array(inst.memory.buffer);
const wAdd = inst.exports.add as (a: number, b: number, c: number, n: number) => void;
const wSum = inst.exports.colsum as (x: number, o: number, rows: number, rowBytes: number) => void;

const median = (f: () => void, reps: number): number => {
  const t: number[] = [];
  for (let s = 0; s < 9; s++) { const t0 = performance.now(); for (let r = 0; r < reps; r++) f(); t.push((performance.now() - t0) / reps); }
  return t.sort((p, q) => p - q)[4]! * 1000;
};
console.log("| op | n | js µs | wasm+copies µs | copies alone µs |\n| --- | ---: | ---: | ---: | ---: |");
for (const n of [1_000, 10_000, 100_000]) {
  const a = Float64Array.from({ length: n }, (_, i) => Math.sin(i)), b = Float64Array.from({ length: n }, (_, i) => Math.cos(i));
  const c = new Float64Array(n);
  const reps = Math.max(1, Math.round(2e6 / n));
  const plus: ElementOp = { name: "add", arity: 2, value: (x, y) => x + y, code: (x, y) => `${x} + ${y}` };
  const expr: Expr = { kind: "op", op: plus, args: [{ kind: "leaf", data: a, access: "full" }, { kind: "leaf", data: b, access: "full" }], size: 3 };
  const jsAdd = () => js.run(expr, n, c);
  const wasm = () => { heap.set(a, 0); heap.set(b, n); wAdd(0, n * 8, 2 * n * 8, n * 8); c.set(heap.subarray(2 * n, 3 * n)); };
  const copies = () => { heap.set(a, 0); heap.set(b, n); c.set(heap.subarray(2 * n, 3 * n)); };
  const r = [0, 0, 0].map(() => [median(jsAdd, reps), median(wasm, reps), median(copies, reps)]).sort((p, q) => p[0]! - q[0]!)[1]!;
  console.log(`| a + b | ${n} | ${r[0]!.toFixed(2)} | ${r[1]!.toFixed(2)} | ${r[2]!.toFixed(2)} |`);
  // column sums of a [n/10 × 10] and a [n/100 × 100]
  for (const cols of [10, 100]) {
    const rows = n / cols, out = new Float64Array(cols);
    const jsSum = () => js.sumAxis(a, [rows, cols], 0);
    const wasmSum = () => { heap.set(a, 0); wSum(0, n * 8, rows, cols * 8); out.set(heap.subarray(n, n + cols)); };
    const s = [0, 0, 0].map(() => [median(jsSum, reps), median(wasmSum, reps), median(() => heap.set(a, 0), reps)]).sort((p, q) => p[0]! - q[0]!)[1]!;
    console.log(`| column sums [${rows}×${cols}] | ${n} | ${s[0]!.toFixed(2)} | ${s[1]!.toFixed(2)} | ${s[2]!.toFixed(2)} |`);
  }
}
