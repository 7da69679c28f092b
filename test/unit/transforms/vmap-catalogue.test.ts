// Every entry of the tensor catalogue (src/rules/catalogue.ts, so a primitive added there is covered
// with no new test) under vmap, with its arguments batched on different axes or shared, against the
// loop over examples: its value, vmap of its gradient and of a jvp (the batching rules of its
// forward rule and pullback), and the gradient and jvp of the batched computation.
import { describe, it } from "vitest";
import { add, grad, jvp, mul, type Real, sum, type Tensor, tensorPrimitives, vjp, vmap } from "../../../src/index.ts";
import { expectSameTree, examplesOf, sample, stacked, stackResults } from "../../support/stacking.ts";

const B = 3;

/** A full batched shape for an example shape, the examples on `axis` (null: the example shape itself, shared). */
const placed = (shape: readonly number[], axis: number | null): number[] =>
  axis === null ? [...shape] : [...shape.slice(0, axis), B, ...shape.slice(axis)];

/** How the arguments are batched: all on axis 0, on their last axis, the first shared, only the first batched. */
const arrangements = (arity: number, ranks: readonly number[]): readonly [string, (number | null)[]][] => {
  const out: [string, (number | null)[]][] = [
    ["all batched on axis 0", ranks.map(() => 0)],
    ["all batched on their last axis", ranks.map((r) => r)],
  ];
  if (arity > 1) {
    out.push(["the first shared", ranks.map((_, i) => (i === 0 ? null : 0))]);
    out.push(["only the first batched, on axis 1", ranks.map((r, i) => (i === 0 ? Math.min(1, r) : null))]);
  }
  return out;
};

describe.each(tensorPrimitives.map((p) => [p.name, p] as const))("vmap of %s", (_name, p) => {
  const d = Array.from({ length: p.dims }, (_, i) => 2 + (i % 2));
  const shapes = p.shapes(d);
  const interval = (i: number) => p.domain.args[Math.min(i, p.domain.args.length - 1)];
  describe.each(arrangements(shapes.length, shapes.map((s) => s.length)))("%s", (_label, axes) => {
    const args = shapes.map((s, i) => sample(placed(s, axes[i]), 10 * i + 1, ...interval(i)));
    const dirs = shapes.map((s, i) => sample(placed(s, axes[i]), 10 * i + 2));
    const apply = (xs: readonly Tensor[]) => p.apply(xs);
    // a scalar of the result that weighs every element differently, so a misplaced example shows
    const reduce = (xs: readonly Tensor[]): Real => {
      const y = apply(xs);
      if (typeof y === "number" || y.shape.length === 0) return mul(1.5, y as Real);
      return sum(mul(y, sample(y.shape, 99)));
    };
    it("its value", () => {
      expectSameTree(vmap(apply, axes)(args), stacked(apply, args, axes));
    });
    it("vmap of its gradient and of its jvp", () => {
      expectSameTree(vmap(grad(reduce), axes)(args), stacked(grad(reduce), args, axes));
      const tangent = ([xs, vs]: readonly [readonly Tensor[], readonly Tensor[]]) => jvp(apply, xs, vs)[1];
      expectSameTree(vmap(tangent, [axes, axes])([args, dirs]), stacked(tangent, [args, dirs], [axes, axes]));
    });
    it("the gradient, jvp and pullback of the batched computation", () => {
      const batched = vmap(reduce, axes) as (xs: readonly Tensor[]) => Tensor;
      const examples = examplesOf(args, axes) as Tensor[][];
      const us = sample([B], 7);
      const weights = examplesOf(us) as number[];
      // a batched argument gets the stack of the examples' cotangents, a shared one their sum
      const gathered = (each: readonly (readonly Tensor[])[]) =>
        axes.map((a, i) => (a === null ? each.map((c) => c[i]).reduce((s, t) => add(s, t)) : stackResults(each.map((c) => c[i]), a)));
      expectSameTree(grad((xs: readonly Tensor[]) => sum(batched(xs)))(args), gathered(examples.map((e) => grad(reduce)(e))), 1e-12, 1e-13);
      const [, back] = vjp(batched, args);
      expectSameTree(back(us), gathered(examples.map((e, k) => vjp(reduce, e)[1](weights[k]))), 1e-12, 1e-13);
      const [, ty] = jvp(batched, args, dirs);
      const pairs = examplesOf([args, dirs], [axes, axes]) as [Tensor[], Tensor[]][];
      expectSameTree(ty, stackResults(pairs.map(([x, v]) => jvp(reduce, x, v)[1])));
    });
  });
});
