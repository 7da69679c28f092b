// The buffer pool: every Float64Array of tensor data comes from here. A fresh large typed array is
// expensive (zeroing and first-touch page faults cost several times the arithmetic of an elementwise
// op), so the buffers of tensors that provably died with a transform are kept and handed to new ones.
//
// Proof of death. The outermost transform (none other running) opens a scope. While it runs, nabla's
// own machinery (an op on traced values, a forward rule, a pullback in the sweep) counts as
// internal, and the buffers it allocates are owned by the scope: user code never holds them as plain
// tensors, only inside tracers. When the transform returns, the owned buffers that its results
// reach are kept, and so are those pinned because they were handed to user code as plain tensors
// (stopGradient, a custom rule's arguments, a nested transform's results); the rest are reused.
// Tracers of the closed transform throw when used, so nothing can read a reused buffer through them.
//
// Module-level state, and why no user can observe it. The free lists (pool.ts: size classes, a
// budget, emptied when idle) hold buffers no live value can read, and `pinned` only ever keeps
// buffers out of them. `scope`, `depth`,
// `keeping` and `machinery` mark where the calls of transforms and of the machinery are right now;
// each enter is paired with its exit (on a throw too), so they are back at their starting values
// whenever no transform runs. A reused buffer is fully written (or zeroed) before a tensor exposes
// it, so a program computes the same numbers whatever the pool holds; only allocation costs differ.

import { fresh, MIN_POOLED, put, take } from "./pool.ts";

/** Identified by their ArrayBuffer, so that a view (a slice) pins or keeps what it shares. */
const pinned = new WeakSet<ArrayBufferLike>();

/** The recycling scope of an outermost transform: the buffers the machinery made inside it. */
export interface Scope {
  readonly owned: Float64Array[];
  /** Set when a value of a never-closing level (a user dual) was made inside: nothing is provably dead. */
  tainted: boolean;
  /** The transform that opened it (its first level's name), for the error when an escaped tensor is read. */
  name: string | undefined;
  /** Once closed: the buffers it put on the free lists, which its tensors must no longer be read from. */
  recycled: WeakSet<ArrayBufferLike> | undefined;
}
let scope: Scope | undefined;
/** Transforms running (nested calls included). */
let depth = 0;
/** > 0 inside a transform whose values outlive it (a vjp's forward pass, kept for its pullback). */
let keeping = 0;
/** > 0 while nabla's machinery runs (not user code). */
let machinery = 0;

/** A zero-filled buffer of n elements. */
export function allocate(n: number): Float64Array {
  const b = reuse(n);
  if (b === undefined) return track(make(n));
  b.fill(0);
  return track(b);
}

/** A buffer of n elements with arbitrary contents, for kernels that write every element. */
export function allocateUninitialized(n: number): Float64Array {
  return track(reuse(n) ?? make(n));
}

/** A fresh buffer: pooled sizes over their size class's capacity, so that they can be reused for any length of it. */
const make = (n: number): Float64Array => (n >= MIN_POOLED ? fresh(n) : new Float64Array(n));

/**
 * A buffer of n elements (arbitrary contents) for a pending tensor computed now: owned by the scope
 * that was open, with the machinery running, when the tensor was made (`owner`), and only if that
 * scope is still the open one. (A tensor made during a vjp and computed in a later call of its
 * pullback belongs to no scope: the tape keeps it for the next call.)
 */
export function allocateFor(n: number, owner: object | undefined): Float64Array {
  const b = reuse(n) ?? make(n);
  if (owner !== undefined && owner === scope && b.length >= MIN_POOLED) scope.owned.push(b);
  return b;
}

/** The scope that owns what the machinery makes now (undefined outside one, or in user code). */
export const currentOwner = (): object | undefined => (machinery > 0 && keeping === 0 ? scope : undefined);

const reuse = (n: number): Float64Array | undefined => (n < MIN_POOLED ? undefined : take(n));

