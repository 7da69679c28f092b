// Plain records: what counts as one, and how nabla builds them (own keys, `__proto__` included,
// never touching a prototype).

/** A plain record: an object whose prototype is Object.prototype or null. */
export function isRecord(x: unknown): x is { readonly [key: string]: unknown } {
  if (typeof x !== "object" || x === null || Array.isArray(x)) return false;
  const proto: unknown = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/** Whether `x` is a plain record with exactly `keys`, in that order. */
export function hasKeys(x: unknown, keys: readonly string[]): x is object {
  if (!isRecord(x)) return false;
  const own = Object.keys(x);
  if (own.length !== keys.length) return false;
  for (let i = 0; i < own.length; i++) if (own[i] !== keys[i]) return false;
  return true;
}

/**
 * A plain record from keys and values. The first stores are unrolled so that each position has its
 * own store site: for the few record shapes a program uses, each site stays monomorphic, which
 * makes this several times faster than one store in a loop (that site sees every key).
 */
export function record(keys: readonly string[], values: readonly unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const n = keys.length;
  if (keys.includes("__proto__")) {
    for (let i = 0; i < n; i++) Object.defineProperty(out, keys[i], { value: values[i], enumerable: true, writable: true, configurable: true });
    return out;
  }
  if (n > 0) out[keys[0]] = values[0];
  if (n > 1) out[keys[1]] = values[1];
  if (n > 2) out[keys[2]] = values[2];
  if (n > 3) out[keys[3]] = values[3];
  if (n > 4) out[keys[4]] = values[4];
  if (n > 5) out[keys[5]] = values[5];
  if (n > 6) out[keys[6]] = values[6];
  if (n > 7) out[keys[7]] = values[7];
  for (let i = 8; i < n; i++) out[keys[i]] = values[i];
  return out;
}

