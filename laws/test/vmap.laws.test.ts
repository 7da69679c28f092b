// Law 9, vmap(f) equals stacking f over the examples: on hand-written batches (trees, shared parts,
// nested axes, outAxes null), on every scalar and tensor primitive, on random scalar and tensor programs
// with batched inputs (nested transforms inside them: vmap of grad, jvp, vjp and derivative), under
// jit, and on per-example gradients of random programs; and the self-tests: wrong "vmaps" it rejects.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  add, type Axes, grad, jit, matmul, mul, primitives, type Real, sum, tanh, Tensor, tensor, tensorPrimitives, vmap,
} from "../../src/index.ts";
import {
  batchedPrograms, batchOf, checkVmapStacking, examplesOf, mapInstances, nice, stackAlong, tensorBatchedPrograms, vmapStacking, type VmapOperator,
} from "../index.ts";
import { rejects } from "../../test/support/approx.ts";

/** Batches per law check: a share of NABLA_LAW_RUNS (200 in npm test, 10,000 in laws:deep). */
const lawRuns = Number(process.env.NABLA_LAW_RUNS ?? 200);
const runs = { programs: Math.max(1, Math.round(lawRuns / 4)), table: Math.max(1, Math.round(lawRuns / 40)) };

const B = fc.integer({ min: 1, max: 4 });

describe("vmap(f) equals stacking f: hand-written batches", () => {
  type Params = { readonly w: Tensor; readonly b: Tensor };
  const layer = ([p, x]: readonly [Params, Tensor]) => tanh(add(matmul(x, p.w), p.b));
  it("a layer with shared parameters and a batch of inputs, on any axis", () => {
    const subject = fc.tuple(B, fc.integer({ min: -2, max: 1 })).chain(([n, axis]) =>
      fc.record({ w: batchOf([3, 2], n, null), b: batchOf([2], n, null), x: batchOf([3], n, axis) }).map(({ w, b, x }) => ({
        f: layer,
        x: [{ w, b }, x] as const,
        inAxes: [null, axis] as Axes,
        outAxes: -1 as Axes,
      })),
    );
    checkVmapStacking(subject, { runs: runs.table * 4 });
  });
  it("records, nested prefixes, and outAxes null for the parts that do not depend on the example", () => {
    const f = (p: { a: Tensor; s: Real; c: Tensor }) => ({ y: mul(p.s, sum(p.a)), z: [p.c, mul(2, p.a)], k: 3 });
    const subject = B.chain((n) =>
      fc.record({ a: batchOf([2, 3], n, 1), s: batchOf([], n, 0), c: batchOf([2], n, null) }).map((x) => ({
        f,
        x,
        inAxes: { a: 1, s: 0, c: null } as Axes,
        outAxes: { y: 0, z: [null, -1], k: null } as Axes,
      })),
    );
    checkVmapStacking(subject, { runs: runs.table * 4 });
  });
  it("outAxes null on a part that depends on the example: vmap must refuse it (a TypeError), and does", () => {
    const subject = batchOf([2], 3, 0, nice(-2, 2)).filter((t) => new Set((examplesOf(t) as Tensor[]).map((e) => String(sum(e)))).size > 1);
    checkVmapStacking({ f: (t: Tensor) => sum(t), x: subject, outAxes: null }, { runs: 20 });
  });
});

describe("vmap(f) equals stacking f: every primitive", () => {
  it.each(primitives.map((p) => [p.name, p] as const))("scalar %s on per-example Reals, some shared", (_name, p) => {
    const subject = fc.tuple(B, fc.array(fc.boolean(), { minLength: p.arity, maxLength: p.arity })).chain(([n, mapped]) => {
      const inAxes = mapped.some((m) => m) ? mapped.map((m) => (m ? 0 : null)) : mapped.map(() => 0);
      const element = (i: number) => nice(...p.domain.args[Math.min(i, p.domain.args.length - 1)]);
      return fc
        .tuple(...inAxes.map((a, i): fc.Arbitrary<Tensor | number> => (a === null ? element(i) : batchOf([], n, a, element(i)))))
        .map((x) => ({ f: (r: readonly Real[]) => p.apply(r), x, inAxes }));
    });
    checkVmapStacking(subject, { runs: runs.table * 2 });
  });
  it.each(tensorPrimitives.map((p) => [p.name, p] as const))("tensor %s, arguments batched on random axes or shared", (_name, p) => {
    const subject = fc
      .tuple(B, fc.array(fc.integer({ min: 1, max: 3 }), { minLength: p.dims, maxLength: p.dims }))
      .chain(([n, d]) => {
        const shapes = p.shapes(d);
        const axes = fc
          .tuple(...shapes.map((s) => fc.option(fc.integer({ min: -(s.length + 1), max: s.length }), { nil: null, freq: 3 })))
          .filter((a) => a.some((x) => x !== null));
        return axes.chain((inAxes) =>
          fc
            .tuple(...shapes.map((s, i) => batchOf(s, n, inAxes[i], nice(...p.domain.args[Math.min(i, p.domain.args.length - 1)]))))
            .map((x) => ({ f: (xs: readonly Tensor[]) => p.apply(xs), x, inAxes: inAxes as Axes })),
        );
      });
    checkVmapStacking(subject, { runs: runs.table * 2 });
  });
});

