// Reverse mode: vjp runs the function once on tape-tracked inputs and returns its pullback; grad is
// vjp with cotangent 1; jacrev pulls back each unit cotangent through one recording.
import { describeValue } from "../tensor/describe.ts";
import { shapeOf, zeroLike } from "../core/value.ts";
import type { Real, Value } from "../core/protocol.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { Tracked } from "../interpreters/reverse/tape.ts";
import { gradientPlain, sweep, type Seed } from "../interpreters/reverse/sweep.ts";
import { splitTracked } from "../interpreters/reverse/split.ts";
import { TapeTrace } from "../interpreters/reverse/trace.ts";
import { unsigned } from "../rules/scalar.ts";
import { flattenAs } from "../tree/match.ts";
import { flatten, flattenLifted, unflatten } from "../tree/flatten.ts";
import { type Flat, LEAF, type Like, type Result, type TreeDef } from "../tree/types.ts";
import { callUser, checkFunction, machinery, transformCall } from "./run.ts";
import { AuxSplit, type AuxOptions, hasAux, type NoAux, type OptionsFor, type WithAux } from "./aux.ts";
import type { GradientOf, ValueAndGradientOf } from "./gradient-types.ts";
import { type Jacobian, stackRows, unitTensor, vectorArgument, vectorResult } from "./vector.ts";

/** A forward pass: the argument, the result's primals, and the tape with the result's places on it. */
export interface ForwardPass {
  readonly tape: TapeTrace;
  readonly x: Flat;
  readonly y: Flat;
  readonly yIndices: readonly number[];
}

/** Runs `f` once with every leaf of `x` on a fresh tape, then closes the tape. */
export function recordForwardPass(f: (x: never) => unknown, x: unknown, transform: string): ForwardPass {
  const input = flatten(x, transform);
  const tape = new TapeTrace(transform);
  try {
    const n = input.leaves.length;
    const nodes = new Array<Value>(n);
    for (let i = 0; i < n; i++) nodes[i] = tape.input(input.leaves[i]);
    return finish(tape, input, callUser(f, unflatten(input.def, nodes)), transform);
  } finally {
    tape.close();
  }
}

/** The recording of a run of `f` that returned `y`, read while the tape is still open. */
function finish(tape: TapeTrace, input: Flat, y: unknown, transform: string): ForwardPass {
  const result = flatten(y, transform, "the function's result");
  const m = result.leaves.length;
  const yPrimals = new Array<Value>(m);
  const yIndices = new Array<number>(m);
  for (let k = 0; k < m; k++) {
    const leaf = result.leaves[k];
    if (leaf instanceof Tracked && leaf.trace === tape) {
      yPrimals[k] = leaf.primal;
      yIndices[k] = leaf.index;
    } else [yPrimals[k], yIndices[k]] = splitTracked(tape, leaf);
  }
  return { tape, x: input, y: { leaves: yPrimals, def: result.def }, yIndices };
}

/** The input cotangents (as leaves) for cotangents `u` on the result's leaves. */
export function pullLeaves(rec: ForwardPass, u: readonly Value[]): Value[] {
  const seeds: Seed[] = [];
  for (let k = 0; k < u.length; k++) if (rec.yIndices[k] >= 0) seeds.push([rec.yIndices[k], u[k]]);
  const cts = machinery(sweep, rec.tape, seeds, rec.x.leaves.length);
  for (let i = 0; i < cts.length; i++) {
    const c = cts[i];
    cts[i] = c === undefined ? zeroLike(rec.x.leaves[i]) : unsigned(c);
  }
  return cts as Value[];
}

/**
 * `vjp`'s pullback: a cotangent shaped like f(x) to one shaped like x.
 * @example
 * const f = (p: { a: Real; b: Real }) => [mul(p.a, p.b), p.a];
 * const pullback: Pullback<Real[], { a: number; b: number }> = vjp(f, { a: 2, b: 3 })[1];
 * pullback([1, 0]); // => { a: 3, b: 2 }
 * pullback([0, 1]); // => { a: 1, b: 0 }
 */
export type Pullback<Y, U> = (u: Like<Y>) => Like<U>;

/**
 * `[f(x), pullback]`: the pullback maps a cotangent shaped like f(x) to one shaped like x. With
 * `{ hasAux: true }`, `f` returns `[output, aux]` and vjp gives `[output, pullback, aux]`.
 * @example
 * const [y, pullback] = vjp((x: readonly Real[]) => [mul(x[0], x[1]), x[0]], [2, 3]);
 * y; // => [6, 2]
 * pullback([1, 0]); // => [3, 2]
 * vjp((x: Real) => [mul(x, x), { x }] as const, 3, { hasAux: true })[2]; // => { x: 3 }
 */
