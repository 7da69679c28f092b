// The product and quotient rules, leafwise on trees, in both modes:
// D(f·g) = Df·g + f·Dg and D(f/g) = (Df·g − f·Dg)/g², as jvps (forward) or as pullbacks (reverse).
import fc from "fast-check";
import { div, mul } from "../src/index.ts";
import { identityTolerance, show } from "./approx.ts";
import { treeLike } from "./arbitraries.ts";
import { type Fun, jvpLeaves, pullLeaves, pushforward } from "./derivatives.ts";
import { assertLaw, type CombinationOptions, compared, instancesOf, type Pair, type RunOptions, type Subject, type Verdict, labelled } from "./harness.ts";
import { fromElements, numbersOf, zipReals } from "./trees.ts";

type Rule = "product" | "quotient";

function ruleVerdict(rule: Rule, f: Fun, g: Fun, options: CombinationOptions): (x: unknown, d: unknown) => Verdict {
  const { mode = "forward", eq = identityTolerance, arithmetic = {} } = options;
  const op = rule === "product" ? (arithmetic.mul ?? mul) : (arithmetic.div ?? div);
  const h: Fun = (t) => zipReals(f(t), g(t), op);
  return (x, d) => {
    const fx = numbersOf(f(x), "f(x)");
    const gx = numbersOf(g(x), "g(x)");
    let expected: number[];
    let scale: number[];
    if (mode === "forward") {
      // J_h·v from J_f·v and J_g·v
      const tf = numbersOf(pushforward(f, x, d)[1], "a jvp's tangent");
      const tg = numbersOf(pushforward(g, x, d)[1], "a jvp's tangent");
      const left = tf.map((t, i) => (rule === "product" ? t * gx[i] : t / gx[i]));
      const right = tg.map((t, i) => (rule === "product" ? fx[i] * t : (fx[i] * t) / (gx[i] * gx[i])));
      expected = left.map((l, i) => (rule === "product" ? l + right[i] : l - right[i]));
      scale = left.map((l, i) => Math.abs(l) + Math.abs(right[i]));
    } else {
      // J_hᵀ·u from J_fᵀ·(u·g) and J_gᵀ·(u·f) (product), J_fᵀ·(u/g) and J_gᵀ·(u·f/g²) (quotient)
      const u = numbersOf(d, "the cotangent");
      const uf = fromElements(d, u.map((ui, i) => (rule === "product" ? ui * gx[i] : ui / gx[i])));
      const ug = fromElements(d, u.map((ui, i) => (rule === "product" ? ui * fx[i] : (ui * fx[i]) / (gx[i] * gx[i]))));
      const left = pullLeaves(f, x, uf);
      const right = pullLeaves(g, x, ug);
      expected = left.map((l, i) => (rule === "product" ? l + right[i] : l - right[i]));
      scale = left.map((l, i) => Math.abs(l) + Math.abs(right[i]));
    }
    const actual = mode === "forward" ? jvpLeaves(h, x, d) : pullLeaves(h, x, d);
    const statement = rule === "product" ? "D(f·g) vs Df·g + f·Dg" : "D(f/g) vs (Df·g − f·Dg)/g²";
    return compared(`${statement} in ${mode} mode`, eq.explain(actual, expected, scale));
  };
}

/**
 * The product rule `D(f·g) = Df·g + f·Dg` (leafwise) at `x` along `d`: a tangent shaped like `x`
 * (forward) or a cotangent shaped like `f(x)` (reverse).
 * @example
 * productRule(sin, exp)(0.5, 1); // => true
 */
export const productRule =
  <X, Y>(f: (x: X) => Y, g: (x: X) => Y, options: CombinationOptions = {}) =>
  (x: X, d: unknown): boolean =>
    ruleVerdict("product", f as Fun, g as Fun, options)(x, d) === undefined;

/**
 * The quotient rule `D(f/g) = (Df·g − f·Dg)/g²` (leafwise), as `productRule`; `g` must not vanish at `x`.
 * @example
 * quotientRule(sin, exp)(0.5, 1); // => true
 */
export const quotientRule =
  <X, Y>(f: (x: X) => Y, g: (x: X) => Y, options: CombinationOptions = {}) =>
  (x: X, d: unknown): boolean =>
    ruleVerdict("quotient", f as Fun, g as Fun, options)(x, d) === undefined;

function check<X, Y>(rule: Rule, subject: Subject<Pair<X, Y>, X>, options: CombinationOptions & RunOptions): void {
  const mode = options.mode ?? "forward";
  const cases = instancesOf(subject as Subject<{ f: Fun; g: Fun }, X>).chain((inst) =>
    treeLike(mode === "forward" ? inst.x : inst.f(inst.x)).map((d) =>
      labelled({ inst, d }, () => `${fc.stringify(inst)}, ${mode === "forward" ? "v" : "u"} = ${show(d)}`),
    ),
  );
  assertLaw(`${rule} rule (${mode})`, cases, ({ inst, d }) => ruleVerdict(rule, inst.f, inst.g, options)(inst.x, d), options);
}

/**
 * Checks the product rule on samples of the subject's input and a direction.
 * @example
 * checkProductRule({ f: sin, g: exp, x: nice() }, { runs: 20 }); // => undefined
 */
export const checkProductRule = <X, Y>(subject: Subject<Pair<X, Y>, X>, options: CombinationOptions & RunOptions = {}): void =>
  check("product", subject, options);

/**
 * Checks the quotient rule on samples of the subject's input and a direction (`g` must not vanish there).
 * @example
 * checkQuotientRule({ f: sin, g: (x: Real) => add(2, cos(x)), x: nice() }, { runs: 20 }); // => undefined
 */
export const checkQuotientRule = <X, Y>(subject: Subject<Pair<X, Y>, X>, options: CombinationOptions & RunOptions = {}): void =>
  check("quotient", subject, options);
