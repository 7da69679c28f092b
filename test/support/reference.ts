// Plain-JS references: every expected value the suites compare against is computed here (closed
// forms, NumPy broadcasting, central finite differences), never with nabla. Nothing here calls nabla
// except to read tensors through `toArray`.
import { Tensor, toArray } from "../../src/index.ts";

/** Central finite difference of a plain-number function. */
export function fd(f: (x: number) => number, x: number, h = 1e-6): number {
  return (f(x + h) - f(x - h)) / (2 * h);
}

// Row-major arrays, used to compute expected tensor values.

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

// Trees and statistics, for the §5 suites (layers, losses, regularization, optimizers, training, randomness).

/** Every leaf of a tree as plain numbers, in a deterministic order (records by sorted key). */
export function leafNumbers(x: unknown): number[] {
  if (typeof x === "number") return [x];
  if (x instanceof Tensor) return flatten(toArray(x));
  if (Array.isArray(x)) return x.flatMap(leafNumbers);
  if (typeof x === "object" && x !== null) {
    return Object.keys(x)
      .sort()
      .flatMap((k) => leafNumbers((x as Record<string, unknown>)[k]));
  }
  throw new Error(`leafNumbers: unexpected ${String(x)}`);
}

export const l2 = (xs: readonly number[]): number => Math.sqrt(xs.reduce((a, v) => a + v * v, 0));

export const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

export const variance = (xs: readonly number[]): number => {
  const m = mean(xs);
  return xs.reduce((a, v) => a + (v - m) ** 2, 0) / (xs.length - 1);
};

export function correlation(a: readonly number[], b: readonly number[]): number {
  const ma = mean(a);
  const mb = mean(b);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** Maps a plain-number reference function over the leaves of a params-like tree of numbers / nested arrays. */
export function mapTree(x: unknown, f: (v: number) => number): unknown {
  if (typeof x === "number") return f(x);
  if (Array.isArray(x)) return x.map((v) => mapTree(v, f));
  if (typeof x === "object" && x !== null) {
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, mapTree(v, f)]));
  }
  throw new Error("mapTree: unexpected leaf");
}

/** Zips two reference trees of the same structure. */
export function zipTree(a: unknown, b: unknown, f: (x: number, y: number) => number): unknown {
  if (typeof a === "number") return f(a, b as number);
  if (Array.isArray(a)) return a.map((v, i) => zipTree(v, (b as unknown[])[i], f));
  if (typeof a === "object" && a !== null) {
    return Object.fromEntries(Object.entries(a).map(([k, v]) => [k, zipTree(v, (b as Record<string, unknown>)[k], f)]));
  }
  throw new Error("zipTree: unexpected leaf");
}

export function zip3Tree(a: unknown, b: unknown, c: unknown, f: (x: number, y: number, z: number) => number): unknown {
  if (typeof a === "number") return f(a, b as number, c as number);
  if (Array.isArray(a)) return a.map((v, i) => zip3Tree(v, (b as unknown[])[i], (c as unknown[])[i], f));
  if (typeof a === "object" && a !== null) {
    return Object.fromEntries(
      Object.entries(a).map(([k, v]) => [k, zip3Tree(v, (b as Record<string, unknown>)[k], (c as Record<string, unknown>)[k], f)]),
    );
  }
  throw new Error("zip3Tree: unexpected leaf");
}

/** Plain reference of x·W + b for row-major nested arrays. */
export function denseRef(x: readonly (readonly number[])[], w: readonly (readonly number[])[], b: readonly number[]): number[][] {
  return x.map((row) => b.map((bj, j) => row.reduce((acc, xi, i) => acc + xi * w[i][j], bj)));
}

export const argmaxRef = (xs: readonly number[]): number => xs.reduce((best, v, i) => (v > xs[best] ? i : best), 0);
