// nabla/laws: the calculus as executable laws. Each law comes as a pure predicate (`chainRule(f, g)(x)`,
// true when it holds at one sample) and a fast-check harness (`checkChainRule({ f, g, x: arbitrary })`)
// that returns when the law held on every sample and throws an Error with the law's reason and the
// shrunk counterexample when it did not. Laws use nabla's public API only. See laws/README.md.

/**
 * The laws of differentiation as fast-check properties, to run on your own functions, layers and rules.
 * @module nabla/laws
 */

// comparison and the shared harness
export { approxEq, finiteDifferenceTolerance, identityTolerance } from "./approx.ts";
export type { ApproxEq, Tolerance } from "./approx.ts";
export { assertLaw, mapInstances, modes } from "./harness.ts";
export type { Arithmetic, CombinationOptions, Fn, Instance, LawOptions, Mode, Pair, RunOptions, Subject, Verdict } from "./harness.ts";

// 1. the chain rule, scalar and Jacobian, in both modes
export { chainRule, checkChainRule, checkJacobianChainRule, jacobianChainRule } from "./chain.ts";
export type { Composition } from "./chain.ts";

// 2. linearity: in the function, of jvp in v, of the pullback in u
export { checkDerivativeLinearity, checkLinearity, derivativeLinearity, jvpLinearity, pullbackLinearity } from "./linearity.ts";
export type { LinearSample } from "./linearity.ts";

// 3. the product and quotient rules
export { checkProductRule, checkQuotientRule, productRule, quotientRule } from "./product.ts";

// 4. forward/reverse agreement
export {
  checkDotProductIdentity, checkJacobianAgreement, checkPrimalAgreement, dotProductIdentity, jacobianAgreement, primalAgreement,
} from "./duality.ts";

// 5. agreement with central finite differences
export {
  awayFromKinks, centralDifference, checkFiniteDifferences, finiteDifferenceStep, finiteDifferences,
} from "./finite-differences.ts";
export type { FiniteDifferenceOptions, Smooth } from "./finite-differences.ts";

// 6. second order
export {
  checkGradOfGrad, checkHessianSymmetry, checkHvpMatchesHessian, gradOfGrad, hessianBy, hessianSymmetry, hvpMatchesHessian,
} from "./second-order.ts";

// 7. freedom from perturbation confusion
export { checkPerturbationConfusion, perturbationConfusion } from "./confusion.ts";
export type { ConfusionOptions, ScalarDerivative } from "./confusion.ts";

// 8. purity
export { checkPurity, nablaTransforms, purity } from "./purity.ts";
export type { PurityOptions, Transforms } from "./purity.ts";

// 9. vmap(f) equals stacking f over the examples
export { batchOf, checkVmapStacking, examplesOf, stackAlong, stackExamples, vmapStacking } from "./vmap.ts";
export type { Batched, StackingOptions, VmapOperator } from "./vmap.ts";
// 10. the newer transforms: linearize agrees with jvp, jit(f) agrees with f
export { checkLinearizeAgreement, linearizeAgreement } from "./linearize.ts";
export type { Linearize, LinearizeOptions } from "./linearize.ts";
export { checkJitAgreement, jitAgreement } from "./jit.ts";
export type { Jit, JitOptions } from "./jit.ts";

// inputs: nice numbers in each primitive's domain, subjects from the catalogue, random programs
export {
  argsOf, extentsOf, inDomain, KINK_MARGIN, nice, niceCoefficient, niceDirection, tensorArgsOf, tensorOf, treeLike,
} from "./arbitraries.ts";
export type { TensorArgsOptions } from "./arbitraries.ts";
export { subjectsFor } from "./catalogue.ts";
export type { PrimitiveSubjects } from "./catalogue.ts";
export { broadcastKinkDistance, broadcastShape, broadcastTuples, smoothAcross } from "./broadcast.ts";
export type { KinkDistance, Shape } from "./broadcast.ts";
export { reducer, tensorSubjectsFor, total } from "./tensor-subjects.ts";
export {
  runTensorProgram, showTensorExpr, showTensorProgram, tensorBatchedPrograms, tensorComposedPrograms, tensorPairedPrograms, tensorPrograms, tensorRealPrograms,
  tensorScalarPrograms, tensorSmoothOn, tensorValidAt, tensorVectorPrograms, traceTensorProgram,
} from "./tensor-programs.ts";
export type {
  Application, TensorBatchOptions, TensorExpr, TensorObserver, TensorProgram, TensorProgramOptions, TensorProgramSubject, TensorValue,
} from "./tensor-programs.ts";
export type { TensorArgs, TensorOut, TensorSubjectOptions, TensorSubjects } from "./tensor-subjects.ts";
export { fitInto, programs, run, showExpr, showProgram, trace } from "./programs.ts";
export type { Expr, Nested, Observer, Program, ProgramOptions } from "./programs.ts";
export {
  batchedPrograms, composedPrograms, pairedPrograms, realPrograms, recordPrograms, scalarPrograms, smoothOn, validAt, vectorPrograms,
} from "./program-subjects.ts";
export type { VectorProgram } from "./program-subjects.ts";
