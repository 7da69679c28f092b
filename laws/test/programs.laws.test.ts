// Every law, in both modes, on random programs over the whole catalogue: compositions nobody wrote by
// hand, with shared subexpressions and transforms nested inside them, on arrays and on records.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { add, primitives, type Real, tanh } from "../../src/index.ts";
import {
  checkChainRule, checkDerivativeLinearity, checkDotProductIdentity, checkFiniteDifferences, checkGradOfGrad, checkHessianSymmetry,
  checkHvpMatchesHessian, checkJacobianAgreement, checkJacobianChainRule, checkLinearity, checkPerturbationConfusion,
  checkJitAgreement, checkLinearizeAgreement, checkPrimalAgreement, checkProductRule, checkPurity, checkQuotientRule, composedPrograms, type Expr, mapInstances, modes,
  pairedPrograms, programs, realPrograms, recordPrograms, scalarPrograms, showProgram, vectorPrograms,
} from "../index.ts";

/** Samples per law and mode (each a fresh random program): a few hundred in `npm test`, more with NABLA_LAW_RUNS. */
const runs = Number(process.env.NABLA_LAW_RUNS ?? 200);

/** Program size: about 33 nodes on average, 2/3 with a nested transform, 40% with a shared node. */
const size = { maxDepth: 5, size: "medium" } as const;
const vectors = vectorPrograms({ ...size, inputs: 2, outputs: 2 });
const records = recordPrograms({ ...size, inputs: 3, outputs: 2 });
const reals = realPrograms({ ...size, inputs: 2 });
const scalars = scalarPrograms(size);
const scalarChains = mapInstances(composedPrograms({ ...size, inputs: 1, outputs: 1 }, { ...size, outputs: 1 }), (i) => ({
  f: (z: Real) => i.f([z])[0],
  g: (x: Real) => i.g([x])[0],
  x: i.x[0],
}));
const chains = composedPrograms({ ...size, inputs: 2, outputs: 2 }, { ...size, outputs: 2 });
const pairs = pairedPrograms({ ...size, inputs: 2, outputs: 2 });
// g kept in [1, 3], away from 0, for the quotient rule
const quotients = mapInstances(pairs, (i) => ({ ...i, g: (x: readonly Real[]) => i.g(x).map((y) => add(2, tanh(y))) }));

describe("random programs", () => {
  it("cover every primitive, shared subexpressions and every nested transform", () => {
    const seen = new Set<string>();
    const visit = (e: Expr): void => {
      seen.add(e.op === "prim" ? e.prim.name : e.op);
      if (e.op === "prim") e.args.forEach(visit);
      else if (e.op === "fit") visit(e.arg);
      else if (e.op === "let") [e.bound, e.body].forEach(visit);
      else if (e.op !== "var" && e.op !== "const") [e.body, e.at].forEach(visit);
    };
    for (const p of fc.sample(programs(), 3000)) p.outputs.forEach(visit);
    for (const name of [...primitives.map((p) => p.name), "let", "fit", "derivative", "grad", "jvp", "vjp"]) {
      expect(seen.has(name), name).toBe(true);
    }
  });
  it("print as readable source", () => {
    const [p] = fc.sample(programs({ inputs: 2, outputs: 2 }), 1);
    expect(showProgram(p)).toMatch(/^\(\[x0, x1\]\) => \[.*, .*\]$/);
  });
});

describe.each(modes)("on random programs, in %s mode", (mode) => {
  const options = { mode, runs };
  it("the scalar chain rule holds", () => checkChainRule(scalarChains, options));
  it("the Jacobian chain rule holds", () => checkJacobianChainRule(chains, options));
  it("the derivative is linear in the function", () => checkDerivativeLinearity(pairs, options));
  it(`the ${mode === "forward" ? "jvp is linear in v" : "pullback is linear in u"}, on arrays and records`, () => {
    checkLinearity(vectors, options);
    checkLinearity(records, options);
  });
  it("the product and quotient rules hold", () => {
    checkProductRule(pairs, options);
    checkQuotientRule(quotients, options);
  });
  it("derivatives agree with central finite differences, on arrays and records", () => {
    checkFiniteDifferences(vectors, options);
    checkFiniteDifferences(records, options);
  });
  it("the Hessian is symmetric", () => checkHessianSymmetry(reals, options));
  it("hvp equals the Hessian times v", () => checkHvpMatchesHessian(reals, options));
  it("a gradient of a gradient is the Hessian", () => {
    checkGradOfGrad(scalars, options);
    checkGradOfGrad(reals, options);
  });
  it("nested derivatives are free of perturbation confusion", () => checkPerturbationConfusion(scalars, options));
  it("transforms are pure, on arrays, records and scalars", () => {
    checkPurity(vectors, options);
    checkPurity(records, options);
    checkPurity(scalars, options);
  });
});

describe("on random programs, forward against reverse", () => {
  it("the dot-product identity holds, on arrays and records", () => {
    checkDotProductIdentity(vectors, { runs });
    checkDotProductIdentity(records, { runs });
  });
  it("the Jacobians agree", () => checkJacobianAgreement(vectors, { runs }));
  it("both modes compute the program's value", () => {
    checkPrimalAgreement(vectors, { runs });
    checkPrimalAgreement(records, { runs });
  });
  it("linearize agrees with jvp, on arrays and records", () => {
    checkLinearizeAgreement(vectors, { runs });
    checkLinearizeAgreement(records, { runs });
  });
});

describe("on random programs, jit", () => {
  it("jit(f) agrees with f, on arrays, records and scalars, at the input, near it and anywhere", () => {
    checkJitAgreement(vectors, { runs });
    checkJitAgreement(records, { runs });
    checkJitAgreement(scalars, { runs });
  });
});
