// The optimizer suites' shared fixture: a params tree of a Real and a matrix, two gradients, and two
// updates from it read back as flat numbers, to compare with optax's formulas written out by hand.
import { type Optimizer, type Real, type Tensor, tensor, toArray } from "../../src/index.ts";

export type Params = { readonly a: Real; readonly w: Tensor };
export const params: Params = { a: 1.5, w: tensor([[1, -2], [0.5, 3]]) };
export const g1: Params = { a: 0.4, w: tensor([[0.1, -0.3], [2, -1]]) };
export const g2: Params = { a: -0.2, w: tensor([[0.5, 0.25], [-1, 0.125]]) };
/** A params-shaped tree as flat numbers [a, w00, w01, w10, w11]. */
export const flat = (p: Params): number[] => [p.a as number, ...(toArray(p.w) as number[][]).flat()];
export const [θ0, G1, G2] = [params, g1, g2].map(flat) as [number[], number[], number[]];

/** Two updates with gradients g1 then g2 from `params`; returns both params as flat numbers. */
export function twoSteps<S>(opt: Optimizer<S>): [number[], number[]] {
  const s0 = opt.init(params);
  const [p1, s1] = opt.update(g1, s0, params);
  const [p2] = opt.update(g2, s1, p1);
  return [flat(p1), flat(p2)];
}
