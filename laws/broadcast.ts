// NumPy broadcasting as the laws need it, on plain shapes and numbers: which elements of the arguments
// meet at each element of an elementwise result. A kink is a property of those tuples, not of
// index-aligned elements: `max([a,1], [1,b])` compares every aᵢ with every bⱼ.
import { Tensor } from "../src/index.ts";
import { tensorElements } from "./trees.ts";

/**
 * A shape: extents, outermost first; `[]` for a Real.
 * @example
 * import { type Shape, broadcastShape } from "nabla/laws";
 *
 * const shape: Shape = [2, 3];
 * broadcastShape([shape, [3]]); // => [2, 3]
 */
export type Shape = readonly number[];

/** The shape of a plain argument: a tensor's, or `[]` for a number. */
export const shapeOfValue = (x: unknown): Shape => (x instanceof Tensor ? x.shape : []);

/** The elements of a plain argument: a tensor's in row-major order, or the number itself. */
export const elementsOfValue = (x: unknown): number[] => (x instanceof Tensor ? tensorElements(x) : [x as number]);

/**
 * The broadcast of several shapes, or undefined when they do not broadcast.
 * @example
 * broadcastShape([[2, 1], [3]]); // => [2, 3]
 * broadcastShape([[2], [3]]); // => undefined
 */
export function broadcastShape(shapes: readonly Shape[]): number[] | undefined {
  const rank = shapes.reduce((r, s) => Math.max(r, s.length), 0);
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let k = 0; k < s.length; k++) {
      const at = rank - s.length + k;
      if (s[k] === 1) continue;
      if (out[at] !== 1 && out[at] !== s[k]) return undefined;
      out[at] = s[k];
    }
  }
  return out;
}

/** Whether `from` broadcasts to exactly `to`. */
export const broadcastsTo = (from: Shape, to: Shape): boolean => {
  const b = broadcastShape([from, to]);
  return b !== undefined && b.length === to.length && b.every((d, k) => d === to[k]);
};

/**
 * For each element of the broadcast result (row-major), the tuple of argument elements that meet
 * there. `elements[i]` are argument i's numbers in row-major order, for its shape `shapes[i]`.
 * @example
 * broadcastTuples([[2], []], [[1, 2], [10]]); // => [[1, 10], [2, 10]]
 */
export function broadcastTuples(shapes: readonly Shape[], elements: readonly (readonly number[])[]): number[][] {
  const out = broadcastShape(shapes);
  if (out === undefined) throw new RangeError(`nabla/laws: shapes ${shapes.map((s) => `[${s.join(",")}]`).join(", ")} do not broadcast`);
  const rank = out.length;
  // each argument's element stride along each output axis: 0 where it is broadcast
  const strides = shapes.map((s) => {
    const st = new Array<number>(rank).fill(0);
    for (let k = s.length - 1, step = 1; k >= 0; k--) {
      st[rank - s.length + k] = s[k] === 1 ? 0 : step;
      step *= s[k];
    }
    return st;
  });
  const total = out.reduce((n, d) => n * d, 1);
  const tuples: number[][] = [];
  const index = new Array<number>(rank).fill(0);
  for (let e = 0; e < total; e++) {
    tuples.push(strides.map((st, i) => elements[i][st.reduce((o, sk, k) => o + sk * index[k], 0)]));
    for (let k = rank - 1; k >= 0; k--) {
      if (++index[k] < out[k]) break;
      index[k] = 0;
    }
  }
  return tuples;
}

/**
 * A primitive's distance to its kinks from one tuple of scalar arguments (as `Domain.kinkDistance`).
 * @example
 * const toDiagonal: KinkDistance = ([a, b]) => Math.abs(a - b); // max and min have their kinks where a = b
 * toDiagonal([1, 3]); // => 2
 */
export type KinkDistance = (args: readonly number[]) => number;

/**
 * The least kink distance over the broadcast tuples of plain arguments (Infinity when there are none).
 * @example
 * broadcastKinkDistance(([a, b]) => Math.abs(a - b), [tensor([1, 2]), tensor([1.5])]); // => 0.5
 */
export function broadcastKinkDistance(kinkDistance: KinkDistance, args: readonly unknown[]): number {
  const tuples = broadcastTuples(args.map(shapeOfValue), args.map(elementsOfValue));
  return tuples.reduce((m, t) => Math.min(m, kinkDistance(t)), Infinity);
}

/**
 * Whether an elementwise primitive with kinks is smooth on the segment args ± step: every broadcast
 * tuple is more than `margin` times its ℓ₁ movement away from a kink. A kinkDistance that changes by
 * at most |Δ|₁ when its arguments move by Δ (as |x| and |a − b| do) cannot reach 0 then.
 * @example
 * smoothAcross(([x]) => Math.abs(x), [tensor([1, -1])], [tensor([0.1, 0.1])]); // => true
 * smoothAcross(([x]) => Math.abs(x), [tensor([1, 0.05])], [tensor([0.1, 0.1])]); // => false
 */
export function smoothAcross(kinkDistance: KinkDistance, args: readonly unknown[], step: readonly unknown[], margin = 2): boolean {
  const shapes = args.map(shapeOfValue);
  const at = broadcastTuples(shapes, args.map(elementsOfValue));
  const moves = broadcastTuples(shapes, step.map(elementsOfValue));
  return at.every((t, e) => kinkDistance(t) > margin * moves[e].reduce((s, m) => s + Math.abs(m), 0));
}
