// withL2 and projectToBall, by their laws: the penalty's value and gradient (∇L + 2λθ), the
// projection's fixed points, idempotence, non-expansiveness and closed form, and their errors.
import fc from "fast-check";
import { pipe } from "fp-ts/lib/function.js";
import { describe, expect, it } from "vitest";
import {
  add, globalNorm, grad, mul, projectToBall, type Real, sin, sum, type Tensor, tensor, toArray, weightsOnly, withL2,
} from "../../../src/index.ts";
import { expectClose, expectTreeClose, isDeeplyFrozen } from "../../support/approx.ts";

/** Dyadic numbers in [-8, 8] (exact in binary, so closed forms compare tightly). */
const nice = fc.integer({ min: -512, max: 512 }).map((n) => n / 64);
const vector = (n: number) => fc.array(nice, { minLength: n, maxLength: n });

type Params = { readonly w: Tensor; readonly b: readonly Real[] };
const flat = (t: Tensor): number[] => (toArray(t) as number[]).flat(Infinity as 1) as number[];
/** L(θ) = Σ sin(wᵢ) + Σ bⱼ·(j + 1): ∂L/∂wᵢ = cos wᵢ, ∂L/∂bⱼ = j + 1. */
const loss = (p: Params): Real => add(sum(sin(p.w)), sum(p.b.map((bj, j) => mul(bj, j + 1))));
const asParams = (w: number[], b: number[]): Params => ({ w: tensor(w), b });
const normSquared = (xs: readonly number[]): number => xs.reduce((s, x) => s + x * x, 0);

describe("withL2", () => {
  it("adds λ·‖θ‖₂² over every leaf", () => {
    const p = asParams([1, -2, 0.5], [3, -1]);
    const expected = Math.sin(1) + Math.sin(-2) + Math.sin(0.5) + 3 - 2 + 0.1 * (1 + 4 + 0.25 + 9 + 1);
    expectClose(withL2(0.1)(loss)(p), expected, 1e-14);
  });
  it("has gradient ∇L + 2λθ (for every θ and λ)", () => {
    fc.assert(
      fc.property(vector(3), vector(2), fc.integer({ min: 0, max: 64 }).map((n) => n / 16), (w, b, lambda) => {
        const g = grad(withL2(lambda)(loss))(asParams(w, b));
        expectTreeClose(flat(g.w), w.map((wi) => Math.cos(wi) + 2 * lambda * wi), 1e-12, 1e-12);
        expectTreeClose(g.b, b.map((bj, j) => j + 1 + 2 * lambda * bj), 1e-12, 1e-12);
      }),
    );
  });
  it("penalises only the selected leaves: weights, not biases", () => {
    const p = { hidden: { w: tensor([[1, 2], [3, 4]]), b: tensor([5, 6]) } };
    const l = (q: typeof p): Real => sum(q.hidden.b);
    const penalised = withL2(0.5, { select: weightsOnly })(l);
    expectClose(penalised(p), 11 + 0.5 * 30);
    const g = grad(penalised)(p);
    expectTreeClose(toArray(g.hidden.w), [[1, 2], [3, 4]]);
    expectTreeClose(toArray(g.hidden.b), [1, 1]);
    // the selector sees each leaf's path
    const seen: string[] = [];
    withL2(1, { select: (path) => (seen.push(path.join(".")), true) })(l)(p);
    expect(seen).toEqual(["hidden.w", "hidden.b"]);
  });
  it("passes the loss's other arguments through, and composes with pipe", () => {
    const l = (theta: readonly Real[], scale: number): Real => mul(scale, sum(theta));
    expectClose(withL2(2)(l)([1, 2], 3), 9 + 2 * 5);
    expectClose(pipe(l, withL2(2))([1, 2], 3), 9 + 2 * 5);
  });
  it("with λ = 0 is the loss itself", () => {
    expectClose(withL2(0)(loss)(asParams([1, 2, 3], [4, 5])), loss(asParams([1, 2, 3], [4, 5])) as number);
  });
  it("rejects λ that is negative or not finite when called, before any loss is given", () => {
    for (const bad of [-1, -1e-12, Number.NaN, Infinity, -Infinity]) expect(() => withL2(bad)).toThrow(RangeError);
  });
});

