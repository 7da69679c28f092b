// Test helpers: approximate comparison in relative terms, deep checks of frozenness, and the check
// that a law rejected a wrong rule.
import { expect } from "vitest";

/** |a − b| ≤ rtol·max(|a|, |b|) + atol, with NaN equal to NaN and infinities equal to themselves. */
export function close(a: number, b: number, rtol = 1e-12, atol = 1e-14): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= rtol * Math.max(Math.abs(a), Math.abs(b)) + atol;
}

export function expectClose(actual: unknown, expected: number, rtol = 1e-12, atol = 1e-14): void {
  expect(typeof actual).toBe("number");
  if (!close(actual as number, expected, rtol, atol)) {
    expect.fail(`expected ${String(actual)} to be within rtol ${rtol} of ${expected}`);
  }
}

/** Compares nested arrays / records of numbers leaf by leaf. */
export function expectTreeClose(actual: unknown, expected: unknown, rtol = 1e-12, atol = 1e-14): void {
  if (typeof expected === "number") return expectClose(actual, expected, rtol, atol);
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual)).toBe(true);
    expect((actual as unknown[]).length).toBe(expected.length);
    expected.forEach((e, i) => expectTreeClose((actual as unknown[])[i], e, rtol, atol));
    return;
  }
  const er = expected as Record<string, unknown>;
  expect(Object.keys(actual as object).sort()).toEqual(Object.keys(er).sort());
  for (const k of Object.keys(er)) expectTreeClose((actual as Record<string, unknown>)[k], er[k], rtol, atol);
}

/** Every array and record reachable from `x` is frozen. */
export function isDeeplyFrozen(x: unknown): boolean {
  if (typeof x !== "object" || x === null) return true;
  if (!Object.isFrozen(x)) return false;
  return Object.values(x).every(isDeeplyFrozen);
}

/** The law threw, naming itself, with fast-check's shrunk counterexample. */
export function rejects(check: () => void, law: RegExp = /./): void {
  let message = "";
  try {
    check();
  } catch (e) {
    message = e instanceof Error ? e.message : String(e);
  }
  expect(message, "the law should have rejected the wrong rule").toMatch(/^Law ".*" does not hold/);
  expect(message).toMatch(law);
  expect(message).toMatch(/Counterexample: \[.+\]/);
  expect(message).toMatch(/Shrunk \d+ time/);
}
