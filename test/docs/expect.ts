// The doc-test runner's checking half, imported by every generated example module: does a value equal
// what the example's `// =>` comment says, does an expression throw what `// throws` says.
import { isDeepStrictEqual } from "node:util";
import { Tensor, toArray } from "../../src/index.ts";

/** A number written with a trailing "…": the digits shown, then more (truncated or rounded). */
export class Approx {
  constructor(readonly digits: string) {}
  matches(x: unknown): boolean {
    if (typeof x !== "number") return false;
    const expected = Number(this.digits);
    const decimals = /\.(\d+)/.exec(this.digits.split("e")[0] ?? "")?.[1]?.length ?? 0;
    const exponent = Number(this.digits.split("e")[1] ?? 0);
    // the digits shown are x's, truncated or rounded there
    const unit = 10 ** (exponent - decimals);
    const shown = Math.round(expected / unit);
    return Math.trunc(x / unit) === shown || Math.round(x / unit) === shown;
  }
  toString(): string {
    return `${this.digits}…`;
  }
}

export const approx = (digits: string): Approx => new Approx(digits);

const closeNumbers = (a: number, e: number): boolean =>
  Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e)) || Math.abs(a - e) <= 1e-13 * Math.max(1, Math.abs(e));

/** Equality as the examples mean it: numbers to 1e-13 (relative), tensors by shape and elements, the rest deeply. */
export function same(actual: unknown, expected: unknown): boolean {
  if (expected instanceof Approx) return expected.matches(actual);
  if (typeof expected === "number") return typeof actual === "number" && closeNumbers(actual, expected);
  if (expected instanceof Tensor) {
    return actual instanceof Tensor && isDeepStrictEqual([...actual.shape], [...expected.shape]) && same(toArray(actual), toArray(expected));
  }
  if (ArrayBuffer.isView(expected)) {
    return ArrayBuffer.isView(actual) && actual.constructor === expected.constructor && same([...(actual as never as number[])], [...(expected as never as number[])]);
  }
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => same(actual[i], e));
  }
  if (expected !== null && typeof expected === "object") {
    if (actual === null || typeof actual !== "object" || Array.isArray(actual)) return false;
    const keys = Object.keys(expected);
    return isDeepStrictEqual(Object.keys(actual).sort(), [...keys].sort()) && keys.every((k) => same((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k]));
  }
  return Object.is(actual, expected);
}

const show = (x: unknown): string => {
  if (x instanceof Tensor) return `tensor(${JSON.stringify(toArray(x))}, [${x.shape.join(", ")}])`;
  if (ArrayBuffer.isView(x)) return `${x.constructor.name}(${JSON.stringify([...(x as never as number[])])})`;
  if (x instanceof Approx) return x.toString();
  try {
    return JSON.stringify(x, (_, v: unknown) => (v instanceof Tensor ? show(v) : typeof v === "number" && !Number.isFinite(v) ? String(v) : v)) ?? String(x);
  } catch {
    return String(x);
  }
};

/** `expr; // => expected`. */
export function expectDoc(actual: unknown, expected: unknown, where: string): void {
  if (!same(actual, expected)) throw new Error(`${where}\n  the example says: ${show(expected)}\n  it gives:         ${show(actual)}`);
}

/** `expr; // throws Kind /pattern/`. */
export function expectThrows(run: () => unknown, kind: (new (...args: never[]) => Error) | undefined, pattern: RegExp | undefined, where: string): void {
  let thrown: unknown;
  try {
    run();
  } catch (e) {
    thrown = e;
  }
  if (thrown === undefined) throw new Error(`${where}\n  the example says it throws, and it did not`);
  if (kind !== undefined && !(thrown instanceof kind)) throw new Error(`${where}\n  the example says it throws a ${kind.name}, and it threw ${String(thrown)}`);
  if (pattern !== undefined && !pattern.test(String((thrown as Error).message))) {
    throw new Error(`${where}\n  the example says the message matches ${String(pattern)}, and it was: ${String((thrown as Error).message)}`);
  }
}