describe("projectToBall", () => {
  const project = (r: number, xs: number[]): number[] => projectToBall(r)(xs);

  it("leaves a point inside the ball (or on it) unchanged, with the same values exactly", () => {
    fc.assert(
      fc.property(vector(4), (xs) => {
        const r = Math.sqrt(normSquared(xs)) + 1e-9;
        expect(project(r, xs)).toEqual(xs);
        const t = { w: tensor([xs]), b: xs[0] };
        const out = projectToBall(r + 10)(t);
        expect(toArray(out.w)).toEqual([xs]);
        expect(out.b).toBe(xs[0]);
      }),
    );
    expect(project(5, [3, 4])).toEqual([3, 4]);
  });
  it("maps a point outside onto the sphere along its ray: θ·r/‖θ‖", () => {
    fc.assert(
      fc.property(vector(4), fc.integer({ min: 1, max: 64 }).map((n) => n / 16), (xs, r) => {
        const norm = Math.sqrt(normSquared(xs));
        fc.pre(norm > r);
        const out = project(r, xs);
        expectTreeClose(out, xs.map((x) => (x * r) / norm), 1e-14, 1e-15);
        expect(Math.sqrt(normSquared(out))).toBeLessThanOrEqual(r);
      }),
    );
  });
  it("is idempotent, exactly", () => {
    fc.assert(
      fc.property(vector(5), fc.integer({ min: 1, max: 64 }).map((n) => n / 8), (xs, r) => {
        const once = project(r, xs);
        expect(project(r, once)).toEqual(once);
      }),
    );
  });
  it("is non-expansive: ‖P(x) − P(y)‖ ≤ ‖x − y‖", () => {
    fc.assert(
      fc.property(vector(3), vector(3), fc.integer({ min: 1, max: 64 }).map((n) => n / 8), (xs, ys, r) => {
        const [px, py] = [project(r, xs), project(r, ys)];
        const after = Math.sqrt(normSquared(px.map((v, i) => v - py[i])));
        const before = Math.sqrt(normSquared(xs.map((v, i) => v - ys[i])));
        expect(after).toBeLessThanOrEqual(before * (1 + 1e-12) + 1e-15);
      }),
    );
  });
  it("uses the global norm over every leaf of a tree", () => {
    // ‖θ‖ = √(9 + 16) = 5 over a Real and a tensor
    const out = projectToBall(1)({ a: 3, t: tensor([[4]]) });
    expectClose(out.a, 0.6);
    expectClose((toArray(out.t) as number[][])[0][0], 0.8);
    expectClose(globalNorm(out) as number, 1);
  });
  it("projects each leaf onto its own ball with { perLeaf: true }", () => {
    const out = projectToBall(1, { perLeaf: true })({ a: [0.5], t: tensor([3, 4]), s: -2 });
    expect(out.a).toEqual([0.5]);
    expectTreeClose(toArray(out.t), [0.6, 0.8]);
    expectClose(out.s, -1);
  });
  it("returns a frozen tree and changes nothing it is given", () => {
    const input = { w: [3, 4], b: { c: 12 } };
    const out = projectToBall(1)(input);
    expect(input).toEqual({ w: [3, 4], b: { c: 12 } });
    expect(Object.isFrozen(input)).toBe(false);
    expect(isDeeplyFrozen(out)).toBe(true);
    expect(isDeeplyFrozen(projectToBall(100)(input))).toBe(true);
  });
  it("rejects a radius that is not finite or not positive when called, before any point is given", () => {
    for (const bad of [0, -1, Number.NaN, Infinity]) expect(() => projectToBall(bad)).toThrow(RangeError);
  });
  it("rejects a bad params tree with a TypeError naming the path", () => {
    expect(() => projectToBall(1)({ a: [1, "x"] } as never)).toThrow(TypeError);
    expect(() => projectToBall(1)({ a: [1, "x"] } as never)).toThrow(/a\[1\]/);
  });
});
