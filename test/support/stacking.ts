// The reference vmap is measured against: f applied to each example separately, the examples cut out
// of the batch and the results stacked with plain arrays (no nabla op, so the reference shares no code
// with the batching rules), and a comparison of whole trees, shapes included.
import { expect } from "vitest";
import { type NestedArray, Tensor, tensor, toArray } from "../../src/index.ts";
import { close } from "./approx.ts";

/** A vmap axis spec: a number, null, or a prefix tree of those. */
export type AxisSpec = number | null | readonly AxisSpec[] | { readonly [key: string]: AxisSpec };

/** A plain tensor's elements in row-major order. */
const elements = (t: Tensor): number[] => {
  const a = toArray(t);
  return typeof a === "number" ? [a] : (a as NestedArray[]).flat(Infinity as 1) as number[];
};

const isLeaf = (x: unknown): boolean => typeof x === "number" || x instanceof Tensor;

/** Row-major strides of a shape. */
const stridesOf = (shape: readonly number[]): number[] => {
  const s = new Array<number>(shape.length).fill(1);
  for (let k = shape.length - 2; k >= 0; k--) s[k] = s[k + 1] * shape[k + 1];
  return s;
};

/** Example `i` along `axis` of a plain tensor: a tensor one rank lower, or a number from a 1-D tensor. */
export function exampleOf(t: Tensor, i: number, axis: number): Tensor | number {
  const shape = t.shape;
  const a = axis < 0 ? axis + shape.length : axis;
  const data = elements(t);
  const strides = stridesOf(shape);
  const outShape = shape.filter((_, k) => k !== a);
  const n = outShape.reduce((p, d) => p * d, 1);
  const out = new Array<number>(n);
  const outStrides = stridesOf(outShape);
  for (let j = 0; j < n; j++) {
    let rest = j;
    let at = i * strides[a];
    let o = 0;
    for (let k = 0; k < shape.length; k++) {
      if (k === a) continue;
      const idx = Math.floor(rest / outStrides[o]);
      rest -= idx * outStrides[o];
      at += idx * strides[k];
      o++;
    }
    out[j] = data[at];
  }
  return outShape.length === 0 ? out[0] : tensor(out, outShape);
}

/** `leaves` (one per example, numbers or tensors of one shape) stacked along `axis` of the result. */
export function stackAlong(leaves: readonly (Tensor | number)[], axis: number): Tensor {
  const example = leaves[0] instanceof Tensor ? [...leaves[0].shape] : [];
  const a = axis < 0 ? axis + example.length + 1 : axis;
  const outShape = [...example.slice(0, a), leaves.length, ...example.slice(a)];
  const per = example.reduce((p, d) => p * d, 1);
  const datas = leaves.map((l) => {
    if (l instanceof Tensor) {
      expect([...l.shape], "every example's result has the same shape").toEqual(example);
      return elements(l);
    }
    expect(typeof l, "every example's result is a number").toBe("number");
    return [l as number];
  });
  const outer = example.slice(0, a).reduce((p, d) => p * d, 1);
  const inner = per / outer;
  const out: number[] = [];
  for (let o = 0; o < outer; o++) for (const d of datas) for (let k = 0; k < inner; k++) out.push(d[o * inner + k]);
  return tensor(out, outShape);
}

/** Every example of `x` under `inAxes`: the mapped leaves cut along their axis, the others shared. */
export function examplesOf(x: unknown, inAxes: AxisSpec = 0): unknown[] {
  let size: number | undefined;
  const sizeOf = (s: AxisSpec, v: unknown): void => {
    if (s === null) return;
    if (typeof s === "number") {
      if (v instanceof Tensor) size ??= v.shape[s < 0 ? s + v.shape.length : s];
      else if (Array.isArray(v)) v.forEach((c) => sizeOf(s, c));
      else if (!isLeaf(v) && typeof v === "object" && v !== null) Object.values(v).forEach((c) => sizeOf(s, c));
      return;
    }
    if (Array.isArray(s)) return s.forEach((c, i) => sizeOf(c, (v as unknown[])[i]));
    for (const k of Object.keys(s)) sizeOf((s as Record<string, AxisSpec>)[k], (v as Record<string, unknown>)[k]);
  };
  sizeOf(inAxes, x);
  if (size === undefined) throw new Error("reference: no mapped leaf");
  const cut = (s: AxisSpec, v: unknown, i: number): unknown => {
    if (s === null) return v;
    if (typeof s === "number") {
      if (v instanceof Tensor) return exampleOf(v, i, s);
      if (Array.isArray(v)) return v.map((c) => cut(s, c, i));
      if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, c]) => [k, cut(s, c, i)]));
      throw new Error(`reference: a mapped leaf is not a tensor: ${String(v)}`);
    }
    if (Array.isArray(s)) return s.map((c, j) => cut(c, (v as unknown[])[j], i));
    return Object.fromEntries(Object.keys(s).map((k) => [k, cut((s as Record<string, AxisSpec>)[k], (v as Record<string, unknown>)[k], i)]));
  };
  return Array.from({ length: size }, (_, i) => cut(inAxes, x, i));
}

