// SPEC §3 "Errors" and §7 "Paths", "Escaped Reals": what is thrown, of which class, naming what.
import { describe, expect, it } from "vitest";
import {
  add, derivative, exp, grad, hessian, hvp, jacfwd, jacrev, jvp, mul, primal, type Real, sin, sum, tensor,
  valueAndGrad, vjp,
} from "../../../src/index.ts";
import { expectThrows } from "../../support/approx.ts";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

describe("grad / valueAndGrad of a function whose result is not a scalar", () => {
  it("returning an array is a TypeError", () => {
    expectThrows(() => grad(((x: Real) => [x, x]) as Any)(1), TypeError);
    expectThrows(() => valueAndGrad(((x: Real) => [x, x]) as Any)(1), TypeError);
  });
  it("returning a record is a TypeError", () => {
    expectThrows(() => grad(((x: Real) => ({ a: x })) as Any)(1), TypeError);
    expectThrows(() => valueAndGrad(((x: Real) => ({ a: x })) as Any)(1), TypeError);
  });
  it("returning a one-element array is a TypeError", () => {
    expectThrows(() => grad(((x: Real) => [x]) as Any)(1), TypeError);
  });
  it("returning a string, undefined or null is a TypeError", () => {
    expectThrows(() => grad((() => "1") as Any)(1), TypeError);
    expectThrows(() => grad((() => undefined) as Any)(1), TypeError);
    expectThrows(() => valueAndGrad((() => null) as Any)(1), TypeError);
  });
  it("hvp and hessian of a function whose result is not a scalar are TypeErrors", () => {
    expectThrows(() => hvp(((x: Real) => [x, x]) as Any)(1, 1), TypeError);
    expectThrows(() => hessian(((x: readonly Real[]) => x) as Any)([1, 2]), TypeError);
  });
});

describe("input leaves that are not numbers, Reals or Tensors", () => {
  it("grad({ hidden: { w: [1, 'a'] } }) is a TypeError naming hidden.w[1]", () => {
    expectThrows(() => grad((p: Any) => sum(p.hidden.w))({ hidden: { w: [1, "a"] } }), TypeError, "hidden.w[1]");
  });
  it("undefined, null, a Date, a Map, a boolean and a class instance are rejected with their path", () => {
    class Point {
      constructor(public x = 1) {}
    }
    const bad: [unknown, string][] = [
      [{ hidden: { w: [1, 2, 3, undefined] } }, "hidden.w[3]"],
      [{ a: null }, "a"],
      [{ a: 1, b: [0, { c: new Date() }] }, "b[1].c"],
      [[1, new Map()], "[1]"],
      [{ flag: true }, "flag"],
      [{ p: new Point() }, "p"],
      [[[1, 2], [3, "x"]], "[1][1]"],
    ];
    for (const [x, path] of bad) {
      expectThrows(() => grad((_p: Any) => 0)(x), TypeError, path);
    }
  });
  it("the same path checks apply to valueAndGrad, jvp, vjp, hvp and derivative", () => {
    const x = { hidden: { w: [1, "a"] } };
    const f = (_p: Any): Real => 0;
    expectThrows(() => valueAndGrad(f)(x), TypeError, "hidden.w[1]");
    expectThrows(() => jvp(f, x, { hidden: { w: [1, 1] } }), TypeError, "hidden.w[1]");
    expectThrows(() => vjp(f, x), TypeError, "hidden.w[1]");
    expectThrows(() => hvp(f)(x, { hidden: { w: [1, 1] } }), TypeError, "hidden.w[1]");
    expectThrows(() => derivative((y: Real) => y)("a" as Any), TypeError);
  });
  it("a bad leaf in a jvp tangent or an hvp vector is a TypeError naming the path", () => {
    const f = (p: { a: readonly Real[] }): Real => sum(p.a);
    expectThrows(() => jvp(f, { a: [1, 2] }, { a: [1, "z" as Any] }), TypeError, "a[1]");
    expectThrows(() => hvp(f)({ a: [1, 2] }, { a: [null as Any, 1] }), TypeError, "a[0]");
  });
  it("jacfwd rejects a bad element of its Real[] argument with a TypeError naming its path", () => {
    expectThrows(() => jacfwd((x: readonly Real[]) => x)([1, "a" as Any]), TypeError, "[1]");
  });
  it("jacrev rejects a bad element of its Real[] argument with a TypeError naming its path", () => {
    expectThrows(() => jacrev((x: readonly Real[]) => x)([1, "a" as Any]), TypeError, "[1]");
  });
  it("hessian rejects a bad element of its Real[] argument with a TypeError naming its path", () => {
    expectThrows(() => hessian((x: readonly Real[]) => sum(x))([undefined as Any, 1]), TypeError, "[0]");
  });
  it("a bad leaf beside tensor leaves is named by its path", () => {
    expectThrows(() => grad((p: Any) => sum(p.w))({ w: tensor([1, 2]), b: [tensor([1]), "x"] }), TypeError, "b[1]");
  });
  it("NaN and ±Infinity leaves are not errors", () => {
    expect(grad((p: readonly Real[]) => sum(p))([NaN, Infinity, -Infinity])).toEqual([1, 1, 1]);
  });
});

