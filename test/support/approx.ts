// Helpers for the SPEC acceptance suites. Every reference value is computed here in plain
// JavaScript (closed forms, NumPy broadcasting, central finite differences), never with nabla.
import { expect } from "vitest";
import { Tensor, toArray } from "../../src/index.ts";

/** |a − b| ≤ rtol·max(|a|, |b|) + atol; NaN equals NaN, infinities equal themselves. */
export function close(a: number, b: number, rtol = 1e-9, atol = 1e-12): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= rtol * Math.max(Math.abs(a), Math.abs(b)) + atol;
}

export function expectClose(actual: unknown, expected: number, rtol = 1e-9, atol = 1e-12): void {
  if (typeof actual !== "number") {
    expect.fail(`expected a plain number close to ${expected}, got ${describe(actual)}`);
  }
  if (!close(actual as number, expected, rtol, atol)) {
    expect.fail(`expected ${String(actual)} to be close to ${expected} (rtol ${rtol}, atol ${atol})`);
  }
}

function describe(x: unknown): string {
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
 * Compares a result tree against an expected tree of plain numbers / arrays / records.
 * A Tensor in `actual` is compared through `toArray` against a nested array in `expected`.
 */
export function expectTreeClose(actual: unknown, expected: unknown, rtol = 1e-9, atol = 1e-12, path = ""): void {
  if (typeof expected === "number") {
    if (typeof actual !== "number") expect.fail(`at ${path || "<root>"}: expected number ${expected}, got ${describe(actual)}`);
    if (!close(actual as number, expected, rtol, atol)) {
      expect.fail(`at ${path || "<root>"}: expected ${String(actual)} to be close to ${expected}`);
    }
    return;
  }
  if (actual instanceof Tensor) {
    expectTreeClose(toArray(actual), expected, rtol, atol, path);
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) expect.fail(`at ${path || "<root>"}: expected an array, got ${describe(actual)}`);
    const a = actual as unknown[];
    if (a.length !== expected.length) expect.fail(`at ${path || "<root>"}: expected length ${expected.length}, got ${a.length}`);
    expected.forEach((e, i) => expectTreeClose(a[i], e, rtol, atol, `${path}[${i}]`));
    return;
  }
  if (typeof expected === "object" && expected !== null) {
    if (typeof actual !== "object" || actual === null) expect.fail(`at ${path || "<root>"}: expected a record, got ${describe(actual)}`);
    const er = expected as Record<string, unknown>;
    expect(Object.keys(actual as object).sort()).toEqual(Object.keys(er).sort());
    for (const k of Object.keys(er)) {
      expectTreeClose((actual as Record<string, unknown>)[k], er[k], rtol, atol, path ? `${path}.${k}` : k);
    }
    return;
  }
  expect.fail(`unsupported expected value at ${path}`);
}

/** A tensor with the given shape whose elements are close to the nested `expected`. */
export function expectTensor(actual: unknown, shape: readonly number[], expected: unknown, rtol = 1e-9, atol = 1e-12): void {
  if (!(actual instanceof Tensor)) expect.fail(`expected a Tensor of shape [${shape.join(",")}], got ${describe(actual)}`);
  const t = actual as Tensor;
  expect([...t.shape]).toEqual([...shape]);
  expectTreeClose(toArray(t), expected, rtol, atol);
}

/** Every object reachable (arrays, records, tensors and their shapes) is frozen. */
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

/** Central finite difference of a plain-number function. */
export function fd(f: (x: number) => number, x: number, h = 1e-6): number {
  return (f(x + h) - f(x - h)) / (2 * h);
}

/** Calls `fn`, requires it to throw an instance of `cls` whose message includes every fragment. */
export function expectThrows(fn: () => unknown, cls: new (...args: never[]) => Error, ...fragments: (string | RegExp)[]): Error {
  let caught: unknown = undefined;
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

// ---------------------------------------------------------------------------------------------
// Plain-JS reference arrays (row-major), used to compute expected tensor values.

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

/** Nested array from flat data and shape. */
export function nest(flat: readonly number[], shape: readonly number[]): unknown {
  if (shape.length === 0) return flat[0];
  const [n, ...rest] = shape;
  const m = sizeOf(rest);
  return Array.from({ length: n }, (_, i) => nest(flat.slice(i * m, (i + 1) * m), rest));
}

/** Flattens nested arrays. */
export function flatten(x: unknown): number[] {
  if (typeof x === "number") return [x];
  return (x as unknown[]).flatMap(flatten);
}

/** Deterministic pseudo-random values in [lo, hi). */
export function values(n: number, seed: number, lo = -1, hi = 1): number[] {
  let s = seed >>> 0 || 1;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(lo + ((s >>> 8) / 2 ** 24) * (hi - lo));
  }
  return out;
}

/** NumPy broadcasting: the result shape and, for each output element, the flat source indices. */
export function broadcast(a: readonly number[], b: readonly number[]): { shape: number[]; pairs: [number, number][] } {
  const n = Math.max(a.length, b.length);
  const pa = [...new Array<number>(n - a.length).fill(1), ...a];
  const pb = [...new Array<number>(n - b.length).fill(1), ...b];
  const shape = pa.map((d, i) => {
    const e = pb[i];
    if (d !== e && d !== 1 && e !== 1) throw new Error("reference: shapes do not broadcast");
    return d === 1 ? e : d;
  });
  const sa = stridesOf(pa);
  const sb = stridesOf(pb);
  const so = stridesOf(shape);
  const pairs: [number, number][] = [];
  for (let k = 0; k < sizeOf(shape); k++) {
    let ia = 0;
    let ib = 0;
    for (let ax = 0; ax < n; ax++) {
      const idx = Math.floor(k / so[ax]) % shape[ax];
      if (pa[ax] !== 1) ia += idx * sa[ax];
      if (pb[ax] !== 1) ib += idx * sb[ax];
    }
    pairs.push([ia, ib]);
  }
  return { shape, pairs };
}

/** Plain matrix product of row-major matrices. */
export function matmulRef(a: readonly number[], [n, k]: readonly number[], b: readonly number[], [k2, m]: readonly number[]): number[] {
  if (k !== k2) throw new Error("reference: inner dimensions differ");
  const out = new Array<number>(n * m).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) for (let l = 0; l < k; l++) out[i * m + j] += a[i * k + l] * b[l * m + j];
  return out;
}

export function transposeRef(a: readonly number[], [n, m]: readonly number[]): number[] {
  const out = new Array<number>(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[j * n + i] = a[i * m + j];
  return out;
}

export const sigmoidRef = (x: number): number => 1 / (1 + Math.exp(-x));

export function softmaxRef(xs: readonly number[]): number[] {
  const m = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

export function logSumExpRef(xs: readonly number[]): number {
  const m = Math.max(...xs);
  if (m === Infinity || m === -Infinity) return m;
  return m + Math.log(xs.reduce((a, x) => a + Math.exp(x - m), 0));
}
