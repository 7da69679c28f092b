// The fp-ts instances obey their laws (up to rounding where floats are involved), and models compose
// with pipe and flow.
import fc from "fast-check";
import { flow, pipe } from "fp-ts/function";
import { concatAll } from "fp-ts/Monoid";
import { describe, expect, it } from "vitest";
import {
  FieldReal, MonoidProductReal, MonoidSumReal, SemigroupGradient, getGradientMonoid, grad, mul, type Real, sin, square,
} from "../../../src/index.ts";
import { close } from "../../support/approx.ts";

// Dyadic rationals with small numerators: sums and products are exact in float64.
const dyadic = fc.integer({ min: -4096, max: 4096 }).map((n) => n / 64);

describe("FieldReal", () => {
  it("is a commutative ring with exact division on dyadic numbers", () => {
    fc.assert(
      fc.property(dyadic, dyadic, dyadic, (a, b, c) => {
        const { add, mul, sub, zero, one } = FieldReal;
        // numeric equality (0 and −0 are the same number)
        const same = (x: Real, y: Real) => expect(x === y).toBe(true);
        same(add(add(a, b), c), add(a, add(b, c)));
        same(mul(mul(a, b), c), mul(a, mul(b, c)));
        same(add(a, zero), a);
        same(mul(a, one), a);
        same(mul(a, add(b, c)), add(mul(a, b), mul(a, c)));
        same(add(sub(a, b), b), a);
        if (b !== 0) expect(close(FieldReal.mul(FieldReal.div(a, b) as number, b) as number, a, 1e-15)).toBe(true);
        expect(FieldReal.mod(a, b)).toBe(0);
      }),
    );
  });
  it("works on Reals inside a transform: the derivative of a·x + x·x via the instance", () => {
    const { add, mul } = FieldReal;
    expect(grad((x: Real) => add(mul(3, x), mul(x, x)))(2)).toBe(7);
  });
});

describe("monoids", () => {
  it("sum and product monoids concatenate", () => {
    expect(concatAll(MonoidSumReal)([1, 2, 3.5])).toBe(6.5);
    expect(concatAll(MonoidProductReal)([2, 3, 4])).toBe(24);
  });
  it("gradients of one shape form a monoid: identity and associativity", () => {
    const like = { w: [0, 0], b: 0 };
    const M = getGradientMonoid(like);
    const tree = fc.record({ w: fc.tuple(dyadic, dyadic), b: dyadic });
    fc.assert(
      fc.property(tree, tree, tree, (a, b, c) => {
        expect(M.concat(a, M.empty)).toEqual(a);
        expect(M.concat(M.empty, a)).toEqual(a);
        expect(M.concat(M.concat(a, b), c)).toEqual(M.concat(a, M.concat(b, c)));
      }),
    );
  });
  it("accumulates per-example gradients into the batch gradient", () => {
    const loss = (x: number) => (p: { w: Real }) => square(mul(p.w, x));
    const params = { w: 0.5 };
    const total = concatAll(getGradientMonoid(params))([1, 2, 3].map((x) => grad(loss(x))(params)));
    // d/dw Σ (w·x)² = 2w Σ x²
    expect(total).toEqual({ w: 2 * 0.5 * 14 });
  });
  it("concatenating gradients of different shapes is a TypeError naming the path", () => {
    expect(() => SemigroupGradient.concat({ w: [1, 2] }, { w: [1] })).toThrow(/w/);
  });
});

describe("composition with pipe and flow", () => {
  it("transforms compose left to right", () => {
    const f = (x: Real) => mul(x, sin(x));
    const d2 = pipe(f, grad, grad);
    const expected = 2 * Math.cos(1.2) - 1.2 * Math.sin(1.2);
    expect(close(d2(1.2), expected, 1e-14)).toBe(true);
    const model = flow((x: Real) => mul(2, x), sin, square);
    expect(close(grad(model)(0.3), 2 * Math.sin(0.6) * Math.cos(0.6) * 2, 1e-14)).toBe(true);
  });
});
