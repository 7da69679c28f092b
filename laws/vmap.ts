// vmap(f) equals stacking f over the examples (SPEC §3, §6): each example is cut out of the batch
// (the mapped leaves along their axis, the shared ones as they are), f runs on it alone, and the
// results are stacked along outAxes; vmap's one batched computation must give the same tree, to
// rounding. A part of the result that outAxes marks null is the examples' common value, and when the
// examples disagree there vmap must refuse it with a TypeError.
import fc from "fast-check";
import { type Axes, Tensor, tensor, vmap } from "../src/index.ts";
import { identityTolerance, show } from "./approx.ts";
import { nice } from "./arbitraries.ts";
import { assertLaw, compared, instancesOf, type LawOptions, type RunOptions, type Subject, type Verdict } from "./harness.ts";
import { isContainer, sizeOf, tensorElements } from "./trees.ts";

/**
 * A batching transform with vmap's signature (nabla's `vmap` unless a law is given another).
 * @example
 * const loop: VmapOperator = (f, inAxes) => (x) => stackExamples(examplesOf(x, inAxes).map((e) => f(e as never))).stacked;
 * vmapStacking((t: Tensor) => sum(t), 0, 0, { vmap: loop })(tensor([[1, 2], [3, 4]])); // => true
 */
export type VmapOperator = (f: (x: never) => unknown, inAxes: Axes, outAxes: Axes) => (x: never) => unknown;

/**
 * A function to batch, with where its argument's examples lie and where its results' go (default 0 and 0).
 * @example
 * const b: Batched<Tensor, Real> = { f: (t) => sum(t), inAxes: 1 };
 * vmapStacking(b.f, b.inAxes)(tensor([[1, 2], [3, 4]])); // => true
 */
export interface Batched<X, Y> {
  readonly f: (x: X) => Y;
  readonly inAxes?: Axes;
  readonly outAxes?: Axes;
}

/**
 * Options of the stacking law: the comparison, and the batching transform under test.
 * @example
 * const options: StackingOptions = { eq: identityTolerance };
 * vmapStacking((t: Tensor) => mul(t, t), 0, 0, options)(tensor([1, 2, 3])); // => true
 */
export interface StackingOptions extends Pick<LawOptions, "eq"> {
  /** The transform to check instead of nabla's `vmap` (a wrapper of it, or a wrong one in a self-test). */
  readonly vmap?: VmapOperator;
}

const axisIn = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);

/** Example `i` along `axis` of a plain tensor: a tensor one rank lower, or a number from a 1-D tensor. */
function exampleOf(t: Tensor, i: number, axis: number): Tensor | number {
  const shape = t.shape;
  const a = axisIn(axis, shape.length);
  const data = tensorElements(t);
  const after = sizeOf(shape.slice(a + 1));
  const before = sizeOf(shape.slice(0, a));
  const out: number[] = [];
  for (let o = 0; o < before; o++) for (let k = 0; k < after; k++) out.push(data[(o * shape[a] + i) * after + k]);
  const rest = shape.filter((_, k) => k !== a);
  return rest.length === 0 ? out[0] : tensor(out, rest);
}

/**
 * Plain leaves, one per example (numbers, or tensors of one shape), stacked along `axis` of the result.
 * @example
 * stackAlong([tensor([1, 2]), tensor([3, 4])], 1); // => tensor([[1, 3], [2, 4]])
 * stackAlong([1, 2, 3], 0); // => tensor([1, 2, 3])
 */
