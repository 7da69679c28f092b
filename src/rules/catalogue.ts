// The catalogues of primitives, scalar and tensor, for the laws and table-driven tests, made from the
// rule tables themselves: a primitive added to a table is covered by every such test and law with no
// new test. Tensor primitives come with argument shapes made from a few random extents
// (broadcasting included), how to apply them, and where their elements are smooth.
import type { Shape } from "../base/shape.ts";
import { describe, firstBad } from "../base/errors.ts";
import type { Domain, Real } from "../core/protocol.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { binaryOp, unaryOp } from "./define.ts";
import { matmul } from "./linalg.ts";
import { logSumExp, mean, softmax, sum } from "./reduce.ts";
import { applySum, binaryRules, dot, unaryRules } from "./scalar.ts";
import { concat, reshape, slice, tensorArg, transpose } from "./structure.ts";

/** `f` behind a check that its argument is an array of at least `n` (an entry is public: anyone may call it). */
function checked<A, R>(name: string, what: string, n: number, f: (xs: readonly A[]) => R, numbers = false): (xs: readonly A[]) => R {
  return (xs) => {
    if (!Array.isArray(xs) || xs.length < n) throw new TypeError(`${name}: ${what} expects an array of ${n}, got ${describe(xs)}`);
    const bad = numbers ? firstBad(xs.slice(0, n), (d) => Number.isInteger(d) && (d as number) >= 0) : -1;
    if (bad >= 0) throw new RangeError(`${name}: ${what} expects extents (integers >= 0), got ${describe(xs[bad])} at [${bad}]`);
    return f(xs);
  };
}

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
export const primitives: readonly Primitive[] = Object.freeze(([
  ...Object.values(unaryRules).map((rule): Primitive => {
    const op = unaryOp(rule);
    return { name: rule.name, arity: 1, apply: (xs) => op(xs[0]), domain: rule.domain };
  }),
  ...Object.values(binaryRules).map((rule): Primitive => {
    const op = binaryOp(rule);
    return { name: rule.name, arity: 2, apply: (xs) => op(xs[0], xs[1]), domain: rule.domain };
  }),
  { name: "sum", arity: 3, apply: (xs) => applySum(xs), domain: { args: [[-4, 4], [-4, 4], [-4, 4]] } },
  { name: "dot", arity: 4, apply: (xs) => dot([xs[0], xs[1]], [xs[2], xs[3]]), domain: { args: [[-4, 4], [-4, 4], [-4, 4], [-4, 4]] } },
] as Primitive[]).map((p): Primitive => Object.freeze({ ...p, apply: checked(p.name, "apply", p.arity, p.apply) })));

/** A tensor primitive for tests and laws. */
export interface TensorPrimitive {
  readonly name: string;
  /** How many random extents (each ≥ 1) `shapes` takes. */
  readonly dims: number;
  /** The arguments' shapes for extents `d`. */
  readonly shapes: (d: readonly number[]) => readonly Shape[];
  readonly apply: (args: readonly Tensor[]) => Tensor | Real;
  /** Element intervals per argument, and the distance to a kink, as for the scalar primitives. */
  readonly domain: Domain;
}

const op = (name: string) => primitives.find((p) => p.name === name)!;
const plane: Domain = { args: [[-2, 2], [-2, 2]] };
const line: Domain = { args: [[-2, 2]] };

/** Each binary rule under three broadcasting patterns: equal shapes, a row, and an outer product. */
const broadcasts: readonly [string, (d: readonly number[]) => readonly Shape[]][] = [
  ["[a,b]⊕[a,b]", ([a, b]) => [[a, b], [a, b]]],
  ["[a,b]⊕[b]", ([a, b]) => [[a, b], [b]]],
  ["[a,1]⊕[1,b]", ([a, b]) => [[a, 1], [1, b]]],
];

export const tensorPrimitives: readonly TensorPrimitive[] = Object.freeze(([
  ...Object.values(unaryRules).map((rule): TensorPrimitive => {
    const p = op(rule.name);
    return { name: rule.name, dims: 2, shapes: ([a, b]) => [[a, b]], apply: ([t]) => p.apply([t as unknown as Real]) as unknown as Tensor, domain: rule.domain };
  }),
  ...Object.values(binaryRules).flatMap((rule) =>
    broadcasts.map(([pattern, shapes]): TensorPrimitive => {
      const p = op(rule.name);
      return {
        name: `${rule.name} ${pattern}`,
        dims: 2,
        shapes,
        apply: ([x, y]) => p.apply([x as unknown as Real, y as unknown as Real]) as unknown as Tensor,
        domain: rule.domain,
      };
    }),
  ),
  { name: "matmul [n,k]×[k,m]", dims: 3, shapes: ([n, k, m]) => [[n, k], [k, m]], apply: ([a, b]) => matmul(a, b), domain: plane },
  { name: "matmul [k]×[k,m]", dims: 2, shapes: ([k, m]) => [[k], [k, m]], apply: ([a, b]) => matmul(a, b), domain: plane },
  { name: "matmul [n,k]×[k]", dims: 2, shapes: ([n, k]) => [[n, k], [k]], apply: ([a, b]) => matmul(a, b), domain: plane },
  { name: "transpose", dims: 2, shapes: ([a, b]) => [[a, b]], apply: ([t]) => transpose(t), domain: line },
  { name: "reshape", dims: 2, shapes: ([a, b]) => [[a, b]], apply: ([t]) => reshape(t, [tensorArg(t, "reshape").shape[1], -1]), domain: line },
  { name: "sum", dims: 2, shapes: ([a, b]) => [[a, b]], apply: ([t]) => sum(t), domain: line },
  { name: "sum axis 0", dims: 2, shapes: ([a, b]) => [[a, b]], apply: ([t]) => sum(t, 0), domain: line },
  { name: "mean axis -1", dims: 2, shapes: ([a, b]) => [[a, b]], apply: ([t]) => mean(t, -1), domain: line },
  { name: "logSumExp", dims: 2, shapes: ([a, b]) => [[a, b]], apply: ([t]) => logSumExp(t), domain: line },
  { name: "logSumExp axis 1", dims: 2, shapes: ([a, b]) => [[a, b]], apply: ([t]) => logSumExp(t, 1), domain: line },
  { name: "softmax", dims: 2, shapes: ([a, b]) => [[a, b]], apply: ([t]) => softmax(t), domain: line },
  { name: "softmax axis 0", dims: 2, shapes: ([a, b]) => [[a, b]], apply: ([t]) => softmax(t, 0), domain: line },
  { name: "slice axis 1", dims: 2, shapes: ([a, b]) => [[a, b + 1]], apply: ([t]) => slice(t, 1, undefined, 1), domain: line },
  { name: "slice axis 0, negative", dims: 2, shapes: ([a, b]) => [[a + 1, b]], apply: ([t]) => slice(t, 0, -1), domain: line },
  { name: "concat axis 1", dims: 3, shapes: ([a, b, c]) => [[a, b], [a, c]], apply: ([x, y]) => concat([x, y], 1), domain: plane },
] as TensorPrimitive[]).map((p): TensorPrimitive => Object.freeze({
  ...p,
  shapes: checked(p.name, "shapes", p.dims, p.shapes, true),
  apply: checked(p.name, "apply", p.shapes(new Array<number>(p.dims).fill(1)).length, p.apply),
})));
