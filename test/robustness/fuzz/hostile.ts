// Hostile arguments for the fuzz suite: what a careless user or an attacker may hand any public
// function. Each is generated as a recipe (a name fast-check prints and shrinks) and built fresh for
// every call, so that a call that mutates or freezes its argument is caught on that call alone.
import fc from "fast-check";
import * as nabla from "../../../src/index.ts";

/** What hostile code itself throws (a getter, a trap, a callback): it may pass through nabla as it is. */
export class Hostile extends Error {
  constructor(where: string, cause?: unknown) {
    super(`hostile ${where}`, { cause });
  }
}

/** The escaped values, made once (a transform must have run and returned). */
let escapedReal: unknown;
let escapedTensor: unknown;
function escaped(): void {
  if (escapedReal !== undefined) return;
  nabla.grad((x: nabla.Real) => {
    escapedReal = x;
    return x;
  })(1);
  nabla.grad((t: nabla.Tensor) => {
    escapedTensor = nabla.exp(t);
    return nabla.sum(t);
  })(nabla.tensor(Array.from({ length: 2100 }, (_, i) => i / 2100)));
}

const deep = (levels: number, leaf: unknown, wrap: (x: unknown) => unknown): unknown => {
  let t = leaf;
  for (let i = 0; i < levels; i++) t = wrap(t);
  return t;
};

/** Builders of one hostile value each, by name. */
const builders: Record<string, () => unknown> = {
  // numbers at every edge
  zero: () => 0,
  negZero: () => -0,
  one: () => 1,
  minusOne: () => -1,
  half: () => 0.5,
  two: () => 2,
  three: () => 3,
  nan: () => NaN,
  inf: () => Infinity,
  negInf: () => -Infinity,
  subnormal: () => 5e-324,
  maxFloat: () => Number.MAX_VALUE,
  big: () => 1.5e308,
  pow53: () => 2 ** 53,
  pow32: () => 2 ** 32,
  pow32m1: () => 2 ** 32 - 1,
  negPow31: () => -(2 ** 31),
  e21: () => 1e21,
  // other primitives
  undef: () => undefined,
  nul: () => null,
  yes: () => true,
  no: () => false,
  empty: () => "",
  str: () => "abc",
  numStr: () => "1",
  protoStr: () => "__proto__",
  symbol: () => Symbol("hostile"),
  bigint: () => 1n,
  // functions
  fZero: () => () => 0,
  fId: () => (x: unknown) => x,
  fThrow: () => () => {
    throw new Hostile("callback");
  },
  fThrowString: () => () => {
    throw "a string, not an Error";
  },
  fPair: () => (x: unknown) => [x, x],
  fPairFn: () => (x: unknown) => [x, (u: unknown) => u],
  fString: () => () => "s",
  fNaN: () => () => NaN,
  // a callback computing with nabla: what its own ops throw is the callback's error, not the caller's
  fSquare: () => (x: unknown) => {
    try {
      return nabla.mul(x as nabla.Real, x as nabla.Real);
    } catch (e) {
      throw new Hostile("callback", e);
    }
  },
  fAsync: () => async () => 0,
  fEscape: () => (x: unknown) => ((escapedReal = escapedReal ?? x), 0),
  // arrays
  arr0: () => [],
  arr3: () => [1, 2, 3],
  arr2x2: () => [[1, 2], [3, 4]],
  ragged: () => [[1, 2], [3]],
  // biome-ignore lint/suspicious/noSparseArray: a hole on purpose
  holes: () => [1, , 3],
  nanArr: () => [NaN, Infinity, -0],
  strArr: () => ["a", "b"],
  cyclicArr: () => {
    const a: unknown[] = [1];
    a.push(a);
    return a;
  },
  deepArr: () => deep(300, 1, (x) => [x]),
  hugeSparse: () => {
    const a = [1, 2];
    a.length = 2 ** 32 - 1;
    return a;
  },
  frozenArr: () => Object.freeze([1, 2]),
  getterArr: () => {
    const a = [1, 2];
    Object.defineProperty(a, 1, { get: () => { throw new Hostile("array getter"); }, enumerable: true });
    return a;
  },
  proxyArr: () => new Proxy([1, 2], {}),
  // records
  rec0: () => ({}),
  recA: () => ({ a: 1 }),
  recNested: () => ({ a: 1, b: [2, 3] }),
  recParams: () => ({ w: nabla.tensor([[1, 2], [3, 4]]), b: nabla.tensor([0.5, -0.5]) }),
  frozenRec: () => Object.freeze({ a: 1, b: Object.freeze([2]) }),
  sealedRec: () => Object.seal({ a: 1 }),
  getterThrows: () => ({ a: 1, get b() { throw new Hostile("getter"); } }),
  getterChanges: () => {
    let n = 0;
    return { get a() { return n++ % 2 === 0 ? 1 : "changed"; }, b: 2 };
  },
  protoKey: () => JSON.parse('{"__proto__": {"polluted": 1}, "a": 1}'),
  constructorKey: () => ({ constructor: { prototype: { polluted: 1 } }, a: 1 }),
  nullProto: () => Object.assign(Object.create(null), { a: 1, b: 2 }),
  proxyRec: () => new Proxy({ a: 1 }, {}),
  throwingProxy: () =>
    new Proxy({ a: 1 }, {
      get: () => { throw new Hostile("get trap"); },
      ownKeys: () => { throw new Hostile("ownKeys trap"); },
      getPrototypeOf: () => { throw new Hostile("getPrototypeOf trap"); },
      has: () => { throw new Hostile("has trap"); },
    }),
  revokedProxy: () => {
    const { proxy, revoke } = Proxy.revocable({ a: 1 }, {});
    revoke();
    return proxy;
  },
  cyclicRec: () => {
    const r: Record<string, unknown> = { a: 1 };
    r.self = r;
    return r;
  },
  deepRec: () => deep(300, 1, (x) => ({ a: x })),
  date: () => new Date(0),
  map: () => new Map([["a", 1]]),
  arrayLike: () => ({ length: 3, 0: 1, 1: 2, 2: 3 }),
  hugeArrayLike: () => ({ length: 2 ** 53 }),
  throwingToString: () => ({ toString: () => { throw new Hostile("toString"); }, valueOf: () => { throw new Hostile("valueOf"); } }),
  // nabla's own values
  t1: () => nabla.tensor([1, 2, 3]),
  t2: () => nabla.tensor([[1, 2], [3, 4]]),
  t0: () => nabla.tensor(5),
  tEmpty: () => nabla.zeros([0]),
  tBig: () => nabla.tensor(Array.from({ length: 2100 }, (_, i) => Math.sin(i))),
  tNaN: () => nabla.tensor([NaN, Infinity, -Infinity]),
  key: () => nabla.key(0),
  escapedReal: () => (escaped(), escapedReal),
  escapedTensor: () => (escaped(), escapedTensor),
  dual: () => nabla.dual(1, 1),
  optimizerLike: () => ({ init: () => ({}), update: (_g: unknown, s: unknown, p: unknown) => [p, s] }),
  layerLike: () => ({ init: () => [[], [1]], apply: (_p: unknown, x: unknown) => x }),
  // typed arrays
  f64: () => new Float64Array([1, 2, 3]),
  i8: () => new Int8Array([1, -1]),
  dataView: () => new DataView(new ArrayBuffer(16)),
  bigint64: () => new BigInt64Array([1n]),
};

