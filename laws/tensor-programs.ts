// Random programs over tensors: expression trees whose every node has a shape, generated top-down from
// the shape wanted (so shapes always agree), mixing the tensor catalogue (matmul, reductions, softmax,
// logSumExp, slice, concat, reshape, transpose, elementwise ops under its broadcasting patterns) with
// the scalar catalogue applied elementwise under any broadcast, with shared subexpressions and nested
// transforms; printed readably and compiled to plain functions. Subjects for the laws are at the end.
import fc from "fast-check";
import {
  add, derivative, grad, jvp, mean, mul, type Primitive, primitives as scalarCatalogue, primal, type Real, type Tensor, tensor,
  type TensorPrimitive, tensorPrimitives as tensorCatalogue, vjp, zeros,
} from "../src/index.ts";
import { show } from "./approx.ts";
import { nice } from "./arbitraries.ts";
import { broadcastShape, broadcastsTo, broadcastTuples, elementsOfValue, type Shape, shapeOfValue } from "./broadcast.ts";
import type { Composition } from "./chain.ts";
import type { Smooth } from "./finite-differences.ts";
import { type Instance, labelled, type Pair } from "./harness.ts";
import { fitInto, type Nested } from "./programs.ts";
import { sizeOf } from "./trees.ts";
import { type Batched, stackAlong } from "./vmap.ts";

/**
 * A value in a tensor program: a tensor, or a Real where the shape is `[]`.
 * @example
 * const values: TensorValue[] = [tensor([1, 2]), 3];
 * values.map(total); // => [3, 3]
 */
export type TensorValue = Tensor | Real;

/**
 * A program's expressions, each with its shape.
 * @example
 * const [mulPrimitive] = primitives.filter((p) => p.name === "mul");
 * const twice: TensorExpr = { op: "elementwise", prim: mulPrimitive, args: [{ op: "var", name: "x", shape: [2] }, { op: "const", value: 2, shape: [] }], shape: [2] };
 * runTensorProgram({ inputs: [{ name: "x", shape: [2] }], outputs: [twice] })([tensor([1, 2])]); // => [tensor([2, 4])]
 */
export type TensorExpr =
  | { readonly op: "var"; readonly name: string; readonly shape: Shape }
  | { readonly op: "const"; readonly value: number | Tensor; readonly shape: Shape }
  /** A scalar-catalogue primitive applied elementwise, its arguments broadcast to `shape`. */
  | { readonly op: "elementwise"; readonly prim: Primitive; readonly args: readonly TensorExpr[]; readonly shape: Shape }
  /** A tensor-catalogue primitive at the extents `extents` (its arguments have `prim.shapes(extents)`). */
  | { readonly op: "tensor"; readonly prim: TensorPrimitive; readonly extents: readonly number[]; readonly args: readonly TensorExpr[]; readonly shape: Shape }
  | { readonly op: "fit"; readonly lo: number; readonly hi: number; readonly arg: TensorExpr; readonly shape: Shape }
  /** A variable of another shape made into this one: broadcast when it can be, else its mean broadcast. */
  | { readonly op: "adapt"; readonly how: "broadcast" | "mean"; readonly arg: TensorExpr; readonly shape: Shape }
  | { readonly op: "let"; readonly name: string; readonly bound: TensorExpr; readonly body: TensorExpr; readonly shape: Shape }
  /** derivative / grad of the closure at `at`, jvp along the constant `direction`, vjp pulling back it. */
  | {
      readonly op: Nested;
      readonly param: string;
      readonly paramShape: Shape;
      readonly body: TensorExpr;
      readonly at: TensorExpr;
      readonly direction: number | Tensor | undefined;
      readonly shape: Shape;
    };

/**
 * `(x0: [2,3], x1: []) => [output₀, …]`.
 * @example
 * const [sinPrimitive] = primitives.filter((p) => p.name === "sin");
 * const program: TensorProgram = {
 *   inputs: [{ name: "x", shape: [2] }],
 *   outputs: [{ op: "elementwise", prim: sinPrimitive, args: [{ op: "var", name: "x", shape: [2] }], shape: [2] }],
 * };
 * checkDotProductIdentity({ f: runTensorProgram(program), x: fc.tuple(tensorOf([2])) }, { runs: 10 }); // => undefined
 */
export interface TensorProgram {
  readonly inputs: readonly { readonly name: string; readonly shape: Shape }[];
  readonly outputs: readonly TensorExpr[];
}

/**
 * The programs to generate.
 * @example
 * const options: TensorProgramOptions = { inputs: [[3]], outputs: 2, maxExtent: 3 };
 * fc.sample(tensorPrograms(options), 5).every((p) => p.outputs.length === 2); // => true
 */
