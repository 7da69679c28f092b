// Elementwise fusion. An elementwise op on plain tensors does not run at once: it returns a lazy
// tensor holding an expression over its operands. When something needs the numbers (a matmul, a
// reduction, toArray, a transform's result), the whole expression is compiled into one loop (cached
// by its code) and run once, so a chain like sum(100·(b − a²)²) reads its inputs once and writes
// nothing in between. Without `new Function` (a strict Content-Security-Policy) the same
// expression is evaluated op by op.

/** One elementwise operation: its value on numbers and the JavaScript expression that computes it. */
export interface ElementOp {
  readonly name: string;
  readonly arity: number;
  readonly value: (...args: number[]) => number;
  /** The expression over argument expressions (each a plain variable, so it may repeat them). */
  readonly code: (...args: string[]) => string;
}

/** How a leaf is read at output index i: its element i, one element for all, or element i mod its size. */
export type Access = "full" | "scalar" | "row";

export type Expr =
  | { readonly kind: "leaf"; readonly data: Float64Array; readonly access: Access }
  | { readonly kind: "const"; readonly value: number }
  | { readonly kind: "op"; readonly op: ElementOp; readonly args: readonly Expr[]; readonly size: number }
  /** The argument placed at [from, to) of a zero array (the reverse of a contiguous slice). */
  | { readonly kind: "shift"; readonly arg: Expr; readonly from: number; readonly to: number; readonly size: number };

/** Expressions larger than this are computed before they grow further (bounding recomputation). */
export const MAX_NODES = 48;

export const nodeCount = (e: Expr): number => (e.kind === "op" || e.kind === "shift" ? e.size : 1);

// ---------------------------------------------------------------------------------------------
// compilation

interface Compiled {
  readonly fn: (...args: unknown[]) => number;
  readonly params: readonly unknown[];
}

const cache = new Map<string, (...args: unknown[]) => number>();
let canCompile = true;

/** For tests: run expressions interpreted (as under a strict CSP) or compiled again. */
export function setCompilation(enabled: boolean): void {
  canCompile = enabled;
}

/**
 * Writes the expression's value at every index into `out` (length n), or, with `out` undefined,
 * returns the sum over every index.
 */
export function run(expr: Expr, n: number, out: Float64Array | undefined): number {
  if (canCompile) {
    try {
      const c = compile(expr, out !== undefined);
      return c.fn(...c.params, out, n);
    } catch (e) {
      if (!(e instanceof EvalError)) throw e;
      canCompile = false; // `new Function` is forbidden here: interpret from now on
    }
  }
  return interpret(expr, n, out);
}

