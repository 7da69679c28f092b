// linearize: f's linearization at x, kept so that J·v costs one sweep and never runs f again. f runs
// once, forward mode (as jvp runs it: custom forward rules apply), with its tangent a value on a tape:
// the tape records v ↦ J·v, the linear part alone. That map's pullback u ↦ Jᵀ·u is then recorded on a
// second tape at a traced cotangent; the second tape's own pullback is the transpose of the transpose,
// v ↦ J·v again, but as a sweep: each jvpAt(v) is one backward sweep over it.
import type { Value } from "../core/protocol.ts";
import { zeroLike } from "../core/value.ts";
import { flattenAs } from "../tree/match.ts";
import { flatten, unflatten } from "../tree/flatten.ts";
import type { Like, Result } from "../tree/types.ts";
import { pushforward } from "./forward.ts";
import { pullLeaves, recordForwardPass } from "./reverse.ts";
import { checkFunction, transformCall } from "./run.ts";

/**
 * `linearize`'s linear map at x: a tangent shaped like x to `J_f(x)·v`, shaped like f(x).
 * @example
 * const jvpAt: LinearMap<Real, number> = linearize((x: Real) => mul(x, x), 3)[1];
 * jvpAt(1); // => 6
 * jvpAt(2); // => 12
 */
export type LinearMap<Y, U> = (v: Like<U>) => Result<Y, U>;

/**
 * `[f(x), jvpAt]`, where `jvpAt(v)` is `J_f(x)·v` (JAX's `linearize`): `v` shaped like `x`, the
 * result like `f(x)`. `f` runs once, here, in forward mode; every call of `jvpAt` sweeps the kept
 * linearization, so it costs about what a pullback does and never runs `f` again. Nests with every
 * transform.
 * @example
 * const f = (p: { a: Real; b: Real }) => [mul(p.a, p.b), sin(p.a)];
 * const [y, jvpAt] = linearize(f, { a: 2, b: 3 });
 * y; // => [6, Math.sin(2)]
 * jvpAt({ a: 1, b: 0 }); // => [3, Math.cos(2)]
 * jvpAt({ a: 0, b: 1 }); // => [2, 0]
 * jvpAt({ a: 1 } as never); // throws TypeError
 */
export function linearize<X, U extends X, Y>(f: (x: X) => Y, x: U): readonly [Result<Y, U>, LinearMap<Y, U>] {
  checkFunction(f, "linearize");
  return transformCall(false, () => {
    const { def: xDef, leaves: xLeaves } = flatten(x, "linearize");
    let y: unknown;
    // v ↦ J·v on a tape: f's jvp at x with a traced tangent (its value does not matter: J·v is linear in v)
    const tangent = recordForwardPass(
      (v: unknown) => {
        const [primal, t] = pushforward(f as (x: never) => unknown, x, v, "linearize");
        y = primal;
        return t;
      },
      unflatten(xDef, xLeaves.map(zeroLike)),
      "linearize",
    );
    const { def: yDef, leaves: yLeaves } = tangent.y;
    // its pullback u ↦ Jᵀ·u, recorded at a traced cotangent
    const transpose = recordForwardPass(
      (u: unknown) => unflatten(xDef, pullLeaves(tangent, flatten(u, "linearize").leaves)),
      unflatten(yDef, yLeaves.map(zeroLike)),
      "linearize",
    );
    tangent.tape.release(); // everything jvpAt needs is on the second tape
    const jvpAt = (v: unknown): unknown =>
      transformCall(true, () => {
        const vLeaves: Value[] = flattenAs(xDef, v, "linearize", "the tangent", xLeaves);
        return unflatten(yDef, pullLeaves(transpose, vLeaves));
      });
    return Object.freeze([y, Object.freeze(jvpAt)]) as unknown as readonly [Result<Y, U>, LinearMap<Y, U>];
  });
}