export interface TensorProgramOptions {
  /** The inputs' shapes, or how many inputs of random shapes (default 2). */
  readonly inputs?: number | readonly Shape[];
  /** The outputs' shapes, or how many outputs of random shapes (default 1). */
  readonly outputs?: number | readonly Shape[];
  /** Largest extent of any shape in the program (default 3); ranks go up to 2. */
  readonly maxExtent?: number;
  /** The extents shapes are made of, instead of 1 to `maxExtent` (e.g. `[1, 47, 48]` for large tensors). */
  readonly extents?: readonly number[];
  /** Maximum nesting of expressions (default 4). */
  readonly maxDepth?: number;
  /** Scalar primitives applied elementwise with broadcasting (default the scalar catalogue). */
  readonly elementwise?: readonly Primitive[];
  /** Tensor primitives (default the tensor catalogue); add your own to test a custom rule in context. */
  readonly tensors?: readonly TensorPrimitive[];
  /** Whether programs nest transforms (default true). */
  readonly nested?: boolean;
}

// The generated form: variables are indices resolved against the scope when the program is built,
// so that any subtree is valid anywhere and shrinks freely; shapes are fixed by the generator.
type Raw =
  | { readonly k: "var"; readonly index: number }
  | { readonly k: "const"; readonly values: readonly number[] }
  | { readonly k: "elem"; readonly p: number; readonly shapes: readonly Shape[]; readonly args: readonly Raw[]; readonly fits: readonly boolean[] }
  | { readonly k: "tensor"; readonly p: number; readonly d: readonly number[]; readonly args: readonly Raw[]; readonly fits: readonly boolean[] }
  | { readonly k: "let"; readonly shape: Shape; readonly bound: Raw; readonly body: Raw }
  | {
      readonly k: "nested";
      readonly how: Nested;
      readonly paramShape: Shape;
      readonly bodyShape: Shape;
      readonly body: Raw;
      readonly at: Raw;
      readonly direction: readonly number[];
    };

const key = (s: Shape): string => `[${s.join(",")}]`;
const sameShape = (a: Shape | undefined, b: Shape): boolean => a !== undefined && key(a) === key(b);

/** Every shape of rank 0 to 2 made of the given extents. */
function shapesOf(ext: readonly number[]): Shape[] {
  return [[], ...ext.map((a) => [a]), ...ext.flatMap((a) => ext.map((b) => [a, b]))];
}

/** A tensor primitive's arguments' shapes and result shape at extents d (from one trial application). */
function signature(p: TensorPrimitive, d: readonly number[]): { args: readonly Shape[]; out: Shape } | undefined {
  const args = p.shapes(d);
  try {
    const trial = args.map((s, i) => {
      const [lo, hi] = p.domain.args[Math.min(i, p.domain.args.length - 1)];
      return tensor(new Array<number>(sizeOf(s)).fill((lo + hi) / 2), s);
    });
    return { args, out: shapeOfValue(p.apply(trial)) };
  } catch {
    return undefined;
  }
}

/** All tuples of `dims` values from `ext`. */
function allExtents(dims: number, ext: readonly number[]): number[][] {
  let out: number[][] = [[]];
  for (let i = 0; i < dims; i++) out = out.flatMap((d) => ext.map((e) => [...d, e]));
  return out;
}

const constValues = (s: Shape): fc.Arbitrary<number[]> =>
  fc.array(fc.integer({ min: -32, max: 32 }).map((n) => n / 16), { minLength: sizeOf(s), maxLength: sizeOf(s) });

const fitsFor = (n: number): fc.Arbitrary<boolean[]> => fc.array(fc.boolean(), { minLength: n, maxLength: n });

