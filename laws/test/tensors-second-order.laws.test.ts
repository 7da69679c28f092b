// The second-order laws and freedom from perturbation confusion on every tensor primitive of the
// catalogue, in both modes, on a scalar reduction ρ(y) = Σ (w ⊙ y + ½ y²) of the primitive on small
// random shapes (a Hessian costs one AD call per pair of elements). Apart from the first-order file
// so that vitest runs the two side by side.
import { describe, it } from "vitest";
import { tensorPrimitives } from "../../src/index.ts";
import {
  checkGradOfGrad, checkHessianSymmetry, checkHvpMatchesHessian, checkJacobianAgreement, checkPerturbationConfusion, checkPurity, modes,
  tensorSubjectsFor,
} from "../index.ts";
import { tensorRuns } from "../tensor-runs.ts";

/** Samples per law, primitive and mode: shares of NABLA_LAW_RUNS (200 here, 10,000 in laws:deep) by cost. */
const runs = tensorRuns(Number(process.env.NABLA_LAW_RUNS ?? 200));

describe.each(tensorPrimitives.map((p) => [p.name, p] as const))("%s", (_name, p) => {
  const s = tensorSubjectsFor(p);

  describe.each(modes)("in %s mode", (mode) => {
    const options = { mode, runs: runs.secondOrder };
    it("has a symmetric Hessian", () => checkHessianSymmetry(s.reduced, options));
    it("has hvp equal to the Hessian times v (and to hessian(f)(x)·v on a flat tensor)", () => checkHvpMatchesHessian(s.flatReduced, options));
    it("has a gradient of its gradient equal to its Hessian, on tensors and along a line", () => {
      checkGradOfGrad(s.reduced, options);
      checkGradOfGrad(s.scalar, options);
    });
    it("is free of perturbation confusion", () => checkPerturbationConfusion(s.scalar, options));
    it("is pure, hvp and hessian included", () => checkPurity(s.flatReduced, options));
  });

  it("has the same gradient and Jacobian by jvps, pullbacks, grad, jacfwd and jacrev", () =>
    checkJacobianAgreement(s.flatReduced, { runs: runs.secondOrder }));
});
