// The kernel contract, checked for every backend against plain nested-loop references written here
// (not with nabla): a new backend joins `backends` below and must pass unchanged. Random shapes,
// including extents of 1 and odd sizes that tiled kernels treat separately.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hostWasm, js, type Kernels, wasmKernels } from "../../../src/internal.ts";
import { firstArgmax, inner, refAvgPool, refConv, refMaxPool, refWindows } from "../../support/windows.ts";

// wasm: the JS backend with the WebAssembly SIMD kernels over it (absent where the engine has none)
const wasm = wasmKernels(hostWasm());
const backends: readonly (readonly [string, Kernels])[] = [["js", js], ...(wasm === undefined ? [] : [["wasm", { ...js, ...wasm }] as const])];

type Shape = readonly number[];
const size = (s: Shape): number => s.reduce((a, b) => a * b, 1);
const strides = (s: Shape): number[] => s.map((_, k) => size(s.slice(k + 1)));
/** Every multi-index of a shape, in row-major order. */
const indices = (s: Shape): number[][] =>
  s.reduce<number[][]>((acc, d) => acc.flatMap((ix) => Array.from({ length: d }, (_, i) => [...ix, i])), [[]]);
const at = (x: Float64Array, s: Shape, ix: readonly number[]): number => x[ix.reduce((o, i, k) => o + i * strides(s)[k], 0)];
const filled = (n: number, seed: number): Float64Array => Float64Array.from({ length: n }, (_, i) => Math.sin(seed + 1.7 * i) * 3);

type Window2d = Parameters<Kernels["conv2d"]>[3];

/** A random window geometry: odd extents, strides, dilations and paddings (pools: dilation 1, padding below the window). */
const windowArb = (pool: boolean) =>
  fc.record({
    n: fc.integer({ min: 1, max: 2 }), h: fc.integer({ min: 1, max: 6 }), w: fc.integer({ min: 1, max: 6 }),
    c: fc.integer({ min: 1, max: 3 }), o: fc.integer({ min: 1, max: 3 }), kh: fc.integer({ min: 1, max: 3 }), kw: fc.integer({ min: 1, max: 3 }),
    sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 3 }), dh: fc.integer({ min: 1, max: pool ? 1 : 2 }), dw: fc.integer({ min: 1, max: pool ? 1 : 2 }),
    pads: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 4, maxLength: 4 }),
  }).map((r) => {
    const pads = pool ? [r.pads[0] % r.kh, r.pads[1] % r.kh, r.pads[2] % r.kw, r.pads[3] % r.kw] : r.pads;
    const outH = Math.floor((r.h + pads[0] + pads[1] - (r.kh - 1) * r.dh - 1) / r.sh) + 1;
    const outW = Math.floor((r.w + pads[2] + pads[3] - (r.kw - 1) * r.dw - 1) / r.sw) + 1;
    const g: Window2d = {
      inH: r.h, inW: r.w, inC: r.c, outC: pool ? r.c : r.o, outH, outW, kh: r.kh, kw: r.kw,
      strideH: r.sh, strideW: r.sw, dilationH: r.dh, dilationW: r.dw, padTop: pads[0], padLeft: pads[2],
    };
    const geometry = { stride: [r.sh, r.sw], dilation: [r.dh, r.dw], pads: [[pads[0], pads[1]], [pads[2], pads[3]]] } as const;
    return { n: r.n, g, geometry };
  }).filter(({ g }) => g.outH >= 1 && g.outW >= 1);

const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 });
const closeTo = (got: ArrayLike<number>, want: ArrayLike<number>): void => {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 12);
};

