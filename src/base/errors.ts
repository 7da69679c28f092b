// Error messages shared across modules: what a bad value was, in words a user recognises. Knows no
// nabla type, so every layer may use it.

/** A short description of a value for error messages: its type, or its class for objects. */
export function describe(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  if (typeof x === "object") {
    const proto = Object.getPrototypeOf(x) as { constructor?: { name?: string } } | null;
    const name = proto?.constructor?.name;
    return proto === null || proto === Object.prototype ? "a record" : `an object of class ${name ?? "(anonymous)"}`;
  }
  if (typeof x === "string") return `a string (${JSON.stringify(x.length > 20 ? x.slice(0, 20) + "…" : x)})`;
  if (typeof x === "function") return "a function";
  return `${typeof x === "undefined" ? "undefined" : `a ${typeof x}`}`;
}

/** An op was given something that is not a Real. */
export const notAReal = (op: string, x: unknown): TypeError =>
  new TypeError(`${op}: expected a Real (a number or a value from a transform), got ${describe(x)}`);

/** A value for an error message: a number as itself, anything else described (never converted, so a Symbol or a throwing toString is safe). */
export const show = (x: unknown): string => (typeof x === "number" ? String(x) : describe(x));

/** An options argument: undefined means the defaults (`{}`); null or a non-object is a TypeError naming `op`. */
export function checkOptions<T extends object>(options: T | undefined, op: string): Partial<T> {
  if (options === undefined) return {};
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new TypeError(`${op}: options must be an object (or omitted), got ${describe(options)}`);
  }
  return options;
}

/**
 * The index of the first element of a user's array (a hole reads as undefined) that fails `ok`, or
 * -1. It stops there, so a sparse array of any length (`a.length = 2 ** 32 - 1`) costs no more than
 * the elements it has; `every` and `Array.from` would walk every index.
 */
export function firstBad(xs: ArrayLike<unknown>, ok: (v: unknown) => boolean): number {
  for (let i = 0; i < xs.length; i++) if (!ok(xs[i])) return i;
  return -1;
}
