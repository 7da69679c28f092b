// The cache key of a fused loop: an expression's structure, with its arrays and constants lifted out
// as parameters, so that a repeated computation (every step of a training loop) reuses its loop.
import type { ElementOp, Expr } from "../../expr.ts";

/**
 * An expression's shape for the cache: its structure (ops, shifts, how leaves are read, which leaves
 * share an array, shared subexpressions), with its arrays and constants as the parameters. Two
 * expressions of one signature compile to the same function.
 */
export interface Signature {
  readonly key: string;
  readonly arrays: ReadonlyMap<Float64Array, number>;
  readonly consts: ReadonlyMap<Expr, number>;
  /** Shifts by their number k; a loop may take their bounds as parameters `F${k}`, `T${k}`. */
  readonly shifts: ReadonlyMap<Expr, number>;
  /** The shifts' bounds, F0, T0, F1, T1, …: not in `key` (a loop that bakes them in adds them to its key). */
  readonly bounds: readonly number[];
  /** The arrays, then the constants. */
  readonly params: readonly unknown[];
  readonly names: readonly string[];
}

/** The names of a loop's shift-bound parameters, in the order of `bounds`. */
export const boundNames = (sig: Signature): string[] => [...sig.shifts.values()].flatMap((k) => [`F${k}`, `T${k}`]);

/** A numbering of objects, each getting the next number the first time it is asked for. */
export function numbering<T extends object>(): (x: T) => number {
  const ids = new WeakMap<T, number>();
  let last = 0;
  return (x) => {
    let id = ids.get(x);
    if (id === undefined) ids.set(x, (id = ++last));
    return id;
  };
}

const opId = numbering<ElementOp>();

/**
 * The signature of `expr`, for a loop that writes every value (`write`) or sums them. Shifts' bounds
 * are left out of the key (`bounds`): a loop can take them as parameters (one loop for every slice
 * offset and length), or bake them in when it plans carries on their values (compile.ts decides).
 */
export function signature(expr: Expr, write: boolean): Signature {
  const arrays = new Map<Float64Array, number>();
  const consts = new Map<Expr, number>();
  const shifts = new Map<Expr, number>();
  const arrayValues: Float64Array[] = [];
  const constValues: number[] = [];
  const bounds: number[] = [];
  const seen = new Map<Expr, number>();
  let key = write ? "w" : "s";
  const visit = (e: Expr): void => {
    const again = seen.get(e);
    if (again !== undefined) {
      key += `#${again}`;
      return;
    }
    seen.set(e, seen.size);
    switch (e.kind) {
      case "const":
        consts.set(e, constValues.length);
        key += "c";
        constValues.push(e.value);
        return;
      case "leaf": {
        let a = arrays.get(e.data);
        if (a === undefined) {
          arrays.set(e.data, (a = arrayValues.length));
          arrayValues.push(e.data);
        }
        key += `L${a}${e.access[0]}`;
        return;
      }
      case "op":
        key += `(${opId(e.op)}`;
        for (const arg of e.args) visit(arg);
        key += ")";
        return;
      case "shift":
        shifts.set(e, shifts.size);
        bounds.push(e.from, e.to);
        key += "[";
        visit(e.arg);
        key += "]";
        return;
    }
  };
  visit(expr);
  return {
    key,
    arrays,
    consts,
    shifts,
    bounds,
    params: [...arrayValues, ...constValues],
    names: [...arrayValues.map((_, i) => `L${i}`), ...constValues.map((_, i) => `c${i}`)],
  };
}
