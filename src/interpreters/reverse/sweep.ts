// The backward sweep: one loop from the last node to the first, accumulating cotangents. Nodes the
// outputs never reach stay symbolic zeros (so a NaN off the path cannot leak in); reached ones
// follow IEEE arithmetic exactly. Plain-number tapes take a typed-array loop.
import { zeroLike } from "../../core/value.ts";
import { type Value } from "../../core/protocol.ts";
import { add, scale } from "../../rules/scalar.ts";
import { NONE, WIDE, type Tape } from "./tape.ts";
import { untilIdle } from "../../backend/pool.ts";

/** A cotangent given to an output node: `[tape index, cotangent]`. */
export type Seed = readonly [number, Value];

const accumulate = (prev: Value | undefined, next: Value): Value => (prev === undefined ? next : add(prev, next));

/**
 * Cotangents of the first `inputs` nodes given cotangents on output nodes; `undefined` where no
 * output reaches a node. Stack-safe and linear in the tape's size; the tape is not changed. What a
 * carried sweep computes is the machinery's (the caller marks it for the buffer pool).
 */
export function sweep(tape: Tape, seeds: readonly Seed[], inputs: number): (Value | undefined)[] {
  let end = inputs;
  let plain = tape.isPlain;
  for (let k = 0; k < seeds.length; k++) {
    const i = seeds[k][0];
    if (i + 1 > end) end = i + 1;
    if (typeof seeds[k][1] !== "number") plain = false;
  }
  if (plain) return sweepPlain(tape, seeds, inputs, end);
  // A closure node sits after its outputs, so a carried sweep starts at the end of the tape.
  return sweepCarried(tape, seeds, inputs, Math.max(end, tape.size));
}

/**
 * Scratch arrays for plain sweeps, reused: a node's cotangent is live in this sweep only when its
 * mark equals the sweep's generation, so nothing needs clearing between sweeps.
 */
let scratchCt = new Float64Array(256);
let scratchMark = new Uint32Array(256);
let generation = 0;

function sweepPlain(tape: Tape, seeds: readonly Seed[], inputs: number, end: number): (number | undefined)[] {
  const gen = nextGeneration(end);
  const ct = scratchCt;
  const mark = scratchMark;
  for (let k = 0; k < seeds.length; k++) {
    const i = seeds[k][0];
    const u = seeds[k][1] as number;
    if (mark[i] === gen) ct[i] += u;
    else {
      mark[i] = gen;
      ct[i] = u;
    }
  }
  propagatePlain(tape, inputs, end, gen);
  const out = new Array<number | undefined>(inputs);
  for (let i = 0; i < inputs; i++) out[i] = mark[i] === gen ? ct[i] : undefined;
  trimScratch();
  return out;
}

/**
 * grad's sweep: a plain tape, cotangent 1 on the scalar result at `index`. Returns the cotangents of
 * the input nodes, one per leaf of `leaves` (−0 written 0; a zero like the leaf where none arrives).
 */
export function gradientPlain(tape: Tape, index: number, leaves: readonly Value[]): Value[] {
  const inputs = leaves.length;
  const end = Math.max(index + 1, inputs);
  const gen = nextGeneration(end);
  const ct = scratchCt;
  const mark = scratchMark;
  mark[index] = gen;
  ct[index] = 1;
  propagatePlain(tape, inputs, end, gen);
  const out = new Array<Value>(inputs);
  for (let i = 0; i < inputs; i++) out[i] = mark[i] === gen ? ct[i] + 0 : zeroLike(leaves[i]);
  trimScratch();
  return out;
}

/** Scratch arrays longer than this are kept only until the pool is idle (backend/pool.ts). */
const KEEP_SCRATCH = 1 << 16;

/** Lets go of scratch that grew past KEEP_SCRATCH; the next sweep starts over. */
function dropScratch(): void {
  if (scratchCt.length <= KEEP_SCRATCH) return;
  scratchCt = new Float64Array(256);
  scratchMark = new Uint32Array(256);
  generation = 0;
}

