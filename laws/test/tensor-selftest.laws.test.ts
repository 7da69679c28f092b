// The tensor laws can fail: each is fed deliberately wrong tensor rules, made with the public customJvp /
// customVjp (a matmul transposed wrongly or scaled, a broadcasting add whose pullback skips the
// reduction, rules nonlinear, flat at second order, stateful, …) and must reject every one with a
// counterexample, while the right rule on the same subject holds.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  abs, add, cos, customJvp, customVjp, dual, matmul, mul, neg, primal, type Real, reshape, sin, slice, sum, tangent, type Tensor, tensor,
  type TensorPrimitive, tensorPrimitives, transpose, zeros,
} from "../../src/index.ts";
import {
  broadcastKinkDistance, checkChainRule, checkDerivativeLinearity, checkDotProductIdentity, checkFiniteDifferences, checkGradOfGrad,
  checkHessianSymmetry, checkHvpMatchesHessian, checkJacobianAgreement, checkJacobianChainRule, checkLinearity,
  checkPerturbationConfusion, checkPrimalAgreement, checkProductRule, checkPurity, checkQuotientRule, KINK_MARGIN, nablaTransforms, nice,
  type ScalarDerivative, tensorArgsOf, tensorOf, tensorSubjectsFor, tensorVectorPrograms, type Transforms,
} from "../index.ts";
import { rejects } from "../../test/support/approx.ts";
import { copyTree } from "../trees.ts";

/** Samples where a check must pass: a quarter of NABLA_LAW_RUNS (100 here): tensor samples cost more. */
const runs = Math.max(1, Math.round(Number(process.env.NABLA_LAW_RUNS ?? 100) / 4));
const modes = ["forward", "reverse"] as const;
type Mode = (typeof modes)[number];

type Args = readonly Tensor[];
type ByMode<X, Y> = { readonly forward: (x: X) => Y; readonly reverse: (x: X) => Y };

// --- inputs: square matrices (so that a wrong transposition still has the right shape), a matrix and a
// row broadcast over it (two rows at least, so that the reduction matters), one matrix
const extent = (lo: number, hi: number) => fc.integer({ min: lo, max: hi });
const squares: fc.Arbitrary<Args> = extent(2, 3).chain((n) => fc.tuple(tensorOf([n, n]), tensorOf([n, n])));
const rows: fc.Arbitrary<Args> = fc.tuple(extent(2, 3), extent(1, 3)).chain(([a, b]) => fc.tuple(tensorOf([a, b]), tensorOf([b])));
const matrix: fc.Arbitrary<Tensor> = fc.tuple(extent(1, 3), extent(1, 3)).chain(([a, b]) => tensorOf([a, b]));
const pairOfMatrices: fc.Arbitrary<Args> = fc.tuple(extent(1, 3), extent(1, 3)).chain(([a, b]) => fc.tuple(tensorOf([a, b]), tensorOf([a, b])));

// --- matmul with its rules rewritten: `t` the tangent from (x, v), `p` the pullback from (x, u)
const mm = (xs: Args): Tensor => matmul(xs[0], xs[1]);
const mmRules = (t: (x: Args, v: Args) => Tensor, p: (x: Args, u: Tensor) => Tensor[]): ByMode<Args, Tensor> => ({
  forward: customJvp(mm, (x: Args, v: Args) => [mm(x), t(x, v)] as const),
  reverse: customVjp(mm, (x: Args) => [mm(x), (u: Tensor): Args => p(x, u)] as const),
});
const mmRight = mmRules(
  (x, v) => add(matmul(v[0], x[1]), matmul(x[0], v[1])),
  (x, u) => [matmul(u, transpose(x[1])), matmul(transpose(x[0]), u)],
);
const mmWrong = {
  scaled: mmRules(
    (x, v) => mul(1.5, add(matmul(v[0], x[1]), matmul(x[0], v[1]))),
    (x, u) => [mul(1.5, matmul(u, transpose(x[1]))), mul(1.5, matmul(transpose(x[0]), u))],
  ),
  // B where Bᵀ belongs (and A where Aᵀ): right for symmetric matrices only
  transposed: mmRules(
    (x, v) => add(matmul(v[0], transpose(x[1])), matmul(transpose(x[0]), v[1])),
    (x, u) => [matmul(u, x[1]), matmul(x[0], u)],
  ),
  offByTenThousandth: mmRules(
    (x, v) => mul(1.0001, add(matmul(v[0], x[1]), matmul(x[0], v[1]))),
    (x, u) => [mul(1.0001, matmul(u, transpose(x[1]))), mul(1.0001, matmul(transpose(x[0]), u))],
  ),
};