export function vjp<X, U extends X, Y, A>(
  f: (x: X) => readonly [Y, A],
  x: U,
  options: WithAux,
): readonly [Result<Y, U>, Pullback<Y, U>, Result<A, U>];
export function vjp<X, U extends X, Y>(f: (x: X) => Y, x: U, options?: NoAux): readonly [Result<Y, U>, Pullback<Y, U>];
export function vjp(f: (x: never) => unknown, x: unknown, options?: AuxOptions): readonly unknown[] {
  checkFunction(f, "vjp");
  const aux = hasAux(options, "vjp") ? new AuxSplit("vjp") : undefined;
  return transformCall(false, () => {
    const rec = recordForwardPass(aux === undefined ? f : aux.output(f), x, "vjp");
    const y = unflatten(rec.y.def, rec.y.leaves);
    const pullback = (u: unknown): unknown =>
      transformCall(true, () => {
        const uLeaves = flattenAs(rec.y.def, u, "vjp pullback", "the cotangent", rec.y.leaves);
        return unflatten(rec.x.def, pullLeaves(rec, uLeaves));
      });
    return Object.freeze(aux === undefined ? [y, Object.freeze(pullback)] : [y, Object.freeze(pullback), aux.aux]);
  });
}

/** The tape index of a scalar result, or a TypeError saying what to use instead. */
function scalarResult(rec: ForwardPass, transform: string): number {
  if (rec.y.def !== LEAF || shapeOf(rec.y.leaves[0]) !== null) {
    throw new TypeError(
      `${transform}: the function must return a scalar Real, but returned ` +
        `${describeValue(unflatten(rec.y.def, rec.y.leaves))}. ` +
        `For a function with several outputs use jacrev or vjp (or reduce it with sum); ` +
        `for [output, aux], pass { hasAux: true }.`,
    );
  }
  return rec.yIndices[0];
}

/** The gradient's leaves; the recording's tape is released, so this is its last use. */
export function gradLeaves(rec: ForwardPass, transform: string): Value[] {
  const index = scalarResult(rec, transform);
  const g = index < 0 ? rec.x.leaves.map(zeroLike) : pullLeaves(rec, [1]);
  rec.tape.release();
  return g;
}

/** The argument structure a gradient function saw last: a repeat is read and rebuilt by compiled code. */
interface StructureMemo {
  def: TreeDef | undefined;
}

/**
 * The value and gradient leaves of `f` at `x`. The common case (a scalar on this tape, every partial
 * a plain number) takes a short path; anything else goes through a full recording.
 */
function valueAndGradLeaves(
  f: (x: never) => unknown,
  x: unknown,
  transform: string,
  memo: StructureMemo,
): readonly [Value, Value[], Flat] {
  const tape = new TapeTrace(transform);
  let input: Flat;
  let y: unknown;
  let rec: ForwardPass | undefined;
  try {
    const lifted = flattenLifted(x, transform, tape, memo.def);
    input = lifted;
    memo.def = lifted.def;
    y = callUser(f, lifted.lifted);
    const fast = y instanceof Tracked && y.trace === tape && typeof y.primal === "number" && tape.isPlain;
    if (!fast) rec = finish(tape, input, y, transform);
  } finally {
    tape.close();
  }
  if (rec === undefined) {
    const out = y as Tracked;
    const g = gradientPlain(tape, out.index, input.leaves);
    tape.release();
    return [out.primal, g, input];
  }
  return [rec.y.leaves[0], gradLeaves(rec, transform), input];
}

/**
 * `x ↦ ∇f(x)`, shaped like `x`, for `f` returning a scalar Real. With `{ hasAux: true }`, `f`
 * returns `[output, aux]` and the gradient function gives `[∇output(x), aux]`.
 * @example
 * grad((p: { w: Real; b: Real }) => square(add(mul(p.w, 3), p.b)))({ w: 2, b: 1 }); // => { w: 42, b: 14 }
 * grad((t: Tensor) => sum(mul(t, t)))(tensor([1, 2])); // => tensor([2, 4])
 * grad((x: Real) => [mul(x, x), { x }] as const, { hasAux: true })(3); // => [6, { x: 3 }]
 */
