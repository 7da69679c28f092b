// Every first-order law on every tensor primitive of the catalogue (`tensorPrimitives`), in both
// modes, on random shapes with broadcasting; tensors-second-order.laws.test.ts has the rest. The
// catalogue drives the suite: a primitive added there is checked by every law with no new test.
import { describe, expect, it } from "vitest";
import { tensorPrimitives } from "../../src/index.ts";
import {
  checkChainRule, checkDerivativeLinearity, checkDotProductIdentity, checkFiniteDifferences, checkJacobianAgreement,
  checkJacobianChainRule, checkJitAgreement, checkLinearity, checkLinearizeAgreement, checkPrimalAgreement, checkProductRule,
  checkPurity, checkQuotientRule, modes,
  tensorSubjectsFor,
} from "../index.ts";
import { tensorRuns } from "../tensor-runs.ts";

/** Samples per law, primitive and mode: shares of NABLA_LAW_RUNS (200 here, 10,000 in laws:deep) by cost. */
const runs = tensorRuns(Number(process.env.NABLA_LAW_RUNS ?? 200));

it("the catalogue covers every differentiable tensor operation of SPEC §4, with each broadcasting pattern", () => {
  const names = tensorPrimitives.map((p) => p.name);
  expect(new Set(names).size).toBe(names.length);
  for (const op of ["matmul", "transpose", "reshape", "sum", "mean", "softmax", "logSumExp", "slice", "concat", "relu", "max"]) {
    expect(names.some((n) => n.startsWith(op)), op).toBe(true);
  }
  for (const pattern of ["[a,b]⊕[a,b]", "[a,b]⊕[b]", "[a,1]⊕[1,b]"]) expect(names.some((n) => n.endsWith(pattern)), pattern).toBe(true);
});

describe.each(tensorPrimitives.map((p) => [p.name, p] as const))("%s", (_name, p) => {
  const s = tensorSubjectsFor(p);

  describe.each(modes)("in %s mode", (mode) => {
    const options = { mode, runs: runs.firstOrder };
    it("obeys the chain rule: after a smooth map mixing in a reduction, before [tanh, Σ y²], and along a line", () => {
      checkJacobianChainRule(s.chains[0], { mode, runs: runs.jacobian });
      checkJacobianChainRule(s.chains[1], { mode, runs: runs.jacobian });
      for (const c of s.scalarChains) checkChainRule(c, { mode, runs: runs.jacobian });
    });
    it(`has a ${mode === "forward" ? "jvp linear in v" : "pullback linear in u"}`, () => checkLinearity(s.vector, options));
    // these three check the combining add, mul and div on tensors more than the primitive: fewer samples
    it("has a derivative linear in the function", () => checkDerivativeLinearity(s.pair, { mode, runs: runs.jacobian }));
    it("obeys the product and quotient rules", () => {
      checkProductRule(s.pair, { mode, runs: runs.jacobian });
      checkQuotientRule(s.pair, { mode, runs: runs.jacobian });
    });
    it("agrees with central finite differences along a random direction", () => checkFiniteDifferences(s.vector, options));
    it("is pure, on several tensors and on one flat tensor", () => {
      checkPurity(s.vector, options);
      checkPurity(s.flat, { mode, runs: runs.jacobian });
    });
  });

  it("satisfies the dot-product identity ⟨u, J·v⟩ = ⟨Jᵀ·u, v⟩", () => checkDotProductIdentity(s.vector, { runs: runs.firstOrder }));
  it("has the same Jacobian by jvps and by pullbacks (and jacfwd = jacrev on a flat tensor)", () => {
    checkJacobianAgreement(s.vector, { runs: runs.jacobian });
    checkJacobianAgreement(s.flat, { runs: runs.jacobian });
  });
  it("computes its own value in both modes", () => checkPrimalAgreement(s.vector, { runs: runs.firstOrder }));
  it("has linearize agreeing with jvp, and jit agreeing with itself as written", () => {
    checkLinearizeAgreement(s.vector, { runs: runs.firstOrder });
    checkJitAgreement(s.vector, { runs: runs.firstOrder });
  });
});

describe.each(tensorPrimitives.map((p) => [p.name, p] as const))("%s on large shapes", (_name, p) => {
  // extents 46 to 48: matrices past nabla's pooling threshold (2,048 elements), so memory is recycled
  // between transforms, and a result or an input still reachable must never be handed out again
  const large = tensorSubjectsFor(p, { extents: [46, 48], kinkMargin: 0 });
  it.each(modes)("is pure in %s mode: inputs and results stay as they were", (mode) => checkPurity(large.vector, { mode, runs: runs.large }));
});
