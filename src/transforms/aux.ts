// Auxiliary results (JAX's has_aux): the options argument of grad, valueAndGrad and vjp, and the split
// of a function's `[output, aux]` pair while its tape is open, `aux` read one level down (this
// transform's level stripped, any outer level kept, as every result keeps it).
import { describe } from "../base/errors.ts";
import type { Real } from "../core/protocol.ts";
import { describeValue } from "../tensor/describe.ts";
import { Tracked } from "../interpreters/reverse/tape.ts";
import { splitTracked } from "../interpreters/reverse/split.ts";
import { flatten, unflatten } from "../tree/flatten.ts";
import { isRecord } from "../tree/records.ts";

/**
 * The options of `grad`, `valueAndGrad` and `vjp`.
 * @example
 * const f = (x: Real) => [mul(x, x), { x }] as const;
 * grad(f, { hasAux: true } satisfies AuxOptions)(3); // => [6, { x: 3 }]
 * vjp(f, 3, { hasAux: true } satisfies AuxOptions)[2]; // => { x: 3 }
 * grad(sin, { hasAux: false } satisfies AuxOptions)(0); // => 1
 * grad(sin, { aux: true } as never)(0); // throws TypeError /unknown option "aux"/
 */
export interface AuxOptions {
  /** `f` returns `[output, aux]`: only `output` is differentiated, `aux` comes back beside the result. */
  readonly hasAux?: boolean | undefined;
}

/**
 * The options with no auxiliary result (the defaults): `f` returns its output alone.
 * @example
 * const options: NoAux = { hasAux: false };
 * grad(sin, options)(0); // => 1
 * valueAndGrad((x: Real) => mul(x, x), {})(3); // => [9, 6]
 */
export type NoAux = { readonly hasAux?: false | undefined };
/**
 * The options with an auxiliary result: `f` returns `[output, aux]`, only `output` is differentiated.
 * @example
 * const options: WithAux = { hasAux: true };
 * const f = (x: Real) => [mul(x, x), { x }] as const;
 * grad(f, options)(3); // => [6, { x: 3 }]
 * valueAndGrad(f, options)(3); // => [[9, { x: 3 }], 6]
 */
export type WithAux = { readonly hasAux: true };

/**
 * grad's and valueAndGrad's options for an `f` returning `R`: optional for a Real, `{ hasAux: true }` for a pair.
 * @example
 * const none: OptionsFor<Real> = [];
 * const aux: OptionsFor<readonly [Real, Real]> = [{ hasAux: true }];
 * grad((x: Real) => mul(x, x), ...none)(3); // => 6
 * grad((x: Real) => [mul(x, x), x] as const, ...aux)(3); // => [6, 3]
 */
export type OptionsFor<R> = [R] extends [Real] ? [options?: NoAux] : [options: WithAux];

/** Whether `options` asks for an auxiliary result; `undefined` means the defaults. */
export function hasAux(options: unknown, transform: string): boolean {
  if (options === undefined) return false;
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError(`${transform}: options must be a record such as { hasAux: true }, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (key !== "hasAux") throw new TypeError(`${transform}: unknown option ${JSON.stringify(key)} (the options are: hasAux)`);
  }
  const flag: unknown = (options as AuxOptions).hasAux;
  if (flag !== undefined && typeof flag !== "boolean") {
    throw new TypeError(`${transform}: options.hasAux must be a boolean, got ${describe(flag)}`);
  }
  return flag === true;
}

/**
 * The first leaf of a tree (depth first), or undefined when it has none. The tree is the lifted
 * argument a transform built (no cycles), walked over an explicit stack so any depth works.
 */
function firstLeaf(x: unknown): unknown {
  const stack: { readonly values: readonly unknown[]; i: number }[] = [];
  let v = x;
  for (;;) {
    if (Array.isArray(v)) stack.push({ values: v, i: 0 });
    else if (isRecord(v)) stack.push({ values: Object.values(v), i: 0 });
    else if (v !== undefined) return v;
    let top = stack[stack.length - 1];
    while (top !== undefined && top.i >= top.values.length) {
      stack.pop();
      top = stack[stack.length - 1];
    }
    if (top === undefined) return undefined;
    v = top.values[top.i++];
  }
}

/**
 * The auxiliary result of one call: `output(f)` is `f` returning its output only (a TypeError naming
 * the transform when `f` returns no pair), and keeps `aux` as a frozen tree of its values one level
 * below this transform's tape (the tape every leaf of the argument `f` receives is an input of), or
 * a TypeError naming the path of a leaf that is not a Real or a Tensor.
 */
export class AuxSplit {
  aux: unknown = undefined;
  constructor(private readonly transform: string) {}

  output(f: (x: never) => unknown): (x: unknown) => unknown {
    return (x) => {
      const y = (f as (x: unknown) => unknown)(x);
      if (!Array.isArray(y) || y.length !== 2) {
        throw new TypeError(
          `${this.transform}: with { hasAux: true } the function must return a pair [output, aux], but returned ${describeValue(y)}`,
        );
      }
      // read now, while the tape is open (its values cannot be read once it closes)
      const { leaves, def } = flatten(y[1], this.transform, "the auxiliary result");
      const input = firstLeaf(x);
      // no argument leaf: nothing can be on this tape, every value is of an outer level
      if (input instanceof Tracked) for (let i = 0; i < leaves.length; i++) leaves[i] = splitTracked(input.trace, leaves[i])[0];
      this.aux = unflatten(def, leaves);
      return y[0];
    };
  }
}
