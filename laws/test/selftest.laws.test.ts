// A law that cannot fail is no law. Each law is fed deliberately wrong rules, made with the public
// customJvp / customVjp, and must reject every one with a counterexample; the same law on the right
// rule must hold, so that the rejection is the wrong rule's doing.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  abs, add, cos, customJvp, customVjp, derivative, div, dual, linearize, max, mul, neg, primal,
  type Primitive, primitives, type Real, relu, sin, sub, tangent,
} from "../../src/index.ts";
import {
  checkChainRule, checkDerivativeLinearity, checkDotProductIdentity, checkFiniteDifferences, checkGradOfGrad, checkHessianSymmetry,
  checkHvpMatchesHessian, checkJacobianAgreement, checkJacobianChainRule, checkLinearity, checkPerturbationConfusion,
  checkPrimalAgreement, checkProductRule, checkPurity, checkQuotientRule, chainRule, checkJitAgreement, checkLinearizeAgreement,
  dotProductIdentity, type Jit, jitAgreement, type Linearize, linearizeAgreement, nablaTransforms, nice, type ScalarDerivative,
  subjectsFor, type Transforms, vectorPrograms,
} from "../index.ts";
import { rejects } from "../../test/support/approx.ts";
import { copyTree } from "../trees.ts";
import { pushforward as jvpOf } from "../derivatives.ts";

const runs = Number(process.env.NABLA_LAW_RUNS ?? 100);

// sin with its rules rewritten: `jvp(t)` replaces the tangent, `vjp(p)` the pullback.
const jvp = (t: (x: Real, v: Real) => Real) => customJvp(sin, (x: Real, v: Real) => [sin(x), t(x, v)] as const);
const vjp = (p: (x: Real, u: Real) => Real) => customVjp(sin, (x: Real) => [sin(x), (u: Real) => p(x, u)] as const);
const both = (d: (x: Real, w: Real) => Real) => ({ forward: jvp(d), reverse: vjp(d) });

const right = both((x, w) => mul(cos(x), w));
const wrong = {
  scaled: both((x, w) => mul(1.5, mul(cos(x), w))),
  negated: both((x, w) => neg(mul(cos(x), w))),
  // ignores the incoming tangent / cotangent, so it does not chain
  ignoring: both((x) => cos(x)),
  nonlinear: both((x, w) => mul(cos(x), mul(w, abs(w)))),
  affine: both((x, w) => add(mul(cos(x), w), 1 / 64)),
  // first order right, but the derivative drops the outer levels' perturbations: second order is 0
  flat: both((x, w) => mul(Math.cos(primal(x)), w)),
  // forward right, reverse of the wrong sign
  disagreeing: customVjp(right.forward, (x: Real) => [sin(x), (u: Real) => neg(mul(cos(x), u))] as const),
  wrongPrimal: {
    forward: customJvp(sin, (x: Real, v: Real) => [add(sin(x), 0.5), mul(cos(x), v)] as const),
    reverse: customVjp(sin, (x: Real) => [add(sin(x), 0.5), (u: Real) => mul(cos(x), u)] as const),
  },
} as const;
type Wrong = keyof typeof wrong;
type ByMode = { readonly forward: (x: Real) => Real; readonly reverse: (x: Real) => Real };

const x = nice(-2, 2);
const pair = fc.tuple(nice(-2, 2), nice(-2, 2));
/** A function of two inputs with `s` inside: [s(a)·b, s(b)]. */
const lifted = (s: (x: Real) => Real) => (xs: readonly Real[]): Real[] => [mul(s(xs[0]), xs[1]), s(xs[1])];

const modes = ["forward", "reverse"] as const;
const pick = (w: ByMode | ((x: Real) => Real), mode: "forward" | "reverse") => (typeof w === "function" ? w : w[mode]);

