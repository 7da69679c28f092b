// A typed emitter of WebAssembly bytecode (binary format 1.0 plus the fixed-width SIMD proposal's
// f64x2 subset): kernels are written as calls on a Body and assembled into a module here, at run time.

/** The value types the kernels use. */
export type ValType = "i32" | "f64" | "v128";
const VALTYPE: Readonly<Record<ValType, number>> = { i32: 0x7f, f64: 0x7c, v128: 0x7b };

/** Unsigned LEB128 of a non-negative integer below 2³². */
export function u32(out: number[], n: number): void {
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
}

/** Signed LEB128 of a 32-bit integer. */
export function s32(out: number[], n: number): void {
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return;
  }
}

const utf8 = (s: string): number[] => [...s].map((c) => c.charCodeAt(0)); // names here are ASCII

/** A length-prefixed vector of already-encoded items. */
function vector(items: readonly (readonly number[])[]): number[] {
  const out: number[] = [];
  u32(out, items.length);
  for (const item of items) out.push(...item);
  return out;
}

/** A function body under construction: its parameters, the locals it asks for, and its instructions. */
export class Body {
  readonly code: number[] = [];
  private readonly extra: ValType[] = [];
  constructor(readonly params: readonly ValType[]) {}

  /** A fresh local of type t: its index. */
  local(t: ValType): number {
    return this.params.length + this.extra.push(t) - 1;
  }
  /** The locals' declaration, grouped in runs of one type as the binary format wants. */
  declarations(): number[] {
    const runs: [number, ValType][] = [];
    for (const t of this.extra) {
      const last = runs[runs.length - 1];
      if (last !== undefined && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    return vector(runs.map(([n, t]) => { const o: number[] = []; u32(o, n); o.push(VALTYPE[t]); return o; }));
  }

  private op(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }
  private simd(code: number): this {
    this.code.push(0xfd);
    u32(this.code, code);
    return this;
  }
  /** A memory argument: alignment (log2 bytes, a hint) and a constant byte offset. */
  private memarg(align: number, offset: number): this {
    u32(this.code, align);
    u32(this.code, offset);
    return this;
  }

  get(i: number): this { this.op(0x20); u32(this.code, i); return this; }
  set(i: number): this { this.op(0x21); u32(this.code, i); return this; }
  tee(i: number): this { this.op(0x22); u32(this.code, i); return this; }

  i32(c: number): this { this.op(0x41); s32(this.code, c); return this; }
  i32Eqz(): this { return this.op(0x45); }
  i32LtU(): this { return this.op(0x49); }
  i32Add(): this { return this.op(0x6a); }
  i32Sub(): this { return this.op(0x6b); }
  i32Mul(): this { return this.op(0x6c); }
  i32And(): this { return this.op(0x71); }
  i32Shl(): this { return this.op(0x74); }
  i32ShrU(): this { return this.op(0x76); }
  /** local[i] += c. */
  bump(i: number, c: number): this { return this.get(i).i32(c).i32Add().set(i); }

  f64Load(offset = 0): this { return this.op(0x2b).memarg(3, offset); }
  f64Store(offset = 0): this { return this.op(0x39).memarg(3, offset); }
  f64Add(): this { return this.op(0xa0); }
  /** f64.const +0. */
  f64Zero(): this { return this.op(0x44, 0, 0, 0, 0, 0, 0, 0, 0); }

  v128Load(offset = 0): this { return this.simd(0x00).memarg(3, offset); }
  v128Store(offset = 0): this { return this.simd(0x0b).memarg(3, offset); }
  /** One f64 from memory, in both lanes. */
  load64Splat(offset = 0): this { return this.simd(0x0a).memarg(3, offset); }
  /** The v128 of sixteen zero bytes (both lanes +0). */
  zero(): this { this.simd(0x0c); this.code.push(...new Array<number>(16).fill(0)); return this; }
  f64x2Splat(): this { return this.simd(0x14); }
  f64x2ExtractLane(lane: 0 | 1): this { return this.simd(0x21).op(lane); }
  /** An f64x2 instruction by its SIMD opcode (the arithmetic ones: 0xec abs … 0xf5 max). */
  f64x2(code: number): this { return this.simd(code); }
  f64x2Add(): this { return this.simd(0xf0); }
  f64x2Sub(): this { return this.simd(0xf1); }
  f64x2Mul(): this { return this.simd(0xf2); }

  /** block … end (no result): `br depth` inside jumps past its end. */
  block(inner: () => void): this { this.op(0x02, 0x40); inner(); return this.op(0x0b); }
  /** loop … end (no result): `br depth` inside jumps back to its start. */
  loop(inner: () => void): this { this.op(0x03, 0x40); inner(); return this.op(0x0b); }
  /** if … else … end on the i32 on the stack. */
  ifElse(then: () => void, otherwise?: () => void): this {
    this.op(0x04, 0x40);
    then();
    if (otherwise !== undefined) { this.op(0x05); otherwise(); }
    return this.op(0x0b);
  }
  br(depth: number): this { this.op(0x0c); u32(this.code, depth); return this; }
  brIf(depth: number): this { this.op(0x0d); u32(this.code, depth); return this; }

  /**
   * do { inner } while (local[i] += step, local[i] < local[end]) (unsigned): the loops of the kernels,
   * whose trip counts the callers guarantee to be at least one.
   */
  doWhile(i: number, step: number, end: number, inner: () => void): this {
    return this.loop(() => { inner(); this.bump(i, step).get(i).get(end).i32LtU().brIf(0); });
  }
}

/** An exported function of a module: its name, and a body whose results are none. */
export interface Func {
  readonly name: string;
  readonly body: Body;
}

function section(id: number, content: readonly number[]): number[] {
  const out = [id];
  u32(out, content.length);
  return out.concat(content);
}

/**
 * The bytes of a module that imports its memory as m.memory (at least `pages` pages of 64 KiB) and
 * exports each function under its name. Functions take their parameters and return nothing.
 */
export function assemble(funcs: readonly Func[], pages: number): Uint8Array {
  const types = vector(funcs.map(({ body }) => [0x60, ...vector(body.params.map((t) => [VALTYPE[t]])), 0]));
  const limits: number[] = [0x00];
  u32(limits, pages);
  const imports = vector([[...name("m"), ...name("memory"), 0x02, ...limits]]);
  const functions = vector(funcs.map((_, i) => { const o: number[] = []; u32(o, i); return o; }));
  const exports = vector(funcs.map((f, i) => { const o = [...name(f.name), 0x00]; u32(o, i); return o; }));
  const code = vector(
    funcs.map(({ body }) => {
      const inner = [...body.declarations(), ...body.code, 0x0b];
      const o: number[] = [];
      u32(o, inner.length);
      return o.concat(inner);
    }),
  );
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, types), ...section(2, imports), ...section(3, functions), ...section(7, exports), ...section(10, code),
  ]);
}

/** A name: its length, then its bytes. */
function name(s: string): number[] {
  const bytes = utf8(s);
  const out: number[] = [];
  u32(out, bytes.length);
  return out.concat(bytes);
}