describe("vmap(f) equals stacking f: random programs with batched inputs", () => {
  it("scalar programs (nested derivative, grad, jvp and vjp inside)", () => {
    checkVmapStacking(batchedPrograms({ maxDepth: 5, size: "medium", inputs: 2, outputs: 2 }), { runs: runs.programs });
  });
  it("tensor programs (matmuls, reductions, layout ops, broadcasting, nested transforms)", () => {
    checkVmapStacking(tensorBatchedPrograms({ maxDepth: 4, inputs: 2, outputs: 2 }), { runs: runs.programs });
  });
  it("tensor programs under jit: jit(vmap(f)) equals stacking f", () => {
    const jitted: VmapOperator = (f, inAxes, outAxes) => jit(vmap(f as (x: unknown) => unknown, inAxes, outAxes));
    checkVmapStacking(tensorBatchedPrograms({ maxDepth: 3, inputs: 2, outputs: 1 }), { runs: runs.table * 4, vmap: jitted });
  });
  it("per-example gradients of random tensor programs: vmap(grad(f)) equals stacking grad(f)", () => {
    const subject = mapInstances(tensorBatchedPrograms({ maxDepth: 3, maxExtent: 2, inputs: 2, outputs: [[]] }), (i) => ({
      f: grad((xs: readonly (Tensor | Real)[]) => i.f(xs)[0] as Real) as (xs: readonly (Tensor | Real)[]) => unknown,
      x: i.x,
      inAxes: i.inAxes ?? 0,
    }));
    checkVmapStacking(subject, { runs: runs.table * 4 });
  });
});

describe("the law's self-tests: it rejects wrong vmaps, and holds for vmap on the same subjects", () => {
  /** Every mapped leaf of the batch with its examples replaced by `pick(examples)`. */
  const reorder =
    (pick: (examples: readonly unknown[]) => readonly unknown[]): VmapOperator =>
    (f, inAxes, outAxes) =>
    (x) => {
      const examples = pick(examplesOf(x, inAxes));
      const rebuilt = (spec: Axes, v: unknown, parts: readonly unknown[]): unknown => {
        if (spec === null) return v;
        if (typeof spec === "number") {
          if (Array.isArray(v)) return v.map((c, j) => rebuilt(spec, c, parts.map((p) => (p as unknown[])[j])));
          if (v !== null && typeof v === "object" && !(v instanceof Tensor)) {
            return Object.fromEntries(Object.keys(v).map((k) => [k, rebuilt(spec, (v as Record<string, unknown>)[k], parts.map((p) => (p as Record<string, unknown>)[k]))]));
          }
          return stackAlong(parts, spec);
        }
        if (Array.isArray(spec)) return spec.map((s, j) => rebuilt(s as Axes, (v as unknown[])[j], parts.map((p) => (p as unknown[])[j])));
        return Object.fromEntries(Object.keys(v as object).map((k) => [k, rebuilt((spec as Record<string, Axes>)[k], (v as Record<string, unknown>)[k], parts.map((p) => (p as Record<string, unknown>)[k]))]));
      };
      return vmap(f as (x: unknown) => unknown, inAxes, outAxes)(rebuilt(inAxes, x, examples) as never);
    };
  const firstOnly = reorder((es) => es.map(() => es[0]));
  const reversed = reorder((es) => [...es].reverse());
  const onTheLastAxis: VmapOperator = (f, inAxes) => vmap(f as (x: unknown) => unknown, inAxes, -1);
  const programs = tensorBatchedPrograms({ maxDepth: 3, inputs: 2, outputs: 2, maxSize: 3 });
  const matrices = fc.tuple(fc.integer({ min: 2, max: 3 }), fc.integer({ min: 0, max: 2 })).chain(([n, axis]) =>
    batchOf([2, 2], n, axis).map((x) => ({ f: (t: Tensor) => matmul(t, tensor([[1, 2], [3, 4]])), x, inAxes: axis as Axes })),
  );
  it("a vmap that maps only the first example", () => {
    rejects(() => checkVmapStacking(matrices, { runs: 100, vmap: firstOnly }), /stacking f/);
    rejects(() => checkVmapStacking(programs, { runs: 200, vmap: firstOnly }), /stacking f/);
  });
  it("a vmap that takes the examples in the wrong order", () => {
    rejects(() => checkVmapStacking(matrices, { runs: 100, vmap: reversed }), /stacking f/);
  });
  it("a vmap that puts the examples on the wrong axis (a transpose, for square examples)", () => {
    rejects(() => checkVmapStacking(matrices, { runs: 100, vmap: onTheLastAxis }), /stacking f/);
  });
  it("a vmap that mixes up two outputs", () => {
    const firstTwice: VmapOperator = (f, inAxes, outAxes) => (x) => {
      const y = vmap(f as (x: unknown) => unknown, inAxes, outAxes)(x as never);
      return Array.isArray(y) && y.length > 1 ? [y[0], y[0]] : y;
    };
    rejects(() => checkVmapStacking(programs, { runs: 200, vmap: firstTwice }), /stacking f/);
  });
  it("vmap itself holds on the same subjects; the predicate says so too", () => {
    checkVmapStacking(matrices, { runs: 50 });
    checkVmapStacking(programs, { runs: 50 });
    const f = (t: Tensor) => matmul(t, tensor([[1, 2], [3, 4]]));
    const x = tensor([[[1, 0], [0, 1]], [[2, 0], [1, 1]]]);
    expect(vmapStacking(f, 0)(x)).toBe(true);
    expect(vmapStacking(f, 0, 0, { vmap: reversed })(x)).toBe(false);
    expect(vmapStacking(f, 0, 0, { vmap: onTheLastAxis })(x)).toBe(false);
  });
});
