// Forward mode's values: typed dual numbers `primal + tangent·ε` with ε² = 0, each carrying the
// perturbation of one forward level (a jvp or derivative call, or the user's own dual).
import { type Trace, Tracer, type Value } from "../../core/protocol.ts";

/**
 * Forward mode: a typed dual number `primal + tangent·ε` with `ε² = 0`, tagged by its level.
 * @example
 * const d: Dual = dual(2, 1); // 2 + 1·ε
 * tangent(mul(d, d)); // => 4
 */
export class Dual extends Tracer {
  constructor(
    readonly trace: Trace,
    readonly primal: Value,
    readonly tangent: Value,
  ) {
    super();
  }

  override parts(): readonly Value[] {
    return [this.primal, this.tangent];
  }
}
