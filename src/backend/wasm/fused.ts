// Fused elementwise arithmetic (Kernels.run writing every element) as f64x2 wasm, one small module per
// expression structure; anything else — transcendentals, broadcast rows, shifts, sums — stays on JS.
import type { Expr } from "../expr.ts";
import type { Kernels } from "../kernels.ts";
import { Body, type Func } from "./emit.ts";
import { instantiate, type WasmApi, type WasmMemory } from "./platform.ts";

/**
 * The ops wasm computes with the same bits as their JavaScript code (IEEE arithmetic, exact sqrt, and
 * min/max that propagate NaN and order −0 below +0 as Math.min/max do), found by that code: an op is
 * compiled only if it writes exactly this text.
 */
const SIMD: Readonly<Record<string, readonly [string, number]>> = {
  "(a + b)": ["add", 0xf0], "(a - b)": ["sub", 0xf1], "(a * b)": ["mul", 0xf2], "(a / b)": ["div", 0xf3],
  "Math.min(a, b)": ["min", 0xf4], "Math.max(a, b)": ["max", 0xf5],
  "(-a)": ["neg", 0xed], "Math.sqrt(a)": ["sqrt", 0xef], "Math.abs(a)": ["abs", 0xec],
  "(a * a)": ["square", -1], "Math.max(a, 0)": ["relu", -2], "(a + 0)": ["unsigned", -3],
};

/** Below this many elements the JS loop is as fast as the copies and a call. */
const SMALL = 2048;
/** Compiled structures kept (a program has a handful; past this the cache starts again). */
const MAX_MODULES = 256;

/** One expression's inputs in order of first use: its full arrays and its single values (scalar leaves, constants). */
interface Plan {
  key: string;
  readonly arrays: Float64Array[];
  readonly scalars: number[];
  /** The function's body, written only when its structure is new (the walk alone is cheap). */
  readonly build: () => Body;
}

/**
 * The plan of `expr` and the body of its function f(n, in, out) (byte counts and addresses: the arrays
 * at `in` one after another, n bytes each, then the scalars; out n bytes); undefined if wasm cannot compute it.
 */
function plan(expr: Expr): Plan | undefined {
  const body = new Body(["i32", "i32", "i32"]);
  const [n, input, out] = [0, 1, 2];
  const p: Plan = { key: "", arrays: [], scalars: [], build: () => {
    for (const f of before) f();
    body.doWhile(i, 16, n, () => {
      body.get(out).get(i).i32Add();
      for (const f of emit) f();
      body.v128Store();
    });
    return body;
  } };
  const i = body.local("i32");
  const seen = new Map<Expr, number>(); // a shared subexpression's local
  const emit: (() => void)[] = [];
  const before: (() => void)[] = []; // run once before the loop: the arrays' addresses, the scalars' splats
  const visit = (e: Expr): boolean => {
    const again = seen.get(e);
    if (again !== undefined) {
      p.key += `#${again}`;
      emit.push(() => body.get(again));
      return true;
    }
    switch (e.kind) {
      case "const":
      case "leaf": {
        if (e.kind === "leaf" && e.access === "row") return false;
        if (e.kind === "leaf" && e.access === "full") {
          let k = p.arrays.indexOf(e.data);
          if (k < 0) k = p.arrays.push(e.data) - 1;
          p.key += `L${k}`;
          const at = body.local("i32");
          before.push(() => body.get(input).get(n).i32(k).i32Mul().i32Add().set(at));
          emit.push(() => body.get(at).get(i).i32Add().v128Load());
        } else {
          const s = p.scalars.push(e.kind === "const" ? e.value : e.data[0]!) - 1;
          p.key += `S${s}`;
          const v = body.local("v128");
          // the scalars follow the arrays, whose count is known once the walk ends
          before.push(() => body.get(input).get(n).i32(p.arrays.length).i32Mul().i32Add().load64Splat(s * 8).set(v));
          emit.push(() => body.get(v));
        }
        break;
      }
      case "op": {
        if ((e.op.arity !== 1 && e.op.arity !== 2) || e.args.length !== e.op.arity) return false;
        const found = SIMD[e.op.arity === 1 ? e.op.code("a") : e.op.code("a", "b")];
        if (found === undefined) return false;
        p.key += `(${found[0]}`;
        for (const a of e.args) if (!visit(a)) return false;
        p.key += ")";
        const [, code] = found;
        const x = body.local("v128");
        emit.push(() => {
          if (code === -1) body.tee(x).get(x).f64x2(0xf2); // x·x
          else if (code === -2) body.zero().f64x2(0xf5); // max(x, +0)
          else if (code === -3) body.zero().f64x2(0xf0); // x + 0 (−0 becomes +0, as a gradient is written)
          else body.f64x2(code);
        });
        break;
      }
      case "shift":
        return false;
    }
    const local = body.local("v128");
    seen.set(e, local);
    emit.push(() => body.tee(local));
    return true;
  };
  return visit(expr) ? p : undefined;
}

/** Kernels.run with arithmetic-only expressions on wasm (memory `memory` of `pages` pages), the rest on `js`. */
export function wasmRun(api: WasmApi, memory: WasmMemory, pages: number, js: Kernels["run"]): Kernels["run"] {
  const compiled = new Map<string, ((n: number, input: number, out: number) => void) | undefined>();
  let heap = new Float64Array(memory.buffer);
  return (expr, n, out) => {
    if (out === undefined || n < SMALL) return js(expr, n, out);
    const p = plan(expr);
    if (p === undefined) return js(expr, n, out);
    let f = compiled.get(p.key);
    if (f === undefined && !compiled.has(p.key)) {
      const func: Func = { name: "f", body: p.build() };
      if (compiled.size >= MAX_MODULES) compiled.clear();
      f = instantiate(api, [func], pages, undefined, memory)?.exports.f as typeof f;
      compiled.set(p.key, f);
    }
    if (f === undefined) return js(expr, n, out);
    if (heap.buffer !== memory.buffer) heap = new Float64Array(memory.buffer);
    // chunks of an even length: the arrays, then the scalars, then the result, within the memory
    const room = heap.length - p.scalars.length - 2;
    const chunk = Math.floor(room / (p.arrays.length + 1) / 2) * 2;
    for (let c0 = 0; c0 < n; c0 += chunk) {
      const len = Math.min(chunk, n - c0);
      const even = len + (len & 1); // an odd last element rides in a lane whose partner is not read
      p.arrays.forEach((a, k) => heap.set(a.subarray(c0, c0 + len), k * even));
      heap.set(p.scalars, p.arrays.length * even);
      const at = (p.arrays.length * even + p.scalars.length) * 8;
      const outAt = at + (at % 16 === 0 ? 0 : 8);
      f(even * 8, 0, outAt);
      out.set(heap.subarray(outAt / 8, outAt / 8 + len), c0);
    }
    return 0;
  };
}
