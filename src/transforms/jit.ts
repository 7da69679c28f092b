// jit: runs a function once on recording values, compiles what it computed (scalar and tensor
// primitives) into straight-line code, and replays that code on later calls with the same structure (JAX's jit).
import { callUser, checkFunction, machinery, transformCall } from "./run.ts";
import { compile, compileDirect, type Replay } from "../interpreters/record/replay.ts";
import { type Operand, Recorder, Recording } from "../interpreters/record/recorder.ts";
import { Tensor } from "../tensor/tensor.ts";
import { sameStructure } from "../tree/match.ts";
import { flatten, unflatten } from "../tree/flatten.ts";
import { plainLeaves, prepare } from "../tree/compiled.ts";
import { type Result, type TreeDef } from "../tree/types.ts";
import type { Payload, Value } from "../core/protocol.ts";

/** What jit keeps for one argument structure: a replay and the result's structure, or "run as is". */
interface Entry {
  readonly def: TreeDef;
  /** The shapes of the tensor leaves ("" when every leaf is a number), part of the structure. */
  readonly shapes: string;
  readonly replay: Replay | undefined;
  readonly out: TreeDef;
  /** The replay with the argument's reading and the result's building generated around it (flat structures of numbers). */
  readonly direct: ((x: unknown) => unknown) | undefined;
}

/** What a direct replay returns for an argument of another structure. */
const MISS: unique symbol = Symbol("miss");

/** The shapes of the tensor leaves, as a key ("" when there is none). */
function shapesOf(leaves: readonly Payload[]): string {
  let key = "";
  for (let i = 0; i < leaves.length; i++) {
    const l = leaves[i]!;
    if (typeof l !== "number") key += `${i}:${l.shape.join("x")};`;
  }
  return key;
}

/**
 * A replay that computes on tensors, run as one transform call of nabla's machinery (run.ts): the
 * buffers of intermediates that die are the scope's, and go back to the pool when it returns, for the next replay.
 */
const inScope = (replay: Replay, leaves: readonly Payload[]): Payload[] | undefined => transformCall(true, asMachinery, replay, leaves);
const asMachinery = (replay: Replay, leaves: readonly Payload[]): Payload[] | undefined => machinery(replay, leaves, undefined, undefined);

/** How many recordings jit keeps per function (other structures, or other sides of a kink). */
const KEEP = 8;

/**
 * `jit(f)` computes what `f` computes, faster when called again: the first call with an argument
 * structure (the tree's shape and its tensors' shapes) records every primitive `f` applies, scalar
 * and tensor, through every transform inside it (so `jit(grad(loss))` records the gradient's own
 * arithmetic), and compiles them; later calls with plain numbers and tensors of that structure run
 * the compiled code, in a recycling scope of the buffer pool. Decisions at scalar kinks (relu, abs,
 * max, min, pow at 0) are checked on every replay, and a call that falls on another side records
 * again; masks of kinks on tensors are recomputed on every replay.
 *
 * As in JAX, `f` must be pure: what it reads from outside its argument (a tensor it closes over
 * included) is read once, when recording. A function that reads values (`primal`, `toArray`,
 * `argmax`), computes on Reals of an enclosing transform, or records more than 2,000 steps
 * (straight-line code that long replays slower than the function runs) runs as written on every
 * call; so does any call whose argument holds more than plain numbers and tensors, and a function
 * that fails on recording values (code that wants a plain number where a leaf is): it is run again
 * as written, and an error there is its own. A training step with an optimizer's state in its
 * argument is recorded whole (Adam's count, and a schedule as a step calling it on the count).
 * @example
 * const g = jit(grad((x: Real) => mul(x, sin(x)))); // recorded and compiled on the first call
 * g(0); // => 0
 * g(Math.PI); // => Math.sin(Math.PI) + Math.PI * Math.cos(Math.PI)
 * const h = jit(grad((t: Tensor) => sum(relu(mul(t, t))))); // tensors: the same replay for any values of shape [2]
 * h(tensor([1, -2])); // => tensor([2, -4])
 * h(tensor([3, 0])); // => tensor([6, 0])
 */
