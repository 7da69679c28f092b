// Elementwise fusion. An elementwise op on plain tensors does not run at once: it returns a lazy
// tensor holding an expression over its operands. When something needs the numbers (a matmul, a
// reduction, toArray, a transform's result), the whole expression is compiled into one loop (cached
// by its structure) and run once, so a chain like sum(100·(b − a²)²) reads its inputs once and writes
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

/**
 * An expression's shape for the cache: its structure (ops, shifts, how leaves are read, which leaves
 * share an array, shared subexpressions), with its arrays and constants as the parameters. Two
 * expressions of one signature compile to the same function, so a repeated computation (every step
 * of a training loop) looks its kernel up without generating code again.
 */
interface Signature {
  readonly key: string;
  readonly arrays: ReadonlyMap<Float64Array, number>;
  readonly consts: ReadonlyMap<Expr, number>;
  readonly params: readonly unknown[];
  readonly names: readonly string[];
}

/** A numbering of objects, each getting the next number the first time it is asked for. */
function numbering<T extends object>(): (x: T) => number {
  const ids = new WeakMap<T, number>();
  let last = 0;
  return (x) => {
    let id = ids.get(x);
    if (id === undefined) ids.set(x, (id = ++last));
    return id;
  };
}

const opId = numbering<ElementOp>();

function signature(expr: Expr, write: boolean): Signature {
  const arrays = new Map<Float64Array, number>();
  const consts = new Map<Expr, number>();
  const arrayValues: Float64Array[] = [];
  const constValues: number[] = [];
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
        key += `[${e.from},${e.to}`;
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
    params: [...arrayValues, ...constValues],
    names: [...arrayValues.map((_, i) => `L${i}`), ...constValues.map((_, i) => `c${i}`)],
  };
}

/** Kernels by signature. */
const kernels = new Map<string, (...args: unknown[]) => number>();

/** For tests: how many kernels were compiled so far. */
export const kernelCount = (): number => kernels.size;

function compile(expr: Expr, write: boolean): Compiled {
  const sig = signature(expr, write);
  let fn = kernels.get(sig.key);
  if (fn === undefined) {
    const source = loopSource(expr, write, sig);
    fn = new Function(...sig.names, "out", "n", source) as (...args: unknown[]) => number;
    kernels.set(sig.key, fn);
  }
  return { fn, params: sig.params };
}

/** The loop's source for an expression, its arrays and constants named as its signature numbers them. */
function loopSource(expr: Expr, write: boolean, sig: Signature): string {
  // Values that do not depend on the index (constants, one-element leaves, ops over those) are
  // computed once before the loop.
  const invariant = new Map<Expr, boolean>();
  const isInvariant = (e: Expr): boolean => {
    let v = invariant.get(e);
    if (v === undefined) {
      v = e.kind === "const" || (e.kind === "leaf" && e.access === "scalar") || (e.kind === "op" && e.args.every(isInvariant));
      invariant.set(e, v);
    }
    return v;
  };
  // Inside a shift, a node is read at an earlier index: i − offset. Where the same node is also
  // available at offset k − 1 for every index that needs it at offset k (a stencil: a slice's
  // pullback beside the unshifted value), its value at offset k is the one from one iteration
  // earlier, carried in a variable instead of computed again. A carry whose source turns out not to
  // be computed where it is needed (its own ancestors were carried) is dropped and the code redone.
  const carried = hasShift(expr) ? planCarries(expr, isInvariant) : new Set<string>();
  for (;;) {
    const attempt = generate(expr, write, isInvariant, carried, sig);
    if (attempt.dangling.length === 0) return attempt.source;
    for (const key of attempt.dangling) carried.delete(key);
  }
}

interface Generated {
  readonly source: string;
  /** Carried reads (`id@offset`) whose value is not computed one iteration earlier wherever needed. */
  readonly dangling: readonly string[];
}

type Range = readonly [number, number];