function rawExpressions(
  elems: readonly Primitive[],
  tensors: readonly TensorPrimitive[],
  extents: readonly number[],
  nested: boolean,
): (shape: Shape, depth: number) => fc.Arbitrary<Raw> {
  const shapes = shapesOf(extents);
  const fitsIn = (s: Shape) => s.length <= 2 && s.every((e) => extents.includes(e));
  // the tensor catalogue by result shape: for each primitive, the extents giving that shape (every
  // argument's and the result's shape made of the allowed extents)
  const byShape = new Map<string, Map<number, number[][]>>();
  const candidates = [...new Set(extents.flatMap((e) => [e - 1, e, e + 1]).filter((e) => e >= 1))];
  tensors.forEach((p, i) => {
    for (const d of allExtents(p.dims, candidates)) {
      const sig = signature(p, d);
      if (sig === undefined || !fitsIn(sig.out) || !sig.args.every((a) => a.length > 0 && fitsIn(a))) continue;
      const m = byShape.get(key(sig.out)) ?? new Map<number, number[][]>();
      byShape.set(key(sig.out), m);
      m.set(i, [...(m.get(i) ?? []), d]);
    }
  });
  // argument shapes for an elementwise primitive with result shape s: equal shapes half of the time
  const argShapes = (p: Primitive, s: Shape): fc.Arbitrary<Shape[]> | undefined => {
    if (p.arity === 1) return fc.constant([s]);
    if (p.arity > 2) return s.length === 0 ? fc.constant(Array.from({ length: p.arity }, (): Shape => [])) : undefined;
    const pairs = shapes.flatMap((a) => shapes.filter((b) => sameShape(broadcastShape([a, b]), s)).map((b): Shape[] => [a, b]));
    const others = pairs.filter(([a, b]) => key(a) !== key(s) || key(b) !== key(s));
    return others.length === 0
      ? fc.constant([s, s])
      : fc.oneof({ arbitrary: fc.constant<Shape[]>([s, s]), weight: others.length }, ...others.map((pair) => ({ arbitrary: fc.constant(pair), weight: 1 })));
  };

  const memo = new Map<string, fc.Arbitrary<Raw>>();
  const leaf = (s: Shape): fc.Arbitrary<Raw> =>
    fc.oneof(
      // index 0 (the innermost binding of the shape) is the likeliest, so bound values are used several times
      { arbitrary: fc.constant<Raw>({ k: "var", index: 0 }), weight: 4 },
      { arbitrary: fc.nat({ max: 3 }).map((index): Raw => ({ k: "var", index })), weight: 2 },
      { arbitrary: constValues(s).map((values): Raw => ({ k: "const", values })), weight: 1 },
    );
  const app = (s: Shape, depth: number): fc.Arbitrary<Raw>[] => {
    const sub = (t: Shape) => expr(t, depth - 1);
    const elementwise = elems.flatMap((p, i) => {
      const shapesOf = argShapes(p, s);
      if (shapesOf === undefined) return [];
      return [
        shapesOf.chain((ss) =>
          fc.tuple(fc.tuple(...ss.map(sub)), fitsFor(ss.length)).map(([args, fits]): Raw => ({ k: "elem", p: i, shapes: ss, args, fits })),
        ),
      ];
    });
    const structured = [...(byShape.get(key(s)) ?? new Map<number, number[][]>()).entries()].map(([i, ds]) =>
      fc.constantFrom(...ds).chain((d) => {
        const ss = tensors[i].shapes(d);
        return fc.tuple(fc.tuple(...ss.map(sub)), fitsFor(ss.length)).map(([args, fits]): Raw => ({ k: "tensor", p: i, d, args, fits }));
      }),
    );
    const out: fc.Arbitrary<Raw>[] = [];
    if (elementwise.length > 0) out.push(fc.oneof(...elementwise));
    if (structured.length > 0) out.push(fc.oneof(...structured));
    return out;
  };
  const expr = (s: Shape, depth: number): fc.Arbitrary<Raw> => {
    const k = `${key(s)}@${depth}`;
    const known = memo.get(k);
    if (known !== undefined) return known;
    if (depth <= 0) {
      const l = leaf(s);
      memo.set(k, l);
      return l;
    }
    const sub = (t: Shape) => expr(t, depth - 1);
    const apps = app(s, depth);
    const options: fc.WeightedArbitrary<Raw>[] = [{ arbitrary: leaf(s), weight: 2 }];
    for (const a of apps) options.push({ arbitrary: a, weight: Math.floor(6 / apps.length) }); // weights are integers
    // a let's body is an application, so the bound value is often used more than once (a shared node)
    options.push({
      arbitrary: fc
        .constantFrom(...shapes)
        .chain((b) => fc.record({ bound: sub(b), body: fc.oneof(...apps) }).map((r): Raw => ({ k: "let", shape: b, ...r }))),
      weight: 2,
    });
    if (nested) {
      const nest = (how: Nested, paramShape: Shape, bodyShape: Shape, direction: fc.Arbitrary<number[]>) =>
        fc
          .record({ body: sub(bodyShape), at: sub(paramShape), direction })
          .map((r): Raw => ({ k: "nested", how, paramShape, bodyShape, ...r }));
      const kinds: fc.Arbitrary<Raw>[] = [
        nest("grad", s, [], fc.constant([])),
        fc.constantFrom(...shapes).chain((p) => nest("jvp", p, s, constValues(p))),
        fc.constantFrom(...shapes).chain((b) => nest("vjp", s, b, constValues(b))),
      ];
      if (s.length === 0) kinds.push(nest("derivative", [], [], fc.constant([])));
      options.push({ arbitrary: fc.oneof(...kinds), weight: 1 });
    }
    // shrinking may replace any node by a leaf (the first option), so counterexamples come out small
    const a = fc.oneof({ withCrossShrink: true }, ...options);
    memo.set(k, a);
    return a;
  };
  return expr;
}

/** What building a program needs: its primitives, its inputs, and counters to name bindings. */
interface Context {
  readonly elems: readonly Primitive[];
  readonly tensors: readonly TensorPrimitive[];
  readonly inputs: number;
  lets: number;
  params: number;
}

type Binding = { readonly name: string; readonly shape: Shape };

const valueOf = (values: readonly number[], s: Shape): number | Tensor => (s.length === 0 ? values[0] : tensor(values, s));

