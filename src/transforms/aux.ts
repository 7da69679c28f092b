// Auxiliary results (JAX's has_aux): the options argument of grad, valueAndGrad and vjp, and the split
// of a function's `[output, aux]` pair while its tape is open, `aux` read one level down (this
// transform's level stripped, any outer level kept, as every result keeps it).
import { describe } from "../base/errors.ts";
import type { Real, Value } from "../core/protocol.ts";
import { describeValue } from "../tensor/describe.ts";
import type { TapeTrace } from "../interpreters/reverse/trace.ts";
import { splitTracked } from "../interpreters/reverse/split.ts";
import { flatten, unflatten } from "../tree/flatten.ts";

/** The options of `grad`, `valueAndGrad` and `vjp`. */
export interface AuxOptions {
  /** `f` returns `[output, aux]`: only `output` is differentiated, `aux` comes back beside the result. */
  readonly hasAux?: boolean | undefined;
}

/** The options with no auxiliary result (the defaults), and with one. */
export type NoAux = { readonly hasAux?: false | undefined };
export type WithAux = { readonly hasAux: true };

/** grad's and valueAndGrad's options for an `f` returning `R`: optional for a Real, `{ hasAux: true }` for a pair. */
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
 * Splits `[output, aux]` at reverse level `tape` (still open): returns `output` and keeps `aux` as
 * a frozen tree of the values one level down (a TypeError naming the transform when `y` is no pair,
 * or naming the path of a leaf that is not a Real or a Tensor).
 */
export class AuxSplit {
  aux: unknown = undefined;
  constructor(private readonly transform: string) {}

  readonly split = (y: unknown, tape: TapeTrace): unknown => {
    if (!Array.isArray(y) || y.length !== 2) {
      throw new TypeError(
        `${this.transform}: with { hasAux: true } the function must return a pair [output, aux], but returned ${describeValue(y)}`,
      );
    }
    const { leaves, def } = flatten(y[1], this.transform, "the auxiliary result");
    const below = new Array<Value>(leaves.length);
    for (let i = 0; i < leaves.length; i++) below[i] = splitTracked(tape, leaves[i])[0];
    this.aux = unflatten(def, below);
    return y[0];
  };
}