function generate(expr: Expr, write: boolean, isInvariant: (e: Expr) => boolean, carried: ReadonlySet<string>, sig: Signature): Generated {
  const arrayName = (d: Float64Array): string => `L${sig.arrays.get(d)!}`;
  let temps = 0;
  /** Where each op node's value is available (`id@offset` → index ranges), and where carries read. */
  const available = new Map<string, Range[]>();
  const reads = new Map<string, Range[]>();
  const note = (map: Map<string, Range[]>, key: string, range: Range): void => {
    const list = map.get(key);
    if (list === undefined) map.set(key, [range]);
    else list.push(range);
  };
  const carryNames = new Map<string, readonly [string, string]>(); // id@offset of the source → [prev, next]
  const carryOf = (sourceKey: string): readonly [string, string] => {
    let c = carryNames.get(sourceKey);
    if (c === undefined) carryNames.set(sourceKey, (c = [`p${temps++}`, `q${temps++}`]));
    return c;
  };

  interface Block {
    readonly lines: string[];
    /** Values by node, and leaf reads by `array|access` (equal reads share one load). */
    readonly cache: Map<unknown, string>;
    readonly parent: Block | undefined;
    /** The index read here is i − offset, for i in [lo, hi). */
    readonly offset: number;
    readonly lo: number;
    readonly hi: number;
  }
  const index = (offset: number): string => (offset === 0 ? "i" : `(i - ${offset})`);
  const prelude: Block = { lines: [], cache: new Map(), parent: undefined, offset: NaN, lo: -Infinity, hi: Infinity };
  const lookup = (b: Block, key: unknown): string | undefined => {
    for (let s: Block | undefined = b; s !== undefined; s = s.parent) {
      const v = s.cache.get(key);
      if (v !== undefined) return v;
      // a different index above: only invariants (in the prelude) are shared
      if (s.parent !== undefined && s.parent !== prelude && s.parent.offset !== s.offset) return prelude.cache.get(key);
    }
    return undefined;
  };
  const emit = (e: Expr, at: Block): string => {
    const block = isInvariant(e) ? prelude : at;
    const hit = lookup(block, e);
    if (hit !== undefined) return hit;
    let v: string;
    switch (e.kind) {
      case "const":
        v = `c${sig.consts.get(e)!}`;
        break;
      case "leaf": {
        const arr = arrayName(e.data);
        const key = `${arr}|${e.access}`;
        const read = lookup(block, key);
        if (read !== undefined) v = read;
        else {
          v = `t${temps++}`;
          const i = e.access === "scalar" ? "0" : e.access === "full" ? index(block.offset) : `${index(block.offset)} % ${arr}.length`;
          block.lines.push(`const ${v} = ${arr}[${i}];`);
          block.cache.set(key, v);
        }
        break;
      }
      case "op": {
        const key = `${nodeId(e)}@${block.offset}`;
        if (carried.has(key)) {
          const source = `${nodeId(e)}@${block.offset - 1}`;
          v = carryOf(source)[0];
          note(reads, key, [block.lo, block.hi]);
        } else {
          const args = e.args.map((a) => emit(a, block));
          v = `t${temps++}`;
          block.lines.push(`const ${v} = ${e.op.code(...args)};`);
        }
        if (block !== prelude) {
          note(available, key, [block.lo, block.hi]);
          // handed on (a carried value too, along a chain of shifts) if a later read takes it
          block.lines.push(`/*hand ${key}*/ ${v}`);
        }
        break;
      }
      case "shift": {
        v = `t${temps++}`;
        const lo = Math.max(block.lo, e.from + block.offset);
        const hi = Math.min(block.hi, e.to + block.offset);
        const inner: Block = { lines: [], cache: new Map(), parent: block, offset: block.offset + e.from, lo, hi };
        const a = emit(e.arg, inner);
        // values computed inside the guarded block are not visible after it
        block.lines.push(`let ${v} = 0;`, `if (i >= ${e.from + block.offset} && i < ${e.to + block.offset}) {`, ...inner.lines, `${v} = ${a};`, `}`);
        break;
      }
    }
    block.cache.set(e, v);
    return v;
  };
  const body: Block = { lines: [], cache: new Map(), parent: prelude, offset: 0, lo: 0, hi: Infinity };
  const root = emit(expr, body);

  // a carried read is sound where its source is available one index earlier over all its ranges
  const dangling: string[] = [];
  for (const [key, ranges] of reads) {
    const [id, offset] = key.split("@");
    const from = available.get(`${id}@${Number(offset) - 1}`) ?? [];
    if (!ranges.every(([lo, hi]) => from.some(([l, h]) => l <= lo - 1 && hi - 1 <= h))) dangling.push(key);
  }
  const hand = (line: string): string =>
    line.replace(/^\/\*hand (\d+@-?\d+)\*\/ (\w+)$/, (_m, key: string, v: string) => {
      const c = carryNames.get(key);
      return c === undefined ? "" : `${c[1]} = ${v};`;
    });
  const finish = (lines: readonly string[]): string => lines.map(hand).filter((l) => l !== "").join("\n");
  const declared = [...carryNames.values()].map(([p, q]) => `let ${p} = 0, ${q} = 0;`);
  const handOn = [...carryNames.values()].map(([p, q]) => `${p} = ${q};`);
  const loop = write
    ? `for (let i = 0; i < n; i++) {\n${finish(body.lines)}\nout[i] = ${root};\n${handOn.join("\n")}\n}\nreturn 0;`
    : `let acc = 0;\nfor (let i = 0; i < n; i++) {\n${finish(body.lines)}\nacc += ${root};\n${handOn.join("\n")}\n}\nreturn acc;`;
  const source = `"use strict";\n${finish(prelude.lines)}\n${declared.join("\n")}\n${loop}`;
  return { source, dangling };
}