// --- [a,b] + [b], broadcasting the row: its pullback must sum the cotangent over the broadcast axis
const addRow = (xs: Args): Tensor => add(xs[0], xs[1]);
const addRowRules = (t: (v: Args) => Tensor, p: (u: Tensor) => Tensor[]): ByMode<Args, Tensor> => ({
  forward: customJvp(addRow, (x: Args, v: Args) => [addRow(x), t(v)] as const),
  reverse: customVjp(addRow, (x: Args) => [addRow(x), (u: Tensor): Args => p(u)] as const),
});
const addRowRight = addRowRules((v) => add(v[0], v[1]), (u) => [u, sum(u, 0)]);
// the row's tangent or cotangent taken from one row instead of broadcast / reduced over all of them
const addRowUnreduced = addRowRules(
  (v) => add(v[0], slice(v[1], 0, 1)),
  (u) => [u, reshape(slice(u, 0, 1), [-1])],
);

// --- sin on a tensor with its rule rewritten (the same d for the tangent and the pullback)
const sinT = (x: Tensor): Tensor => sin(x);
const sinRules = (d: (x: Tensor, w: Tensor) => Tensor): ByMode<Tensor, Tensor> => ({
  forward: customJvp(sinT, (x: Tensor, v: Tensor) => [sin(x), d(x, v)] as const),
  reverse: customVjp(sinT, (x: Tensor) => [sin(x), (u: Tensor) => d(x, u)] as const),
});
const sinRight = sinRules((x, w) => mul(cos(x), w));
const sinWrong = {
  ignoring: sinRules((x) => cos(x)),
  nonlinear: sinRules((x, w) => mul(cos(x), mul(w, abs(w)))),
  affine: sinRules((x, w) => add(mul(cos(x), w), 1 / 64)),
  // first order right, but its derivative is taken at the primal only: flat at second order
  flat: sinRules((x, w) => mul(cos(primal(x)), w)),
};

/** `[s(x₀) ⊙ x₁, s(x₁)]` for two matrices of one shape: s inside a function of two tensors. */
const lifted = (s: (x: Tensor) => Tensor) => (xs: Args): Tensor[] => [mul(s(xs[0]), xs[1]), s(xs[1])];
/** `Σ s(x₀) ⊙ x₁`: a scalar function of two tensors with s inside (for the second-order laws). */
const scalarOf = (s: (x: Tensor) => Tensor) => (xs: Args): Real => sum(mul(s(xs[0]), xs[1]));

/** `t ↦ Σ w ⊙ s(c + t·d)` for fixed c, d, w of shape [2,3]: a function Real → Real through a tensor rule. */
const c = tensorOf([2, 3], nice(-1, 1));
const lines = fc.tuple(c, c, c).map(([c0, d0, w0]) => ({ c0, d0, w0 }));
const alongLine =
  (s: (x: Tensor) => Tensor, { c0, d0, w0 }: { c0: Tensor; d0: Tensor; w0: Tensor }) =>
  (t: Real): Real =>
    sum(mul(w0, s(add(c0, mul(t, d0)))));
const lineSubject = (s: (x: Tensor) => Tensor) => fc.tuple(lines, nice(-1, 1)).map(([l, x]) => ({ f: alongLine(s, l), x }));

