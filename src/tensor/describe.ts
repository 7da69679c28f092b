// describeValue: error messages that name nabla's own values (a Real, a Tensor with its shape).
import { describe } from "../base/errors.ts";
import { Tensor } from "./tensor.ts";

/** Like `describe`, but names nabla's own values (a Real, a Tensor with its shape) too. */
export function describeValue(x: unknown): string {
  if (typeof x === "number") return "a number";
  if (x instanceof Tensor) return `a Tensor of shape [${x.shape.join(",")}]`;
  if (typeof x === "object" && x !== null && "trace" in x) {
    // a tracer: its `shape` is its payload's ([] for a scalar)
    const shape = (x as { readonly shape?: unknown }).shape;
    return Array.isArray(shape) && shape.length > 0 ? `a Tensor of shape [${shape.join(",")}] from a transform` : "a Real";
  }
  return describe(x);
}