/** Whether the expression holds a shift (else there is nothing to carry). */
function hasShift(e: Expr, seen = new Set<Expr>()): boolean {
  if (seen.has(e)) return false;
  seen.add(e);
  if (e.kind === "shift") return true;
  return e.kind === "op" && e.args.some((a) => hasShift(a, seen));
}

const nodeId = numbering<Expr>();

/**
 * Which op nodes may take their value at offset k from the previous iteration's value at k − 1,
 * keyed `id@offset`: those where every index range needing them at k, moved one back, lies inside a
 * range needing them at k − 1 (generate() then checks that the value is really computed there).
 */
function planCarries(expr: Expr, isInvariant: (e: Expr) => boolean): Set<string> {
  const needs = new Map<Expr, Map<number, [number, number][]>>();
  const seen = new Set<string>();
  const visit = (e: Expr, offset: number, lo: number, hi: number): void => {
    if (isInvariant(e) || e.kind === "leaf" || e.kind === "const" || lo >= hi) return;
    const key = `${nodeId(e)}@${offset}@${lo}@${hi}`;
    if (seen.has(key)) return;
    seen.add(key);
    if (e.kind === "shift") return visit(e.arg, offset + e.from, Math.max(lo, e.from + offset), Math.min(hi, e.to + offset));
    let byOffset = needs.get(e);
    if (byOffset === undefined) needs.set(e, (byOffset = new Map()));
    let ranges = byOffset.get(offset);
    if (ranges === undefined) byOffset.set(offset, (ranges = []));
    ranges.push([lo, hi]);
    for (const a of e.args) visit(a, offset, lo, hi);
  };
  visit(expr, 0, 0, Infinity);
  const carried = new Set<string>();
  for (const [e, byOffset] of needs) {
    for (const [offset, ranges] of byOffset) {
      const earlier = byOffset.get(offset - 1);
      if (earlier === undefined) continue;
      const covered = ranges.every(([lo, hi]) => earlier.some(([l, h]) => l <= lo - 1 && hi - 1 <= h));
      if (!covered) continue;
      carried.add(`${nodeId(e)}@${offset}`);
    }
  }
  return carried;
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