export function stackAlong(leaves: readonly unknown[], axis: number): Tensor {
  const first = leaves[0];
  const example = first instanceof Tensor ? first.shape : [];
  const a = axisIn(axis, example.length + 1);
  if (a < 0 || a > example.length) throw new RangeError(`nabla/laws: out axis ${axis} for results of shape [${example.join(",")}]`);
  const datas = leaves.map((l) => {
    if (typeof l === "number" && example.length === 0 && !(first instanceof Tensor)) return [l];
    if (l instanceof Tensor && first instanceof Tensor && l.shape.join() === example.join()) return tensorElements(l);
    throw new TypeError(`nabla/laws: the examples' results differ in kind or shape: ${show(first)} and ${show(l)}`);
  });
  const before = sizeOf(example.slice(0, a));
  const after = sizeOf(example.slice(a));
  const out: number[] = [];
  for (let o = 0; o < before; o++) for (const d of datas) for (let k = 0; k < after; k++) out.push(d[o * after + k]);
  return tensor(out, [...example.slice(0, a), leaves.length, ...example.slice(a)]);
}

/** Walks a prefix `spec` over a tree, calling `leaf(axis, subtree)` where the spec is a number or null. */
function overPrefix(spec: Axes, x: unknown, leaf: (axis: number | null, x: unknown) => unknown): unknown {
  if (spec === null || typeof spec === "number") return leaf(spec, x);
  if (Array.isArray(spec)) return spec.map((s, i) => overPrefix(s as Axes, (x as readonly unknown[])[i], leaf));
  const record = spec as { readonly [key: string]: Axes };
  return Object.fromEntries(Object.keys(x as object).map((k) => [k, overPrefix(record[k], (x as Record<string, unknown>)[k], leaf)]));
}

/** Maps every leaf of a subtree. */
const leafwise = (x: unknown, fn: (leaf: unknown) => unknown): unknown =>
  Array.isArray(x) ? x.map((c) => leafwise(c, fn)) : isContainer(x) ? Object.fromEntries(Object.entries(x).map(([k, c]) => [k, leafwise(c, fn)])) : fn(x);

/**
 * The examples of a batch `x` under `inAxes`: mapped tensors cut along their axis, everything else shared.
 * @example
 * examplesOf([tensor([[1, 2], [3, 4]]), 10], [0, null]); // => [[tensor([1, 2]), 10], [tensor([3, 4]), 10]]
 */
export function examplesOf(x: unknown, inAxes: Axes = 0): unknown[] {
  let size: number | undefined;
  overPrefix(inAxes, x, (axis, sub) =>
    axis === null ? undefined : leafwise(sub, (l) => (size ??= l instanceof Tensor ? l.shape[axisIn(axis, l.shape.length)] : undefined)),
  );
  if (size === undefined || size === 0) throw new RangeError("nabla/laws: a batch needs a mapped tensor and at least one example");
  return Array.from({ length: size }, (_, i) =>
    overPrefix(inAxes, x, (axis, sub) =>
      axis === null
        ? sub
        : leafwise(sub, (l) => {
            if (!(l instanceof Tensor)) throw new TypeError(`nabla/laws: a mapped leaf must be a plain tensor, got ${show(l)}`);
            return exampleOf(l, i, axis);
          }),
    ),
  );
}

/**
 * The examples' results (trees of one structure, plain leaves) stacked under `outAxes`; a part marked
 * null is the first example's, with `disagree` saying how when the examples differ there.
 * @example
 * stackExamples([{ a: 1, b: 5 }, { a: 2, b: 5 }], { a: 0, b: null }).stacked; // => { a: tensor([1, 2]), b: 5 }
 */
export function stackExamples(results: readonly unknown[], outAxes: Axes = 0, eq = identityTolerance): { stacked: unknown; disagree?: string } {
  let disagree: string | undefined;
  const walk = (spec: Axes, parts: readonly unknown[]): unknown => {
    if (spec === null) {
      parts.forEach((p, i) => (disagree ??= eq.explain(p, parts[0]) === undefined ? undefined : `example ${i} gives ${show(p)}, example 0 ${show(parts[0])}`));
      return parts[0];
    }
    if (typeof spec !== "number") {
      const keys = Array.isArray(spec) ? spec.map((_, i) => i) : Object.keys(parts[0] as object);
      const out = keys.map((k) => walk((spec as Record<string | number, Axes>)[k], parts.map((p) => (p as Record<string | number, unknown>)[k])));
      return Array.isArray(spec) ? out : Object.fromEntries(keys.map((k, i) => [k, out[i]]));
    }
    const first = parts[0];
    if (Array.isArray(first)) return first.map((_, j) => walk(spec, parts.map((p) => (p as unknown[])[j])));
    if (isContainer(first)) return Object.fromEntries(Object.keys(first).map((k) => [k, walk(spec, parts.map((p) => (p as Record<string, unknown>)[k]))]));
    return stackAlong(parts, spec);
  };
  const stacked = walk(outAxes, results);
  return disagree === undefined ? { stacked } : { stacked, disagree };
}

