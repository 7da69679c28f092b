// The catalogue of scalar primitives, for the laws and table-driven tests, made from the rule table
// itself: a primitive added to the table is covered by every such test and law with no new test.
import type { Domain, Real } from "../core/protocol.ts";
import { binaryOp, unaryOp } from "./define.ts";
import { applySum, binaryRules, dot, unaryRules } from "./scalar.ts";

/** A primitive as the laws and tests see it: how to apply it to sampled arguments, and where. */
export interface Primitive {
  readonly name: string;
  /** How many arguments to sample. */
  readonly arity: number;
  readonly apply: (args: readonly Real[]) => Real;
  readonly domain: Domain;
}

/**
 * The catalogue of scalar primitives, from the rule table itself: a primitive added to the table
 * is covered by every table-driven test and law with no new test.
 */
export const primitives: readonly Primitive[] = Object.freeze([
  ...Object.values(unaryRules).map((rule): Primitive => {
    const op = unaryOp(rule);
    return { name: rule.name, arity: 1, apply: (xs) => op(xs[0]), domain: rule.domain };
  }),
  ...Object.values(binaryRules).map((rule): Primitive => {
    const op = binaryOp(rule);
    return { name: rule.name, arity: 2, apply: (xs) => op(xs[0], xs[1]), domain: rule.domain };
  }),
  { name: "sum", arity: 3, apply: (xs) => applySum(xs), domain: { args: [[-4, 4], [-4, 4], [-4, 4]] } },
  { name: "dot", arity: 4, apply: (xs) => dot(xs.slice(0, 2), xs.slice(2)), domain: { args: [[-4, 4], [-4, 4], [-4, 4], [-4, 4]] } },
]);
