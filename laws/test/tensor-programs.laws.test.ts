// Every law, in both modes, on random tensor programs: matmuls, reductions, softmax, slices, concats,
// reshapes, transposes and broadcasting elementwise ops composed with consistent shapes, with shared
// subexpressions and transforms nested inside them. The programs nobody wrote by hand.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { add, div, primitives, type Real, sub, type Tensor, tanh, tensorPrimitives, zeros } from "../../src/index.ts";
import {
  checkChainRule, checkDerivativeLinearity, checkDotProductIdentity, checkFiniteDifferences, checkGradOfGrad, checkHessianSymmetry,
  checkHvpMatchesHessian, checkJacobianAgreement, checkJacobianChainRule, checkLinearity, checkPerturbationConfusion,
  checkJitAgreement, checkLinearizeAgreement, checkPrimalAgreement, checkProductRule, checkPurity, checkQuotientRule, fitInto, mapInstances, modes, showTensorProgram,
  tensorComposedPrograms, type TensorExpr, tensorPairedPrograms, tensorPrograms, tensorRealPrograms, tensorScalarPrograms,
  tensorVectorPrograms,
} from "../index.ts";
import { tensorProgramRuns } from "../tensor-runs.ts";

/** Programs per law and mode: shares of NABLA_LAW_RUNS (200 here, 10,000 in laws:deep) by cost. */
const runs = tensorProgramRuns(Number(process.env.NABLA_LAW_RUNS ?? 200));

/** About 20 nodes per output; shapes of rank 0 to 2 with extents up to 3 (up to 2 where Hessians are built). */
const size = { maxDepth: 4 } as const;
const vectors = tensorVectorPrograms({ ...size, inputs: 2, outputs: 2 });
const reals = tensorRealPrograms({ maxDepth: 3, maxExtent: 2, inputs: 2 });
const scalars = tensorScalarPrograms(size);
const scalarChains = mapInstances(tensorComposedPrograms({ ...size, inputs: [[]], outputs: [[]] }, { ...size, outputs: [[]] }), (i) => ({
  f: (z: Real) => i.f([z])[0] as Real,
  g: (x: Real) => i.g([x])[0] as Real,
  x: i.x[0] as number,
}));
const chains = tensorComposedPrograms({ maxDepth: 3, maxExtent: 2, inputs: 2, outputs: 2 }, { maxDepth: 3, maxExtent: 2, outputs: 2 });
const pairs = tensorPairedPrograms({ maxDepth: 3, inputs: 2, outputs: 2 });
// g kept in [1, 3], away from 0, for the quotient rule
const quotients = mapInstances(pairs, (i) => ({ ...i, g: (x: readonly (Tensor | Real)[]) => i.g(x).map((y) => add(2, tanh(y as Tensor))) }));

describe("random tensor programs", () => {
  it("cover every tensor and scalar primitive, shared subexpressions, adaptors, fits and every nested transform", () => {
    const seen = new Set<string>();
    const visit = (e: TensorExpr): void => {
      seen.add(e.op === "elementwise" || e.op === "tensor" ? e.prim.name : e.op);
      if (e.op === "elementwise" || e.op === "tensor") e.args.forEach(visit);
      else if (e.op === "fit" || e.op === "adapt") visit(e.arg);
      else if (e.op === "let") [e.bound, e.body].forEach(visit);
      else if (e.op !== "var" && e.op !== "const") [e.body, e.at].forEach(visit);
    };
    for (const p of fc.sample(tensorPrograms({ inputs: 2, outputs: 2 }), 3000)) p.outputs.forEach(visit);
    const names = [...tensorPrimitives.map((p) => p.name), ...primitives.map((p) => p.name)];
    for (const name of [...names, "let", "fit", "adapt", "derivative", "grad", "jvp", "vjp"]) expect(seen.has(name), name).toBe(true);
  });
  it("print as readable source, with their inputs' shapes", () => {
    const [p] = fc.sample(tensorPrograms({ inputs: [[2, 3], []], outputs: 2 }), 1);
    expect(showTensorProgram(p)).toMatch(/^\(\[x0: \[2,3\], x1: \[\]\]\) => \[.*, .*\]$/);
  });
});