/** Resolves variables against the scope (by shape first) and names the bindings (v1, … for lets; y1, … for parameters). */
function build(raw: Raw, shape: Shape, scope: readonly Binding[], ctx: Context): TensorExpr {
  const sub = (r: Raw, s: Shape, sc = scope) => build(r, s, sc, ctx);
  const fitted = (args: readonly TensorExpr[], fits: readonly boolean[], domain: Primitive["domain"]) =>
    args.map((arg, i): TensorExpr => {
      if (!fits[i]) return arg;
      const [lo, hi] = domain.args[Math.min(i, domain.args.length - 1)];
      return { op: "fit", lo, hi, arg, shape: arg.shape };
    });
  switch (raw.k) {
    case "var": {
      // innermost binding first (lets and parameters), then the inputs; of the wanted shape if any
      const order = [...scope.slice(ctx.inputs).reverse(), ...scope.slice(0, ctx.inputs)];
      const matching = order.filter((b) => key(b.shape) === key(shape));
      if (matching.length > 0) {
        const b = matching[raw.index % matching.length];
        return { op: "var", name: b.name, shape };
      }
      const b = order[raw.index % order.length];
      const arg: TensorExpr = { op: "var", name: b.name, shape: b.shape };
      return { op: "adapt", how: broadcastsTo(b.shape, shape) ? "broadcast" : "mean", arg, shape };
    }
    case "const":
      return { op: "const", value: valueOf(raw.values, shape), shape };
    case "elem": {
      const prim = ctx.elems[raw.p];
      return { op: "elementwise", prim, args: fitted(raw.args.map((a, i) => sub(a, raw.shapes[i])), raw.fits, prim.domain), shape };
    }
    case "tensor": {
      const prim = ctx.tensors[raw.p];
      const ss = prim.shapes(raw.d);
      return { op: "tensor", prim, extents: raw.d, args: fitted(raw.args.map((a, i) => sub(a, ss[i])), raw.fits, prim.domain), shape };
    }
    case "let": {
      const bound = sub(raw.bound, raw.shape);
      const name = `v${++ctx.lets}`;
      return { op: "let", name, bound, body: sub(raw.body, shape, [...scope, { name, shape: raw.shape }]), shape };
    }
    case "nested": {
      const param = `y${++ctx.params}`;
      const body = sub(raw.body, raw.bodyShape, [...scope, { name: param, shape: raw.paramShape }]);
      const at = sub(raw.at, raw.paramShape);
      const direction = raw.how === "jvp" ? valueOf(raw.direction, raw.paramShape) : raw.how === "vjp" ? valueOf(raw.direction, raw.bodyShape) : undefined;
      return { op: raw.how, param, paramShape: raw.paramShape, body, at, direction, shape };
    }
  }
}

/**
 * Random tensor programs of the given form.
 * @example
 * fc.sample(tensorPrograms({ inputs: [[2, 3]], outputs: [[]] }), 5).every((p) => p.inputs[0].shape.length === 2 && p.outputs[0].shape.length === 0); // => true
 */
export function tensorPrograms(options: TensorProgramOptions = {}): fc.Arbitrary<TensorProgram> {
  const {
    inputs = 2, outputs = 1, maxExtent = 3, maxDepth = 4, elementwise = scalarCatalogue, tensors = tensorCatalogue, nested = true,
  } = options;
  const extents = options.extents ?? Array.from({ length: maxExtent }, (_, i) => i + 1);
  const expr = rawExpressions(elementwise, tensors, extents, nested);
  const anyShape = fc.constantFrom(...shapesOf(extents));
  const drawShapes = (n: number | readonly Shape[]) =>
    typeof n === "number" ? fc.array(anyShape, { minLength: n, maxLength: n }) : fc.constant([...n]);
  return fc.tuple(drawShapes(inputs), drawShapes(outputs)).chain(([ins, outs]) =>
    fc.tuple(...outs.map((s) => expr(s, maxDepth))).map((raws): TensorProgram => {
      const scope = ins.map((shape, i) => ({ name: `x${i}`, shape }));
      const ctx: Context = { elems: elementwise, tensors, inputs: ins.length, lets: 0, params: 0 };
      return { inputs: scope, outputs: raws.map((r, i) => build(r, outs[i], scope, ctx)) };
    }),
  );
}

/**
 * Told of every primitive application while a program runs: the node and its arguments.
 * @example
 * const [sinPrimitive] = primitives.filter((p) => p.name === "sin");
 * const program: TensorProgram = {
 *   inputs: [{ name: "x", shape: [] }],
 *   outputs: [{ op: "elementwise", prim: sinPrimitive, args: [{ op: "var", name: "x", shape: [] }], shape: [] }],
 * };
 * const seen: string[] = [];
 * const observe: TensorObserver = (node) => seen.push(node.prim.name);
 * runTensorProgram(program, observe)([1]);
 * seen; // => ["sin"]
 */
export type TensorObserver = (node: Extract<TensorExpr, { op: "elementwise" | "tensor" }>, args: readonly TensorValue[]) => void;

type Compiled = (env: readonly TensorValue[]) => TensorValue;

// Nested transforms on values of any shape: the closures' types are only known at run time.
const nestedGrad = grad as unknown as (f: (y: TensorValue) => Real) => (x: TensorValue) => TensorValue;
const nestedJvp = jvp as unknown as (f: (y: TensorValue) => TensorValue, x: TensorValue, v: TensorValue) => readonly [TensorValue, TensorValue];
const nestedVjp = vjp as unknown as (f: (y: TensorValue) => TensorValue, x: TensorValue) => readonly [TensorValue, (u: TensorValue) => TensorValue];
const fit = fitInto as unknown as (lo: number, hi: number, e: TensorValue) => TensorValue;

