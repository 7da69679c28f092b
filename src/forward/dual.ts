// Forward mode's values: typed dual numbers, each tagged with the level (the jvp or derivative call,
// or the user's own dual) whose perturbation it carries.
import { Trace } from "../core/trace.ts";
import { Tracer, type Value } from "../core/value.ts";

/** A forward-mode level: the tag of a family of dual numbers. */
export class Tag extends Trace {}

/** Forward mode: a typed dual number `primal + tangent·ε` with `ε² = 0`, tagged by its level. */
export class Dual extends Tracer {
  constructor(
    readonly trace: Tag,
    readonly primal: Value,
    readonly tangent: Value,
  ) {
    super();
  }
}