export function grad<X, R extends Real | readonly [Real, unknown] = Real>(f: (x: X) => R, ...options: OptionsFor<R>): GradientOf<X, R>;
export function grad(f: (x: never) => unknown, options?: AuxOptions): unknown {
  checkFunction(f, "grad");
  const memo: StructureMemo = { def: undefined };
  if (hasAux(options, "grad")) return (x: unknown) => transformCall(true, gradientWithAux, f, x, memo);
  return (x: unknown) => transformCall(true, gradient, f, x, memo);
}

function gradient(f: (x: never) => unknown, x: unknown, memo: StructureMemo): unknown {
  const [, g, input] = valueAndGradLeaves(f, x, "grad", memo);
  return unflatten(input.def, g);
}

function gradientWithAux(f: (x: never) => unknown, x: unknown, memo: StructureMemo): unknown {
  const aux = new AuxSplit("grad");
  const [, g, input] = valueAndGradLeaves(aux.output(f), x, "grad", memo);
  return Object.freeze([unflatten(input.def, g), aux.aux]);
}

/**
 * `x ↦ [f(x), ∇f(x)]`; with `{ hasAux: true }`, `x ↦ [[output, aux], ∇output(x)]`.
 * @example
 * valueAndGrad((x: Real) => mul(x, x))(3); // => [9, 6]
 * valueAndGrad((x: Real) => [mul(x, x), { x }] as const, { hasAux: true })(3); // => [[9, { x: 3 }], 6]
 */
export function valueAndGrad<X, R extends Real | readonly [Real, unknown] = Real>(
  f: (x: X) => R,
  ...options: OptionsFor<R>
): ValueAndGradientOf<X, R>;
export function valueAndGrad(f: (x: never) => unknown, options?: AuxOptions): unknown {
  checkFunction(f, "valueAndGrad");
  const memo: StructureMemo = { def: undefined };
  if (hasAux(options, "valueAndGrad")) return (x: unknown) => transformCall(true, valueAndGradientWithAux, f, x, memo);
  return (x: unknown) => transformCall(true, valueAndGradient, f, x, memo);
}

function valueAndGradient(f: (x: never) => unknown, x: unknown, memo: StructureMemo): readonly [Value, unknown] {
  const [value, g, input] = valueAndGradLeaves(f, x, "valueAndGrad", memo);
  return Object.freeze([value, unflatten(input.def, g)] as const);
}

function valueAndGradientWithAux(f: (x: never) => unknown, x: unknown, memo: StructureMemo): unknown {
  const aux = new AuxSplit("valueAndGrad");
  const [value, g, input] = valueAndGradLeaves(aux.output(f), x, "valueAndGrad", memo);
  return Object.freeze([Object.freeze([value, aux.aux]), unflatten(input.def, g)]);
}

/**
 * `x ↦ J` with `J[i][j] = ∂yᵢ/∂xⱼ`, by one recording and one pullback per output.
 * @example
 * jacrev((v: readonly Real[]) => [mul(v[0], v[1]), sin(v[0])])([2, 3]); // => [[3, 2], [Math.cos(2), 0]]
 */
export function jacrev(f: (x: readonly Real[]) => readonly Real[] | Real): Jacobian;
export function jacrev(f: (x: Tensor) => Tensor | Real): Jacobian;
export function jacrev(f: (x: never) => unknown): Jacobian {
  checkFunction(f, "jacrev");
  return ((x: unknown) => transformCall(true, () => {
    const v = vectorArgument(x, "jacrev");
    const rec = recordForwardPass(f, v.x, "jacrev");
    const y = unflatten(rec.y.def, rec.y.leaves);
    const kind = vectorResult(y, "jacrev");
    const pull = (u: readonly Value[]): unknown => unflatten(rec.x.def, pullLeaves(rec, u));
    if (kind === "scalar") {
      const g = pull([1]);
      rec.tape.release();
      return g;
    }
    const m = kind === "array" ? (y as unknown[]).length : shapeOf(y as Value)![0];
    const rows: unknown[] = [];
    for (let i = 0; i < m; i++) rows.push(pull(kind === "array" ? unit(m, i) : [unitTensor(m, i)]));
    rec.tape.release(); // every row is pulled back: the next tape may take its arrays
    return stackRows(rows, v.isTensor, "jacrev");
  })) as Jacobian;
}

/** The i-th unit vector of length n. */
const unit = (n: number, i: number): Value[] => {
  const e = new Array<Value>(n).fill(0);
  e[i] = 1;
  return e;
};
