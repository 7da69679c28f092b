// Every law on every primitive of the catalogue, in both modes. The catalogue drives the suite: a
// primitive added to the rule table is checked by every law here with no new test.
import { describe, expect, it } from "vitest";
import { primitives } from "../../src/index.ts";
import {
  checkChainRule, checkDerivativeLinearity, checkDotProductIdentity, checkFiniteDifferences, checkGradOfGrad, checkHessianSymmetry,
  checkHvpMatchesHessian, checkJacobianAgreement, checkJacobianChainRule, checkLinearity, checkPerturbationConfusion,
  checkJitAgreement, checkLinearizeAgreement, checkPrimalAgreement, checkProductRule, checkPurity, checkQuotientRule, modes,
  subjectsFor,
} from "../index.ts";

/** Samples per law, per primitive and mode: a few hundred in `npm test`, more with NABLA_LAW_RUNS. */
const runs = Number(process.env.NABLA_LAW_RUNS ?? 200);

it("the catalogue lists every primitive of SPEC §2 once", () => {
  const names = primitives.map((p) => p.name);
  expect(new Set(names).size).toBe(names.length);
  expect(names).toEqual(expect.arrayContaining(["add", "sub", "mul", "div", "neg", "exp", "log", "sin", "cos", "tan", "tanh", "sigmoid",
    "relu", "softplus", "sqrt", "square", "pow", "abs", "max", "min", "sum", "dot"]));
});

describe.each(primitives.map((p) => [p.name, p] as const))("%s", (_name, p) => {
  const s = subjectsFor(p);

  describe.each(modes)("in %s mode", (mode) => {
    const options = { mode, runs };
    it("obeys the scalar chain rule, as the outer and as the inner function", () => {
      for (const c of s.scalarChains) checkChainRule(c, options);
    });
    it("obeys the Jacobian chain rule, as the outer and as the inner function", () => {
      checkJacobianChainRule(s.chains[0], options);
      checkJacobianChainRule(s.chains[1], options);
    });
    it("has a derivative linear in the function", () => checkDerivativeLinearity(s.pair, options));
    it(`has a ${mode === "forward" ? "jvp linear in v" : "pullback linear in u"}`, () => checkLinearity(s.vector, options));
    it("obeys the product rule", () => checkProductRule(s.pair, options));
    it("obeys the quotient rule", () => checkQuotientRule(s.pair, options));
    it("agrees with central finite differences", () => checkFiniteDifferences(s.vector, options));
    it("has a symmetric Hessian", () => checkHessianSymmetry(s.vector, options));
    it("has hvp equal to the Hessian times v", () => checkHvpMatchesHessian(s.vector, options));
    it("has a gradient of its gradient equal to its Hessian", () => {
      checkGradOfGrad(s.scalar, options);
      checkGradOfGrad(s.vector, options);
    });
    it("is free of perturbation confusion", () => checkPerturbationConfusion(s.scalar, options));
    it("is pure", () => {
      checkPurity(s.vector, options);
      checkPurity(s.scalar, options);
    });
  });

  it("satisfies the dot-product identity ⟨u, J·v⟩ = ⟨Jᵀ·u, v⟩", () => checkDotProductIdentity(s.vector, { runs }));
  it("has the same Jacobian forward and reverse (jvps, pullbacks, jacfwd, jacrev, grad)", () =>
    checkJacobianAgreement(s.vector, { runs }));
  it("computes its own value in both modes", () => checkPrimalAgreement(s.vector, { runs }));
  it("has linearize agreeing with jvp", () => checkLinearizeAgreement(s.vector, { runs }));
  it("has jit agreeing with itself as written", () => {
    checkJitAgreement(s.vector, { runs });
    checkJitAgreement(s.scalar, { runs });
  });
});
