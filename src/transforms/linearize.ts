// linearize: f's linearization at x, kept so that J·v costs one sweep and never runs f again. f is
// recorded once on a tape (its pullback u ↦ Jᵀ·u); that pullback, linear in u, is then recorded on a
// second tape with a traced cotangent. The second tape's own pullback is the transpose of the
// transpose, v ↦ J·v: each jvpAt(v) is one backward sweep over it.
import type { Value } from "../core/protocol.ts";
import { zeroLike } from "../core/value.ts";
import { flattenAs } from "../tree/match.ts";
import { flatten, unflatten } from "../tree/flatten.ts";
import type { Like, Result } from "../tree/types.ts";
import { pullLeaves, recordForwardPass } from "./reverse.ts";
import { transformCall } from "./run.ts";

/** `linearize`'s linear map at x: a tangent shaped like x to `J_f(x)·v`, shaped like f(x). */
export type LinearMap<Y, U> = (v: Like<U>) => Result<Y, U>;

/**
 * `[f(x), jvpAt]`, where `jvpAt(v)` is `J_f(x)·v` (JAX's `linearize`): `v` shaped like `x`, the
 * result like `f(x)`. `f` runs once, here; every call of `jvpAt` sweeps the kept linearization, so
 * it costs about what a pullback does and never runs `f` again. Nests with every transform.
 */
export function linearize<X, U extends X, Y>(f: (x: X) => Y, x: U): readonly [Result<Y, U>, LinearMap<Y, U>] {
  return transformCall(false, () => {
    const rec = recordForwardPass(f, x, "linearize");
    const { def: yDef, leaves: yLeaves } = rec.y;
    const { def: xDef, leaves: xLeaves } = rec.x;
    const y = unflatten(yDef, yLeaves);
    // The pullback u ↦ Jᵀ·u recorded at a cotangent u (its value does not matter: it is linear in u)
    const transpose = recordForwardPass(
      (u: unknown) => unflatten(xDef, pullLeaves(rec, flatten(u, "linearize").leaves)),
      unflatten(yDef, yLeaves.map(zeroLike)),
      "linearize",
    );
    rec.tape.release(); // everything jvpAt needs is on the second tape
    const jvpAt = (v: unknown): unknown =>
      transformCall(true, () => {
        const vLeaves: Value[] = flattenAs(xDef, v, "linearize", "the tangent", xLeaves);
        return unflatten(yDef, pullLeaves(transpose, vLeaves));
      });
    return Object.freeze([y, Object.freeze(jvpAt)]) as unknown as readonly [Result<Y, U>, LinearMap<Y, U>];
  });
}
