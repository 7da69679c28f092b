// Elementwise tensor rules made from the scalar rules: the same partials, with broadcasting's
// forward (a tangent broadcast to the result's shape) and its reverse (a cotangent summed back to
// each operand's shape).
import { bind1, bind2 } from "../core/bind.ts";
import { partialA, partialB, partialOf } from "../core/rule.ts";
import { type BinaryRule, type TensorRule, type UnaryRule } from "../core/protocol.ts";
import { shapeOf } from "../core/value.ts";
import { alignBatched, fit, sumTo } from "./broadcast.ts";
import { add, scale } from "./scalar.ts";

const unaryCache = new WeakMap<UnaryRule, TensorRule<undefined>>();
const binaryCache = new WeakMap<BinaryRule, TensorRule<undefined>>();

/** The tensor rule of a unary scalar rule: tangent ∂⊙t, cotangent ∂⊙ct. */
export function elementwise1(rule: UnaryRule): TensorRule<undefined> {
  let t = unaryCache.get(rule);
  if (t === undefined) {
    t = {
      name: rule.name,
      value: ([x]) => bind1(rule, x!) as number,
      jvp: ([x], [t], y) => scale(partialOf(rule, x!, y), t!),
      vjp: ([x], y) => (ct) => [scale(partialOf(rule, x!, y), ct)],
      // elementwise: each example's elements where they are
      batch: ([x], [axis]) => [bind1(rule, x!), axis!],
    };
    unaryCache.set(rule, t);
  }
  return t;
}

/** The tensor rule of a binary scalar rule, with broadcasting in both directions. */
export function elementwise2(rule: BinaryRule): TensorRule<undefined> {
  let t = binaryCache.get(rule);
  if (t === undefined) {
    t = {
      name: rule.name,
      value: ([a, b]) => bind2(rule, a!, b!) as number,
      jvp: ([a, b], [ta, tb], y) => {
        const shape = shapeOf(y);
        const fromA = ta === undefined ? undefined : fit(scale(partialA(rule, a!, b!, y), ta), shape);
        const fromB = tb === undefined ? undefined : fit(scale(partialB(rule, a!, b!, y), tb), shape);
        return fromA === undefined ? fromB! : fromB === undefined ? fromA : add(fromA, fromB);
      },
      vjp: ([a, b], y, _params, active) => (ct) => [
        active[0] ? sumTo(scale(partialA(rule, a!, b!, y), ct), shapeOf(a!)) : undefined,
        active[1] ? sumTo(scale(partialB(rule, a!, b!, y), ct), shapeOf(b!)) : undefined,
      ],
      batch: (args, axes) => {
        const [a, b] = alignBatched(args, axes);
        return [bind2(rule, a!, b!), 0];
      },
    };
    binaryCache.set(rule, t);
  }
  return t;
}