function compile(e: TensorExpr, scope: readonly string[], observe?: TensorObserver): Compiled {
  switch (e.op) {
    case "var": {
      const i = scope.lastIndexOf(e.name);
      return (env) => env[i];
    }
    case "const":
      return () => e.value;
    case "elementwise":
    case "tensor": {
      const args = e.args.map((a) => compile(a, scope, observe));
      const apply = e.op === "elementwise" ? (xs: readonly TensorValue[]) => e.prim.apply(xs as readonly Real[]) : (xs: readonly TensorValue[]) => e.prim.apply(xs as readonly Tensor[]);
      return (env) => {
        const xs = args.map((a) => a(env));
        observe?.(e, xs);
        return apply(xs);
      };
    }
    case "fit": {
      const arg = compile(e.arg, scope, observe);
      return (env) => fit(e.lo, e.hi, arg(env));
    }
    case "adapt": {
      const arg = compile(e.arg, scope, observe);
      const target = e.shape.length === 0 ? 0 : zeros(e.shape);
      // broadcasting by adding zeros of the target shape; otherwise the mean, broadcast the same way
      const reduce = (v: TensorValue): TensorValue => (e.how === "broadcast" || e.arg.shape.length === 0 ? v : mean(v as Tensor));
      return (env) => add(reduce(arg(env)) as Tensor, target);
    }
    case "let": {
      const bound = compile(e.bound, scope, observe);
      const body = compile(e.body, [...scope, e.name], observe);
      // the bound value is computed once and used wherever the body names it: a shared subexpression
      return (env) => body([...env, bound(env)]);
    }
    default: {
      const body = compile(e.body, [...scope, e.param], observe);
      const at = compile(e.at, scope, observe);
      const closure = (env: readonly TensorValue[]) => (y: TensorValue) => body([...env, y]);
      const direction = e.direction as TensorValue;
      switch (e.op) {
        case "derivative":
          return (env) => derivative(closure(env) as (y: Real) => Real)(at(env) as Real);
        case "grad":
          return (env) => nestedGrad(closure(env) as (y: TensorValue) => Real)(at(env));
        case "jvp":
          return (env) => nestedJvp(closure(env), at(env), direction)[1];
        case "vjp":
          return (env) => nestedVjp(closure(env), at(env))[1](direction);
      }
    }
  }
}

/**
 * The program as a function from its inputs to its outputs (a fresh array each call).
 * @example
 * const [sinPrimitive] = primitives.filter((p) => p.name === "sin");
 * const program: TensorProgram = {
 *   inputs: [{ name: "x", shape: [2] }],
 *   outputs: [{ op: "elementwise", prim: sinPrimitive, args: [{ op: "var", name: "x", shape: [2] }], shape: [2] }],
 * };
 * runTensorProgram(program)([tensor([0, Math.PI / 2])]); // => [tensor([0, 1])]
 */
export function runTensorProgram(program: TensorProgram, observe?: TensorObserver): (x: readonly TensorValue[]) => TensorValue[] {
  const names = program.inputs.map((i) => i.name);
  const outputs = program.outputs.map((o) => compile(o, names, observe));
  return (x) => {
    if (x.length !== names.length) throw new RangeError(`program: expected ${names.length} inputs, got ${x.length}`);
    return outputs.map((o) => o(x));
  };
}

/**
 * One primitive application of a run: the node, and its arguments' plain elements and shapes.
 * @example
 * const [expPrimitive] = primitives.filter((p) => p.name === "exp");
 * const program: TensorProgram = {
 *   inputs: [{ name: "x", shape: [] }],
 *   outputs: [{ op: "elementwise", prim: expPrimitive, args: [{ op: "var", name: "x", shape: [] }], shape: [] }],
 * };
 * const [first]: Application[] = traceTensorProgram(program, [0.5]);
 * [first.node.prim.name, first.shapes, first.elements]; // => ["exp", [[]], [[0.5]]]
 */
export interface Application {
  readonly node: Extract<TensorExpr, { op: "elementwise" | "tensor" }>;
  readonly shapes: readonly Shape[];
  readonly elements: readonly (readonly number[])[];
}

/**
 * Every primitive application of a run at `x`, in order, with its arguments' plain values (nested transforms included).
 * @example
 * const [sinPrimitive] = primitives.filter((p) => p.name === "sin");
 * const program: TensorProgram = {
 *   inputs: [{ name: "x", shape: [2] }],
 *   outputs: [{ op: "elementwise", prim: sinPrimitive, args: [{ op: "var", name: "x", shape: [2] }], shape: [2] }],
 * };
 * traceTensorProgram(program, [tensor([1, 2])]).map((a) => a.elements); // => [[[1, 2]]]
 */
