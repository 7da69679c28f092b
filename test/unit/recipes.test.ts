// ARCHITECTURE.md's recipes, followed from outside src/: a new primitive is one rule and one op, and a
// new interpreter is one Trace and one Tracer. Nothing in src/ changes for either, and both work with
// every transform, nested.
import { describe, expect, it } from "vitest";
import { derivative, grad, hessian, jit, jvp, mul, type Real, sin, tensor, toArray, vjp } from "../../src/index.ts";
import {
  below, bind1, bind2, bindN, bindT, newKind, scale, Trace, Tracer, unary, unaryOp,
  type BinaryRule, type NaryRule, type TensorRule, type UnaryRule, type Value,
} from "../../src/internal.ts";

describe("adding a primitive", () => {
  // d(x³) = 3x² dx: the partial written with nabla's ops, so it differentiates again
  const cubeRule = unary("cube", (x) => `(${x} * ${x} * ${x})`, (x) => x * x * x, (x) => mul(3, mul(x, x)));
  const cube = unaryOp(cubeRule);

  it("computes, and differentiates in every mode and to any order", () => {
    expect(cube(2)).toBe(8);
    expect(derivative(cube)(2)).toBe(12);
    expect(grad(cube)(2)).toBe(12);
    expect(derivative(derivative(cube))(2)).toBe(12);
    expect(hessian((xs: readonly Real[]) => cube(xs[0]))([2])).toEqual([[12]]);
    expect(jit(grad(cube))(3)).toBe(27);
    expect(toArray(cube(tensor([1, 2, 3])))).toEqual([1, 8, 27]);
    const [y, pullback] = vjp((t: ReturnType<typeof tensor>) => cube(t), tensor([1, 2]));
    expect(toArray(y)).toEqual([1, 8]);
    expect(toArray(pullback(tensor([1, 1])))).toEqual([3, 12]);
  });
});

describe("adding an interpreter", () => {
  // A level that counts the primitives applied to its values and otherwise passes them through.
  const KIND = newKind();
  class Counted extends Tracer {
    constructor(readonly trace: CountTrace, readonly primal: Value) {
      super();
    }
  }
  class CountTrace extends Trace {
    count = 0;
    constructor() {
      super("countOps", KIND);
    }
    unary(rule: UnaryRule, x: Tracer): Value {
      this.count++;
      return new Counted(this, bind1(rule, x.primal));
    }
    binary(rule: BinaryRule, a: Value, b: Value): Value {
      this.count++;
      return new Counted(this, bind2(rule, below(a, this), below(b, this)));
    }
    nary(rule: NaryRule, xs: readonly Value[]): Value {
      this.count++;
      return new Counted(this, bindN(rule, xs.map((x) => below(x, this))));
    }
    tensor<P>(rule: TensorRule<P>, args: readonly Value[], params: P): Value {
      this.count++;
      return new Counted(this, bindT(rule, args.map((x) => below(x, this)), params));
    }
  }
  /** The transform: `f`'s value at x, and how many primitives it applied. */
  const countOps = (f: (x: Value) => Value) => (x: Value): [Value, number] => {
    const trace = new CountTrace();
    try {
      return [below(f(new Counted(trace, x)), trace), trace.count];
    } finally {
      trace.close();
    }
  };
  const f = (x: Value): Value => mul(sin(x as number), x as number);

  it("runs a function, counting its primitives", () => {
    expect(countOps(f)(2)).toEqual([Math.sin(2) * 2, 2]);
  });

  it("nests inside and around the other transforms without confusing levels", () => {
    const df = (x: number): number => Math.cos(x) * x + Math.sin(x);
    expect(grad((x: number) => countOps(f)(x)[0] as number)(2)).toBeCloseTo(df(2), 14);
    expect(jvp((x: number) => countOps(f)(x)[0] as number, 2, 1)[1]).toBeCloseTo(df(2), 14);
    const [value, count] = countOps((x) => grad(f as (x: number) => number)(x as number))(2);
    expect(value).toBeCloseTo(df(2), 14);
    expect(count).toBeGreaterThan(2); // the gradient's own arithmetic ran on counted values
    // a value kept after its transform returned is refused, naming the transform
    let kept: Value = 0;
    countOps((x) => (kept = mul(x as number, 2)))(1);
    expect(() => mul(kept as number, 1)).toThrow(/countOps/);
  });

  it("keeps the scale helper exact at ±1 (the chain rule's one product)", () => {
    expect(scale(1, 5)).toBe(5);
    expect(scale(-1, 5)).toBe(-5);
  });
});