describe.each(modes)("tensor laws in %s mode", (mode: Mode) => {
  const options = { mode, runs };

  describe("the chain rule", () => {
    // the wrong rule is the outer and the inner function: its tangent or cotangent is not 1 there
    it("holds for the right rule", () => {
      checkJacobianChainRule({ f: sinRight[mode], g: sinRight[mode], x: matrix }, options);
      checkChainRule(lineSubject(sinRight[mode]).map(({ f, x }) => ({ f: (y: Real) => mul(y, y), g: f, x })), options);
    });
    it("rejects a tensor rule that ignores its incoming tangent or cotangent", () =>
      rejects(() => checkJacobianChainRule({ f: sinWrong.ignoring[mode], g: sinWrong.ignoring[mode], x: matrix }, options), /Jacobian chain rule/));
    it("rejects it inside scalar functions that go through tensors", () => {
      const ignoring = sinWrong.ignoring[mode];
      const composed = fc.tuple(lines, lines, nice(-1, 1)).map(([l1, l2, x]) => ({ f: alongLine(ignoring, l1), g: alongLine(ignoring, l2), x }));
      rejects(() => checkChainRule(composed, options), /chain rule/);
    });
  });

  describe(`linearity of the ${mode === "forward" ? "jvp in v" : "pullback in u"}`, () => {
    it("holds for the right rules", () => {
      checkLinearity({ f: lifted(sinRight[mode]), x: pairOfMatrices }, options);
      checkLinearity({ f: mmRight[mode], x: squares }, options);
    });
    it("rejects a tensor rule not linear in its tangent or cotangent", () =>
      rejects(() => checkLinearity({ f: lifted(sinWrong.nonlinear[mode]), x: pairOfMatrices }, options), /linearity/));
    it("rejects an affine tensor rule", () =>
      rejects(() => checkLinearity({ f: lifted(sinWrong.affine[mode]), x: pairOfMatrices }, options), /linearity/));
  });

  describe("linearity in the function, and the product and quotient rules, on tensors", () => {
    const g = (xs: Args): Tensor[] => [cos(xs[0]), add(2, sin(mul(xs[0], xs[1])))];
    const f = lifted(sinRight[mode]);
    const binary = (rule: (p: Args, t: Args) => Tensor, pull: (p: Args, u: Tensor) => Tensor[], op: (p: Args) => Tensor) => ({
      forward: customJvp(op, (p: Args, t: Args) => [op(p), rule(p, t)] as const),
      reverse: customVjp(op, (p: Args) => [op(p), (u: Tensor): Args => pull(p, u)] as const),
    });
    const op2 = (k: ByMode<Args, Tensor>) => (a: Real, b: Real): Real => k[mode]([a as unknown as Tensor, b as unknown as Tensor]) as unknown as Real;
    const badAdd = binary((_p, t) => mul(1.5, add(t[0], t[1])), (_p, u) => [mul(1.5, u), u], (p) => add(p[0], p[1]));
    const badMul = binary((p, t) => mul(t[0], p[1]), (p, u) => [mul(u, p[1]), zeros(p[1].shape)], (p) => mul(p[0], p[1]));
    it("hold for nabla's add, mul and div", () => {
      checkDerivativeLinearity({ f, g, x: pairOfMatrices }, options);
      checkProductRule({ f, g, x: pairOfMatrices }, options);
      checkQuotientRule({ f, g, x: pairOfMatrices }, options);
    });
    it("reject a tensor addition with a wrong rule", () =>
      rejects(() => checkDerivativeLinearity({ f, g, x: pairOfMatrices }, { ...options, arithmetic: { add: op2(badAdd) } }), /linearity/));
    it("reject a tensor multiplication whose rule forgets a term", () =>
      rejects(() => checkProductRule({ f, g, x: pairOfMatrices }, { ...options, arithmetic: { mul: op2(badMul) } }), /product rule/));
  });

  describe("agreement with finite differences", () => {
    it("holds for the right rules", () => {
      checkFiniteDifferences({ f: mmRight[mode], x: squares }, options);
      checkFiniteDifferences({ f: addRowRight[mode], x: rows }, options);
    });
    it.each(["scaled", "transposed"] as const)("rejects a matmul whose rule is %s", (w) =>
      rejects(() => checkFiniteDifferences({ f: mmWrong[w][mode], x: squares }, options), /finite differences/));
    it("rejects a broadcasting add whose rule ignores the broadcast (its pullback, the reduction)", () =>
      rejects(() => checkFiniteDifferences({ f: addRowUnreduced[mode], x: rows }, options), /finite differences/));
    it("rejects a matmul rule off by one part in ten thousand", () =>
      rejects(() => checkFiniteDifferences({ f: mmWrong.offByTenThousandth[mode], x: squares }, options), /finite differences/));
  });

  describe("second order, on scalar reductions of tensors", () => {
    // Σ a ⊙ sin(b) with rules that drop a's outer perturbation from ∂/∂b: the mixed partials differ
    const f = (p: Args): Real => sum(mul(p[0], sin(p[1])));
    const asymmetric = {
      forward: customJvp(f, (p: Args, t: Args) => [f(p), sum(add(mul(sin(p[1]), t[0]), mul(mul(primal(p[0]), cos(p[1])), t[1])))] as const),
      reverse: customVjp(f, (p: Args) => [f(p), (u: Real): Args => [mul(u, sin(p[1])), mul(mul(u, primal(p[0])), cos(p[1]))]] as const),
    };
    // sin whose pullback calls a cos whose forward rule is wrong: forward over reverse sees the wrong rule
    const cosTwice = customJvp((x: Tensor) => cos(x), (x: Tensor, v: Tensor) => [cos(x), mul(2, mul(neg(sin(x)), v))] as const);
    const sinOverWrongCos = customVjp(sinT, (x: Tensor) => [sin(x), (u: Tensor) => mul(u, cosTwice(x))] as const);
    it("the laws hold for the right rules", () => {
      checkHessianSymmetry({ f, x: pairOfMatrices }, options);
      checkHvpMatchesHessian({ f: scalarOf(sinRight[mode]), x: pairOfMatrices }, options);
      checkGradOfGrad({ f: scalarOf(sinRight[mode]), x: pairOfMatrices }, options);
    });
    it("Hessian symmetry rejects a tensor rule whose mixed partials differ", () =>
      rejects(() => checkHessianSymmetry({ f: asymmetric[mode], x: pairOfMatrices }, options), /Hessian symmetry/));
    it("hvp = H·v rejects a pullback whose own forward rule is wrong", () =>
      rejects(() => checkHvpMatchesHessian({ f: scalarOf(sinOverWrongCos), x: pairOfMatrices }, options), /hvp = H·v/));
    if (mode === "forward") {
      it("hvp = H·v and grad∘grad reject a tensor rule flat at second order", () => {
        rejects(() => checkHvpMatchesHessian({ f: scalarOf(sinWrong.flat.forward), x: pairOfMatrices }, options), /hvp = H·v/);
        rejects(() => checkGradOfGrad(lineSubject(sinWrong.flat.forward), options), /derivative∘derivative vs hessian/);
      });
    } else {
      it("grad∘grad rejects a pullback whose own forward rule is wrong, on tensors and along a line", () => {
        rejects(() => checkGradOfGrad({ f: scalarOf(sinOverWrongCos), x: pairOfMatrices }, options), /grad∘grad along v vs hvp/);
        rejects(() => checkGradOfGrad(lineSubject(sinOverWrongCos), options), /grad∘grad vs hessian/);
      });
    }
  });

  describe("freedom from perturbation confusion, through tensors", () => {
    const eps = dual(0, 1);
    const sharedEpsilon: ScalarDerivative = (g) => (x) => tangent(g(add(x, eps)));
    // a tensor rule that adds the tangent of an outer level to its own
    const outerTangent = (p: Tensor): Tensor | number => {
      try {
        return tangent(p as unknown as Real) as unknown as Tensor;
      } catch {
        return 0;
      }
    };
    const confused = customJvp(sinT, (x: Tensor, v: Tensor) => [sin(x), mul(cos(x), add(v, outerTangent(x) as Tensor))] as const);
    it("holds for nabla's transforms and the right rule", () => checkPerturbationConfusion(lineSubject(sinRight[mode]), options));
    it("rejects derivative operators sharing one ε", () =>
      rejects(() => checkPerturbationConfusion(lineSubject(sinT), { ...options, operators: { forward: sharedEpsilon } }), /confusion/));
    if (mode === "forward") {
      it("rejects a tensor rule mixing an outer level's tangent into its own", () =>
        rejects(() => checkPerturbationConfusion(lineSubject(confused), options), /confusion/));
    }
  });

  describe("purity", () => {
    const stateful = () => {
      let calls = 0;
      return sinRules((x, w) => mul(++calls, mul(cos(x), w)));
    };
    it("holds for the right rules", () => {
      checkPurity({ f: lifted(sinRight[mode]), x: pairOfMatrices }, options);
      checkPurity({ f: mmRight[mode], x: squares }, options);
      checkPurity({ f: scalarOf(sinRight[mode]), x: pairOfMatrices }, options);
    });
    it("rejects a tensor rule with hidden state", () =>
      rejects(() => checkPurity({ f: lifted(stateful()[mode]), x: pairOfMatrices }, options), /differs between calls/));
    it("rejects a tensor rule that replaces a tensor of its input", () => {
      const g = (xs: Args): Tensor => sin(xs[0]);
      const mutating = {
        forward: customJvp(g, (xs: Args, vs: Args) => {
          (xs as Tensor[])[0] = zeros(xs[0].shape);
          return [g(xs), vs[0]] as const;
        }),
        reverse: customVjp(g, (xs: Args) => {
          (xs as Tensor[])[0] = zeros(xs[0].shape);
          return [g(xs), (u: Tensor): Args => [u, zeros(xs[1].shape)]] as const;
        }),
      };
      rejects(() => checkPurity({ f: mutating[mode], x: pairOfMatrices }, options), /read only|read-only|frozen|not extensible/);
    });
    it("rejects transforms whose results are not frozen", () => {
      const thawed: Partial<Transforms> = {
        jvp: (h, x, v) => copyTree(nablaTransforms.jvp(h, x, v)) as readonly [unknown, unknown],
        vjp: (h, x) => [...nablaTransforms.vjp(h, x)] as const,
      };
      rejects(() => checkPurity({ f: lifted(sinRight[mode]), x: pairOfMatrices }, { ...options, transforms: thawed }), /is not frozen/);
    });
    if (mode === "reverse") {
      it("rejects a tensor pullback that cannot be reused", () => {
        const once = customVjp(sinT, (x: Tensor) => {
          let used = false;
          return [sin(x), (u: Tensor) => (used ? mul(0, u) : ((used = true), mul(cos(x), u)))] as const;
        });
        rejects(() => checkPurity({ f: lifted(once), x: pairOfMatrices }, options), /pullback/);
      });
    }
  });
});

