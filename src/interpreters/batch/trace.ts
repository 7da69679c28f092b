// vmap's level: every primitive on batched values runs once on all the examples, by its batching
// rule (elementwise ops line their arguments up, reductions and layout ops shift their axis, matmul
// stacks products); a value shared by every example stays unbatched until it meets one that is not.
import { type BinaryRule, type Batched as BatchedResult, type NaryRule, newKind, type TensorRule, Trace, type Tracer, type UnaryRule, type Value } from "../../core/protocol.ts";
import { below } from "../../core/value.ts";
import { alignBatched } from "../../rules/broadcast.ts";
import { elementwise1, elementwise2 } from "../../rules/elementwise.ts";
import { Batched } from "./batched.ts";

const KIND = newKind();

/** A batch level: `size` examples. */
export class BatchTrace extends Trace {
  /** Not a perturbation: stopGradient keeps it, and kinks are decided on it, per example. */
  override readonly derivative = false;

  constructor(
    transform: string,
    readonly size: number,
  ) {
    super(transform, KIND);
  }

  /** A value of this level: every example along `axis` of `value`. */
  lift(value: Value, axis: number): Batched {
    return new Batched(this, value, axis);
  }

  /** The batch axis of a value, or null for one shared by every example. */
  axisOf(x: Value): number | null {
    return x instanceof Batched && x.trace === this ? x.axis : null;
  }

  private wrap([y, axis]: BatchedResult): Value {
    return axis === null ? y : new Batched(this, y, axis);
  }

  unary(rule: UnaryRule, x: Tracer): Value {
    return this.tensor(elementwise1(rule), [x], undefined);
  }

  binary(rule: BinaryRule, a: Value, b: Value): Value {
    return this.tensor(elementwise2(rule), [a, b], undefined);
  }

  /** n-ary scalar rules as the elementwise ops they stand for, each of which comes back here. */
  nary(rule: NaryRule, xs: readonly Value[]): Value {
    return rule.elementwise(xs);
  }

  tensor<P>(rule: TensorRule<P>, args: readonly Value[], params: P): Value {
    const axes = args.map((a) => this.axisOf(a));
    return this.wrap(rule.batch(args.map((a) => below(a, this)), axes, params, this.size));
  }

  /** A value that depends on the example has no single number (JAX refuses it likewise). */
  override valueRead(by: string): void {
    throw new TypeError(
      `${by}: inside ${this.transform}, this value depends on the example and has no single value; ` +
        `compute with nabla's ops, or return it from the function and read it after ${this.transform}.`,
    );
  }

  /** A kink decided per example: the mask of the examples, lined up like an elementwise op. */
  override mask(_rule: UnaryRule | BinaryRule, args: readonly Value[], lower: (args: readonly Value[]) => Value): Value {
    const axes = args.map((a) => this.axisOf(a));
    return new Batched(this, lower(alignBatched(args.map((a) => below(a, this)), axes)), 0);
  }
}
