// The README's example runs as written, and every law holds on a user's layer whose parameters are a
// tree of records and arrays (the laws are generic over Trees, not only over Real[]).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { add, cos, customJvp, customVjp, matmul, mul, type Real, sin, tanh, type Tensor, transpose } from "../../src/index.ts";
import {
  checkDerivativeLinearity, checkDotProductIdentity, checkFiniteDifferences, checkHessianSymmetry, checkHvpMatchesHessian,
  checkJacobianAgreement, checkJacobianChainRule, checkJitAgreement, checkLinearity, checkLinearizeAgreement, checkPrimalAgreement,
  checkProductRule, checkPurity, modes, nice,
  tensorOf,
} from "../index.ts";

const runs = Number(process.env.NABLA_LAW_RUNS ?? 100);

it("the README's example runs, and its check catches a wrong rule", () => {
  // --- as in laws/README.md ---
  type Params = { readonly w: readonly Real[]; readonly b: Real };
  const neuron = (p: Params) => tanh(add(add(mul(p.w[0], 0.5), mul(p.w[1], -1.25)), p.b));
  const params = fc.record({ w: fc.tuple(nice(), nice()), b: nice() });
  checkFiniteDifferences({ f: neuron, x: params }, { mode: "reverse" });
  checkDotProductIdentity({ f: neuron, x: params });

  const mySin = customJvp(sin, (x: Real, v: Real) => [sin(x), mul(cos(x), v)] as const);
  checkFiniteDifferences({ f: mySin, x: nice(-3, 3) }, { mode: "forward" });
  // --- end ---
  const badSin = customJvp(sin, (x: Real, v: Real) => [sin(x), mul(cos(x), mul(v, 1.01))] as const);
  expect(() => checkFiniteDifferences({ f: badSin, x: nice(-3, 3) }, { mode: "forward" })).toThrow(/Counterexample/);
});

it("the top-level README's example runs, and catches a wrong rule", () => {
  // --- as in README.md ---
  const mySin = customJvp(sin, (x: Real, v: Real) => [sin(x), mul(cos(x), v)] as const);
  checkFiniteDifferences({ f: mySin, x: nice(-3, 3) }, { mode: "forward" }); // throws if the rule is wrong
  checkDotProductIdentity({ f: mySin, x: nice(-3, 3) });                     // ⟨u, J·v⟩ = ⟨Jᵀ·u, v⟩
  // --- end ---
  const badSin = customJvp(sin, (x: Real, v: Real) => [sin(x), mul(cos(x), mul(v, 1.01))] as const);
  expect(() => checkFiniteDifferences({ f: badSin, x: nice(-3, 3) }, { mode: "forward" })).toThrow(/Counterexample/);
});

it("the README's tensor example runs, and its checks catch a pullback that forgets a transpose", () => {
  // --- as in laws/README.md ---
  const mm = (p: readonly Tensor[]) => matmul(p[0], p[1]);
  const myMatmul = customVjp(mm, (p: readonly Tensor[]) =>
    [mm(p), (u: Tensor) => [matmul(u, transpose(p[1])), matmul(transpose(p[0]), u)]] as const);
  const extent = fc.integer({ min: 1, max: 3 });
  const operands = fc.tuple(extent, extent, extent).chain(([n, k, m]) => fc.tuple(tensorOf([n, k]), tensorOf([k, m])));
  checkFiniteDifferences({ f: myMatmul, x: operands }, { mode: "reverse" }); // throws if the pullback is wrong
  checkDotProductIdentity({ f: myMatmul, x: operands });                     // forward agrees with reverse
  // --- end ---
  // on square operands, so that the forgotten transpose still has the right shape
  const square = fc.integer({ min: 2, max: 3 }).chain((n) => fc.tuple(tensorOf([n, n]), tensorOf([n, n])));
  const badMatmul = customVjp(mm, (p: readonly Tensor[]) => [mm(p), (u: Tensor) => [matmul(u, p[1]), matmul(transpose(p[0]), u)]] as const);
  expect(() => checkFiniteDifferences({ f: badMatmul, x: square }, { mode: "reverse" })).toThrow(/Counterexample/);
  expect(() => checkDotProductIdentity({ f: badMatmul, x: square })).toThrow(/Counterexample/);
});

describe("every law on a layer with nested parameters", () => {
  type Layer = { readonly w: readonly (readonly Real[])[]; readonly b: readonly Real[] };
  const input = [0.75, -1.5];
  // y = tanh(W·x + b), a record of a matrix and a vector in, an array out
  const dense = (p: Layer): Real[] =>
    p.w.map((row, i) => tanh(add(row.reduce<Real>((s, wij, j) => add(s, mul(wij, input[j])), 0), p.b[i])));
  const loss = (p: Layer): Real => dense(p).reduce<Real>((s, y) => add(s, mul(y, y)), 0);
  const params = fc.record({ w: fc.tuple(fc.tuple(nice(), nice()), fc.tuple(nice(), nice())), b: fc.tuple(nice(), nice()) });
  const squash = (p: Layer): Layer => ({ w: p.w.map((row) => row.map((w) => sin(w))), b: p.b });

  it.each(modes)("in %s mode", (mode) => {
    const options = { mode, runs };
    checkJacobianChainRule({ f: dense, g: squash, x: params }, options);
    checkLinearity({ f: dense, x: params }, options);
    checkDerivativeLinearity({ f: dense, g: (p: Layer) => dense(squash(p)), x: params }, options);
    checkProductRule({ f: dense, g: (p: Layer) => dense(squash(p)), x: params }, options);
    checkFiniteDifferences({ f: dense, x: params }, options);
    checkHessianSymmetry({ f: loss, x: params }, options);
    checkHvpMatchesHessian({ f: loss, x: params }, options);
    checkPurity({ f: dense, x: params }, options);
    checkPurity({ f: loss, x: params }, options);
  });
  it("forward against reverse", () => {
    checkDotProductIdentity({ f: dense, x: params }, { runs });
    checkJacobianAgreement({ f: dense, x: params }, { runs });
    checkPrimalAgreement({ f: loss, x: params }, { runs });
    checkLinearizeAgreement({ f: dense, x: params }, { runs });
  });
  it("jit agrees with the layer and its loss as written", () => {
    checkJitAgreement({ f: dense, x: params }, { runs });
    checkJitAgreement({ f: loss, x: params }, { runs });
  });
});