export function jit<X, Y>(f: (x: X) => Y): Jitted<X, Y> {
  checkFunction(f, "jit");
  const entries: Entry[] = [];
  /** `f` at plain `leaves` of structure `def` and tensor shapes `shapes`: replayed, run as written, or recorded now. */
  const call = (def: TreeDef, shapes: string, leaves: readonly Payload[]): unknown => {
    for (const e of entries) {
      if (e.def !== def || e.shapes !== shapes) continue;
      if (e.replay === undefined) return asIs(f, def, leaves);
      const y = shapes === "" ? e.replay(leaves) : inScope(e.replay, leaves);
      if (y !== undefined) return unflatten(e.out, y);
    }
    const [entry, y] = recordJit(f, def, shapes, leaves, slow);
    entries.unshift(entry);
    if (entries.length > KEEP) entries.pop();
    return y;
  };
  /** A direct replay's way out with the leaves it read (each read once): not all plain numbers, or a guard failed. */
  const slow = (def: TreeDef, leaves: readonly unknown[]): unknown =>
    leaves.every((l) => typeof l === "number") ? call(def, "", leaves as number[]) : general(unflatten(def, leaves as Value[]));
  const general = (x: unknown): unknown => {
    const input = flatten(x, "jit");
    if (input.leaves.some((l) => typeof l !== "number" && !(l instanceof Tensor))) return asIs(f, input.def, input.leaves);
    // one structure object per structure, so that entries compare by identity
    const def = entries.find((e) => sameStructure(e.def, input.def))?.def ?? input.def;
    const leaves = input.leaves as Payload[];
    return call(def, shapesOf(leaves), leaves);
  };
  return ((x: unknown): unknown => {
    // The common case: the structure of the last call, by one generated function.
    const last = entries[0];
    if (last?.direct !== undefined) {
      const y = last.direct(x);
      if (y !== MISS) return y;
    }
    const quick = last === undefined || last.replay === undefined || last.shapes !== "" ? undefined : plainLeaves(last.def, x);
    if (quick !== undefined) return call(last!.def, "", quick);
    return general(x);
  }) as Jitted<X, Y>;
}

/**
 * `jit(f)`: `f`'s result, as plain numbers when the argument holds plain numbers (as transforms return).
 * @example
 * const f: Jitted<Real, Real> = jit((x: Real) => add(square(x), 1));
 * f(3); // => 10
 */
export interface Jitted<X, Y> {
  <U extends X>(x: U): Result<Y, U>;
  (x: X): Y;
}

/** `f` run as written on (a frozen copy of) the argument, its result a frozen tree as every transform returns. */
function asIs(f: (x: never) => unknown, def: TreeDef, leaves: readonly Value[]): unknown {
  const y = flatten(callUser(f, unflatten(def, leaves)), "jit", "the function's result");
  return unflatten(y.def, y.leaves);
}

/** Runs `f` on recording inputs: its result, and the entry that replays it (or says it cannot). */
function recordJit(
  f: (x: never) => unknown,
  def: TreeDef,
  shapes: string,
  leaves: readonly Payload[],
  slow: (def: TreeDef, leaves: readonly unknown[]) => unknown,
): readonly [Entry, unknown] {
  const recorder = new Recorder();
  let result;
  try {
    const inputs = leaves.map((l) => recorder.input(l));
    result = flatten(callUser(f, unflatten(def, inputs)), "jit", "the function's result");
  } catch {
    // f failed on recording values, which it may not do on plain ones (code that wants a plain number
    // where a leaf is, say: an optimizer's count): it runs as written, now (an error then is f's own) and later
  } finally {
    recorder.close();
  }
  if (result === undefined) return [{ def, shapes, replay: undefined, out: def, direct: undefined }, asIs(f, def, leaves)];
  const outputs: Operand[] = [];
  const values: Value[] = [];
  for (const leaf of result.leaves) {
    if (leaf instanceof Recording && leaf.trace === recorder) {
      values.push(leaf.primal);
      if (leaf.step >= 0) outputs.push({ step: leaf.step });
      else recorder.unreplayable ??= "a result the steps cannot express";
    } else {
      values.push(leaf);
      const o = recorder.operand(leaf); // a number or a plain tensor: a constant
      if (o !== undefined) outputs.push(o);
      else recorder.unreplayable ??= "a result of another transform";
    }
  }
  // undefined (run as written) when not replayable, or too long to pay off
  const replay = recorder.unreplayable === undefined ? compile(recorder.steps, recorder.inputs, outputs) : undefined;
  if (replay !== undefined) prepare(result.def);
  // generated around the replay for numbers only: a replay on tensors runs in a scope of the buffer pool
  const direct =
    replay === undefined || shapes !== ""
      ? undefined
      : compileDirect(recorder.steps, recorder.inputs, outputs, { input: def, output: result.def }, MISS, (l) => slow(def, l));
  return [{ def, shapes, replay, out: result.def, direct }, unflatten(result.def, values)];
}