/** After a sweep: large scratch is kept for the next sweep, and dropped when the program is idle. */
function trimScratch(): void {
  if (scratchCt.length > KEEP_SCRATCH) untilIdle(dropScratch);
}

/** A fresh generation for a sweep over `end` nodes (scratch arrays grown to fit). */
function nextGeneration(end: number): number {
  if (scratchCt.length < end) {
    scratchCt = new Float64Array(2 * end);
    scratchMark = new Uint32Array(2 * end);
    generation = 0; // fresh marks are all 0
  }
  if (++generation === 0xffffffff) {
    scratchMark.fill(0);
    generation = 1;
  }
  return generation;
}

/** Pushes the cotangents marked `gen` from node `end − 1` down to node `inputs`. */
function propagatePlain(tape: Tape, inputs: number, end: number, gen: number): void {
  const ct = scratchCt;
  const mark = scratchMark;
  const { parentA, parentB, partialA, partialB, wide } = tape;
  for (let i = end - 1; i >= inputs; i--) {
    if (mark[i] !== gen) continue;
    const c = ct[i];
    const a = parentA[i];
    if (a >= 0) {
      if (mark[a] === gen) ct[a] += partialA[i] * c;
      else {
        mark[a] = gen;
        ct[a] = partialA[i] * c;
      }
      const b = parentB[i];
      if (b >= 0) {
        if (mark[b] === gen) ct[b] += partialB[i] * c;
        else {
          mark[b] = gen;
          ct[b] = partialB[i] * c;
        }
      }
    } else if (a === WIDE) {
      const node = wide!.get(i)!;
      for (let k = 0; k < node.parents.length; k++) {
        const p = node.parents[k];
        if (p === NONE) continue;
        const d = (node.partials[k] as number) * c;
        if (mark[p] === gen) ct[p] += d;
        else {
          mark[p] = gen;
          ct[p] = d;
        }
      }
    }
  }
}

function sweepCarried(tape: Tape, seeds: readonly Seed[], inputs: number, end: number): (Value | undefined)[] {
  const ct = new Array<Value | undefined>(end).fill(undefined);
  for (const [i, u] of seeds) ct[i] = accumulate(ct[i], u);
  const { parentA, parentB, partialA, partialB, carriers, wide, calls } = tape;
  const partial = (i: number, slot: 0 | 1): Value =>
    carriers?.get(2 * i + slot) ?? (slot === 0 ? partialA[i] : partialB[i]);
  for (let i = end - 1; i >= inputs; i--) {
    const call = calls?.get(i);
    if (call !== undefined) {
      // Every output of the call precedes it on the tape and has no other role, so their cotangents are complete.
      if (call.outputs.every((o) => ct[o] === undefined)) continue;
      const back = call.pullback(call.outputs.map((o, k) => ct[o] ?? zeroLike(call.primals[k])));
      for (let k = 0; k < call.inputs.length; k++) {
        const p = call.inputs[k];
        const b = back[k];
        if (p >= 0 && b !== undefined) ct[p] = accumulate(ct[p], b);
      }
      continue;
    }
    const c = ct[i];
    if (c === undefined) continue;
    ct[i] = undefined;
    const a = parentA[i];
    if (a >= 0) {
      ct[a] = accumulate(ct[a], scale(partial(i, 0), c));
      const b = parentB[i];
      if (b >= 0) ct[b] = accumulate(ct[b], scale(partial(i, 1), c));
    } else if (a === WIDE) {
      const node = wide!.get(i)!;
      for (let k = 0; k < node.parents.length; k++) {
        const p = node.parents[k];
        if (p !== NONE) ct[p] = accumulate(ct[p], scale(node.partials[k], c));
      }
    }
  }
  return ct.slice(0, inputs);
}