export function traceTensorProgram(program: TensorProgram, x: readonly TensorValue[]): Application[] {
  const seen: Application[] = [];
  runTensorProgram(program, (node, args) => {
    const plain = args.map((a) => primal(a as Real) as unknown);
    seen.push({ node, shapes: plain.map(shapeOfValue), elements: plain.map(elementsOfValue) });
  })(x);
  return seen;
}

// ---------------------------------------------------------------------------------------------
// printing

const showShape = key;
const showConst = (v: number | Tensor): string => (typeof v === "number" ? (v < 0 ? `(${v})` : String(v)) : show(v).replace(/^tensor\((.*)\)$/, "$1"));

/** `matmul⟨[n,k]×[k,m]⟩`: a catalogue name with its pattern or axis set apart. */
const showTensorPrim = (name: string): string => {
  const space = name.indexOf(" ");
  return space < 0 ? name : `${name.slice(0, space)}⟨${name.slice(space + 1)}⟩`;
};

/**
 * An expression as readable source.
 * @example
 * const [sinPrimitive] = primitives.filter((p) => p.name === "sin");
 * showTensorExpr({ op: "elementwise", prim: sinPrimitive, args: [{ op: "var", name: "x", shape: [2] }], shape: [2] }); // => "sin(x)"
 */
export function showTensorExpr(e: TensorExpr): string {
  switch (e.op) {
    case "var":
      return e.name;
    case "const":
      return showConst(e.value);
    case "elementwise":
      return `${e.prim.name}(${e.args.map(showTensorExpr).join(", ")})`;
    case "tensor":
      return `${showTensorPrim(e.prim.name)}(${e.args.map(showTensorExpr).join(", ")})`;
    case "fit":
      return `fit[${e.lo}, ${e.hi}](${showTensorExpr(e.arg)})`;
    case "adapt":
      return `${e.how}→${showShape(e.shape)}(${showTensorExpr(e.arg)})`;
    case "let":
      return `(let ${e.name}: ${showShape(e.bound.shape)} = ${showTensorExpr(e.bound)} in ${showTensorExpr(e.body)})`;
    case "derivative":
    case "grad":
      return `${e.op}((${e.param}: ${showShape(e.paramShape)}) => ${showTensorExpr(e.body)})(${showTensorExpr(e.at)})`;
    case "jvp":
      return `jvp((${e.param}: ${showShape(e.paramShape)}) => ${showTensorExpr(e.body)}, ${showTensorExpr(e.at)}, ${showConst(e.direction!)})[1]`;
    case "vjp":
      return `vjp((${e.param}: ${showShape(e.paramShape)}) => ${showTensorExpr(e.body)}, ${showTensorExpr(e.at)})[1](${showConst(e.direction!)})`;
  }
}

/**
 * A program as readable source: `([x0: [2,3], x1: []]) => [ … ]`.
 * @example
 * const [sinPrimitive] = primitives.filter((p) => p.name === "sin");
 * const program: TensorProgram = {
 *   inputs: [{ name: "x", shape: [2] }],
 *   outputs: [{ op: "elementwise", prim: sinPrimitive, args: [{ op: "var", name: "x", shape: [2] }], shape: [2] }],
 * };
 * showTensorProgram(program); // => "([x: [2]]) => [sin(x)]"
 */
export const showTensorProgram = (p: TensorProgram): string =>
  `([${p.inputs.map((i) => `${i.name}: ${showShape(i.shape)}`).join(", ")}]) => [${p.outputs.map(showTensorExpr).join(", ")}]`;

// ---------------------------------------------------------------------------------------------
// programs as subjects

const intervalOf = (domain: Primitive["domain"], i: number): readonly [number, number] => domain.args[Math.min(i, domain.args.length - 1)];

/**
 * Whether `program` is valid at `x`: every element of every argument that was not fitted into its
 * primitive's domain lies inside it (nested transforms included), and every output is finite.
 * @example
 * const [logPrimitive] = primitives.filter((p) => p.name === "log");
 * const program: TensorProgram = {
 *   inputs: [{ name: "x", shape: [2] }],
 *   outputs: [{ op: "elementwise", prim: logPrimitive, args: [{ op: "var", name: "x", shape: [2] }], shape: [2] }],
 * };
 * [tensorValidAt(program, [tensor([1, 2])]), tensorValidAt(program, [tensor([1, -2])])]; // => [true, false]
 */
export function tensorValidAt(program: TensorProgram, x: readonly TensorValue[]): boolean {
  let ok = true;
  const ys = runTensorProgram(program, (node, args) => {
    node.args.forEach((a, i) => {
      if (a.op === "fit" || !ok) return;
      const [lo, hi] = intervalOf(node.prim.domain, i);
      if (!elementsOfValue(primal(args[i] as Real)).every((v) => v > lo && v < hi)) ok = false;
    });
  })(x);
  return ok && ys.every((y) => elementsOfValue(primal(y as Real)).every(Number.isFinite));
}