/** Results of each example (trees of one structure) stacked under `outAxes`; a null part is the first example's. */
export function stackResults(results: readonly unknown[], outAxes: AxisSpec = 0): unknown {
  const walk = (s: AxisSpec, parts: readonly unknown[]): unknown => {
    const first = parts[0];
    if (s === null) return first;
    if (typeof s === "number") {
      if (isLeaf(first)) return stackAlong(parts as (Tensor | number)[], s);
      if (Array.isArray(first)) return first.map((_, j) => walk(s, parts.map((p) => (p as unknown[])[j])));
      return Object.fromEntries(Object.keys(first as object).map((k) => [k, walk(s, parts.map((p) => (p as Record<string, unknown>)[k]))]));
    }
    if (Array.isArray(s)) return s.map((c, j) => walk(c, parts.map((p) => (p as unknown[])[j])));
    return Object.fromEntries(Object.keys(s).map((k) => [k, walk((s as Record<string, AxisSpec>)[k], parts.map((p) => (p as Record<string, unknown>)[k]))]));
  };
  return walk(outAxes, results);
}

/** What vmap(f, inAxes, outAxes)(x) should be: f on each example, stacked. */
export function stacked(f: (x: never) => unknown, x: unknown, inAxes: AxisSpec = 0, outAxes: AxisSpec = 0): unknown {
  return stackResults(examplesOf(x, inAxes).map((e) => f(e as never)), outAxes);
}

/**
 * `actual` and `expected` are the same tree: the same arrays and records, tensors of the same shapes
 * (a number is not a tensor), and elements equal to `rtol` relative (NaN equal to NaN).
 */
export function expectSameTree(actual: unknown, expected: unknown, rtol = 1e-12, atol = 1e-14, path = "<root>"): void {
  if (expected instanceof Tensor) {
    if (!(actual instanceof Tensor)) expect.fail(`at ${path}: expected a Tensor of shape [${expected.shape.join(",")}], got ${String(actual)}`);
    expect([...(actual as Tensor).shape], `the shape at ${path}`).toEqual([...expected.shape]);
    const a = elements(actual as Tensor);
    const e = elements(expected);
    for (let i = 0; i < e.length; i++) {
      if (!close(a[i], e[i], rtol, atol)) expect.fail(`at ${path}, element ${i}: ${a[i]} vs ${e[i]} (rtol ${rtol})`);
    }
    return;
  }
  if (typeof expected === "number") {
    if (typeof actual !== "number") expect.fail(`at ${path}: expected the number ${expected}, got ${String(actual)}`);
    if (!close(actual as number, expected, rtol, atol)) expect.fail(`at ${path}: ${String(actual)} vs ${expected} (rtol ${rtol})`);
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) expect.fail(`at ${path}: expected an array of ${expected.length}, got ${String(actual)}`);
    expected.forEach((e, i) => expectSameTree((actual as unknown[])[i], e, rtol, atol, `${path}[${i}]`));
    return;
  }
  if (typeof expected === "object" && expected !== null) {
    if (typeof actual !== "object" || actual === null || Array.isArray(actual) || actual instanceof Tensor) {
      expect.fail(`at ${path}: expected a record, got ${String(actual)}`);
    }
    expect(Object.keys(actual as object), `the keys at ${path}`).toEqual(Object.keys(expected));
    for (const k of Object.keys(expected)) {
      expectSameTree((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k], rtol, atol, `${path}.${k}`);
    }
    return;
  }
  expect.fail(`at ${path}: unexpected expected value ${String(expected)}`);
}

/** A deterministic tensor of `shape` with dyadic elements in [lo, hi) (k/64), from `seed`. */
export function sample(shape: readonly number[], seed: number, lo = -2, hi = 2): Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  let s = (seed * 2654435761 + 12345) >>> 0;
  const out: number[] = [];
  const steps = Math.max(1, Math.floor((hi - lo) * 64) - 1);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(lo + (1 + (s % steps)) / 64);
  }
  return tensor(out, shape);
}