export type Recipe = string | number | { readonly arr: readonly Recipe[] } | { readonly rec: Readonly<Record<string, Recipe>> };

const names = Object.keys(builders);

/** A hostile value's recipe: a named builder, any double, or a small array or record of recipes. */
export const recipe: fc.Arbitrary<Recipe> = fc.letrec<{ r: Recipe }>((tie) => ({
  r: fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...names) },
    { weight: 2, arbitrary: fc.oneof(fc.double(), fc.integer({ min: -10, max: 10 })) },
    { weight: 1, arbitrary: fc.array(tie("r"), { maxLength: 3 }).map((arr) => ({ arr })) },
    { weight: 1, arbitrary: fc.dictionary(fc.constantFrom("a", "b", "w", "__proto__", "constructor"), tie("r"), { maxKeys: 3 }).map((rec) => ({ rec })) },
  ),
})).r;

/** Arguments for one call: up to four hostile values. */
export const argsOf = fc.array(recipe, { maxLength: 4 });

/** The value a recipe describes, built fresh. */
export function build(r: Recipe): unknown {
  if (typeof r === "number") return r;
  if (typeof r === "string") return builders[r]();
  if ("arr" in r) return r.arr.map(build);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r.rec)) Object.defineProperty(out, k, { value: build(v), enumerable: true, writable: true, configurable: true });
  return out;
}
