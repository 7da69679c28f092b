// The interpreter of the rule table: applies a primitive to values of any nesting. It peels the
// innermost level (the highest), computes one level down recursively, then either builds a dual
// (forward: tangent = Σ ∂ᵢ·tᵢ) or records on the tape (reverse: edges with the partials ∂ᵢ for
// scalars, a pullback for tensors), or under jit writes the step down. Plain numbers and tensors are
// the base case.
import { Dual, Tag } from "../forward/dual.ts";
import { Recorder } from "../jit/recorder.ts";
import { NONE, type Tape, Tracked } from "../reverse/tape.ts";
import type { BinaryRule, NaryRule, TensorRule, UnaryRule } from "../rules/define.ts";
import { elementwise1, elementwise2 } from "../rules/elementwise.ts";
import { add, mul, neg } from "../rules/scalar.ts";
import { enterMachinery, exitMachinery, taint } from "../backend/memory.ts";
import { elementwise } from "../tensor/elementwise.ts";
import { Tensor } from "../tensor/tensor.ts";
import { notAReal } from "../base/errors.ts";
import { escapedError, type Trace } from "./trace.ts";
import { isTensorValued, type Payload, Tracer, type Value } from "./value.ts";

/** ∂·t, short-circuiting the exact cases ∂ = ±1. */
export function scale(partial: Value, tangent: Value): Value {
  if (partial === 1) return tangent;
  if (partial === -1) return neg(tangent);
  return mul(partial, tangent);
}

/** A rule's partial: a constant, or computed from the primals and the result. */
export const d1 = (rule: UnaryRule, x: Value, y: Value): Value => (typeof rule.d === "number" ? rule.d : rule.d(x, y));
export const da = (rule: BinaryRule, a: Value, b: Value, y: Value): Value =>
  typeof rule.da === "number" ? rule.da : rule.da(a, b, y);
export const db = (rule: BinaryRule, a: Value, b: Value, y: Value): Value =>
  typeof rule.db === "number" ? rule.db : rule.db(a, b, y);

function live(trace: Trace): Trace {
  if (!trace.live) throw escapedError(trace);
  return trace;
}

/** The rule's value on a plain tensor (pending, to be fused with what follows). */
export const unaryOnTensor = (rule: UnaryRule, x: Tensor): Tensor => elementwise(rule, [x]);

export const binaryOnTensors = (rule: BinaryRule, a: Payload, b: Payload): Tensor => elementwise(rule, [a, b]);

export function apply1(rule: UnaryRule, x: Value): Value {
  if (typeof x === "number") return rule.value(x);
  if (x instanceof Tracked) {
    const tape = x.trace;
    const p = x.primal;
    if (typeof p === "number") {
      if (!tape.live) throw escapedError(tape);
      const y = rule.value(p);
      return tape.record1(y, x.index, d1(rule, p, y));
    }
  }
  if (x instanceof Tensor) return unaryOnTensor(rule, x);
  if (!(x instanceof Tracer)) throw notAReal(rule.name, x);
  if (isTensorValued(x)) return applyT(elementwise1(rule), [x], undefined);
  const trace = live(x.trace);
  const p = x.primal;
  const y = typeof p === "number" ? rule.value(p) : apply1(rule, p);
  if (trace instanceof Recorder) return trace.apply(rule.code, rule.value, [x], y);
  if (x instanceof Dual) return new Dual(x.trace, y, scale(d1(rule, p, y), x.tangent));
  return (trace as Tape).record1(y, (x as Tracked).index, d1(rule, p, y));
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

/** The general case: tensors, or the innermost level among a and b peeled and recursed below. */
function applyLevels(rule: BinaryRule, a: Value, b: Value): Value {
  const ta = a instanceof Tracer ? a.trace : undefined;
  const tb = b instanceof Tracer ? b.trace : undefined;
  if (ta === undefined && tb === undefined) {
    if (typeof a === "number" && typeof b === "number") return rule.value(a, b);
    if ((typeof a === "number" || a instanceof Tensor) && (typeof b === "number" || b instanceof Tensor)) {
      return binaryOnTensors(rule, a, b);
    }
    throw notAReal(rule.name, typeof a === "number" || a instanceof Tensor ? b : a);
  }
  if (isTensorValued(a) || isTensorValued(b)) return applyT(elementwise2(rule), [a, b], undefined);
  const top = live(ta === undefined ? tb! : tb === undefined || ta.level >= tb.level ? ta : tb);
  // An argument below the top level is a constant at this level (its tangent is a symbolic zero).
  const onA = ta === top;
  const onB = tb === top;
  const a0 = onA ? (a as Tracer).primal : a;
  const b0 = onB ? (b as Tracer).primal : b;
  const y = typeof a0 === "number" && typeof b0 === "number" ? rule.value(a0, b0) : apply2(rule, a0, b0);
  if (top instanceof Recorder) return top.apply(rule.code, rule.value, [a, b], y);
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
  if (top instanceof Recorder) return top.apply((...v) => rule.code(v), (...v) => rule.value(v), xs, y);
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

/**
 * A tensor primitive on values of any nesting: the value below the innermost level, then a dual
 * with the rule's tangent, or a tape node that runs the rule's pullback in the sweep.
 */
export function applyT<P>(rule: TensorRule<P>, args: readonly Value[], params: P): Value {
  const top = topTrace(args);
  if (top === undefined) {
    for (const a of args) if (typeof a !== "number" && !(a instanceof Tensor)) throw notAReal(rule.name, a);
    return rule.value(args as readonly Payload[], params);
  }
  const primals = args.map((a) => (a instanceof Tracer && a.trace === top ? a.primal : a));
  // jit records scalar programs; on tensors the function runs as it is.
  if (top instanceof Recorder) return top.opaque(applyT(rule, primals, params), `the tensor primitive ${rule.name}`);
  // What is computed here lives only inside tracers: the machinery's own (see tensor/buffers.ts).
  enterMachinery();
  try {
    const y = applyT(rule, primals, params);
    if (top instanceof Tag) {
      // A user's dual never closes, so tensors made with it are never provably dead.
      if (top.transform === "dual") taint();
      const tangents = args.map((a) => (a instanceof Dual && a.trace === top ? a.tangent : undefined));
      return new Dual(top, y, rule.jvp(primals, tangents, y, params));
    }
    const tape = top as Tape;
    const inputs = args.map((a) => (a instanceof Tracked && a.trace === tape ? a.index : -1));
    const pullback = rule.vjp(primals, y, params, inputs.map((i) => i >= 0));
    return tape.recordCall([y], inputs, (cts) => pullback(cts[0]))[0];
  } finally {
    exitMachinery();
  }
}