/**
 * Whether `program` is smooth on the segment x ± s: at every application of a primitive with kinks,
 * every broadcast tuple of its arguments stays more than twice as far from the kink as it moves (ℓ₁)
 * between x and either end. Derivatives inside nested transforms are covered the same way.
 * @example
 * const [absPrimitive] = primitives.filter((p) => p.name === "abs");
 * const program: TensorProgram = {
 *   inputs: [{ name: "x", shape: [2] }],
 *   outputs: [{ op: "elementwise", prim: absPrimitive, args: [{ op: "var", name: "x", shape: [2] }], shape: [2] }],
 * };
 * tensorSmoothOn(program)([tensor([1, -1])], [tensor([0.1, 0.1])]); // => true
 * tensorSmoothOn(program)([tensor([1, 0.01])], [tensor([0.1, 0.1])]); // => false
 */
export function tensorSmoothOn(program: TensorProgram): (x: readonly TensorValue[], s: readonly TensorValue[]) => boolean {
  return (xr, sr) => {
    const x = xr.map((v) => primal(v as Real) as TensorValue);
    const s = sr.map((v) => primal(v as Real) as TensorValue);
    const centre = traceTensorProgram(program, x);
    const ends = [1, -1].map((sign) => traceTensorProgram(program, x.map((xi, i) => add(xi as Tensor, mul(sign, s[i] as Tensor)))));
    if (ends.some((e) => e.length !== centre.length)) return false;
    return centre.every(({ node, shapes, elements }, k) => {
      const { kinkDistance } = node.prim.domain;
      if (kinkDistance === undefined) return true;
      const at = broadcastTuples(shapes, elements);
      const moves = ends.map((e) => broadcastTuples(shapes, e[k].elements));
      return at.every((t, j) => kinkDistance(t) > 2 * Math.max(...moves.map((m) => m[j].reduce((acc, mj, i) => acc + Math.abs(mj - t[i]), 0))));
    });
  };
}

/** Inputs for a program: nice numbers in (−3, 3), tensors of the inputs' shapes. */
const inputsFor = (program: TensorProgram): fc.Arbitrary<TensorValue[]> =>
  fc.tuple(
    ...program.inputs.map(({ shape }) => {
      const n = sizeOf(shape);
      return fc.array(nice(-3, 3), { minLength: n, maxLength: n }).map((xs) => valueOf(xs, shape) as TensorValue);
    }),
  );

/** A program with a valid input. */
function valid(options: TensorProgramOptions): fc.Arbitrary<{ program: TensorProgram; x: TensorValue[] }> {
  return tensorPrograms(options)
    .chain((program) => inputsFor(program).map((x) => ({ program, x })))
    .filter(({ program, x }) => tensorValidAt(program, x));
}

const label = (program: TensorProgram, x: unknown) => () => `program ${showTensorProgram(program)} at x = ${show(x)}`;

/**
 * A tensor program as a subject: the function, where it is smooth, and the program for printing.
 * @example
 * const [instance] = fc.sample(tensorScalarPrograms(), { numRuns: 1, seed: 7 });
 * const subject: TensorProgramSubject<Real, Real> = instance;
 * typeof subject.f(instance.x); // => "number"
 */
export type TensorProgramSubject<X, Y> = Smooth<X, Y> & { readonly program: TensorProgram };

/**
 * Random tensor programs with valid inputs, as functions between arrays of tensors and Reals.
 * @example
 * checkFiniteDifferences(tensorVectorPrograms(), { runs: 5 }); // => undefined
 */
export function tensorVectorPrograms(
  options: TensorProgramOptions = {},
): fc.Arbitrary<Instance<TensorProgramSubject<readonly TensorValue[], readonly TensorValue[]>, readonly TensorValue[]>> {
  return valid(options).map(({ program, x }) =>
    labelled({ program, f: runTensorProgram(program), x, smoothOn: tensorSmoothOn(program) }, label(program, x)),
  );
}

/**
 * Random tensor programs with one output of shape `[]`, as `f: (Tensor | Real)[] → Real` (for the second-order laws).
 * @example
 * checkHvpMatchesHessian(tensorRealPrograms(), { runs: 5 }); // => undefined
 */
export function tensorRealPrograms(
  options: TensorProgramOptions = {},
): fc.Arbitrary<Instance<TensorProgramSubject<readonly TensorValue[], Real>, readonly TensorValue[]>> {
  return valid({ ...options, outputs: [[]] }).map(({ program, x }) => {
    const f = runTensorProgram(program);
    return labelled({ program, f: (xs: readonly TensorValue[]) => f(xs)[0] as Real, x, smoothOn: tensorSmoothOn(program) }, label(program, x));
  });
}

/**
 * Random tensor programs of one Real input and one Real output (tensors inside), as `f: Real → Real`.
 * @example
 * checkPerturbationConfusion(tensorScalarPrograms(), { runs: 5 }); // => undefined
 */
export function tensorScalarPrograms(options: TensorProgramOptions = {}): fc.Arbitrary<Instance<TensorProgramSubject<Real, Real>, number>> {
  return valid({ ...options, inputs: [[]], outputs: [[]] }).map(({ program, x }) => {
    const f = runTensorProgram(program);
    const smooth = tensorSmoothOn(program);
    return labelled(
      { program, f: (t: Real) => f([t])[0] as Real, x: x[0] as number, smoothOn: (t: Real, s: Real) => smooth([t], [s]) },
      label(program, x[0]),
    );
  });
}

