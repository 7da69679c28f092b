// Assertions shared by every suite: approximate comparison in relative terms (numbers, trees,
// tensors), deep checks of frozenness, thrown errors, and the check that a law rejected a wrong rule.
//
// One definition of `close`, `expectClose` and `expectTreeClose`, with the unit suites' tolerances as
// defaults. The SPEC acceptance suites pass theirs explicitly as SPEC_RTOL / SPEC_ATOL (or their own
// numbers), so every assertion states how close it asks for.
import { expect } from "vitest";
import { Tensor, toArray } from "../../src/index.ts";

/** Default tolerances: the unit suites compare against closed forms computed the same way. */
export const RTOL = 1e-12;
export const ATOL = 1e-14;

/** The SPEC acceptance suites' tolerances: references computed independently in plain JavaScript. */
export const SPEC_RTOL = 1e-9;
export const SPEC_ATOL = 1e-12;

/** |a − b| ≤ rtol·max(|a|, |b|) + atol, with NaN equal to NaN and infinities equal to themselves. */
export function close(a: number, b: number, rtol = RTOL, atol = ATOL): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= rtol * Math.max(Math.abs(a), Math.abs(b)) + atol;
}

/** `actual` is a plain number close to `expected`. */
export function expectClose(actual: unknown, expected: number, rtol = RTOL, atol = ATOL): void {
  if (typeof actual !== "number") {
    expect.fail(`expected a plain number close to ${expected}, got ${describeValue(actual)}`);
  }
  if (!close(actual as number, expected, rtol, atol)) {
    expect.fail(`expected ${String(actual)} to be close to ${expected} (rtol ${rtol}, atol ${atol})`);
  }
}

function describeValue(x: unknown): string {
  if (x instanceof Tensor) return `Tensor(${JSON.stringify(x.shape)})`;
  if (typeof x === "object" && x !== null) return `${x.constructor?.name ?? "object"} ${safeJson(x)}`;
  return `${typeof x} ${String(x)}`;
}
function safeJson(x: unknown): string {
  try {
    return JSON.stringify(x);
  } catch {
    return "<unserializable>";
  }
}

/**
 * Compares a result tree against an expected tree of plain numbers / arrays / records, leaf by leaf.
 * A Tensor in `actual` is compared through `toArray` against a nested array in `expected`.
 */
export function expectTreeClose(actual: unknown, expected: unknown, rtol = RTOL, atol = ATOL, path = ""): void {
  if (typeof expected === "number") {
    if (typeof actual !== "number") expect.fail(`at ${path || "<root>"}: expected number ${expected}, got ${describeValue(actual)}`);
    if (!close(actual as number, expected, rtol, atol)) {
      expect.fail(`at ${path || "<root>"}: expected ${String(actual)} to be close to ${expected} (rtol ${rtol}, atol ${atol})`);
    }
    return;
  }
  if (actual instanceof Tensor) {
    expectTreeClose(toArray(actual), expected, rtol, atol, path);
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) expect.fail(`at ${path || "<root>"}: expected an array, got ${describeValue(actual)}`);
    const a = actual as unknown[];
    if (a.length !== expected.length) expect.fail(`at ${path || "<root>"}: expected length ${expected.length}, got ${a.length}`);
    expected.forEach((e, i) => expectTreeClose(a[i], e, rtol, atol, `${path}[${i}]`));
    return;
  }
  if (typeof expected === "object" && expected !== null) {
    if (typeof actual !== "object" || actual === null) expect.fail(`at ${path || "<root>"}: expected a record, got ${describeValue(actual)}`);
    const er = expected as Record<string, unknown>;
    expect(Object.keys(actual as object).sort()).toEqual(Object.keys(er).sort());
    for (const k of Object.keys(er)) {
      expectTreeClose((actual as Record<string, unknown>)[k], er[k], rtol, atol, path ? `${path}.${k}` : k);
    }
    return;
  }
  expect.fail(`unsupported expected value at ${path || "<root>"}`);
}

/** A tensor with the given shape whose elements are close to the nested `expected` (SPEC tolerances by default). */
export function expectTensor(
  actual: unknown, shape: readonly number[], expected: unknown, rtol = SPEC_RTOL, atol = SPEC_ATOL,
): void {
  if (!(actual instanceof Tensor)) expect.fail(`expected a Tensor of shape [${shape.join(",")}], got ${describeValue(actual)}`);
  const t = actual as Tensor;
  expect([...t.shape]).toEqual([...shape]);
  expectTreeClose(toArray(t), expected, rtol, atol);
}

/** Every array and record reachable from `x` is frozen. */
export function isDeeplyFrozen(x: unknown): boolean {
  if (typeof x !== "object" || x === null) return true;
  if (!Object.isFrozen(x)) return false;
  return Object.values(x).every(isDeeplyFrozen);
}

/** Every object reachable (arrays, records, tensors and their shapes) is frozen; names the first that is not. */
export function expectDeepFrozen(x: unknown, path = "<root>"): void {
  if (typeof x === "function") {
    return;
  }
  if (typeof x !== "object" || x === null) return;
  if (!Object.isFrozen(x)) expect.fail(`${path} is not frozen`);
  if (x instanceof Tensor) {
    if (!Object.isFrozen(x.shape)) expect.fail(`${path}.shape is not frozen`);
    return;
  }
  for (const k of Object.keys(x)) expectDeepFrozen((x as Record<string, unknown>)[k], `${path}.${k}`);
}

/** A deep, plain snapshot of a tree (tensors as { shape, data }) for checking inputs are unchanged. */
export function snapshot(x: unknown): unknown {
  if (x instanceof Tensor) return { tensorShape: [...x.shape], data: toArray(x) };
  if (Array.isArray(x)) return x.map(snapshot);
  if (typeof x === "object" && x !== null) {
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, snapshot(v)]));
  }
  return x;
}

/** Calls `fn`, requires it to throw an instance of `cls` whose message includes every fragment. */
export function expectThrows(fn: () => unknown, cls: new (...args: never[]) => Error, ...fragments: (string | RegExp)[]): Error {
  let caught: unknown ;
  let threw = false;
  try {
    fn();
  } catch (e) {
    threw = true;
    caught = e;
  }
  if (!threw) expect.fail(`expected a ${cls.name} to be thrown, but nothing was thrown`);
  if (!(caught instanceof cls)) {
    expect.fail(`expected a ${cls.name}, got ${(caught as Error)?.constructor?.name}: ${(caught as Error)?.message}`);
  }
  const msg = (caught as Error).message;
  for (const f of fragments) {
    if (typeof f === "string") {
      if (!msg.includes(f)) expect.fail(`expected the message to include ${JSON.stringify(f)}, got: ${msg}`);
    } else if (!f.test(msg)) {
      expect.fail(`expected the message to match ${String(f)}, got: ${msg}`);
    }
  }
  return caught as Error;
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
