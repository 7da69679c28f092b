// jit: runs a function once on recording values, compiles what it computed into straight-line code,
// and replays that code on later calls with the same structure (JAX's jit, for scalar programs).
import { callUser, checkFunction } from "./run.ts";
import { compile, compileDirect, type Replay } from "../interpreters/record/replay.ts";
import { type Operand, Recorder, Recording } from "../interpreters/record/recorder.ts";
import { sameStructure } from "../tree/match.ts";
import { flatten, unflatten } from "../tree/flatten.ts";
import { plainLeaves, prepare } from "../tree/compiled.ts";
import { type Result, type TreeDef } from "../tree/types.ts";
import type { Value } from "../core/protocol.ts";

/** What jit keeps for one argument structure: a replay and the result's structure, or "run as is". */
interface Entry {
  readonly def: TreeDef;
  readonly replay: Replay | undefined;
  readonly out: TreeDef;
  /** The replay with the argument's reading and the result's building generated around it (flat structures). */
  readonly direct: ((x: unknown) => unknown) | undefined;
}

/** What a direct replay returns for an argument of another structure. */
const MISS: unique symbol = Symbol("miss");

/** How many recordings jit keeps per function (other structures, or other sides of a kink). */
const KEEP = 8;

/**
 * `jit(f)` computes what `f` computes, faster when called again: the first call with an argument
 * structure records the scalar primitives `f` applies (through every transform inside it, so
 * `jit(grad(loss))` records the gradient's arithmetic) and compiles them; later calls with plain
 * numbers in the same structure run the compiled code. Decisions at kinks (relu, abs, max, min,
 * pow at 0) are checked on every replay, and a call that falls on another side records again.
 *
 * As in JAX, `f` must be pure: what it reads from outside its argument is read once, when recording.
 * A function that reads values (`primal`), computes on tensors or on Reals of an enclosing transform,
 * or records more than 2,000 steps (straight-line code that long replays slower than the
 * function runs) runs as written on every call; so does any call whose argument holds more than
 * plain numbers.
 * @example
 * const g = jit(grad((x: Real) => mul(x, sin(x)))); // recorded and compiled on the first call
 * g(0); // => 0
 * g(Math.PI); // => Math.sin(Math.PI) + Math.PI * Math.cos(Math.PI)
 */
export function jit<X, Y>(f: (x: X) => Y): Jitted<X, Y> {
  checkFunction(f, "jit");
  const entries: Entry[] = [];
  /** `f` at plain `leaves` of structure `def`: replayed, run as written, or recorded now. */
  const call = (def: TreeDef, leaves: readonly number[]): unknown => {
    for (const e of entries) {
      if (e.def !== def) continue;
      if (e.replay === undefined) return asIs(f, def, leaves);
      const y = e.replay(leaves);
      if (y !== undefined) return unflatten(e.out, y);
    }
    const [entry, y] = recordJit(f, def, leaves, slow);
    entries.unshift(entry);
    if (entries.length > KEEP) entries.pop();
    return y;
  };
  /** A direct replay's way out with the leaves it read (each read once): not all plain numbers, or a guard failed. */
  const slow = (def: TreeDef, leaves: readonly unknown[]): unknown => leaves.every((l) => typeof l === "number") ? call(def, leaves as number[]) : general(unflatten(def, leaves));
  const general = (x: unknown): unknown => {
    const input = flatten(x, "jit");
    if (input.leaves.some((l) => typeof l !== "number")) return asIs(f, input.def, input.leaves);
    // one structure object per structure, so that entries compare by identity
    const def = entries.find((e) => sameStructure(e.def, input.def))?.def ?? input.def;
    return call(def, input.leaves as number[]);
  };
  return ((x: unknown): unknown => {
    // The common case: the structure of the last call, by one generated function.
    const last = entries[0];
    if (last?.direct !== undefined) {
      const y = last.direct(x);
      if (y !== MISS) return y;
    }
    const quick = last === undefined || last.replay === undefined ? undefined : plainLeaves(last.def, x);
    if (quick !== undefined) return call(last!.def, quick);
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
  leaves: readonly number[],
  slow: (def: TreeDef, leaves: readonly unknown[]) => unknown,
): readonly [Entry, unknown] {
  const recorder = new Recorder();
  let result;
  try {
    const inputs = leaves.map((l) => recorder.input(l));
    result = flatten(callUser(f, unflatten(def, inputs)), "jit", "the function's result");
  } finally {
    recorder.close();
  }
  const outputs: Operand[] = [];
  const values: Value[] = [];
  for (const leaf of result.leaves) {
    if (leaf instanceof Recording && leaf.trace === recorder) {
      values.push(leaf.primal);
      if (leaf.step >= 0) outputs.push({ step: leaf.step });
      else recorder.unreplayable ??= "a result the steps cannot express";
    } else {
      values.push(leaf);
      if (typeof leaf === "number") outputs.push({ constant: leaf });
      else recorder.unreplayable ??= "a result that is not a plain number";
    }
  }
  // undefined (run as written) when not replayable, or too long to pay off
  const replay = recorder.unreplayable === undefined ? compile(recorder.steps, recorder.inputs, outputs) : undefined;
  if (replay !== undefined) prepare(result.def);
  const direct =
    replay === undefined
      ? undefined
      : compileDirect(recorder.steps, recorder.inputs, outputs, { input: def, output: result.def }, MISS, (l) => slow(def, l));
  return [{ def, replay, out: result.def, direct }, unflatten(result.def, values)];
}