/**
 * Two tensor programs `g` and `f`, f's inputs shaped as g's outputs, valid at x and at g(x).
 * @example
 * checkJacobianChainRule(tensorComposedPrograms(), { runs: 5 }); // => undefined
 */
export function tensorComposedPrograms(
  inner: TensorProgramOptions = {},
  outer: TensorProgramOptions = {},
): fc.Arbitrary<Instance<Composition<readonly TensorValue[], readonly TensorValue[], readonly TensorValue[]>, readonly TensorValue[]>> {
  // f is redrawn until valid at g(x), keeping g: cheaper than redrawing both
  return valid(inner)
    .chain((g) => {
      const z = runTensorProgram(g.program)(g.x);
      return tensorPrograms({ ...outer, inputs: g.program.outputs.map((o) => o.shape) })
        .filter((f) => tensorValidAt(f, z))
        .map((f) => ({ g, f }));
    })
    .map(({ g, f }) =>
      labelled(
        { f: runTensorProgram(f), g: runTensorProgram(g.program), x: g.x },
        () => `f = ${showTensorProgram(f)}, g = ${showTensorProgram(g.program)} at x = ${show(g.x)}`,
      ),
    );
}

/**
 * Two tensor programs with the same input and output shapes, both valid at x.
 * @example
 * checkProductRule(tensorPairedPrograms(), { runs: 5 }); // => undefined
 */
export function tensorPairedPrograms(
  options: TensorProgramOptions = {},
): fc.Arbitrary<Instance<Pair<readonly TensorValue[], readonly TensorValue[]>, readonly TensorValue[]>> {
  // g is redrawn until valid at x, keeping f and x
  return valid(options)
    .chain((a) =>
      tensorPrograms({ ...options, inputs: a.program.inputs.map((i) => i.shape), outputs: a.program.outputs.map((o) => o.shape) })
        .filter((g) => tensorValidAt(g, a.x))
        .map((g) => ({ a, g })),
    )
    .map(({ a, g }) =>
      labelled(
        { f: runTensorProgram(a.program), g: runTensorProgram(g), x: a.x },
        () => `f = ${showTensorProgram(a.program)}, g = ${showTensorProgram(g)} at x = ${show(a.x)}`,
      ),
    );
}

/**
 * Random tensor programs with batched inputs, as subjects of the vmap law.
 * @example
 * const options: TensorBatchOptions = { inputs: [[2]], outputs: 1, maxSize: 2 };
 * checkVmapStacking(tensorBatchedPrograms(options), { runs: 5 }); // => undefined
 */
export interface TensorBatchOptions extends TensorProgramOptions {
  /** The largest number of examples in a batch (default 3; at least 1). */
  readonly maxSize?: number;
}

/**
 * Random tensor programs applied to a batch: each input is mapped (its examples along a random axis,
 * negative half of the time) or shared (null), at least one mapped; each output's examples go to a
 * random axis. Every example is a valid input of the program (example 0 as drawn; the others redraw the
 * mapped inputs until valid, the shared ones kept).
 * @example
 * checkVmapStacking(tensorBatchedPrograms({ maxSize: 3 }), { runs: 5 }); // => undefined
 */
export function tensorBatchedPrograms(
  options: TensorBatchOptions = {},
): fc.Arbitrary<Instance<Batched<readonly TensorValue[], TensorValue[]> & { readonly program: TensorProgram }, readonly TensorValue[]>> {
  const { maxSize = 3 } = options;
  const axisFor = (rank: number): fc.Arbitrary<number> => fc.integer({ min: -(rank + 1), max: rank });
  return valid(options).chain(({ program, x }) => {
    const ranks = program.inputs.map((i) => i.shape.length);
    const inAxes = fc
      .tuple(...ranks.map((r) => fc.option(axisFor(r), { nil: null, freq: 4 })))
      .filter((axes) => axes.some((a) => a !== null));
    const outAxes = fc.tuple(...program.outputs.map((o) => axisFor(o.shape.length)));
    return fc.tuple(inAxes, outAxes, fc.integer({ min: 1, max: maxSize })).chain(([ins, outs, size]) => {
      // the other examples: the mapped inputs redrawn until the program is valid there
      const another = inputsFor(program)
        .map((xs) => xs.map((xi, i) => (ins[i] === null ? x[i] : xi)))
        .filter((xs) => tensorValidAt(program, xs));
      return fc.array(another, { minLength: size - 1, maxLength: size - 1 }).map((rest) => {
        const examples = [x, ...rest];
        const batch = ins.map((a, i) => (a === null ? x[i] : stackAlong(examples.map((e) => e[i]), a)));
        return labelled(
          { program, f: runTensorProgram(program), x: batch, inAxes: ins, outAxes: outs },
          () => `program ${showTensorProgram(program)} with inAxes ${show(ins)}, outAxes ${show(outs)} at x = ${show(batch)}`,
        );
      });
    });
  });
}
