// vmap's values: a value one level down that holds every example along one axis. The function sees
// a single example, so its shape (aval) is that value's without the batch axis; a batch of scalars
// (one axis) is a scalar per example.
import type { Shape } from "../../base/shape.ts";
import { avalOf, type Trace, Tracer, type Value } from "../../core/protocol.ts";

export class Batched extends Tracer {
  constructor(
    readonly trace: Trace,
    /** Every example, along `axis`. */
    readonly primal: Value,
    readonly axis: number,
  ) {
    super();
  }

  override withPrimal(primal: Value): Batched {
    return new Batched(this.trace, primal, this.axis);
  }

  override get aval(): Shape | null {
    const shape = avalOf(this.primal)!;
    if (shape.length === 1) return null;
    return [...shape.slice(0, this.axis), ...shape.slice(this.axis + 1)];
  }
}
