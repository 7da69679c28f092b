// Where an op meets the interpreters: plain numbers and tensors are computed here, and a value from
// a transform goes to the innermost live trace among the arguments. Also the machinery's mark for
// the buffer pool (what a trace computes lives only inside its tracers).
import { notAReal } from "../base/errors.ts";
import { enterMachinery, exitMachinery, taint } from "../backend/memory.ts";
import { elementwise } from "../tensor/elementwise.ts";
import { Tensor } from "../tensor/tensor.ts";
import { type BinaryRule, escapedError, type NaryRule, type Payload, type TensorRule, type Trace, Tracer, type UnaryRule, type Value } from "./protocol.ts";

/** The innermost live level among `xs`, or undefined when all are plain (an escaped level throws). */
export function innermost(xs: readonly Value[], by?: string): Trace | undefined {
  let top: Trace | undefined;
  for (const x of xs) {
    if (x instanceof Tracer && (top === undefined || x.trace.level > top.level)) top = x.trace;
  }
  if (top !== undefined && !top.live) throw escapedError(top, by);
  return top;
}

/** A unary rule on any value. */
export function bind1(rule: UnaryRule, x: Value): Value {
  if (typeof x === "number") return rule.value(x);
  if (x instanceof Tracer) {
    const t = x.trace;
    if (!t.live) throw escapedError(t, rule.name);
    return t.unary(rule, x);
  }
  if (x instanceof Tensor) return elementwise(rule, [x]);
  throw notAReal(rule.name, x);
}

/** A binary rule on any values: plain ones computed here (tensors fused), traced ones by the innermost level. */
export function bind2(rule: BinaryRule, a: Value, b: Value): Value {
  const ta = a instanceof Tracer ? a.trace : undefined;
  const tb = b instanceof Tracer ? b.trace : undefined;
  if (ta === undefined && tb === undefined) {
    if (typeof a === "number" && typeof b === "number") return rule.value(a, b);
    if ((typeof a === "number" || a instanceof Tensor) && (typeof b === "number" || b instanceof Tensor)) {
      return elementwise(rule, [a, b]);
    }
    throw notAReal(rule.name, typeof a === "number" || a instanceof Tensor ? b : a);
  }
  // the other operand of a traced one must be a value too (a level reads its shape)
  if (ta === undefined && typeof a !== "number" && !(a instanceof Tensor)) throw notAReal(rule.name, a);
  if (tb === undefined && typeof b !== "number" && !(b instanceof Tensor)) throw notAReal(rule.name, b);
  const top = ta === undefined ? tb! : tb === undefined || ta.level >= tb.level ? ta : tb;
  if (!top.live) throw escapedError(top, rule.name);
  return top.binary(rule, a, b);
}

/** An n-ary scalar rule on any values. */
export function bindN(rule: NaryRule, xs: readonly Value[]): Value {
  const top = innermost(xs, rule.name);
  if (top !== undefined) return top.nary(rule, xs);
  for (const x of xs) if (typeof x !== "number") throw notAReal(rule.name, x);
  return rule.value(xs as readonly number[]);
}

/** A tensor rule on any values. */
export function bindT<P>(rule: TensorRule<P>, args: readonly Value[], params: P): Value {
  const top = innermost(args, rule.name);
  if (top === undefined) {
    for (const a of args) if (typeof a !== "number" && !(a instanceof Tensor)) throw notAReal(rule.name, a);
    return rule.value(args as readonly Payload[], params);
  }
  // jit's level hands its payloads back to the caller as they are: they are not the machinery's own
  if (!top.derivative) return top.tensor(rule, args, params);
  // What a derivative level computes lives only inside its tracers (see backend/memory.ts) …
  enterMachinery();
  try {
    // … except under a level that never closes (a user's dual of tensors): then nothing is provably dead
    if (!top.closes) taint();
    return top.tensor(rule, args, params);
  } finally {
    exitMachinery();
  }
}

/**
 * `x` without its derivative levels, at every depth: a live level that is not one (jit's, vmap's)
 * stays, over its own primal stripped likewise.
 */
export function withoutDerivatives(x: Value): Value {
  if (!(x instanceof Tracer)) return x;
  const p = withoutDerivatives(x.primal);
  if (x.trace.derivative || !x.trace.live) return p;
  return p === x.primal ? x : x.withPrimal(p);
}
