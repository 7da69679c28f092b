// SPEC §4's fast way out: toFloat64Array(t) is a fresh row-major copy of the elements, and t.size their count.
import { describe, expect, it } from "vitest";
import {
  add,
  exp,
  grad,
  jvp,
  mul,
  reshape,
  slice,
  sum,
  type Tensor,
  tensor,
  toArray,
  toFloat64Array,
  transpose,
  vjp,
  zeros,
} from "../../../src/index.ts";

describe("toFloat64Array", () => {
  it("gives the elements in row-major order, as toArray flattened", () => {
    const t = tensor([
      [
        [1, 2],
        [3, 4],
      ],
      [
        [5, 6],
        [7, 8],
      ],
      [
        [9, 10],
        [11, 12],
      ],
    ]);
    const out = toFloat64Array(t);
    expect(out).toBeInstanceOf(Float64Array);
    expect([...out]).toEqual((toArray(t) as number[][][]).flat(2));
    expect(t.size).toBe(12);
    expect(out.length).toBe(t.size);
  });

  it("reads layout results in their own order (a transpose, a slice) and pending elementwise results", () => {
    const t = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    expect([...toFloat64Array(transpose(t))]).toEqual([1, 4, 2, 5, 3, 6]);
    expect([...toFloat64Array(slice(t, 1, 3, 1))]).toEqual([2, 3, 5, 6]);
    expect([...toFloat64Array(mul(add(t, 1), 2))]).toEqual([4, 6, 8, 10, 12, 14]);
    expect([...toFloat64Array(exp(zeros([2, 2])))]).toEqual([1, 1, 1, 1]);
  });

  it("never shares storage: writing to the copy changes neither the tensor nor the next copy", () => {
    const t = tensor([1, 2, 3]);
    const a = toFloat64Array(t);
    a[0] = 99;
    const b = toFloat64Array(t);
    expect(b).not.toBe(a);
    expect([...b]).toEqual([1, 2, 3]);
    expect(toArray(t)).toEqual([1, 2, 3]);
    // nor the caller's data given to tensor()
    const src = new Float64Array([5, 6]);
    const u = tensor(src, [2]);
    const c = toFloat64Array(u);
    expect(c).not.toBe(src);
    expect(c.buffer).not.toBe(src.buffer);
  });

  it("handles 0-d and empty tensors", () => {
    expect([...toFloat64Array(tensor(3))]).toEqual([3]);
    expect(tensor(3).size).toBe(1);
    const empty = tensor([], [0, 4]);
    expect(empty.size).toBe(0);
    expect(toFloat64Array(empty).length).toBe(0);
  });

  it("reads a tensor's value inside a transform, and its result stays readable after the transform returns", () => {
    const seen: Float64Array[] = [];
    const g = grad((x: Tensor) => {
      seen.push(toFloat64Array(mul(x, 2)));
      return sum(mul(x, x));
    })(tensor([1, 2, 3]));
    expect([...seen[0]]).toEqual([2, 4, 6]);
    expect([...toFloat64Array(g)]).toEqual([2, 4, 6]);
    const [, tangentOut] = jvp((x: Tensor) => reshape(mul(x, 3), [3, 1]), tensor([1, 2, 3]), tensor([1, 0, 1]));
    expect([...toFloat64Array(tangentOut as Tensor)]).toEqual([3, 0, 3]);
  });

  it("throws an Error naming the transform for a tensor that escaped it, and a TypeError for a non-tensor", () => {
    let escaped: Tensor | undefined;
    vjp(
      (x: Tensor) => {
        escaped = mul(x, 2);
        return escaped;
      },
      tensor([1, 2]),
    );
    expect(() => toFloat64Array(escaped as Tensor)).toThrow(/vjp/);
    expect(() => toFloat64Array(3 as unknown as Tensor)).toThrow(TypeError);
    expect(() => toFloat64Array([1, 2] as unknown as Tensor)).toThrow(/^toFloat64Array: /);
  });

  it("is a straight copy: 100,000 elements read much faster than through toArray", () => {
    const t = add(zeros([100_000]), 1);
    toFloat64Array(t);
    const time = (f: () => unknown): number => {
      let best = Infinity;
      for (let r = 0; r < 5; r++) {
        const t0 = performance.now();
        for (let i = 0; i < 10; i++) f();
        best = Math.min(best, (performance.now() - t0) / 10);
      }
      return best;
    };
    const copy = time(() => toFloat64Array(t));
    const nested = time(() => toArray(t));
    expect(copy).toBeLessThan(nested);
  });
});