for (const [name, k] of backends) {
  describe(`the ${name} backend`, () => {
    it("matmul in the three layouts a backward pass needs (and the fourth)", () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.boolean(), fc.boolean(), (n, kk, m, tA, tB) => {
          const a = filled(n * kk, 1);
          const b = filled(kk * m, 2);
          const A = (i: number, p: number): number => (tA ? a[p * n + i] : a[i * kk + p]);
          const B = (p: number, j: number): number => (tB ? b[j * kk + p] : b[p * m + j]);
          const want = new Float64Array(n * m);
          for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) for (let p = 0; p < kk; p++) want[i * m + j] += A(i, p) * B(p, j);
          closeTo(k.matmul(a, b, n, kk, m, tA, tB), want);
        }),
      );
    });

    it("transpose, sumAxis, softmax, logSumExp and argmax along every axis", () => {
      fc.assert(
        fc.property(shapeArb, (s) => {
          const x = filled(size(s), 3);
          const perm = s.map((_, i) => s.length - 1 - i);
          const out = perm.map((p) => s[p]);
          closeTo(k.transpose(x, s, perm), indices(out).map((ix) => at(x, s, perm.map((_, q) => ix[perm.indexOf(q)]))));
          for (let axis = 0; axis < s.length; axis++) {
            const rest = s.filter((_, q) => q !== axis);
            const along = (ix: readonly number[]): number[] =>
              Array.from({ length: s[axis] }, (_, j) => at(x, s, [...ix.slice(0, axis), j, ...ix.slice(axis)]));
            closeTo(k.sumAxis(x, s, axis), indices(rest).map((ix) => along(ix).reduce((p, v) => p + v, 0)));
            closeTo(k.logSumExp(x, s, axis), indices(rest).map((ix) => Math.log(along(ix).reduce((p, v) => p + Math.exp(v), 0))));
            expect(k.argmax(x, s, axis)).toEqual(indices(rest).map((ix) => { const v = along(ix); return v.indexOf(Math.max(...v)); }));
            const soft = k.softmax(x, s, axis);
            indices(s).forEach((ix) => {
              const v = along([...ix.slice(0, axis), ...ix.slice(axis + 1)]);
              expect(at(soft, s, ix)).toBeCloseTo(Math.exp(at(x, s, ix)) / v.reduce((p, w) => p + Math.exp(w), 0), 12);
            });
          }
        }),
      );
    });

    it("take, its transpose scatterAdd, and the extremum reductions", () => {
      fc.assert(
        fc.property(shapeArb, fc.array(fc.nat(), { minLength: 0, maxLength: 5 }), fc.nat(), (s, raw, r) => {
          const x = filled(size(s), 6);
          const axis = r % s.length;
          const idx = Int32Array.from(raw, (v) => v % s[axis]!);
          const out = [...s.slice(0, axis), idx.length, ...s.slice(axis + 1)];
          const taken = k.take(x, s, idx, axis);
          closeTo(taken, indices(out).map((ix) => at(x, s, ix.map((i, q) => (q === axis ? idx[i]! : i)))));
          const back = k.scatterAdd(taken, s, idx, axis);
          const counts = Array.from({ length: s[axis]! }, (_, j) => idx.filter((v) => v === j).length);
          closeTo(back, indices(s).map((ix) => at(x, s, ix) * counts[ix[axis]!]!));
          const rest = s.filter((_, q) => q !== axis);
          const along = (ix: readonly number[]): number[] =>
            Array.from({ length: s[axis]! }, (_, j) => at(x, s, [...ix.slice(0, axis), j, ...ix.slice(axis)]));
          closeTo(k.extremum(x, s, axis, 1), indices(rest).map((ix) => Math.max(...along(ix))));
          closeTo(k.extremum(x, s, null, -1), [Math.min(...x)]);
        }),
      );
    });

    it("slice, pad and concat, and broadcast with its reverse sumTo", () => {
      fc.assert(
        fc.property(shapeArb, fc.nat(), (s, r) => {
          const x = filled(size(s), 4);
          const axis = r % s.length;
          const begin = r % s[axis];
          const end = s[axis];
          const sliced = [...s];
          sliced[axis] = end - begin;
          const part = k.slice(x, s, begin, end, axis);
          closeTo(part, indices(sliced).map((ix) => at(x, s, ix.map((i, q) => (q === axis ? i + begin : i)))));
          const padded = k.pad(part, sliced, begin, s[axis], axis);
          closeTo(padded, indices(s).map((ix) => (ix[axis] >= begin ? at(x, s, ix) : 0)));
          closeTo(k.concat([x, x], [s, s], axis), indices(s.map((d, q) => (q === axis ? 2 * d : d))).map((ix) => at(x, s, ix.map((i, q) => (q === axis ? i % s[axis] : i)))));
          const to = [2, ...s.map((d, q) => (q === axis ? d : d))];
          const small = s.map((d, q) => (q === axis ? 1 : d));
          const y = filled(size(small), 5);
          const wide = k.broadcast(y, small, to);
          closeTo(wide, indices(to).map((ix) => at(y, small, ix.slice(1).map((i, q) => (q === axis ? 0 : i)))));
          const back = k.sumTo(wide, to, small);
          closeTo(back, Array.from(y, (v) => v * 2 * s[axis]));
        }),
      );
    });

    it("conv2d against the nested-loop reference, its two transposes by ⟨ȳ, x ⋆ w⟩ = ⟨x̄, x⟩ = ⟨w̄, w⟩, and stacks", () => {
      fc.assert(
        fc.property(windowArb(false), ({ n, g, geometry }) => {
          const xs = [n, g.inH, g.inW, g.inC];
          const ws = [g.kh, g.kw, g.inC, g.outC];
          const x = filled(size(xs), 7);
          const w = filled(size(ws), 8);
          const one = { count: 1, a: false, b: false };
          const y = k.conv2d(x, w, n, g, one);
          closeTo(y, refConv([...x], xs, [...w], ws, geometry).data);
          const u = filled(y.length, 9);
          const T = inner([...u], [...y]);
          expect(inner([...k.conv2dInput(u, w, n, g, one)], [...x])).toBeCloseTo(T, 10);
          expect(inner([...k.conv2dFilter(x, u, n, g, one)], [...w])).toBeCloseTo(T, 10);
          // two operations: the images stacked, the kernel shared; then the kernels stacked too
          const w2 = filled(2 * w.length, 10);
          const x2 = Float64Array.from([...x, ...filled(x.length, 11)]);
          const both = k.conv2d(x2, w2, n, g, { count: 2, a: true, b: true });
          closeTo(both, [0, 1].flatMap((i) => [...k.conv2d(x2.subarray(i * x.length, (i + 1) * x.length), w2.subarray(i * w.length, (i + 1) * w.length), n, g, one)]));
          closeTo(k.conv2dFilter(x2, Float64Array.from([...u, ...u]), n, g, { count: 2, a: true, b: true }).subarray(0, w.length), k.conv2dFilter(x, u, n, g, one));
          closeTo(k.conv2dInput(Float64Array.from([...u, ...u]), w, n, g, { count: 2, a: true, b: false }).subarray(x.length), k.conv2dInput(u, w, n, g, one));
        }),
      );
    });

    it("max and average pooling against the references; gather and scatter, and the average's transpose, by ⟨u, Ax⟩ = ⟨Aᵀu, x⟩", () => {
      fc.assert(
        fc.property(windowArb(true), fc.boolean(), ({ n, g, geometry }, ties) => {
          const xs = [n, g.inH, g.inW, g.inC];
          // rounded values make ties (the first one is chosen) part of the check
          const x = ties ? Float64Array.from(filled(size(xs), 12), Math.round) : filled(size(xs), 12);
          const kk = [g.kh, g.kw] as const;
          closeTo(k.maxPool(x, n, g), refMaxPool([...x], xs, kk, geometry).data);
          closeTo(k.avgPool(x, n, g), refAvgPool([...x], xs, kk, geometry).data);
          const t = filled(x.length, 13);
          const chosen = refWindows(xs, kk, geometry).windows.map((at) => firstArgmax([...x], at));
          closeTo(k.maxPoolGather(x, t, n, g), chosen.map((i) => t[i]));
          const u = filled(chosen.length, 14);
          expect(inner([...k.maxPoolScatter(x, u, n, g)], [...t])).toBeCloseTo(inner([...u], chosen.map((i) => t[i])), 10);
          expect(inner([...k.avgPoolTranspose(u, n, g)], [...t])).toBeCloseTo(inner([...u], [...k.avgPool(t, n, g)]), 10);
        }),
      );
    });

    it("matmul and the convolutions on sizes that cross the kernels' blocks (rows, columns and the inner dimension)", () => {
      for (const [n, kk, m, tA, tB] of [[3075, 260, 5, false, false], [7, 520, 3, true, false], [4, 3, 1030, false, true]] as const) {
        const a = filled(n * kk, 15);
        const b = filled(kk * m, 16);
        const want = new Float64Array(n * m);
        for (let i = 0; i < n; i++) for (let p = 0; p < kk; p++) {
          const av = tA ? a[p * n + i] : a[i * kk + p];
          for (let j = 0; j < m; j++) want[i * m + j] += av * (tB ? b[j * kk + p] : b[p * m + j]);
        }
        closeTo(k.matmul(a, b, n, kk, m, tA, tB), want);
      }
      // patch lengths 270 and 3,600 (past the inner block and the row block), 3,364 positions (past the row block)
      for (const [h, w, c, o, pad] of [[60, 58, 30, 2, 1], [5, 5, 400, 2, 0]] as const) {
        const g: Window2d = { inH: h, inW: w, inC: c, outC: o, outH: h + 2 * pad - 2, outW: w + 2 * pad - 2, kh: 3, kw: 3, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padTop: pad, padLeft: pad };
        const x = filled(h * w * c, 17);
        const wk = filled(9 * c * o, 18);
        const one = { count: 1, a: false, b: false };
        const y = k.conv2d(x, wk, 1, g, one);
        closeTo(y, refConv([...x], [1, h, w, c], [...wk], [3, 3, c, o], { stride: [1, 1], dilation: [1, 1], pads: [[pad, pad], [pad, pad]] }).data);
        const u = filled(y.length, 19);
        const T = inner([...u], [...y]);
        expect(inner([...k.conv2dInput(u, wk, 1, g, one)], [...x]) / T).toBeCloseTo(1, 10);
        expect(inner([...k.conv2dFilter(x, u, 1, g, one)], [...wk]) / T).toBeCloseTo(1, 10);
      }
    });
  });
}
