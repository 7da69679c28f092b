// Emission of a fused loop's source from an expression: index-invariant values go before the loop,
// leaf reads and op values become `const`s in the loop body, a shift becomes a guarded block read at
// an earlier index, and planned carries hand a value on from one iteration to the next.
import type { Expr } from "../../expr.ts";
import { coveredOneBack, nodeId, type Range } from "./carry.ts";
import type { Signature } from "./signature.ts";

/**
 * A line of code, the place where an op's value is handed to its carry (if one reads it later), or
 * the opening of a block guarded by constant bounds, `lo <= i < hi` (split loops decide it per segment).
 */
type Line = string | { readonly handOff: string; readonly value: string } | { readonly lo: number; readonly hi: number };

/** A run of lines that reads the index i − offset, for i in [lo, hi). */
interface Block {
  readonly lines: Line[];
  /** Values by node, and leaf reads by `array|access` (equal reads share one load). */
  readonly cache: Map<unknown, string>;
  readonly parent: Block | undefined;
  /** The offset when it is a number (NaN under a shift whose bounds are parameters). */
  readonly offset: number;
  /** The index read, as code: `i`, `(i - 3)`, or over parameters `(i - F0)`. */
  readonly index: string;
  readonly lo: number;
  readonly hi: number;
}

export interface Generated {
  readonly source: string;
  /** Carried reads (`id@offset`) whose value is not computed one iteration earlier wherever needed. */
  readonly dangling: readonly string[];
}

/** The loop's source, writing each value to `out[i]` (`write`) or summing them into `acc`. */
export function generate(
  expr: Expr, write: boolean, isInvariant: (e: Expr) => boolean, carried: ReadonlySet<string>, sig: Signature,
): Generated {
  const emitter = new Emitter(sig, isInvariant, carried);
  const body: Block = { lines: [], cache: new Map(), parent: emitter.prelude, offset: 0, index: "i", lo: 0, hi: Infinity };
  const root = emitter.emit(expr, body);
  return { source: emitter.source(body, root, write), dangling: emitter.dangling() };
}

const index = (offset: number): string => (offset === 0 ? "i" : `(i - ${offset})`);

/** The most cut points a loop is split at (each cut is one more copy of the body). */
const MAX_CUTS = 4;

function note(map: Map<string, Range[]>, key: string, range: Range): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [range]);
  else list.push(range);
}

class Emitter {
  readonly prelude: Block = { lines: [], cache: new Map(), parent: undefined, offset: NaN, index: "", lo: -Infinity, hi: Infinity };
  /** Numbers the variables (t, and p/q for carries) in emission order. */
  #temps = 0;
  /** Where each op node's value is available (`id@offset` → index ranges), and where carries read. */
  readonly #available = new Map<string, Range[]>();
  readonly #reads = new Map<string, Range[]>();
  /** Carries by the `id@offset` of their source: [previous iteration's value, this iteration's]. */
  readonly #carries = new Map<string, readonly [string, string]>();

  /** Row arrays read at i, by name, and their counters. */
  readonly #rows = new Map<string, string>();
  /** The constant bounds of the shifts' guards, and whether any guard has its bounds as parameters. */
  readonly #bounds: number[] = [];
  #parametric = false;

  readonly #sig: Signature;
  readonly #isInvariant: (e: Expr) => boolean;
  readonly #carried: ReadonlySet<string>;

  constructor(sig: Signature, isInvariant: (e: Expr) => boolean, carried: ReadonlySet<string>) {
    this.#sig = sig;
    this.#isInvariant = isInvariant;
    this.#carried = carried;
  }

  /** The variable holding `e`'s value in `at` (or in the prelude, if invariant), emitting it first if needed. */
  emit(e: Expr, at: Block): string {
    const block = this.#isInvariant(e) ? this.prelude : at;
    const hit = this.#lookup(block, e);
    if (hit !== undefined) return hit;
    const v =
      e.kind === "const" ? `c${this.#sig.consts.get(e)!}`
      : e.kind === "leaf" ? this.#leaf(e, block)
      : e.kind === "op" ? this.#op(e, block)
      : this.#shift(e, block);
    block.cache.set(e, v);
    return v;
  }

