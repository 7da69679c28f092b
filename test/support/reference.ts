// Plain-JS references for the §5 suites (layers, losses, regularization, optimizers, training,
// randomness). Nothing here calls nabla except to read tensors through `toArray`.
import { Tensor, toArray } from "../../src/index.ts";

/** Every leaf of a tree as plain numbers, in a deterministic order (records by sorted key). */
export function leafNumbers(x: unknown): number[] {
  if (typeof x === "number") return [x];
  if (x instanceof Tensor) return flat(toArray(x));
  if (Array.isArray(x)) return x.flatMap(leafNumbers);
  if (typeof x === "object" && x !== null) {
    return Object.keys(x)
      .sort()
      .flatMap((k) => leafNumbers((x as Record<string, unknown>)[k]));
  }
  throw new Error(`leafNumbers: unexpected ${String(x)}`);
}

function flat(x: unknown): number[] {
  if (typeof x === "number") return [x];
  return (x as unknown[]).flatMap(flat);
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