function compile(expr: Expr, write: boolean): Compiled {
  const params: unknown[] = [];
  const names: string[] = [];
  const param = (prefix: string, v: unknown): string => {
    const name = `${prefix}${params.length}`;
    params.push(v);
    names.push(name);
    return name;
  };
  const arrays = new Map<Float64Array, string>();
  const arrayName = (d: Float64Array): string => {
    let a = arrays.get(d);
    if (a === undefined) arrays.set(d, (a = param("L", d)));
    return a;
  };
  let temps = 0;

  // Values that do not depend on the index (constants, one-element leaves, ops over those) are
  // computed once before the loop; the rest once per index, in the block for its index expression.
  const invariant = new Map<Expr, boolean>();
  const isInvariant = (e: Expr): boolean => {
    let v = invariant.get(e);
    if (v === undefined) {
      v = e.kind === "const" || (e.kind === "leaf" && e.access === "scalar") || (e.kind === "op" && e.args.every(isInvariant));
      invariant.set(e, v);
    }
    return v;
  };

  interface Block {
    readonly lines: string[];
    /** Values by node, and leaf reads by `array|access` (equal reads share one load). */
    readonly cache: Map<unknown, string>;
    readonly parent: Block | undefined;
    readonly index: string;
  }
  const prelude: Block = { lines: [], cache: new Map(), parent: undefined, index: "" };
  const lookup = (b: Block | undefined, key: unknown): string | undefined => {
    for (let s = b; s !== undefined; s = s.parent) {
      const v = s.cache.get(key);
      if (v !== undefined) return v;
    }
    return undefined;
  };
  const emit = (e: Expr, at: Block): string => {
    const block = isInvariant(e) ? prelude : at;
    const cached = lookup(block, e);
    if (cached !== undefined) return cached;
    let v: string;
    switch (e.kind) {
      case "const":
        v = param("c", e.value);
        break;
      case "leaf": {
        const arr = arrayName(e.data);
        const key = `${arr}|${e.access}`;
        const read = lookup(block, key);
        if (read !== undefined) v = read;
        else {
          v = `t${temps++}`;
          const index = e.access === "scalar" ? "0" : e.access === "full" ? block.index : `(${block.index}) % ${arr}.length`;
          block.lines.push(`const ${v} = ${arr}[${index}];`);
          block.cache.set(key, v);
        }
        break;
      }
      case "op": {
        const args = e.args.map((a) => emit(a, block));
        v = `t${temps++}`;
        block.lines.push(`const ${v} = ${e.op.code(...args)};`);
        break;
      }
      case "shift": {
        v = `t${temps++}`;
        const from = param("f", e.from);
        const to = param("u", e.to);
        const inner: Block = { lines: [], cache: new Map(), parent: block, index: `(${block.index} - ${from})` };
        const a = emit(e.arg, inner);
        // values computed inside the guarded block are not visible after it
        block.lines.push(`let ${v} = 0;`, `if (${block.index} >= ${from} && ${block.index} < ${to}) {`, ...inner.lines, `${v} = ${a};`, `}`);
        break;
      }
    }
    block.cache.set(e, v);
    return v;
  };
  const body: Block = { lines: [], cache: new Map(), parent: prelude, index: "i" };
  const root = emit(expr, body);
  const loop = write
    ? `for (let i = 0; i < n; i++) {\n${body.lines.join("\n")}\nout[i] = ${root};\n}\nreturn 0;`
    : `let acc = 0;\nfor (let i = 0; i < n; i++) {\n${body.lines.join("\n")}\nacc += ${root};\n}\nreturn acc;`;
  const source = `"use strict";\n${prelude.lines.join("\n")}\n${loop}`;
  const key = `${names.join(",")}|${source}`;
  let fn = cache.get(key);
  if (fn === undefined) {
    fn = new Function(...names, "out", "n", source) as (...args: unknown[]) => number;
    cache.set(key, fn);
  }
  return { fn, params };
}

// ---------------------------------------------------------------------------------------------
// interpretation (no `new Function`): each node computed over every index in turn

function interpret(expr: Expr, n: number, out: Float64Array | undefined): number {
  const memo = new Map<Expr, Float64Array>();
  const values = (e: Expr, len: number): Float64Array => {
    const hit = memo.get(e);
    if (hit !== undefined && hit.length === len) return hit;
    const r = new Float64Array(len);
    switch (e.kind) {
      case "const":
        r.fill(e.value);
        break;
      case "leaf":
        for (let i = 0; i < len; i++) r[i] = e.access === "scalar" ? e.data[0] : e.access === "row" ? e.data[i % e.data.length] : e.data[i];
        break;
      case "op": {
        const args = e.args.map((a) => values(a, len));
        const f = e.op.value;
        if (args.length === 1) for (let i = 0; i < len; i++) r[i] = f(args[0][i]);
        else if (args.length === 2) for (let i = 0; i < len; i++) r[i] = f(args[0][i], args[1][i]);
        else for (let i = 0; i < len; i++) r[i] = f(...args.map((a) => a[i]));
        break;
      }
      case "shift": {
        const inner = values(e.arg, e.to - e.from);
        r.set(inner.subarray(0, Math.max(0, Math.min(inner.length, len - e.from))), e.from);
        return r; // depends on its extent; not memoized
      }
    }
    memo.set(e, r);
    return r;
  };
  const r = values(expr, n);
  if (out !== undefined) {
    out.set(r);
    return 0;
  }
  let acc = 0;
  for (let i = 0; i < n; i++) acc += r[i];
  return acc;
}
