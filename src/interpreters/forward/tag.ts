// Forward mode's level: each primitive on duals gives a dual whose tangent is Σ ∂ᵢ·tᵢ (scalar
// rules) or the rule's jvp (tensor rules), with the value computed one level down.
import { bind1, bind2, bindN, bindT } from "../../core/bind.ts";
import { leaveFastPath, partialA, partialB, partialOf } from "../../core/rule.ts";
import { type BinaryRule, type CustomJvpRun, type NaryRule, newKind, type TensorRule, Trace, type Tracer, type UnaryRule, type Value } from "../../core/protocol.ts";
import { below, isTensorValued, zeroLike } from "../../core/value.ts";
import { elementwise1, elementwise2 } from "../../rules/elementwise.ts";
import { add, scale } from "../../rules/scalar.ts";
import { Dual } from "./dual.ts";
import { fastBinary, fastUnary } from "./fast.ts";

const KIND = newKind();

/** A forward-mode level: the tag of a family of dual numbers. */
export class Tag extends Trace {
  /** A user's own dual (`dual(p, t)`) never closes: nothing tells when it is done. */
  override readonly closes: boolean;

  constructor(transform: string) {
    super(transform, KIND);
    this.closes = transform !== "dual";
  }

  /** A dual of this level. */
  lift(primal: Value, tangent: Value): Dual {
    return new Dual(this, primal, tangent);
  }

  unary(rule: UnaryRule, x: Tracer): Value {
    if (isTensorValued(x)) return bindT(elementwise1(rule), [x], undefined);
    leaveFastPath(rule.fast, KIND, (next) => fastUnary(rule, next, Dual));
    const d = x as Dual;
    const p = d.primal;
    const y = bind1(rule, p);
    return new Dual(this, y, scale(partialOf(rule, p, y), d.tangent));
  }

  binary(rule: BinaryRule, a: Value, b: Value): Value {
    if (isTensorValued(a) || isTensorValued(b)) return bindT(elementwise2(rule), [a, b], undefined);
    leaveFastPath(rule.fast, KIND, (next) => fastBinary(rule, next, Dual));
    // an argument of an outer level is a constant here (its tangent is a symbolic zero)
    const onA = a instanceof Dual && a.trace === this;
    const onB = b instanceof Dual && b.trace === this;
    const a0 = below(a, this);
    const b0 = below(b, this);
    const y = bind2(rule, a0, b0);
    const tA = onA ? scale(partialA(rule, a0, b0, y), (a as Dual).tangent) : undefined;
    const tB = onB ? scale(partialB(rule, a0, b0, y), (b as Dual).tangent) : undefined;
    return new Dual(this, y, tA === undefined ? tB! : tB === undefined ? tA : add(tA, tB));
  }

  nary(rule: NaryRule, xs: readonly Value[]): Value {
    const primals = xs.map((x) => below(x, this));
    const y = bindN(rule, primals);
    let tangent: Value | undefined;
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i];
      if (!(x instanceof Dual && x.trace === this)) continue;
      const t = scale(rule.d(primals, y, i), x.tangent);
      tangent = tangent === undefined ? t : add(tangent, t);
    }
    return new Dual(this, y, tangent!);
  }

  tensor<P>(rule: TensorRule<P>, args: readonly Value[], params: P): Value {
    const primals = args.map((a) => below(a, this));
    const y = bindT(rule, primals, params);
    const tangents = args.map((a) => (a instanceof Dual && a.trace === this ? a.tangent : undefined));
    return new Dual(this, y, rule.jvp(primals, tangents, y, params));
  }

  override customJvp(leaves: readonly Value[], run: CustomJvpRun): readonly Value[] {
    const primals = leaves.map((l) => below(l, this));
    const tangents = leaves.map((l) => (l instanceof Dual && l.trace === this ? l.tangent : zeroLike(l)));
    const [ys, ts] = run(primals, tangents);
    return ys.map((p, i) => new Dual(this, p, ts[i]));
  }
}