  #temp(): string {
    return `t${this.#temps++}`;
  }

  /** The counter holding i mod the length of row array `arr` (declared before the loop, advanced after each element). */
  #rowCounter(arr: string): string {
    let r = this.#rows.get(arr);
    if (r === undefined) this.#rows.set(arr, (r = `r${this.#temps++}`));
    return r;
  }

  /** A cached value, looked up through enclosing blocks that read the same index. */
  #lookup(b: Block, key: unknown): string | undefined {
    for (let s: Block | undefined = b; s !== undefined; s = s.parent) {
      const v = s.cache.get(key);
      if (v !== undefined) return v;
      // a different index above: only invariants (in the prelude) are shared
      if (s.parent !== undefined && s.parent !== this.prelude && s.parent.index !== s.index) return this.prelude.cache.get(key);
    }
    return undefined;
  }

  #leaf(e: Extract<Expr, { kind: "leaf" }>, block: Block): string {
    const arr = `L${this.#sig.arrays.get(e.data)!}`;
    const key = `${arr}|${e.access}`;
    const read = this.#lookup(block, key);
    if (read !== undefined) return read;
    const v = this.#temp();
    // a repeated row read at i itself: a counter that wraps, not an integer division per element
    const i =
      e.access === "scalar" ? "0"
      : e.access === "full" ? block.index
      : block.index === "i" ? this.#rowCounter(arr)
      : `${block.index} % ${arr}.length`;
    block.lines.push(`const ${v} = ${arr}[${i}];`);
    block.cache.set(key, v);
    return v;
  }

  #op(e: Extract<Expr, { kind: "op" }>, block: Block): string {
    const key = `${nodeId(e)}@${block.offset}`;
    let v: string;
    if (this.#carried.has(key)) {
      v = this.#carryOf(`${nodeId(e)}@${block.offset - 1}`)[0];
      note(this.#reads, key, [block.lo, block.hi]);
    } else {
      const args = e.args.map((a) => this.emit(a, block));
      v = this.#temp();
      block.lines.push(`const ${v} = ${e.op.code(...args)};`);
    }
    if (block !== this.prelude) {
      note(this.#available, key, [block.lo, block.hi]);
      // handed on (a carried value too, along a chain of shifts) if a later read takes it
      block.lines.push({ handOff: key, value: v });
    }
    return v;
  }

  #shift(e: Extract<Expr, { kind: "shift" }>, block: Block): string {
    const v = this.#temp();
    const k = this.#sig.shifts.get(e);
    let inner: Block;
    let guard: string;
    if (k === undefined) {
      const lo = Math.max(block.lo, e.from + block.offset);
      const hi = Math.min(block.hi, e.to + block.offset);
      const offset = block.offset + e.from;
      inner = { lines: [], cache: new Map(), parent: block, offset, index: index(offset), lo, hi };
      guard = "";
      this.#bounds.push(e.from + block.offset, e.to + block.offset);
    } else {
      // bounds as parameters: read at index − F while F <= index < T (no carries are planned then)
      inner = { lines: [], cache: new Map(), parent: block, offset: NaN, index: `(${block.index} - F${k})`, lo: NaN, hi: NaN };
      guard = `${block.index} >= F${k} && ${block.index} < T${k}`;
    }
    const a = this.emit(e.arg, inner);
    // values computed inside the guarded block are not visible after it
    const open: Line = guard === "" ? { lo: e.from + block.offset, hi: e.to + block.offset } : `if (${guard}) {`;
    if (guard !== "") this.#parametric = true;
    block.lines.push(`let ${v} = 0;`, open, ...inner.lines, `${v} = ${a};`, `}`);
    return v;
  }

  #carryOf(sourceKey: string): readonly [string, string] {
    let c = this.#carries.get(sourceKey);
    if (c === undefined) this.#carries.set(sourceKey, (c = [`p${this.#temps++}`, `q${this.#temps++}`]));
    return c;
  }

  /** Carried reads that are unsound: their source is not available one index earlier over all their ranges. */
  dangling(): string[] {
    const out: string[] = [];
    for (const [key, ranges] of this.#reads) {
      const [id, offset] = key.split("@");
      if (!coveredOneBack(ranges, this.#available.get(`${id}@${Number(offset) - 1}`) ?? [])) out.push(key);
    }
    return out;
  }

  /**
   * The function body: the prelude, the carries' declarations, and the loop. Where the shifts' guards
   * have constant bounds, the loop is split at them into a few loops over the same body, each with
   * every guard decided (a shift's branch per element costs a third of W3's gradient loop); the
   * elements are visited in the same order, so sums and carries are unchanged.
   */
  source(body: Block, root: string, write: boolean): string {
    const carries = [...this.#carries.values()];
    const declared = [...carries.map(([p, q]) => `let ${p} = 0, ${q} = 0;`), ...[...this.#rows.values()].map((r) => `let ${r} = 0;`)];
    const rows = [...this.#rows];
    const handOn = [...carries.map(([p, q]) => `${p} = ${q};`), ...rows.map(([arr, r]) => `if (++${r} === ${arr}.length) ${r} = 0;`)].join("\n");
    const step = (lines: string) => (write ? `${lines}\nout[i] = ${root};\n${handOn}` : `${lines}\nacc += ${root};\n${handOn}`);
    const cuts = [...new Set(this.#bounds.filter((b) => b > 0))].sort((a, b) => a - b);
    const split = !this.#parametric && cuts.length > 0 && cuts.length <= MAX_CUTS;
    const starts = split ? [0, ...cuts] : [0];
    const loops = starts.map((lo, k) => {
      const hi = k + 1 < starts.length ? starts[k + 1]! : undefined;
      const end = hi === undefined ? "n" : `Math.min(${hi}, n)`;
      // within [lo, hi) a guard lo' <= i < hi' holds everywhere or nowhere
      const holds = (g: { lo: number; hi: number }): boolean => g.lo <= lo && (hi === undefined ? false : hi <= g.hi);
      return `for (let i = ${lo}; i < ${end}; i++) {\n${step(this.#finish(body.lines, split ? holds : undefined))}\n}`;
    });
    const loop = write ? `${loops.join("\n")}\nreturn 0;` : `let acc = 0;\n${loops.join("\n")}\nreturn acc;`;
    return `"use strict";\n${this.#finish(this.prelude.lines)}\n${declared.join("\n")}\n${loop}`;
  }

  /**
   * Lines as code: a hand-off becomes an assignment to its carry, or nothing when no carry reads it; a
   * guard is decided by `holds` in a split loop, else tested on i.
   */
  #finish(lines: readonly Line[], holds?: (g: { lo: number; hi: number }) => boolean): string {
    const code: string[] = [];
    for (const l of lines) {
      if (typeof l === "string") code.push(l);
      else if ("lo" in l) code.push(holds === undefined ? `if (i >= ${l.lo} && i < ${l.hi}) {` : `if (${holds(l)}) {`);
      else {
        const c = this.#carries.get(l.handOff);
        if (c !== undefined) code.push(`${c[1]} = ${l.value};`);
      }
    }
    return code.join("\n");
  }
}
