// The interpreter of the rule table: applies a primitive to values of any nesting. It peels the
// innermost level (the highest), computes one level down recursively, then either builds a dual
// (forward: tangent = Σ ∂ᵢ·tᵢ) or records tape edges (reverse: the partials ∂ᵢ).
import type { BinaryRule, NaryRule, UnaryRule } from "../rules/define.ts";
import { add, mul, neg } from "../rules/scalar.ts";
import { NONE, type Tape } from "../reverse/tape.ts";
import { notAReal } from "./errors.ts";
import { escapedError, type Trace } from "./trace.ts";
import { Tracer, type Value } from "./value.ts";
import { Dual, Tag } from "../forward/dual.ts";
import { Tracked } from "../reverse/tape.ts";

/** ∂·t, short-circuiting the exact cases ∂ = ±1. */
function scale(partial: Value, tangent: Value): Value {
  if (partial === 1) return tangent;
  if (partial === -1) return neg(tangent);
  return mul(partial, tangent);
}

/** A rule's partial: a constant, or computed from the primals and the result. */
const d1 = (rule: UnaryRule, x: Value, y: Value): Value => (typeof rule.d === "number" ? rule.d : rule.d(x, y));
const da = (rule: BinaryRule, a: Value, b: Value, y: Value): Value =>
  typeof rule.da === "number" ? rule.da : rule.da(a, b, y);
const db = (rule: BinaryRule, a: Value, b: Value, y: Value): Value =>
  typeof rule.db === "number" ? rule.db : rule.db(a, b, y);

function live(trace: Trace): Trace {
  if (!trace.live) throw escapedError(trace);
  return trace;
}

export function apply1(rule: UnaryRule, x: Value): Value {
  if (typeof x === "number") return rule.value(x);
  if (x instanceof Tracked) {
    const tape = x.trace;
    if (!tape.live) throw escapedError(tape);
    const p = x.primal;
    const y = typeof p === "number" ? rule.value(p) : apply1(rule, p);
    return tape.record1(y, x.index, d1(rule, p, y));
  }
  if (x instanceof Dual) {
    const tag = x.trace;
    if (!tag.live) throw escapedError(tag);
    const p = x.primal;
    const y = typeof p === "number" ? rule.value(p) : apply1(rule, p);
    return new Dual(tag, y, scale(d1(rule, p, y), x.tangent));
  }
  throw notAReal(rule.name, x);
}

export function apply2(rule: BinaryRule, a: Value, b: Value): Value {
  // The first-order reverse cases, without the general level arithmetic below.
  if (a instanceof Tracked && typeof a.primal === "number") {
    const tape = a.trace;
    if (typeof b === "number") {
      if (!tape.live) throw escapedError(tape);
      const y = rule.value(a.primal, b);
      return tape.record1(y, a.index, da(rule, a.primal, b, y));
    }
    if (b instanceof Tracked && b.trace === tape && typeof b.primal === "number") {
      if (!tape.live) throw escapedError(tape);
      const a0 = a.primal;
      const b0 = b.primal;
      const y = rule.value(a0, b0);
      return tape.record2(y, a.index, da(rule, a0, b0, y), b.index, db(rule, a0, b0, y));
    }
  } else if (typeof a === "number" && b instanceof Tracked && typeof b.primal === "number") {
    const tape = b.trace;
    if (!tape.live) throw escapedError(tape);
    const y = rule.value(a, b.primal);
    return tape.record1(y, b.index, db(rule, a, b.primal, y));
  }
  return applyLevels(rule, a, b);
}

/** The general case: peel the innermost level among a and b, recurse below it. */
function applyLevels(rule: BinaryRule, a: Value, b: Value): Value {
  const ta = a instanceof Tracer ? a.trace : undefined;
  const tb = b instanceof Tracer ? b.trace : undefined;
  if (ta === undefined && tb === undefined) {
    if (typeof a === "number" && typeof b === "number") return rule.value(a, b);
    throw notAReal(rule.name, typeof a === "number" ? b : a);
  }
  const top = live(ta === undefined ? tb! : tb === undefined || ta.level >= tb.level ? ta : tb);
  // An argument below the top level is a constant at this level (its tangent is a symbolic zero).
  const onA = ta === top;
  const onB = tb === top;
  const a0 = onA ? (a as Tracer).primal : a;
  const b0 = onB ? (b as Tracer).primal : b;
  const y = typeof a0 === "number" && typeof b0 === "number" ? rule.value(a0, b0) : apply2(rule, a0, b0);
  if (top instanceof Tag) {
    const tA = onA ? scale(da(rule, a0, b0, y), (a as Dual).tangent) : undefined;
    const tB = onB ? scale(db(rule, a0, b0, y), (b as Dual).tangent) : undefined;
    return new Dual(top, y, tA === undefined ? tB! : tB === undefined ? tA : add(tA, tB));
  }
  return (top as Tape).record2(
    y,
    onA ? (a as Tracked).index : NONE,
    onA ? da(rule, a0, b0, y) : 0,
    onB ? (b as Tracked).index : NONE,
    onB ? db(rule, a0, b0, y) : 0,
  );
}

/** The innermost live level among `xs`, or undefined when all are plain. */
export function topTrace(xs: readonly Value[]): Trace | undefined {
  let top: Trace | undefined;
  for (const x of xs) {
    if (x instanceof Tracer && (top === undefined || x.trace.level > top.level)) top = x.trace;
  }
  return top === undefined ? undefined : live(top);
}

export function applyN(rule: NaryRule, xs: readonly Value[]): Value {
  const top = topTrace(xs);
  if (top === undefined) {
    for (const x of xs) if (typeof x !== "number") throw notAReal(rule.name, x);
    return rule.value(xs as readonly number[]);
  }
  const primals = xs.map((x) => (x instanceof Tracer && x.trace === top ? x.primal : x));
  const y = applyN(rule, primals);
  if (top instanceof Tag) {
    let tangent: Value | undefined;
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i];
      if (!(x instanceof Dual && x.trace === top)) continue;
      const t = scale(rule.d(primals, y, i), x.tangent);
      tangent = tangent === undefined ? t : add(tangent, t);
    }
    return new Dual(top, y, tangent!);
  }
  const parents = xs.map((x) => (x instanceof Tracer && x.trace === top ? (x as Tracked).index : -1));
  const partials = parents.map((p, i) => (p >= 0 ? rule.d(primals, y, i) : 0));
  return (top as Tape).recordN(y, parents, partials);
}
