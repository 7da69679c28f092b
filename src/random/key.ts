// Explicit randomness: a key is an immutable pair of 32-bit words, and every random number is a pure
// function of a key. `split` derives new keys through Threefry, in a counter domain of its own.
import { describe } from "../base/errors.ts";
import { block } from "./threefry.ts";

/**
 * A PRNG key: make one with `key(seed)`, derive more with `split`. Immutable.
 * @example
 * const k: Key = key(7);
 * normal(k, [2, 3]).shape; // => [2, 3]
 */
export class Key {
  /** @internal Use `key(seed)` or `split`. */
  constructor(
    /** The high word, an unsigned 32-bit integer. */
    readonly hi: number,
    /** The low word, an unsigned 32-bit integer. */
    readonly lo: number,
  ) {
    Object.freeze(this);
  }

  toString(): string {
    return `Key(${this.hi}, ${this.lo})`;
  }
}

/** Second counter word of the blocks that make split keys; sampling uses 0 there. */
export const SPLIT_DOMAIN = 1;
export const SAMPLE_DOMAIN = 0;
/** Second counter words 2, 3, … : the retries of a rejected integer draw (randint, permutation). */
export const RETRY_DOMAIN = 2;

/**
 * The key for an integer seed (any safe integer; negative seeds are taken in two's complement, as
 * 64-bit integers). The same seed always gives the same key.
 * @example
 * const a = toArray(uniform(key(42), [3]));
 * toArray(uniform(key(42), [3])); // => a
 */
export function key(seed: number): Key {
  if (typeof seed !== "number") throw new TypeError(`key: the seed must be an integer, got ${describe(seed)}`);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`key: the seed must be a safe integer, got ${seed}`);
  return new Key(Math.floor(seed / 2 ** 32) >>> 0, seed >>> 0);
}

/** `k` if it is a Key, else a TypeError naming the function. */
export function checkKey(k: unknown, op: string): Key {
  if (!(k instanceof Key)) throw new TypeError(`${op}: expects a key (from key(seed) or split), got ${describe(k)}`);
  return k;
}

/** The most keys one split makes: each is an object, and 2^20 of them already take ~50 MB of heap. */
export const MAX_SPLIT = 2 ** 20;

/**
 * `n` new keys from `k` (default 2): key i is Threefry(k, counter (i, 1)), so they are independent of
 * each other and, since sampling uses counters (j, 0), of the numbers `k` itself gives.
 * @example
 * const [k1, k2] = split(key(0));
 * toArray(uniform(k1, [2])) === toArray(uniform(k2, [2])); // => false
 * split(key(0), 3).length; // => 3
 */
export function split(k: Key, n = 2): readonly Key[] {
  checkKey(k, "split");
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > MAX_SPLIT) {
    throw new RangeError(
      `split: the number of keys must be an integer in [0, ${MAX_SPLIT}], got ${typeof n === "number" ? n : describe(n)}` +
        (typeof n === "number" && n > MAX_SPLIT ? " (for more, split a key into a few and split each of those)" : ""),
    );
  }
  const words = new Uint32Array(2);
  const keys = new Array<Key>(n);
  for (let i = 0; i < n; i++) {
    block(k.hi, k.lo, i, SPLIT_DOMAIN, 20, words, 0);
    keys[i] = new Key(words[0], words[1]);
  }
  return Object.freeze(keys);
}