describe.each(modes)("on random tensor programs, in %s mode", (mode) => {
  const options = { mode, runs: runs.firstOrder };
  const jacobian = { mode, runs: runs.jacobian };
  const second = { mode, runs: runs.secondOrder };
  it("the scalar and Jacobian chain rules hold", () => {
    checkChainRule(scalarChains, jacobian);
    checkJacobianChainRule(chains, jacobian);
  });
  it("the derivative is linear in the function", () => checkDerivativeLinearity(pairs, jacobian));
  it(`the ${mode === "forward" ? "jvp is linear in v" : "pullback is linear in u"}`, () => checkLinearity(vectors, options));
  it("the product and quotient rules hold", () => {
    checkProductRule(pairs, jacobian);
    checkQuotientRule(quotients, jacobian);
  });
  it("derivatives agree with central finite differences", () => checkFiniteDifferences(vectors, options));
  it("the Hessian is symmetric", () => checkHessianSymmetry(reals, second));
  it("hvp equals the Hessian times v", () => checkHvpMatchesHessian(reals, second));
  it("a gradient of a gradient is the Hessian", () => {
    checkGradOfGrad(scalars, second);
    checkGradOfGrad(reals, second);
  });
  it("nested derivatives are free of perturbation confusion", () => checkPerturbationConfusion(scalars, second));
  it("transforms are pure", () => {
    checkPurity(vectors, options);
    checkPurity(reals, second);
  });
});

describe("on random tensor programs, forward against reverse", () => {
  it("the dot-product identity holds", () => checkDotProductIdentity(vectors, { runs: runs.firstOrder }));
  it("the Jacobians agree", () => checkJacobianAgreement(vectors, { runs: runs.jacobian }));
  it("both modes compute the program's value", () => checkPrimalAgreement(vectors, { runs: runs.firstOrder }));
  it("linearize agrees with jvp", () => checkLinearizeAgreement(vectors, { runs: runs.firstOrder }));
});

describe("on random tensor programs, jit", () => {
  // jit records the program's tensor primitives (through nested transforms) and replays them on the later calls
  it("jit(f) agrees with f", () => checkJitAgreement(vectors, { runs: runs.firstOrder }));
});

describe("on large random tensor programs (extents 1, 47 and 48: memory recycled between transforms)", () => {
  // Results of 2,209 to 2,304 elements pass nabla's pooling threshold (2,048), so buffers are recycled
  // between transforms: every value a law reads again must be the value it read first. Laws that
  // build whole Jacobians or Hessians would need thousands of AD calls here; these need a few.
  const large = tensorVectorPrograms({ extents: [1, 47, 48], maxDepth: 3, inputs: 2, outputs: 2 });
  const options = { runs: runs.large };
  it.each(modes)("derivatives agree with central finite differences (%s)", (mode) => checkFiniteDifferences(large, { ...options, mode }));
  it("the jvp is linear in v, and forward-mode transforms are pure", () => {
    checkLinearity(large, { ...options, mode: "forward" });
    checkPurity(large, { ...options, mode: "forward" });
  });
  it("the dot-product identity holds, and both modes compute the program's value", () => {
    checkDotProductIdentity(large, options);
    checkPrimalAgreement(large, options);
  });
  // jit's replays run in a recycling scope: a replay must never read a buffer an earlier one gave back
  it("jit(f) agrees with f, replayed with buffers recycled between calls", () => checkJitAgreement(large, options));
  // jvpAt sweeps one kept tape again and again, as a pullback does
  it("linearize agrees with jvp, through three calls of one jvpAt", () => checkLinearizeAgreement(large, options));
  // Reverse-mode purity and pullback linearity call one pullback several times.
  it("the pullback is linear in u, and reverse-mode transforms are pure", () => {
    checkLinearity(large, { ...options, mode: "reverse" });
    checkPurity(large, { ...options, mode: "reverse" });
  });

  // Found by the purity and linearity laws on the large programs above (and fixed): an elementwise
  // intermediate still pending when vjp returned was first computed by a pullback call, into a buffer
  // that call recycled on exit while the tape still referred to it.
  it("a pullback called again, with tensors past 2,048 elements, gives the same answer", () => {
    // the shrunk program: x ↦ div(a, fit[0.25, 4](fit[-4, 4](a) + a)) − broadcast→[47](x), a = broadcast→[48,47](x)
    const fit = (lo: number, hi: number, e: Tensor): Tensor => fitInto(lo, hi, e as unknown as Real) as unknown as Tensor;
    const f = (x: Real): Tensor => {
      const a = add(x, zeros([48, 47]));
      return sub(div(a, fit(0.25, 4, add(fit(-4, 4, a), a))), add(x, zeros([47])));
    };
    checkPurity({ f, x: fc.constant(0) }, { mode: "reverse", runs: 3, parameters: { endOnFailure: true } }); // no shrinking: 2,256-element u, v, w
  });
});
