// Every tensor primitive of the catalogue, on random shapes (broadcasting included) and random
// values inside its domain: reverse mode equals central differences, and forward and reverse agree
// through the dot-product identity ⟨u, J·v⟩ = ⟨Jᵀ·u, v⟩. A primitive added to the catalogue is
// covered here with no new test.
import fc from "fast-check";
import { describe, it } from "vitest";
import {
  add, jvp, mul, primal, type Real, reshape, sum, type Tensor, tensor, tensorPrimitives, toArray, vjp,
} from "../../../src/index.ts";
import { close } from "../../support/approx.ts";

const runs = Number(process.env.NABLA_LAW_RUNS ?? 60);

/** Σ over every element of a Real or a tensor. */
const total = (y: Tensor | Real): Real => (typeof y === "object" && "shape" in y && y.shape.length > 0 ? sum(y as Tensor) : (y as Real));
/** ⟨a, b⟩ for two values of one shape. */
const inner = (a: Tensor | Real, b: Tensor | Real): number => primal(total(mul(a as Tensor, b as Tensor)));

const sizeOf = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);

describe.each(tensorPrimitives.map((p) => [p.name, p] as const))("%s", (_name, p) => {
  /** Extents 1..3, then the arguments' values inside the domain, away from kinks. */
  const sample = fc
    .array(fc.integer({ min: 1, max: 3 }), { minLength: p.dims, maxLength: p.dims })
    .chain((d) => {
      const shapes = p.shapes(d);
      return fc.tuple(
        fc.constant(shapes),
        fc.tuple(
          ...shapes.map((s, i) => {
            const [lo, hi] = p.domain.args[Math.min(i, p.domain.args.length - 1)];
            return fc.array(fc.integer({ min: 1, max: 63 }).map((k) => lo + ((hi - lo) * k) / 64), { minLength: sizeOf(s), maxLength: sizeOf(s) });
          }),
        ),
        fc.tuple(...shapes.map((s) => fc.array(fc.integer({ min: -8, max: 8 }).map((k) => k / 8), { minLength: sizeOf(s), maxLength: sizeOf(s) }))),
      );
    });

  it("reverse mode matches central differences along a random direction", () => {
    fc.assert(
      fc.property(sample, ([shapes, values, direction]) => {
        const xs = values.map((v, i) => tensor(v, shapes[i]));
        const vs = direction.map((v, i) => tensor(v, shapes[i]));
        if (p.domain.kinkDistance !== undefined) {
          // the arguments as broadcast against each other, elementwise pairs, far enough from every kink
          const spread = xs.map((x) => (toArray(reshape(xs.reduce((acc, o) => add(acc, mul(0, o)) as Tensor, x), [-1])) as number[]));
          if (spread[0].some((_, k) => p.domain.kinkDistance!(spread.map((v) => v[k])) < 1e-2)) return;
        }
        const f = (args: readonly Tensor[]) => total(p.apply(args));
        const [, pullback] = vjp(f, xs);
        const g = pullback(1);
        const h = 1e-5;
        const at = (s: number) => primal(f(xs.map((x, i) => add(x, mul(s * h, vs[i])) as Tensor)));
        const numeric = (at(1) - at(-1)) / (2 * h);
        const analytic = g.reduce((acc, gi, i) => acc + inner(gi, vs[i]), 0);
        if (!close(analytic, numeric, 1e-6, 1e-7)) throw new Error(`grad·v = ${analytic}, difference quotient ${numeric}`);
      }),
      { numRuns: runs },
    );
  });

  it("forward and reverse agree: ⟨u, J·v⟩ = ⟨Jᵀ·u, v⟩", () => {
    fc.assert(
      fc.property(sample, ([shapes, values, direction]) => {
        const xs = values.map((v, i) => tensor(v, shapes[i]));
        const vs = direction.map((v, i) => tensor(v, shapes[i]));
        const f = (args: readonly Tensor[]) => p.apply(args);
        const [y, jv] = jvp(f, xs, vs);
        const yShape = typeof y === "object" && "shape" in y ? (y as Tensor).shape : [];
        const u = yShape.length === 0 ? 0.75 : tensor(Array.from({ length: sizeOf(yShape) }, (_, k) => ((k % 5) - 2) / 4), yShape);
        const [, pullback] = vjp(f, xs);
        const back = pullback(u as never) as readonly Tensor[];
        const left = inner(u as Tensor, jv as Tensor);
        const right = back.reduce((acc, b, i) => acc + inner(b, vs[i]), 0);
        if (!close(left, right, 1e-12, 1e-12)) throw new Error(`⟨u, Jv⟩ = ${left}, ⟨Jᵀu, v⟩ = ${right}, y ${JSON.stringify(toArray(y as Tensor))}`);
      }),
      { numRuns: runs },
    );
  });
});
