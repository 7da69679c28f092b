// How many samples the tensor suites draw, as shares of NABLA_LAW_RUNS (which the test files read and
// pass here: 200 in `npm test`, 10,000 in `laws:deep`). A tensor sample costs several scalar ones, a
// whole Jacobian one AD call per element and a Hessian one per pair of elements, and the table has 49
// primitives: the costlier a law, the smaller its share (laws/README.md has the timings behind them).
export interface TensorRuns {
  /** Laws that cost a few AD calls per sample (linearity, finite differences, duality, purity). */
  readonly firstOrder: number;
  /** Laws that build whole Jacobians (chain rules, Jacobian agreement) or combine two functions. */
  readonly jacobian: number;
  /** Laws that build Hessians or nest derivatives (symmetry, hvp, grad∘grad, confusion). */
  readonly secondOrder: number;
  /** Purity on shapes past 2,048 elements, where nabla recycles tensor memory. */
  readonly large: number;
}

const shares = (lawRuns: number, fractions: { readonly [K in keyof TensorRuns]: number }): TensorRuns => {
  const share = (f: number): number => Math.max(1, Math.round(lawRuns * f));
  return Object.freeze({
    firstOrder: share(fractions.firstOrder),
    jacobian: share(fractions.jacobian),
    secondOrder: share(fractions.secondOrder),
    large: share(fractions.large),
  });
};

/** Per law, tensor primitive and mode: 1/10, 1/20, 1/40 and 1/2000 of `lawRuns` (20, 10, 5, 1 by default). */
export const tensorRuns = (lawRuns: number): TensorRuns =>
  shares(lawRuns, { firstOrder: 1 / 10, jacobian: 1 / 20, secondOrder: 1 / 40, large: 1 / 2000 });

/**
 * Per law and mode on random tensor programs (one subject, not 49): 1/4, 1/10, 1/20 and, on large
 * shapes, 1/40 of `lawRuns` (50, 20, 10 and 5 by default).
 */
export const tensorProgramRuns = (lawRuns: number): TensorRuns =>
  shares(lawRuns, { firstOrder: 1 / 4, jacobian: 1 / 10, secondOrder: 1 / 20, large: 1 / 40 });
