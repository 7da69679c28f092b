// Reverse mode's level: each primitive on tape values records a node with its partials (scalar
// rules: edges in the typed arrays) or its pullback (tensor rules, custom rules), with the value
// computed one level down. The sweep (sweep.ts) later runs the tape backwards.
import { bind1, bind2, bindN, bindT } from "../../core/bind.ts";
import { leaveFastPath, partialA, partialB, partialOf } from "../../core/rule.ts";
import { type BinaryRule, type CustomVjpRun, type NaryRule, newKind, type TensorRule, type Tracer, type UnaryRule, type Value } from "../../core/protocol.ts";
import { below, isTensorValued } from "../../core/value.ts";
import { elementwise1, elementwise2 } from "../../rules/elementwise.ts";
import { fastBinary, fastUnary } from "./fast.ts";
import { NONE, Tape, Tracked } from "./tape.ts";

const KIND = newKind();

/** A reverse-mode level: a tape that the function's primitives append to. */
export class TapeTrace extends Tape {
  constructor(transform: string) {
    super(transform, KIND);
  }

  /** The tape index of a value on this tape, or -1 (a constant here). */
  private indexOf(x: Value): number {
    return x instanceof Tracked && x.trace === this ? x.index : NONE;
  }

  unary(rule: UnaryRule, x: Tracer): Value {
    if (isTensorValued(x)) return bindT(elementwise1(rule), [x], undefined);
    leaveFastPath(rule.fast, KIND, (next) => fastUnary(rule, next, Tracked));
    const p = x.primal;
    const y = bind1(rule, p);
    return this.record1(y, (x as Tracked).index, partialOf(rule, p, y));
  }

  binary(rule: BinaryRule, a: Value, b: Value): Value {
    if (isTensorValued(a) || isTensorValued(b)) return bindT(elementwise2(rule), [a, b], undefined);
    leaveFastPath(rule.fast, KIND, (next) => fastBinary(rule, next, Tracked));
    // an argument of an outer level is a constant here: no edge
    const ia = this.indexOf(a);
    const ib = this.indexOf(b);
    const a0 = below(a, this);
    const b0 = below(b, this);
    const y = bind2(rule, a0, b0);
    return this.record2(
      y,
      ia,
      ia === NONE ? 0 : partialA(rule, a0, b0, y),
      ib,
      ib === NONE ? 0 : partialB(rule, a0, b0, y),
    );
  }

  nary(rule: NaryRule, xs: readonly Value[]): Value {
    const primals = xs.map((x) => below(x, this));
    const y = bindN(rule, primals);
    const parents = xs.map((x) => this.indexOf(x));
    const partials = parents.map((p, i) => (p >= 0 ? rule.d(primals, y, i) : 0));
    return this.recordN(y, parents, partials);
  }

  tensor<P>(rule: TensorRule<P>, args: readonly Value[], params: P): Value {
    const primals = args.map((a) => below(a, this));
    const y = bindT(rule, primals, params);
    const inputs = args.map((a) => this.indexOf(a));
    const pullback = rule.vjp(primals, y, params, inputs.map((i) => i >= 0));
    return this.recordCall([y], inputs, (cts) => pullback(cts[0]))[0];
  }

  override customVjp(leaves: readonly Value[], run: CustomVjpRun): readonly Value[] {
    const [ys, pullback] = run(leaves.map((l) => below(l, this)));
    return this.recordCall(ys, leaves.map((l) => this.indexOf(l)), pullback);
  }
}