describe.each(modes)("in %s mode", (mode) => {
  const options = { mode, runs };
  const ruleOf = (w: Wrong) => pick(wrong[w] as ByMode, mode);

  describe("the scalar chain rule", () => {
    // The wrong rule is both the outer and the inner function: forward mode feeds the outer one a
    // tangent g′(x) ≠ 1, reverse mode feeds the inner one a cotangent f′(g(x)) ≠ 1.
    const ignoring = ruleOf("ignoring");
    it("holds for the right rule", () => checkChainRule({ f: pick(right, mode), g: pick(right, mode), x }, options));
    it("rejects a rule that ignores the incoming tangent or cotangent", () =>
      rejects(() => checkChainRule({ f: ignoring, g: ignoring, x }, options), /chain rule/));
    it("has a predicate that is false at a counterexample", () => {
      expect(chainRule(ignoring, ignoring, { mode })(1)).toBe(false);
      expect(chainRule(pick(right, mode), pick(right, mode), { mode })(1)).toBe(true);
    });
  });

  describe("the Jacobian chain rule", () => {
    const of = (s: (x: Real) => Real) => ({ f: lifted(s), g: lifted(s), x: pair });
    it("holds for the right rule", () => checkJacobianChainRule(of(pick(right, mode)), options));
    it("rejects a rule that ignores the incoming tangent or cotangent", () =>
      rejects(() => checkJacobianChainRule(of(ruleOf("ignoring")), options), /Jacobian chain rule/));
  });

  describe("linearity of the derivative in the function", () => {
    const g = (xs: readonly Real[]) => [cos(xs[0]), mul(xs[0], xs[1])];
    it("holds for the right rule", () => checkDerivativeLinearity({ f: lifted(pick(right, mode)), g, x: pair }, options));
    // The law combines a·f + b·g with add and mul, so a wrong rule for either breaks it in both modes;
    // in reverse mode f's pullback receives a·u, so a pullback not linear in u breaks it too.
    const badAdd = {
      forward: customJvp((p: readonly Real[]) => add(p[0], p[1]), (p, t) => [add(p[0], p[1]), mul(1.5, add(t[0], t[1]))] as const),
      reverse: customVjp((p: readonly Real[]) => add(p[0], p[1]), (p) => [add(p[0], p[1]), (u: Real) => [mul(1.5, u), u]] as const),
    };
    it("rejects an addition with a wrong rule", () =>
      rejects(() =>
        checkDerivativeLinearity({ f: lifted(pick(right, mode)), g, x: pair }, { ...options, arithmetic: { add: (a, b) => badAdd[mode]([a, b]) } }),
      ));
    if (mode === "reverse") {
      it("rejects a pullback that is not linear in u", () =>
        rejects(() => checkDerivativeLinearity({ f: lifted(ruleOf("nonlinear")), g, x: pair }, options), /linearity/));
    }
  });

  describe(`linearity of the ${mode === "forward" ? "jvp in v" : "pullback in u"}`, () => {
    it("holds for the right rule", () => checkLinearity({ f: lifted(pick(right, mode)), x: pair }, options));
    it("rejects a rule not linear in its tangent or cotangent", () =>
      rejects(() => checkLinearity({ f: lifted(ruleOf("nonlinear")), x: pair }, options), /linearity/));
    it("rejects an affine rule (nonzero at a zero tangent)", () =>
      rejects(() => checkLinearity({ f: lifted(ruleOf("affine")), x: pair }, options), /linearity/));
  });

  describe("the product and quotient rules", () => {
    const f = (xs: readonly Real[]) => [sin(xs[0]), mul(xs[0], xs[1])];
    const g = (xs: readonly Real[]) => [add(2, cos(xs[1])), add(3, sin(xs[0]))];
    // the laws are about the multiplication and division they are given: give them wrong rules
    const badMul = {
      forward: customJvp((p: readonly Real[]) => mul(p[0], p[1]), (p, t) => [mul(p[0], p[1]), mul(t[0], p[1])] as const),
      reverse: customVjp((p: readonly Real[]) => mul(p[0], p[1]), (p) => [mul(p[0], p[1]), (u: Real) => [mul(u, p[1]), mul(u, p[1])]] as const),
    };
    const quotient = (p: readonly Real[]) => div(p[0], p[1]);
    const badDiv = {
      forward: customJvp(quotient, (p, t) => [quotient(p), div(t[0], p[1])] as const),
      reverse: customVjp(quotient, (p) => [quotient(p), (u: Real) => [div(u, p[1]), 0]] as const),
    };
    it("hold for nabla's mul and div", () => {
      checkProductRule({ f, g, x: pair }, options);
      checkQuotientRule({ f, g, x: pair }, options);
    });
    it("reject a multiplication whose rule forgets a term", () =>
      rejects(() => checkProductRule({ f, g, x: pair }, { ...options, arithmetic: { mul: (a, b) => badMul[mode]([a, b]) } }), /product rule/));
    it("reject a division whose rule forgets the denominator", () =>
      rejects(
        () => checkQuotientRule({ f, g, x: pair }, { ...options, arithmetic: { div: (a, b) => badDiv[mode]([a, b]) } }),
        /quotient rule/,
      ));
  });

  describe("agreement with finite differences", () => {
    it("holds for the right rule", () => checkFiniteDifferences({ f: lifted(pick(right, mode)), x: pair }, options));
    it.each(["scaled", "negated", "ignoring"] as const)("rejects a %s rule", (w) =>
      rejects(() => checkFiniteDifferences({ f: lifted(ruleOf(w)), x: pair }, options), /finite differences/));
    it("rejects a rule off by one part in ten thousand", () =>
      rejects(() => checkFiniteDifferences({ f: lifted(both((x, w) => mul(1.0001, mul(cos(x), w)))[mode]), x: pair }, options)));
  });
});