describe("tensor forward/reverse agreement", () => {
  // forward right, reverse transposed wrongly (or scaled)
  const disagreeing = customVjp(mmRight.forward, (x: Args) => [mm(x), (u: Tensor): Args => [matmul(u, x[1]), matmul(x[0], u)]] as const);
  const unreduced = customVjp(addRowRight.forward, (x: Args) => [addRow(x), (u: Tensor): Args => [u, reshape(slice(u, 0, 1), [-1])]] as const);
  it("holds for the right rules", () => {
    checkDotProductIdentity({ f: mmRight.reverse, x: squares }, { runs });
    checkDotProductIdentity({ f: addRowRight.reverse, x: rows }, { runs });
    checkJacobianAgreement({ f: mmRight.forward, x: squares }, { runs });
    checkPrimalAgreement({ f: mmRight.reverse, x: squares }, { runs });
  });
  it("the dot-product identity rejects a matmul pullback transposed wrongly, and a broadcast pullback that does not reduce", () => {
    rejects(() => checkDotProductIdentity({ f: disagreeing, x: squares }, { runs }), /⟨u, J·v⟩/);
    rejects(() => checkDotProductIdentity({ f: unreduced, x: rows }, { runs }), /⟨u, J·v⟩/);
  });
  it.each(modes)("the dot-product identity rejects a scaled matmul rule in %s mode", (mode) =>
    rejects(() => checkDotProductIdentity({ f: mmWrong.scaled[mode], x: squares }, { runs }), /⟨u, J·v⟩/));
  it("the Jacobians by jvps and by pullbacks differ for such rules", () => {
    rejects(() => checkJacobianAgreement({ f: disagreeing, x: squares }, { runs }), /Jacobian by jvps vs by pullbacks/);
    rejects(() => checkJacobianAgreement({ f: unreduced, x: rows }, { runs }), /Jacobian by jvps vs by pullbacks/);
  });
  it("jacfwd and jacrev on a 1-D tensor see a disagreeing rule", () => {
    const v = extent(2, 4).chain((n) => tensorOf([n]));
    const wrongRev = customVjp(sinT, (x: Tensor) => [sin(x), (u: Tensor) => mul(neg(cos(x)), u)] as const);
    checkJacobianAgreement({ f: sinRight.forward, x: v }, { runs });
    rejects(() => checkJacobianAgreement({ f: wrongRev, x: v }, { runs }), /Jacobian/);
  });
  it("a tensor rule with a wrong primal is caught in either mode", () => {
    const off = {
      forward: customJvp(mm, (x: Args, v: Args) => [add(mm(x), 0.5), add(matmul(v[0], x[1]), matmul(x[0], v[1]))] as const),
      reverse: customVjp(mm, (x: Args) => [add(mm(x), 0.5), (u: Tensor): Args => [matmul(u, transpose(x[1])), matmul(transpose(x[0]), u)]] as const),
    };
    rejects(() => checkPrimalAgreement({ f: off.forward, x: squares }, { runs }), /jvp's value/);
    rejects(() => checkPrimalAgreement({ f: off.reverse, x: squares }, { runs }), /vjp's value/);
  });
});

describe("kinks are judged over broadcast tuples", () => {
  const maxOuter = tensorPrimitives.find((p) => p.name === "max [a,1]⊕[1,b]")!;
  it("max([a,1], [1,b]) compares every aᵢ with every bⱼ, not index-aligned pairs", () => {
    // index-aligned pairs (0, 1) and (1, 5) are 1 apart; the broadcast pair (1, 1) sits on the kink
    const args = [tensor([0, 1], [2, 1]), tensor([1, 5], [1, 2])];
    expect(broadcastKinkDistance(maxOuter.domain.kinkDistance!, args)).toBe(0);
  });
  it("the arguments drawn for a kinked primitive keep every broadcast tuple away from its kink", () => {
    for (const p of tensorPrimitives.filter((q) => q.domain.kinkDistance !== undefined)) {
      for (const args of fc.sample(tensorArgsOf(p), 50)) {
        expect(broadcastKinkDistance(p.domain.kinkDistance!, args), p.name).toBeGreaterThanOrEqual(KINK_MARGIN);
      }
    }
  });
});

describe("a wrong tensor primitive added to the catalogue is caught", () => {
  // as a catalogue entry would declare it: the table-driven subjects and random programs pick it up
  const scaledMatmul = (mode: Mode): TensorPrimitive => ({
    name: `scaled matmul (${mode})`,
    dims: 3,
    shapes: ([n, k, m]) => [[n, k], [k, m]],
    apply: (xs) => mmWrong.scaled[mode](xs),
    domain: { args: [[-2, 2]] },
  });
  it.each(modes)("by the table-driven subjects, in %s mode", (mode) => {
    const s = tensorSubjectsFor(scaledMatmul(mode));
    rejects(() => checkFiniteDifferences(s.vector, { mode, runs }), /finite differences/);
    rejects(() => checkDotProductIdentity(s.vector, { runs }), /⟨u, J·v⟩/);
  });
  it.each(modes)("by random tensor programs that use it among other primitives, in %s mode", (mode) => {
    const others = tensorPrimitives.filter((p) => ["transpose", "sum axis 0", "softmax"].includes(p.name));
    const programs = tensorVectorPrograms({ tensors: [scaledMatmul(mode), ...others], maxDepth: 3 });
    rejects(() => checkFiniteDifferences(programs, { mode, runs: 300 }), /finite differences/);
  });
});
