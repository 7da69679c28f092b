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
  /** Shifts whose bounds are parameters (`F${k}`, `T${k}`) rather than part of the key, by their number k. */
  readonly shifts: ReadonlyMap<Expr, number>;
  readonly params: readonly unknown[];
  readonly names: readonly string[];
}

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
 * The signature of `expr`, for a loop that writes every value (`write`) or sums them. With
 * `shiftParams`, a shift's bounds are parameters of the loop (one loop for every slice offset and
 * length); without, they are part of the key (a stencil's carries are planned on their values).
 */
export function signature(expr: Expr, write: boolean, shiftParams = false): Signature {
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
        if (shiftParams) {
          shifts.set(e, shifts.size);
          bounds.push(e.from, e.to);
          key += "[";
        } else key += `[${e.from},${e.to}`;
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
    params: [...arrayValues, ...constValues, ...bounds],
    names: [
      ...arrayValues.map((_, i) => `L${i}`),
      ...constValues.map((_, i) => `c${i}`),
      ...[...shifts.values()].flatMap((k) => [`F${k}`, `T${k}`]),
    ],
  };
}
