// Random programs as subjects for the laws: each drawn with an input where it is valid (every primitive
// applied inside its declared domain), in vector, scalar, real-valued and record form, alone or in
// pairs, and printed as source in counterexamples.
import fc from "fast-check";
import { primal, type Primitive, type Real, type Tensor, tensor } from "../src/index.ts";
import { show } from "./approx.ts";
import { nice } from "./arbitraries.ts";
import type { Smooth } from "./finite-differences.ts";
import { type Instance, labelled, type Pair } from "./harness.ts";
import type { Composition } from "./chain.ts";
import { type Program, type ProgramOptions, programs, run, showProgram, trace } from "./programs.ts";
import type { Batched } from "./vmap.ts";

const interval = (p: Primitive, i: number): readonly [number, number] => p.domain.args[Math.min(i, p.domain.args.length - 1)];

/**
 * Whether `program` is valid at `x`: every argument that was not fitted into its primitive's domain
 * lies inside it (nested transforms included), and every output is finite.
 * @example
 * const [logPrimitive] = primitives.filter((p) => p.name === "log");
 * const program: Program = { inputs: ["x"], outputs: [{ op: "prim", prim: logPrimitive, args: [{ op: "var", name: "x" }] }] };
 * [validAt(program, [2]), validAt(program, [-1])]; // => [true, false]
 */
export function validAt(program: Program, x: readonly number[]): boolean {
  let ok = true;
  const ys = run(program, (node, args) => {
    node.args.forEach((a, i) => {
      if (a.op === "fit") return;
      const [lo, hi] = interval(node.prim, i);
      const v = primal(args[i]);
      if (!(v > lo && v < hi)) ok = false;
    });
  })(x);
  return ok && ys.every((y) => Number.isFinite(primal(y)));
}

/**
 * Whether `program` is smooth on the segment x ± s: every application of a primitive with kinks stays
 * more than twice as far from its kink (by the primitive's kinkDistance) as its arguments move
 * (ℓ₁) between x and either end. Derivatives inside nested transforms are covered the same way.
 * @example
 * const [absPrimitive] = primitives.filter((p) => p.name === "abs");
 * const program: Program = { inputs: ["x"], outputs: [{ op: "prim", prim: absPrimitive, args: [{ op: "var", name: "x" }] }] };
 * [smoothOn(program)([1], [0.1]), smoothOn(program)([0.01], [0.1])]; // => [true, false]
 */
export function smoothOn(program: Program): (x: readonly Real[], s: readonly Real[]) => boolean {
  return (xr, sr) => {
    const x = xr.map((xi) => primal(xi));
    const s = sr.map((si) => primal(si));
    const centre = trace(program, x);
    const ends = [1, -1].map((sign) => trace(program, x.map((xi, i) => xi + sign * s[i])));
    if (ends.some((e) => e.length !== centre.length)) return false;
    return centre.every(({ node, args }, k) => {
      const { kinkDistance } = node.prim.domain;
      if (kinkDistance === undefined) return true;
      const move = Math.max(...ends.map((e) => e[k].args.reduce((t, a, i) => t + Math.abs(a - args[i]), 0)));
      return kinkDistance(args) > 2 * move;
    });
  };
}

/** Inputs for programs: nice numbers in (−3, 3). */
const inputsFor = (n: number): fc.Arbitrary<number[]> => fc.array(nice(-3, 3), { minLength: n, maxLength: n });

/** A program with a valid input. */
function valid(options: ProgramOptions): fc.Arbitrary<{ program: Program; x: number[] }> {
  return fc
    .record({ program: programs(options), x: inputsFor(options.inputs ?? 2) })
    .filter(({ program, x }) => validAt(program, x));
}

/** The label of a program instance in counterexamples. */
const label = (program: Program, x: unknown) => () => `program ${showProgram(program)} at x = ${show(x)}`;

/**
 * Programs as `f: Real[] → Real[]`.
 * @example
 * const [instance] = fc.sample(vectorPrograms({ inputs: 2, outputs: 3 }), { numRuns: 1, seed: 1 });
 * const program: VectorProgram = instance;
 * program.f(instance.x).length; // => 3
 */
export type VectorProgram = Smooth<readonly Real[], readonly Real[]> & { readonly program: Program };

/**
 * Random programs with valid inputs, as functions between arrays of Reals.
 * @example
 * checkDotProductIdentity(vectorPrograms(), { runs: 10 }); // => undefined
 */
export function vectorPrograms(options: ProgramOptions = {}): fc.Arbitrary<Instance<VectorProgram, readonly number[]>> {
  return valid(options).map(({ program, x }) =>
    labelled({ program, f: run(program), x, smoothOn: smoothOn(program) }, label(program, x)),
  );
}

/**
 * Random programs with one output, as `f: Real[] → Real` (for the second-order laws).
 * @example
 * checkHessianSymmetry(realPrograms(), { runs: 10 }); // => undefined
 */
export function realPrograms(
  options: ProgramOptions = {},
): fc.Arbitrary<Instance<Smooth<readonly Real[], Real> & { readonly program: Program }, readonly number[]>> {
  return valid({ ...options, outputs: 1 }).map(({ program, x }) => {
    const f = run(program);
    return labelled({ program, f: (xs: readonly Real[]) => f(xs)[0], x, smoothOn: smoothOn(program) }, label(program, x));
  });
}