describe("forward/reverse agreement", () => {
  it("holds for the right rules", () => {
    checkDotProductIdentity({ f: lifted(right.forward), x: pair }, { runs });
    checkJacobianAgreement({ f: lifted(right.reverse), x: pair }, { runs });
    checkPrimalAgreement({ f: lifted(right.reverse), x: pair }, { runs });
  });
  it("the dot-product identity rejects forward and reverse rules that disagree", () => {
    rejects(() => checkDotProductIdentity({ f: lifted(wrong.disagreeing), x: pair }, { runs }), /⟨u, J·v⟩/);
    expect(dotProductIdentity(lifted(wrong.disagreeing))([1, 1], [1, 0], [1, 0])).toBe(false);
  });
  it.each(["scaled", "negated"] as const)("the dot-product identity rejects a %s rule in either mode", (w) => {
    rejects(() => checkDotProductIdentity({ f: lifted(wrong[w].forward), x: pair }, { runs }));
    rejects(() => checkDotProductIdentity({ f: lifted(wrong[w].reverse), x: pair }, { runs }));
  });
  it("the Jacobians disagree for such rules", () =>
    rejects(() => checkJacobianAgreement({ f: lifted(wrong.disagreeing), x: pair }, { runs }), /Jacobian/));
  it("a rule with a wrong primal is caught in either mode", () => {
    rejects(() => checkPrimalAgreement({ f: lifted(wrong.wrongPrimal.forward), x: pair }, { runs }), /jvp's value/);
    rejects(() => checkPrimalAgreement({ f: lifted(wrong.wrongPrimal.reverse), x: pair }, { runs }), /vjp's value/);
  });
  it("a rule whose tangent has the wrong structure is caught", () => {
    const badArity = customJvp<readonly Real[], readonly Real[]>((xs) => [sin(xs[0])], (xs, vs) => [[sin(xs[0])], [vs[0], vs[1]]]);
    rejects(() => checkDotProductIdentity({ f: badArity, x: pair }, { runs }), /TypeError/);
  });
});

describe("second order", () => {
  // a·sin(b) with rules that drop a's outer perturbation from ∂f/∂b: ∂²f/∂a∂b = 0 one way, cos b the other
  const f = (p: readonly Real[]) => mul(p[0], sin(p[1]));
  const asymmetric = {
    forward: customJvp(f, (p, t) => [f(p), add(mul(sin(p[1]), t[0]), mul(mul(primal(p[0]), cos(p[1])), t[1]))] as const),
    reverse: customVjp(f, (p) => [f(p), (u: Real) => [mul(u, sin(p[1])), mul(mul(u, primal(p[0])), cos(p[1]))]] as const),
  };
  // sin whose pullback calls a cos with a wrong forward rule: forward over reverse sees the wrong rule,
  // reverse over reverse and forward over forward do not
  const cosTwice = customJvp(cos, (x: Real, v: Real) => [cos(x), mul(2, mul(neg(sin(x)), v))] as const);
  const sinOverWrongCos = customVjp(sin, (x: Real) => [sin(x), (u: Real) => mul(u, cosTwice(x))] as const);
  const scalarOf = (s: (x: Real) => Real) => (xs: readonly Real[]) => mul(s(xs[0]), xs[1]);

  it.each(modes)("all three laws hold for the right rules (%s)", (mode) => {
    checkHessianSymmetry({ f, x: pair }, { mode, runs });
    checkHvpMatchesHessian({ f: scalarOf(pick(right, mode)), x: pair }, { mode, runs });
    checkGradOfGrad({ f: pick(right, mode), x }, { mode, runs });
  });
  it.each(modes)("Hessian symmetry rejects a rule whose mixed partials differ (%s)", (mode) =>
    rejects(() => checkHessianSymmetry({ f: asymmetric[mode], x: pair }, { mode, runs }), /Hessian symmetry/));
  it("hvp = H·v rejects a forward rule that is flat at second order (H forward over forward)", () =>
    rejects(() => checkHvpMatchesHessian({ f: scalarOf(wrong.flat.forward), x: pair }, { mode: "forward", runs }), /hvp = H·v/));
  it.each(modes)("hvp = H·v rejects a pullback whose own forward rule is wrong (%s)", (mode) =>
    rejects(() => checkHvpMatchesHessian({ f: scalarOf(sinOverWrongCos), x: pair }, { mode, runs }), /hvp = H·v/));
  it("grad∘grad = hessian rejects a forward rule that is flat at second order", () =>
    rejects(() => checkGradOfGrad({ f: wrong.flat.forward, x }, { mode: "forward", runs }), /derivative∘derivative vs hessian/));
  it("grad∘grad = hessian rejects a pullback whose own forward rule is wrong", () =>
    rejects(() => checkGradOfGrad({ f: sinOverWrongCos, x }, { mode: "reverse", runs }), /grad∘grad vs hessian/));
  it("grad∘grad = hessian rejects it on tree inputs too", () =>
    rejects(() => checkGradOfGrad({ f: scalarOf(sinOverWrongCos), x: pair }, { mode: "reverse", runs }), /grad∘grad along v vs hvp/));
});

describe("freedom from perturbation confusion", () => {
  // the classic bug: one shared infinitesimal for every derivative, so nested levels add up
  const eps = dual(0, 1);
  const sharedEpsilon: ScalarDerivative = (f) => (x) => tangent(f(add(x, eps)));
  // a rule that adds the tangent of an outer level (read with `tangent`) to its own
  const outerTangent = (p: Real): Real => {
    try {
      return tangent(p);
    } catch {
      return 0;
    }
  };
  const confusedRule = jvp((x, v) => mul(cos(x), add(v, outerTangent(x))));

  it.each(modes)("holds for nabla's transforms and the right rules (%s)", (mode) => {
    checkPerturbationConfusion({ f: sin, x }, { mode, runs });
    checkPerturbationConfusion({ f: pick(right, mode), x }, { mode, runs });
  });
  it("the SPEC's example: D(x ↦ x·D(y ↦ x + y)(1))(1) is 1 with nabla's derivative, 2 with a shared ε", () => {
    const example = (d: ScalarDerivative) => d((x) => mul(x, d((y) => add(x, y))(1)))(1);
    expect(example((f) => (t) => derivative(f)(t))).toBe(1);
    expect(example(sharedEpsilon)).toBe(2);
  });
  it.each(modes)("rejects derivative operators that share one ε (outer %s)", (mode) =>
    rejects(() => checkPerturbationConfusion({ f: sin, x }, { mode, runs, operators: { forward: sharedEpsilon } }), /confusion/));
  it("rejects a rule that mixes an outer level's tangent into its own", () =>
    rejects(() => checkPerturbationConfusion({ f: confusedRule, x }, { mode: "forward", runs }), /hessian/));
});

describe("purity", () => {
  const stateful = () => {
    let calls = 0;
    return both((x, w) => mul(++calls, mul(cos(x), w)));
  };
  it.each(modes)("holds for nabla's transforms and the right rules (%s)", (mode) => {
    checkPurity({ f: lifted(pick(right, mode)), x: pair }, { mode, runs });
    checkPurity({ f: pick(right, mode), x }, { mode, runs });
  });
  it.each(modes)("rejects a rule with hidden state, whose answers change from call to call (%s)", (mode) =>
    rejects(() => checkPurity({ f: lifted(stateful()[mode]), x: pair }, { mode, runs }), /differs between calls/));
  it.each(modes)("rejects a rule that mutates its input (%s)", (mode) => {
    const g = (xs: readonly Real[]) => [sin(xs[0])];
    const mutating = {
      forward: customJvp(g, (xs, vs) => {
        (xs as Real[])[0] = 0;
        return [g(xs), [vs[0]]];
      }),
      reverse: customVjp(g, (xs) => {
        (xs as Real[])[0] = 0;
        return [g(xs), (u: readonly Real[]) => [u[0], 0]] as const;
      }),
    };
    rejects(() => checkPurity({ f: mutating[mode], x: pair }, { mode, runs }), /read only|read-only|frozen|not extensible/);
  });
  it("rejects a function that mutates its input", () => {
    const bumping = (xs: readonly Real[]) => {
      (xs as Real[])[0] = add(xs[0], 1);
      return [sin(xs[0])];
    };
    rejects(() => checkPurity({ f: bumping, x: pair }, { runs }), /f's input was changed/);
  });
  it.each(modes)("rejects transforms whose results are not frozen (%s)", (mode) => {
    const thawed: Partial<Transforms> = {
      jvp: (f, x, v) => copyTree(nablaTransforms.jvp(f, x, v)) as readonly [unknown, unknown],
      vjp: (f, x) => [...nablaTransforms.vjp(f, x)] as const,
    };
    rejects(() => checkPurity({ f: lifted(pick(right, mode)), x: pair }, { mode, runs, transforms: thawed }), /is not frozen/);
  });
  it("rejects a pullback that cannot be reused", () => {
    const once = customVjp(sin, (x: Real) => {
      let used = false;
      return [sin(x), (u: Real) => (used ? 0 : ((used = true), mul(cos(x), u)))] as const;
    });
    rejects(() => checkPurity({ f: lifted(once), x: pair }, { mode: "reverse", runs }), /pullback/);
  });
});

describe("a wrong rule added to the primitive table is caught", () => {
  // as a catalogue entry would declare it: the table-driven subjects and random programs pick it up
  const scaledSin = (mode: "forward" | "reverse"): Primitive => ({
    name: `scaledSin (${mode})`,
    arity: 1,
    apply: (xs) => wrong.scaled[mode](xs[0]),
    domain: { args: [[-4, 4]] },
  });
  it.each(modes)("by the table-driven subjects, in %s mode", (mode) => {
    const s = subjectsFor(scaledSin(mode));
    rejects(() => checkFiniteDifferences(s.vector, { mode, runs }), /finite differences/);
    rejects(() => checkDotProductIdentity(s.vector, { runs }), /⟨u, J·v⟩/);
  });
  it.each(modes)("by random programs that use it among other primitives, in %s mode", (mode) => {
    const others = primitives.filter((p) => ["add", "mul", "exp", "tanh"].includes(p.name));
    rejects(() => checkFiniteDifferences(vectorPrograms({ primitives: [scaledSin(mode), ...others] }), { mode, runs: 500 }));
  });
});

describe("linearize agrees with jvp", () => {
  const linearizeOf = linearize as unknown as Linearize;
  const f = lifted(right.reverse);
  /** Wrong linearize operators: each is right somewhere, so only the law's samples can tell. */
  const wrongLinearize: Record<string, Linearize> = {
    // right numbers, but the linearization is not kept: every jvpAt runs f again
    rerunning: (g, x0) => [g(x0), (v) => jvpOf(g, x0, v)[1]],
    // remembers the answer of its first call
    remembering: (g, x0) => {
      const [y, jvpAt] = linearizeOf(g, x0);
      let first: unknown;
      return [y, (v) => (first ??= jvpAt(v))];
    },
    // off by one part in a million
    scaled: (g, x0) => {
      const [y, jvpAt] = linearizeOf(g, x0);
      return [y, (v) => (jvpAt(v) as Real[]).map((t) => mul(t, 1 + 2 ** -20))];
    },
    // linearized a little away from x
    shifted: (g, x0) => linearizeOf(g, (x0 as number[]).map((xi) => xi + 1 / 64)),
  };
  it("holds for nabla's linearize, with the right rules in either mode", () => {
    checkLinearizeAgreement({ f, x: pair }, { runs });
    checkLinearizeAgreement({ f: lifted(right.forward), x: pair }, { runs });
    expect(linearizeAgreement(f)([1, 2], [[1, 0], [0, 1]])).toBe(true);
  });
  it("rejects a jvpAt that runs f again", () =>
    rejects(() => checkLinearizeAgreement({ f, x: pair }, { runs, linearize: wrongLinearize.rerunning }), /ran f again/));
  it("rejects a jvpAt that remembers its first answer", () =>
    rejects(() => checkLinearizeAgreement({ f, x: pair }, { runs, linearize: wrongLinearize.remembering }), /call [23] of jvpAt/));
  it("rejects a jvpAt off by one part in a million", () =>
    rejects(() => checkLinearizeAgreement({ f, x: pair }, { runs, linearize: wrongLinearize.scaled }), /jvp's tangent/));
  it("rejects a linearization kept at another point", () =>
    rejects(() => checkLinearizeAgreement({ f, x: pair }, { runs, linearize: wrongLinearize.shifted }), /linearize's value/));
  it("follows custom forward rules, as jvp does (linearize is forward mode), even where the reverse rule disagrees", () =>
    checkLinearizeAgreement({ f: lifted(wrong.disagreeing), x: pair }, { runs }));
  it("rejects a forward rule whose tangent goes through an op with a wrong reverse rule (jvpAt transposes the tangent map twice)", () => {
    // a·b whose pullback scales ∂/∂b by 1.5: right on plain numbers (jvp's tangents), wrong once a tangent is on a tape
    const product = customVjp((p: readonly Real[]) => mul(p[0], p[1]), (p: readonly Real[]) =>
      [mul(p[0], p[1]), (u: Real) => [mul(u, p[1]), mul(1.5, mul(u, p[0]))]] as const);
    const sinVia = customJvp(sin, (x: Real, v: Real) => [sin(x), product([cos(x), v])] as const);
    rejects(() => checkLinearizeAgreement({ f: lifted(sinVia), x: pair }, { runs }), /jvp's tangent/);
    expect(linearizeAgreement(lifted(sinVia))([1, 1], [[1, 0]])).toBe(false);
  });
});

describe("jit(f) agrees with f", () => {
  const linearizeOf = linearize as unknown as Linearize;
  // kinks on both sides of the samples: jit must check its decisions on every replay
  const kinked = (xs: readonly Real[]) => [relu(xs[0]), max(xs[0], xs[1]), mul(abs(sub(xs[0], xs[1])), sin(xs[1]))];
  const wrongJit: Record<string, Jit> = {
    // remembers its first result, whatever it is called with next
    remembering: (g) => {
      let first: unknown;
      return (x) => (first ??= g(x));
    },
    // computes in float32
    float32: (g) => (x) => (g(x) as number[]).map(Math.fround),
    // replays the first call's linearization: right where it recorded, wrong elsewhere
    linear: (g) => {
      let at: readonly [readonly number[], unknown, (v: unknown) => unknown] | undefined;
      return (x) => {
        if (at === undefined) at = [x as number[], ...linearizeOf(g, x)];
        const [x0, y0, jvpAt] = at;
        const moved = jvpAt((x as number[]).map((xi, i) => xi - x0[i])) as number[];
        return (y0 as number[]).map((y, i) => y + moved[i]);
      };
    },
  };
  it("holds for nabla's jit, with kinks crossed between calls", () => {
    checkJitAgreement({ f: kinked, x: fc.tuple(nice(-1, 1), nice(-1, 1)) }, { runs });
    checkJitAgreement(vectorPrograms(), { runs });
    expect(jitAgreement(kinked)([[1, -1], [-1, 1], [0.5, 0.5]])).toBe(true);
  });
  it.each(Object.keys(wrongJit))("rejects a %s jit", (name) =>
    rejects(() => checkJitAgreement({ f: kinked, x: fc.tuple(nice(-1, 1), nice(-1, 1)) }, { runs, jit: wrongJit[name] }), /jit\(f\) vs f at input/));
  it("rejects a remembering jit on random programs too", () =>
    rejects(() => checkJitAgreement(vectorPrograms(), { runs, jit: wrongJit.remembering }), /jit\(f\) agrees with f/));
  it("has a predicate that is false at a counterexample", () =>
    expect(jitAgreement(kinked, { jit: wrongJit.remembering })([[1, -1], [-1, 1]])).toBe(false));
});
