// The kernel contract, checked for every backend against plain nested-loop references written here
// (not with nabla): a new backend joins `backends` below and must pass unchanged. Random shapes,
// including extents of 1 and odd sizes that tiled kernels treat separately.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { js, type Kernels } from "../../../src/internal.ts";

const backends: readonly (readonly [string, Kernels])[] = [["js", js]];

type Shape = readonly number[];
const size = (s: Shape): number => s.reduce((a, b) => a * b, 1);
const strides = (s: Shape): number[] => s.map((_, k) => size(s.slice(k + 1)));
/** Every multi-index of a shape, in row-major order. */
const indices = (s: Shape): number[][] =>
  s.reduce<number[][]>((acc, d) => acc.flatMap((ix) => Array.from({ length: d }, (_, i) => [...ix, i])), [[]]);
const at = (x: Float64Array, s: Shape, ix: readonly number[]): number => x[ix.reduce((o, i, k) => o + i * strides(s)[k], 0)];
const filled = (n: number, seed: number): Float64Array => Float64Array.from({ length: n }, (_, i) => Math.sin(seed + 1.7 * i) * 3);

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
  });
}
