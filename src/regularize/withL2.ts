// withL2(λ): a loss to the same loss plus λ·‖θ‖₂² (the course's soft constraint), over every leaf of
// the params tree or the leaves a selector picks (weights but not biases, say).
import { checkOptions, describe } from "../base/errors.ts";
import type { Real } from "../core/protocol.ts";
import { add, mul, sqrt, square } from "../rules/scalar.ts";
import { sum } from "../rules/reduce.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { isLeaf, type Tree } from "../tree/types.ts";
import { isTensorValued } from "../core/value.ts";
import { describeValue } from "../tensor/describe.ts";
import { isTensorLeaf, type Leaf, leafPaths, partsOf, type PathKey } from "../tree/params.ts";

/**
 * Picks leaves of a params tree by their path from the root (`[0, "w"]`) and value.
 * @example
 * const firstOnly: LeafSelector = (path) => path[0] === 0;
 * squaredNorm([3, 4], firstOnly); // => 9
 */
export type LeafSelector = (path: readonly PathKey[], leaf: Real | Tensor) => boolean;

/**
 * Options of `withL2`: which leaves the penalty covers.
 * @example
 * const options: L2Options = { select: weightsOnly };
 * withL2(1, options)((p: { w: Real; b: Real }) => add(p.w, p.b))({ w: 2, b: 3 }); // => 9
 */
export interface L2Options {
  /** Which leaves the penalty covers (default: every leaf). */
  readonly select?: LeafSelector | undefined;
}

/**
 * A loss to a loss with the same arguments.
 * @example
 * const doubled: LossTransform = (loss) => (params, ...rest) => mul(2, loss(params, ...rest));
 * doubled((x: Real) => square(x))(3); // => 18
 */
export type LossTransform = <P, R extends readonly unknown[]>(
  loss: (params: P, ...rest: R) => Real,
) => (params: P, ...rest: R) => Real;

/**
 * Selects the leaves named `w` (the weights of `dense`), leaving biases out.
 * @example
 * squaredNorm({ w: tensor([3]), b: tensor([4]) }, weightsOnly); // => 9
 */
export const weightsOnly: LeafSelector = (path) => {
  if (!Array.isArray(path)) throw new TypeError(`weightsOnly: expects a leaf's path (an array of keys), got ${describe(path)}`);
  return path[path.length - 1] === "w";
};

/** ‖leaf‖₂²: x² for a Real, Σ x² over a tensor's elements. */
const leafSquaredNorm = (leaf: Leaf): Real => (isTensorLeaf(leaf) ? sum(square(leaf)) : square(leaf));

/**
 * Σ ‖leaf‖₂² over every leaf of `tree` (or the selected ones): ‖θ‖₂². Differentiable.
 * @example
 * squaredNorm({ w: [3], b: tensor([4]) }); // => 25
 */
export function squaredNorm(tree: Tree | object, select?: LeafSelector): Real {
  if (select !== undefined && typeof select !== "function") throw new TypeError(`squaredNorm: select must be a function (path, leaf) => boolean, got ${describe(select)}`);
  return squaredNormIn("squaredNorm", tree, select);
}

function squaredNormIn(context: string, tree: unknown, select: LeafSelector | undefined): Real {
  const { leaves, def } = partsOf(tree, context);
  if (select === undefined) return sum(leaves.map(leafSquaredNorm));
  const paths = leafPaths(def); // the paths from the structure: the tree is read once
  return sum(leaves.filter((leaf, i) => select(paths[i], leaf)).map(leafSquaredNorm));
}

/**
 * ‖θ‖₂ over every leaf of a tree (optax's global_norm), e.g. of a gradient.
 * @example
 * globalNorm({ w: [3], b: tensor([4]) }); // => 5
 */
export function globalNorm(tree: Tree | object): Real {
  return sqrt(squaredNormIn("globalNorm", tree, undefined));
}

/**
 * `loss ↦ (θ, ...rest) ↦ loss(θ, ...rest) + λ·‖θ‖₂²`, the penalty over every leaf of θ or those
 * `options.select` picks. Its gradient is ∇loss + 2λθ. λ must be finite and >= 0 (checked here,
 * before any loss is given).
 * @example
 * const loss = withL2(0.5)((w: readonly Real[]) => sum(w));
 * loss([1, 2]); // => 3 + 0.5 * 5
 * grad(loss)([1, 2]); // => [2, 3]
 * withL2(-1); // throws RangeError
 */
export function withL2(lambda: number, options?: L2Options): LossTransform {
  if (typeof lambda !== "number" || !Number.isFinite(lambda) || lambda < 0) {
    throw new RangeError(`withL2: λ must be a finite number >= 0, got ${typeof lambda === "number" ? lambda : describe(lambda)}`);
  }
  const { select } = checkOptions(options, "withL2");
  if (select !== undefined && typeof select !== "function") {
    throw new TypeError(`withL2: options.select must be a function (path, leaf) => boolean, got ${describe(select)}`);
  }
  return <P, R extends readonly unknown[]>(loss: (params: P, ...rest: R) => Real) => {
    if (typeof loss !== "function") throw new TypeError(`withL2(${lambda}): expects a loss function, got ${describe(loss)}`);
    return (params: P, ...rest: R): Real => {
      // the penalty first, so that a bad params tree is reported with its path before the loss runs
      const penalty = mul(lambda, squaredNormIn(`withL2(${lambda})`, params, select));
      const value: unknown = loss(params, ...rest);
      if (!isLeaf(value) || isTensorValued(value)) {
        throw new TypeError(`withL2(${lambda}): the loss must return a scalar Real, got ${describeValue(value)}`);
      }
      return add(value as Real, penalty);
    };
  };
}