function stackingVerdict(f: (x: never) => unknown, inAxes: Axes, outAxes: Axes, options: StackingOptions): (x: unknown) => Verdict {
  const { eq = identityTolerance, vmap: batch = vmap as unknown as VmapOperator } = options;
  return (x) => {
    const { stacked, disagree } = stackExamples(examplesOf(x, inAxes).map((e) => f(e as never)), outAxes, eq);
    let actual: unknown;
    try {
      actual = batch(f, inAxes, outAxes)(x as never);
    } catch (e) {
      if (disagree !== undefined && e instanceof TypeError) return undefined; // outAxes null where the result depends on the example
      return `vmap threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)} where f on each example gives ${show(stacked)}`;
    }
    if (disagree !== undefined) return `outAxes marks null a part of the result that depends on the example (${disagree}), and vmap did not refuse it`;
    return compared("vmap(f)(x) vs f on each example, stacked", eq.explain(actual, stacked));
  };
}

/**
 * `vmap(f, inAxes, outAxes)(x)` equals f applied to each example of the batch `x` separately, the
 * results stacked along `outAxes` (to rounding, `eq`, default identityTolerance).
 * @example
 * vmapStacking((row: Tensor) => softmax(row))(tensor([[1, 2], [3, 5]])); // => true
 * vmapStacking((t: Tensor) => sum(t), 1)(tensor([[1, 2], [3, 4]])); // => true
 */
export const vmapStacking =
  <X, Y>(f: (x: X) => Y, inAxes: Axes = 0, outAxes: Axes = 0, options: StackingOptions = {}) =>
  (x: unknown): boolean =>
    stackingVerdict(f as (x: never) => unknown, inAxes, outAxes, options)(x) === undefined;

/**
 * Checks that vmap(f) equals stacking f on samples of the subject's batches (each instance may bring
 * its own axes); throws with a counterexample if it fails.
 * @example
 * checkVmapStacking({ f: (t: Tensor) => mul(sin(t), t), x: batchOf([3], 4, 0) }, { runs: 10 }); // => undefined
 */
export function checkVmapStacking<X, Y>(subject: Subject<Batched<X, Y>, unknown>, options: StackingOptions & RunOptions = {}): void {
  assertLaw(
    "vmap(f) equals stacking f over the examples",
    instancesOf(subject as Subject<Batched<X, Y>, unknown>),
    ({ f, x, inAxes = 0, outAxes = 0 }) => stackingVerdict(f as (x: never) => unknown, inAxes, outAxes, options)(x),
    options,
  );
}

/**
 * A batch of `size` tensors of the example shape `shape` along `axis` (null: one shared tensor of that
 * shape), nice elements.
 * @example
 * fc.sample(batchOf([2], 5, -1), 3).every((t) => t.shape[0] === 2 && t.shape[1] === 5); // => true
 */
export function batchOf(shape: readonly number[], size: number, axis: number | null, element: fc.Arbitrary<number> = nice(-2, 2)): fc.Arbitrary<Tensor> {
  const a = axis === null ? 0 : axisIn(axis, shape.length + 1);
  const full = axis === null ? [...shape] : [...shape.slice(0, a), size, ...shape.slice(a)];
  return fc.array(element, { minLength: sizeOf(full), maxLength: sizeOf(full) }).map((xs) => tensor(xs, full));
}