/**
 * Random programs of one input and one output, as `f: Real → Real`.
 * @example
 * checkPerturbationConfusion(scalarPrograms(), { runs: 10 }); // => undefined
 */
export function scalarPrograms(options: ProgramOptions = {}): fc.Arbitrary<Instance<Smooth<Real, Real> & { readonly program: Program }, number>> {
  return valid({ ...options, inputs: 1, outputs: 1 }).map(({ program, x }) => {
    const f = run(program);
    const smooth = smoothOn(program);
    return labelled(
      { program, f: (t: Real) => f([t])[0], x: x[0], smoothOn: (t: Real, s: Real) => smooth([t], [s]) },
      label(program, x[0]),
    );
  });
}

type Named = { readonly [name: string]: Real };

/**
 * Random programs on records: `{ x0, x1, … } ↦ { y0, y1, … }`, to exercise trees with keys.
 * @example
 * checkFiniteDifferences(recordPrograms(), { mode: "reverse", runs: 10 }); // => undefined
 */
export function recordPrograms(options: ProgramOptions = {}): fc.Arbitrary<Instance<Smooth<Named, Named> & { readonly program: Program }, Named>> {
  return valid(options).map(({ program, x }) => {
    const f = run(program);
    const toArray = (r: Named): Real[] => program.inputs.map((name) => r[name]);
    const smooth = smoothOn(program);
    const record = Object.fromEntries(program.inputs.map((name, i) => [name, x[i]]));
    return labelled(
      {
        program,
        f: (r: Named): Named => Object.fromEntries(f(toArray(r)).map((y, i) => [`y${i}`, y])),
        x: record,
        smoothOn: (r: Named, s: Named) => smooth(toArray(r), toArray(s)),
      },
      label(program, record),
    );
  });
}

/**
 * Two random programs `g: Real[n] → Real[k]` and `f: Real[k] → Real[m]`, valid at x and at g(x).
 * @example
 * checkJacobianChainRule(composedPrograms(), { runs: 10 }); // => undefined
 */
export function composedPrograms(
  inner: ProgramOptions = {},
  outer: ProgramOptions = {},
): fc.Arbitrary<Instance<Composition<readonly Real[], readonly Real[], readonly Real[]>, readonly number[]>> {
  const k = inner.outputs ?? 1;
  return fc
    .record({ g: valid(inner), f: programs({ ...outer, inputs: k }) })
    .filter(({ g, f }) => validAt(f, run(g.program)(g.x) as number[]))
    .map(({ g, f }) =>
      labelled({ f: run(f), g: run(g.program), x: g.x }, () => `f = ${showProgram(f)}, g = ${showProgram(g.program)} at x = ${show(g.x)}`),
    );
}

/**
 * Two random programs of the same shape, both valid at x.
 * @example
 * checkDerivativeLinearity(pairedPrograms(), { runs: 10 }); // => undefined
 */
export function pairedPrograms(options: ProgramOptions = {}): fc.Arbitrary<Instance<Pair<readonly Real[], readonly Real[]>, readonly number[]>> {
  return fc
    .record({ a: valid(options), g: programs(options) })
    .filter(({ a, g }) => validAt(g, a.x))
    .map(({ a, g }) =>
      labelled({ f: run(a.program), g: run(g), x: a.x }, () => `f = ${showProgram(a.program)}, g = ${showProgram(g)} at x = ${show(a.x)}`),
    );
}

/**
 * Random programs applied to a batch, as subjects of the vmap law: each input a 1-D tensor of up to
 * `maxSize` examples (axis 0 or −1) or a shared number (null), at least one mapped. Every example is a
 * valid input (the mapped inputs of examples after the first redrawn until valid).
 * @example
 * checkVmapStacking(batchedPrograms({ maxSize: 3 }), { runs: 5 }); // => undefined
 */
export function batchedPrograms(
  options: ProgramOptions & { readonly maxSize?: number } = {},
): fc.Arbitrary<Instance<Batched<readonly Real[], readonly Real[]> & { readonly program: Program }, readonly (number | Tensor)[]>> {
  const { maxSize = 3 } = options;
  return valid(options).chain(({ program, x }) => {
    const inAxes = fc
      .tuple(...x.map(() => fc.constantFrom<number | null>(0, -1, null)))
      .filter((axes) => axes.some((a) => a !== null));
    return fc.tuple(inAxes, fc.integer({ min: 1, max: maxSize })).chain(([ins, size]) => {
      const another = inputsFor(x.length)
        .map((xs) => xs.map((xi, i) => (ins[i] === null ? x[i] : xi)))
        .filter((xs) => validAt(program, xs));
      return fc.array(another, { minLength: size - 1, maxLength: size - 1 }).map((rest) => {
        const examples = [x, ...rest];
        const batch = ins.map((a, i) => (a === null ? x[i] : tensor(examples.map((e) => e[i]))));
        return labelled(
          { program, f: run(program), x: batch, inAxes: ins },
          () => `program ${showProgram(program)} with inAxes ${show(ins)} at x = ${show(batch)}`,
        );
      });
    });
  });
}
