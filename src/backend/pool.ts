// The free lists of the buffer pool (memory.ts decides what is provably dead; this file keeps it,
// within a budget). Buffers come in size classes, four per octave (2^k·{1, 1.25, 1.5, 1.75}), so a
// buffer serves any length of its class: after work on varying shapes the same few buffers are
// reused, rather than one list per exact length that nothing matches again. A tensor sees a view
// of exactly its length over its class's buffer.
//
// Bounded: at most MAX_FREE_BYTES wait in the lists (the oldest go first when more arrive), and
// when nothing has used the pool for IDLE_MS the lists are emptied, and so are the caches other
// modules keep until idle (`untilIdle`: a huge tape's arrays), so an idle program holds no dead
// buffers. The timer is the standard `setTimeout`, unref'd where the host allows (so it never
// keeps a process alive); without one, the budget alone bounds the lists.

/** Buffers smaller than this are cheap to allocate and not worth tracking. */
export const MIN_POOLED = 2048;
/** At most this many bytes wait in the free lists. */
export const MAX_FREE_BYTES = 32 * 1024 * 1024;
/** The free lists are emptied after this long without a use of the pool. */
export const IDLE_MS = 1000;

/** The capacity of the class of n (n >= MIN_POOLED): the least 2^k·(1 + j/4) >= n, j in 0…3. */
export function classOf(n: number): number {
  let power = 2 ** Math.floor(Math.log2(n));
  if (power > n) power /= 2; // log2 may round up just below a power of two
  if (power === n) return n;
  const step = power / 4;
  return power + Math.ceil((n - power) / step) * step;
}

interface Entry {
  readonly buffer: Float64Array;
  /** When it was listed (a count of puts), to drop the oldest first. */
  readonly stamp: number;
}

/** Free buffers (full-capacity views) by class capacity, newest last. */
const free = new Map<number, Entry[]>();
let freeBytes = 0;
let puts = 0;
/** When the pool was last used (ms). */
let lastUse = 0;
let timer: unknown;

/** A free buffer of n's class, as a view of length n, or undefined. */
export function take(n: number): Float64Array | undefined {
  const list = free.get(classOf(n));
  const e = list?.pop();
  if (e === undefined) return undefined;
  freeBytes -= e.buffer.byteLength;
  lastUse = Date.now();
  return e.buffer.length === n ? e.buffer : e.buffer.subarray(0, n);
}

/** A fresh buffer of n elements (zeroed by the engine) over its class's capacity. */
export function fresh(n: number): Float64Array {
  const capacity = classOf(n);
  return capacity === n ? new Float64Array(n) : new Float64Array(new ArrayBuffer(8 * capacity), 0, n);
}

/**
 * Lists the buffer under `view` (one of `fresh`'s) for reuse, dropping the oldest listed buffers
 * when the budget is exceeded. A buffer that is not a class's, or larger than the budget, is left
 * to the garbage collector.
 */
export function put(view: Float64Array): void {
  const capacity = view.buffer.byteLength / 8;
  if (capacity < MIN_POOLED || classOf(capacity) !== capacity || 8 * capacity > MAX_FREE_BYTES) return;
  while (freeBytes + 8 * capacity > MAX_FREE_BYTES) dropOldest();
  let list = free.get(capacity);
  if (list === undefined) free.set(capacity, (list = []));
  list.push({ buffer: new Float64Array(view.buffer), stamp: puts++ });
  freeBytes += 8 * capacity;
  lastUse = Date.now();
  armIdleRelease();
}

function dropOldest(): void {
  let oldest: Entry[] | undefined;
  for (const list of free.values()) if (list.length > 0 && (oldest === undefined || list[0].stamp < oldest[0].stamp)) oldest = list;
  const e = oldest!.shift()!;
  freeBytes -= e.buffer.byteLength;
}

/** Empties the free lists (the garbage collector takes the buffers). */
export function releasePool(): void {
  free.clear();
  freeBytes = 0;
}

/** Bytes waiting in the free lists now (for tests). */
export const pooledBytes = (): number => freeBytes;

/** What other caches let go of when the pool is idle (a tape's large arrays, a sweep's scratch). */
const drops = new Set<() => void>();

/**
 * A cache kept while the program computes: `drop` (which lets go of it) runs once IDLE_MS pass
 * without a use of the pool. Each call counts as a use.
 */
export function untilIdle(drop: () => void): void {
  drops.add(drop);
  lastUse = Date.now();
  armIdleRelease();
}

/** Everything the pool keeps goes now: the free lists, and every cache kept until idle. */
export function releaseIdle(): void {
  releasePool();
  for (const drop of drops) drop();
  drops.clear();
}

/** The host's timer, typed here (the library is compiled without the DOM's or Node's type libraries); absent in some hosts. */
const host = globalThis as unknown as { readonly setTimeout?: (run: () => void, ms: number) => unknown };

/** Empties the lists once IDLE_MS pass without a use (a timer set for when that would be, and set again after a use). */
function armIdleRelease(delay = IDLE_MS): void {
  if (timer !== undefined || typeof host.setTimeout !== "function") return;
  const t: unknown = host.setTimeout(() => {
    timer = undefined;
    const wait = lastUse + IDLE_MS - Date.now();
    if (wait <= 0) releaseIdle();
    else if (freeBytes > 0 || drops.size > 0) armIdleRelease(wait);
  }, delay);
  (t as { unref?: () => void } | undefined)?.unref?.();
  timer = t;
}

/** Scratch for a kernel (packing, say), from the lists or fresh; give it back when done. */
export const borrow = (n: number): Float64Array => (n >= MIN_POOLED ? (take(n) ?? fresh(n)) : new Float64Array(n));

/** A borrowed buffer goes back to the lists (nothing else holds it). */
export function giveBack(b: Float64Array): void {
  if (b.length >= MIN_POOLED) put(b);
}