function track(b: Float64Array): Float64Array {
  if (scope !== undefined && machinery > 0 && keeping === 0 && b.length >= MIN_POOLED) scope.owned.push(b);
  return b;
}

/** A buffer handed to user code as a plain tensor: never reused. */
export function pin(b: Float64Array): void {
  pinned.add(b.buffer);
}

/** A value of a never-closing level was made while the scope is open. */
export function taint(): void {
  if (scope !== undefined) scope.tainted = true;
}

/** nabla's machinery starts (an op on tracers, a rule, a sweep): what it allocates is the scope's … */
export function enterMachinery(): void {
  machinery++;
}
/** … and ends. */
export function exitMachinery(): void {
  machinery--;
}

/** Runs user code (a custom rule, a pullback it gave) from inside the machinery. */
export const asUser = <T>(run: () => T): T => callAsUser(run, undefined) as T;

/** `f(x)` as user code: `asUser(() => f(x))` without the closure, for the function every transform calls. */
export function callAsUser(f: (x: unknown) => unknown, x: unknown): unknown {
  const saved = machinery;
  machinery = 0;
  try {
    return f(x);
  } finally {
    machinery = saved;
  }
}

/** A transform starts; the outermost one that can prove its intermediates dead opens a scope. */
export function enterTransform(recycles: boolean): Scope | undefined {
  depth++;
  if (!recycles) keeping++;
  if (depth === 1 && recycles && machinery === 0) {
    scope = { owned: [], tainted: false, name: undefined, recycled: undefined };
    return scope;
  }
  return undefined;
}

/** A level opened: the open scope takes the name of the first one (the transform that opened it). */
export function nameScope(name: string): void {
  if (scope !== undefined && scope.name === undefined) scope.name = name;
}

/** Whether `owner`, a tensor's scope, has closed and recycled buffers (its tensors' reads are then checked). */
export const hasRecycled = (owner: object): boolean => (owner as Scope).recycled !== undefined;

/**
 * Whether `b`, a buffer of a tensor made in `owner`'s scope, was recycled when that scope closed: the
 * tensor escaped its transform and its numbers may now be another computation's. Returns the
 * transform's name then, else undefined.
 */
export function recycledIn(owner: object | undefined, b: Float64Array): string | undefined {
  const recycled = (owner as Scope | undefined)?.recycled;
  return recycled !== undefined && recycled.has(b.buffer) ? ((owner as Scope).name ?? "a transform") : undefined;
}

/** Visits every buffer that `result` reaches. */
export type Walk = (result: unknown, mark: (b: Float64Array) => void) => void;

/**
 * A transform ends, `walk` visiting the buffers its `result` reaches (undefined when it threw). An
 * outermost scope recycles what it owned but kept; a nested transform's results are pinned, since
 * they go to user code that may keep them.
 */
export function exitTransform(opened: Scope | undefined, recycles: boolean, walk?: Walk, result?: unknown): void {
  depth--;
  if (!recycles) keeping--;
  if (opened === undefined) {
    if (walk !== undefined && scope !== undefined && scope.owned.length > 0) walk(result, pin);
    return;
  }
  scope = undefined;
  if (opened.owned.length === 0) return;
  if (walk !== undefined && !opened.tainted) recycle(opened, walk, result);
  opened.owned.length = 0; // tensors made in the scope still point at it: let it hold nothing
}

/** Puts the owned buffers that `result` does not reach (and nothing pinned) on the free lists. */
function recycle(opened: Scope, walk: Walk, result: unknown): void {
  const kept = new Set<ArrayBufferLike>();
  walk(result, (b) => kept.add(b.buffer));
  for (const b of opened.owned) {
    if (kept.has(b.buffer) || pinned.has(b.buffer)) continue;
    kept.add(b.buffer); // never listed twice
    (opened.recycled ??= new WeakSet()).add(b.buffer);
    put(b);
  }
}