describe("tangents and cotangents whose structure differs", () => {
  it("a jvp tangent missing a key is a TypeError naming the first path that differs", () => {
    expectThrows(() => jvp((p: { a: Real; b: Real }) => add(p.a, p.b), { a: 1, b: 2 }, { a: 1 } as Any), TypeError, "b");
  });
  it("a jvp tangent with an extra key or a different array length is a TypeError naming the path", () => {
    expectThrows(() => jvp((p: { a: Real }) => p.a, { a: 1 }, { a: 1, c: 2 } as Any), TypeError, "c");
    expectThrows(() => jvp((p: { w: readonly Real[] }) => sum(p.w), { w: [1, 2, 3] }, { w: [1, 2] }), TypeError, "w");
  });
  it("a jvp tangent that is an array where a number is expected is a TypeError naming the path", () => {
    expectThrows(() => jvp((p: { a: Real; b: readonly Real[] }) => p.a, { a: 1, b: [1] }, { a: [1] as Any, b: [1] }), TypeError, "a");
  });
  it("a pullback cotangent whose structure differs from f(x) is a TypeError naming the path", () => {
    const [, pb] = vjp((x: Real) => ({ out: [x, mul(x, 2)] }), 1);
    expectThrows(() => pb({ out: [1] } as Any), TypeError, "out");
    const [, pb2] = vjp((x: Real) => ({ out: { y: x, z: x } }), 1);
    expectThrows(() => pb2({ out: { y: 1 } } as Any), TypeError, "out.z");
    expectThrows(() => pb2({ out: { y: 1, z: "a" } } as Any), TypeError, "out.z");
    const [, pb3] = vjp((x: Real) => mul(x, 2), 1);
    expectThrows(() => pb3([1] as Any), TypeError);
  });
  it("an hvp vector whose structure differs is a TypeError naming the path", () => {
    expectThrows(() => hvp((p: { a: Real; b: Real }) => mul(p.a, p.b))({ a: 1, b: 2 }, { a: 1 } as Any), TypeError, "b");
  });
  it("a pullback that threw on a bad cotangent still works afterwards", () => {
    const [, pb] = vjp((x: Real) => [x, mul(x, 2)], 1);
    expect(() => pb([1] as Any)).toThrow(TypeError);
    expect(pb([1, 1])).toBe(3);
  });
});

describe("escaped Reals", () => {
  const cases: [string, (capture: (x: Real) => void) => void][] = [
    ["derivative", (c) => derivative((x: Real) => (c(x), x))(2)],
    ["grad", (c) => grad((x: Real) => (c(x), x))(2)],
    ["valueAndGrad", (c) => valueAndGrad((x: Real) => (c(x), x))(2)],
    ["jvp", (c) => jvp((x: Real) => (c(x), x), 2, 1)],
    ["jacfwd", (c) => jacfwd((x: readonly Real[]) => (c(x[0]), x))([2])],
    ["jacrev", (c) => jacrev((x: readonly Real[]) => (c(x[0]), x))([2])],
    ["hvp", (c) => hvp((x: Real) => (c(x), mul(x, x)))(2, 1)],
    ["hessian", (c) => hessian((x: readonly Real[]) => (c(x[0]), mul(x[0], x[0])))([2])],
  ];
  for (const [name, run] of cases) {
    it(`a Real escaping ${name} throws an Error naming ${name} when used in an operation; primal still works`, () => {
      let leaked: Real = 0;
      run((x) => {
        leaked = x;
      });
      expect(typeof leaked).not.toBe("number");
      expectThrows(() => add(leaked, 1), Error, name);
      expectThrows(() => sin(leaked), Error, name);
      expect(primal(leaked)).toBe(2);
    });
  }

  it("an escaped Real used inside another transform throws an Error naming the transform it came from", () => {
    let leaked: Real = 0;
    derivative((x: Real) => {
      leaked = x;
      return x;
    })(3);
    expectThrows(() => grad((y: Real) => mul(y, leaked))(2), Error, "derivative");
    let leaked2: Real = 0;
    grad((x: Real) => {
      leaked2 = x;
      return x;
    })(3);
    expectThrows(() => derivative((y: Real) => mul(y, leaked2))(2), Error, "grad");
    expectThrows(() => grad((_y: Real) => leaked2)(2), Error, "grad");
  });

  it("an escaped Real passed as a transform's argument throws an Error naming its transform", () => {
    let leaked: Real = 0;
    grad((x: Real) => {
      leaked = x;
      return exp(x);
    })(1);
    expectThrows(() => grad((y: Real) => mul(y, y))(leaked), Error, "grad");
  });

  it("an escaped Real used in a sum or dot throws too", () => {
    let leaked: Real = 0;
    grad((x: Real) => {
      leaked = x;
      return x;
    })(1);
    expectThrows(() => sum([1, leaked]), Error, "grad");
  });

  it("an escaped Real captured in a tensor op throws", () => {
    let leaked: Real = 0;
    grad((x: Real) => {
      leaked = x;
      return x;
    })(1);
    expectThrows(() => mul(leaked, tensor([1, 2])), Error, "grad");
  });
});
