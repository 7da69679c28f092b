// The WebAssembly SIMD backend beyond the shared conformance suite: its kernels give the JS backend's
// bits (random shapes, every layout, stacks, sizes across the blocks, NaN/±∞/−0), its emitter encodes
// what the spec says, and the selection falls back to JS wherever wasm cannot run.
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { assemble, Body, s32, u32 } from "../../../src/backend/wasm/emit.ts";
import type { ElementOp, Expr } from "../../../src/backend/expr.ts";
import { backendName, hostWasm, js, useBackend, type WasmApi, wasmAvailable, wasmKernels } from "../../../src/internal.ts";
import { binaryRules, unaryRules } from "../../../src/rules/scalar.ts";

const host = hostWasm();
const wasm = wasmKernels(host);
const random = (n: number, seed: number): Float64Array => {
  let s = seed >>> 0 || 1;
  return Float64Array.from({ length: n }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 31) - 1);
};
/** Same bits at every index (NaN equals NaN, −0 differs from +0). */
const same = (got: Float64Array, want: Float64Array): void => {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) expect([i, got[i]]).toEqual([i, want[i]]);
};

describe("the bytecode emitter", () => {
  it("encodes LEB128 as the spec's examples", () => {
    const enc = (f: (o: number[], n: number) => void, n: number): number[] => { const o: number[] = []; f(o, n); return o; };
    expect(enc(u32, 0)).toEqual([0]);
    expect(enc(u32, 624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(enc(u32, 2 ** 32 - 1)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(enc(s32, -123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(enc(s32, 64)).toEqual([0xc0, 0x00]);
    expect(enc(s32, -1)).toEqual([0x7f]);
  });

  it.skipIf(host === undefined)("assembles a module that validates and runs (f64x2 arithmetic on memory)", () => {
    const body = new Body(["i32"]);
    // memory[p] = (memory[p] + memory[p]) · memory[p] − memory[p], lane by lane, then lane 1 into memory[p + 16]
    const v = body.local("v128");
    body.get(0).v128Load().set(v);
    body.get(0).get(v).get(v).f64x2Add().get(v).f64x2Mul().get(v).f64x2Sub().v128Store();
    body.get(0).get(0).v128Load().f64x2ExtractLane(1).f64Store(16);
    const bytes = assemble([{ name: "f", body }], 1);
    const api = host as WasmApi;
    expect(api.validate(bytes)).toBe(true);
    const memory = new api.Memory({ initial: 1, maximum: 1 });
    const f = new api.Instance(new api.Module(bytes), { m: { memory } }).exports.f as (p: number) => void;
    const heap = new Float64Array(memory.buffer);
    heap.set([1.5, -3]);
    f(0);
    expect([...heap.subarray(0, 3)]).toEqual([3, 21, 21]);
  });
});

describe.skipIf(wasm === undefined)("the wasm matrix products give the JS backend's bits", () => {
  const w = wasm as NonNullable<typeof wasm>;
  const dim = fc.oneof(fc.integer({ min: 1, max: 13 }), fc.constantFrom(1, 4, 5, 127, 128, 129, 300));

  it("matmul in all four layouts, random shapes with extents of 1, odd sizes and k = 0", () => {
    fc.assert(
      fc.property(dim, fc.oneof(dim, fc.constant(0)), dim, fc.boolean(), fc.boolean(), fc.nat(), (n, k, m, tA, tB, seed) => {
        const a = random(n * k, seed);
        const b = random(k * m, seed + 1);
        same(w.matmul(a, b, n, k, m, tA, tB), js.matmul(a, b, n, k, m, tA, tB));
      }),
      { numRuns: 60 },
    );
  });

  it("across every block: rows past 128, columns past 512, the inner dimension past 256 (W2's shapes too)", () => {
    for (const [n, k, m, tA, tB] of [[130, 520, 515, false, false], [784, 128, 128, true, false], [128, 10, 128, false, true], [128, 784, 128, false, false], [3, 1000, 600, true, true]] as const) {
      const a = random(n * k, n + k);
      const b = random(k * m, m + 7);
      same(w.matmul(a, b, n, k, m, tA, tB), js.matmul(a, b, n, k, m, tA, tB));
    }
  });

  it("stacks: stacked or shared operands, outer products (k = 1) and k = 0", () => {
    for (const [count, sA, sB, n, k, m, tA, tB] of [[3, true, true, 5, 7, 9, false, true], [4, true, false, 6, 1, 3, true, false], [2, false, true, 9, 300, 5, true, true], [2, true, true, 3, 0, 2, false, false]] as const) {
      const a = random((sA ? count : 1) * n * k, 3);
      const b = random((sB ? count : 1) * k * m, 4);
      b.fill(-0, 0, Math.min(2, b.length)); // −0 products of the outer products stay −0, as in JS
      same(w.matmulStack(a, b, count, sA, sB, n, k, m, tA, tB), js.matmulStack(a, b, count, sA, sB, n, k, m, tA, tB));
    }
  });

  it("the convolutions and their transposes, stacked or not, random geometries (some past the blocks)", () => {
    const geometry = fc.record({
      n: fc.integer({ min: 1, max: 2 }), h: fc.integer({ min: 1, max: 30 }), w: fc.integer({ min: 1, max: 30 }), c: fc.integer({ min: 1, max: 40 }), o: fc.integer({ min: 1, max: 9 }),
      k: fc.integer({ min: 1, max: 3 }), s: fc.integer({ min: 1, max: 2 }), d: fc.integer({ min: 1, max: 2 }), pad: fc.integer({ min: 0, max: 2 }),
      count: fc.integer({ min: 1, max: 2 }), a: fc.boolean(), b: fc.boolean(),
    });
    fc.assert(
      fc.property(geometry, fc.nat(), (r, seed) => {
        const outH = Math.floor((r.h + 2 * r.pad - (r.k - 1) * r.d - 1) / r.s) + 1;
        const outW = Math.floor((r.w + 2 * r.pad - (r.k - 1) * r.d - 1) / r.s) + 1;
        if (outH < 1 || outW < 1) return;
        const g = { inH: r.h, inW: r.w, inC: r.c, outC: r.o, outH, outW, kh: r.k, kw: r.k, strideH: r.s, strideW: r.s, dilationH: r.d, dilationW: 1, padTop: r.pad, padLeft: r.pad };
        const stack = { count: r.count, a: r.a, b: r.b };
        const times = (stacked: boolean): number => (stacked ? r.count : 1);
        const x = random(times(r.a) * r.n * r.h * r.w * r.c, seed);
        const w2 = random(times(r.b) * r.k * r.k * r.c * r.o, seed + 1);
        const y = random(times(r.a) * r.n * outH * outW * r.o, seed + 2);
        same(w.conv2d(x, w2, r.n, g, stack), js.conv2d(x, w2, r.n, g, stack));
        same(w.conv2dInput(y, w2, r.n, g, stack), js.conv2dInput(y, w2, r.n, g, stack));
        const both = { count: r.count, a: r.a, b: r.a };
        same(w.conv2dFilter(x, y, r.n, g, both), js.conv2dFilter(x, y, r.n, g, both));
      }),
      { numRuns: 40 },
    );
  });

  it("sumAxis and sumTo (column sums), random shapes with −0s, and blocks of rows and of columns", () => {
    const extent = fc.oneof(fc.integer({ min: 1, max: 40 }), fc.constantFrom(1, 2, 129, 300));
    fc.assert(
      fc.property(fc.array(extent, { minLength: 1, maxLength: 3 }), fc.nat(), fc.nat(), (shape, seed, keep) => {
        const x = random(shape.reduce((p, d) => p * d, 1), seed).map((v) => (v > 0.9 ? -0 : v));
        for (let axis = 0; axis < shape.length; axis++) same(w.sumAxis(x, shape, axis), js.sumAxis(x, shape, axis));
        const target = shape.map((d, i) => (i < keep % (shape.length + 1) ? 1 : d));
        same(w.sumTo(x, shape, target), js.sumTo(x, shape, target));
      }),
      { numRuns: 60 },
    );
    for (const shape of [[3, 9001], [70000, 6], [2, 300001]]) {
      const x = random(shape[0] * shape[1], 9);
      same(w.sumAxis(x, shape, 0), js.sumAxis(x, shape, 0));
      same(w.sumTo(x, shape, [1, shape[1]]), js.sumTo(x, shape, [1, shape[1]]));
    }
  });

  it("fused elementwise expressions: arithmetic on wasm, the rest on JS, the same bits (NaN, ±∞, ±0, shared nodes, odd n)", () => {
    // the ops of every rule, and a gradient's −0 → +0 (x + 0)
    const unsigned: ElementOp = { name: "unsigned", arity: 1, value: (x) => x + 0, code: (x) => `(${x} + 0)` };
    const ops = [...Object.values(binaryRules), ...Object.values(unaryRules), unsigned] as unknown as ElementOp[];
    const special = [Number.NaN, 0, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    fc.assert(
      fc.property(fc.integer({ min: 2048, max: 7000 }), fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 6 }), fc.nat(), (n, steps, seed) => {
        const data = (len: number, s: number) => random(len, s).map((v, i) => ((i * 7 + s) % 23 === 0 ? special[i % 5] : 2 * v));
        const pool: Expr[] = [0, 1, 2].map((k) => ({ kind: "leaf", data: data(n, seed + k), access: "full" }));
        pool.push({ kind: "leaf", data: data(1, seed + 3), access: "scalar" }, { kind: "const", value: -0 }, { kind: "const", value: 0.3 });
        let e = pool[0];
        for (const [o, a] of steps) {
          const op = ops[o % ops.length];
          e = { kind: "op", op, args: op.arity === 1 ? [e] : [e, pool[a % pool.length]], size: 1 };
          pool.push(e); // later steps may reuse it: a shared node
        }
        const got = new Float64Array(n);
        const want = new Float64Array(n);
        w.run(e, n, got);
        js.run(e, n, want);
        for (let i = 0; i < n; i++) if (!(Object.is(got[i], want[i]) || (Number.isNaN(got[i]) && Number.isNaN(want[i])))) expect([i, got[i]]).toEqual([i, want[i]]);
      }),
      { numRuns: 60 },
    );
  });

  it("NaN, ±∞ and −0 propagate as in JS", () => {
    const n = 6, k = 9, m = 7;
    const a = random(n * k, 5);
    const b = random(k * m, 6);
    a[3] = Number.NaN;
    a[20] = Number.POSITIVE_INFINITY;
    b[10] = Number.NEGATIVE_INFINITY;
    a.fill(-0, 30, 40);
    b.fill(-0, 50, 63);
    for (const tA of [false, true]) for (const tB of [false, true]) same(w.matmul(a, b, n, k, m, tA, tB), js.matmul(a, b, n, k, m, tA, tB));
    const z = new Float64Array(4).fill(-0);
    same(w.matmul(z, z, 2, 2, 2, false, false), js.matmul(z, z, 2, 2, 2, false, false)); // −0·−0 sums from +0
    const s = random(3 * 200, 7);
    s.fill(-0, 0, 200);
    s[250] = Number.NaN;
    s[260] = Number.POSITIVE_INFINITY;
    s[461] = Number.NEGATIVE_INFINITY;
    same(w.sumAxis(s, [3, 200], 0), js.sumAxis(s, [3, 200], 0));
  });
});

describe("the selection", () => {
  const real = host as WasmApi;
  const throwing = (): never => { throw new Error("refused: no 'wasm-unsafe-eval' in the Content-Security-Policy"); };
  afterAll(() => void useBackend("wasm"));

  it("falls back to JS without WebAssembly, without SIMD, and when compiling is refused", () => {
    expect(wasmKernels(undefined)).toBeUndefined();
    expect(wasmKernels({ ...real, validate: () => false } as WasmApi)).toBeUndefined();
    const refusing = { validate: (b: Uint8Array) => real.validate(b), compile: () => Promise.reject(new Error("refused")), Module: throwing, Instance: real.Instance, Memory: real.Memory };
    expect(wasmKernels(refusing as unknown as WasmApi)).toBeUndefined();
  });

  it.skipIf(host === undefined)("compiles asynchronously where synchronous compiling is refused (a browser's main thread)", async () => {
    const bigOnMain = { validate: (b: Uint8Array) => real.validate(b), compile: (b: Uint8Array) => real.compile(b), Module: throwing, Instance: real.Instance, Memory: real.Memory };
    const late = await new Promise<ReturnType<typeof wasmKernels>>((resolve) => {
      expect(wasmKernels(bigOnMain as unknown as WasmApi, resolve)).toBeUndefined();
    });
    const a = random(12, 1);
    same(late?.matmul(a, a, 3, 4, 3, false, true) ?? new Float64Array(0), js.matmul(a, a, 3, 4, 3, false, true));
  });

  it("useBackend switches the shared kernels; wasm is the default where it runs", () => {
    expect(backendName()).toBe(wasmAvailable() ? "wasm" : "js");
    expect(useBackend("js")).toBe("js");
    expect(backendName()).toBe("js");
    expect(useBackend("wasm")).toBe(host === undefined ? "js" : "wasm");
  });
});
