// The types of what grad and valueAndGrad return, with and without auxiliary results: plain numbers
// for plain arguments (first signature), Reals otherwise, so that `grad(f)` can itself be passed on.
import type { Real } from "../core/protocol.ts";
import type { Like, Result } from "../tree/types.ts";


/**
 * `grad(f)`: plain numbers in give plain numbers out (first signature); the second signature is
 * what lets `grad(f)` itself be passed to `grad`, `derivative`, `hessian`, ...
 * @example
 * const g: Gradient<Real> = grad(sin);
 * g(0); // => 1
 * derivative(g)(0); // => 0
 */
export interface Gradient<X> {
  <U extends X>(x: U): Like<U>;
  (x: X): Like<X>;
}

/**
 * `valueAndGrad(f)`: the value is a plain number when the argument holds only plain values.
 * @example
 * const vg: ValueAndGradient<Real> = valueAndGrad(square);
 * vg(3); // => [9, 6]
 */
export interface ValueAndGradient<X> {
  <U extends X>(x: U): readonly [Result<Real, U>, Like<U>];
  (x: X): readonly [Real, Like<X>];
}

/**
 * `grad(f, { hasAux: true })`: `[∇f(x), aux]`, aux plain when the argument holds only plain values.
 * @example
 * const g: GradientWithAux<Real, { x: Real; y: Real }> = grad((x: Real) => [mul(x, x), { x, y: sin(x) }] as const, { hasAux: true });
 * g(3); // => [6, { x: 3, y: Math.sin(3) }]
 */
export interface GradientWithAux<X, A> {
  <U extends X>(x: U): readonly [Like<U>, Result<A, U>];
  (x: X): readonly [Like<X>, Like<A>];
}

/**
 * `valueAndGrad(f, { hasAux: true })`: `[[f(x), aux], ∇f(x)]`.
 * @example
 * const vg: ValueAndGradientWithAux<Real, Real> = valueAndGrad((x: Real) => [mul(x, x), add(x, 1)] as const, { hasAux: true });
 * vg(3); // => [[9, 4], 6]
 */
export interface ValueAndGradientWithAux<X, A> {
  <U extends X>(x: U): readonly [readonly [Result<Real, U>, Result<A, U>], Like<U>];
  (x: X): readonly [readonly [Real, Like<A>], Like<X>];
}

/**
 * What grad and valueAndGrad give, by what `f` returns (`R`): for a Real, the gradient; for a pair
 * `[Real, aux]` (with `{ hasAux: true }`), the gradient with aux. One generic signature rather than
 * overloads, so that `pipe(f, grad, grad)` still infers its types.
 * @example
 * const g: GradientOf<Real, Real> = grad((x: Real) => mul(x, x));
 * g(3); // => 6
 * const ga: GradientOf<Real, readonly [Real, Real]> = grad((x: Real) => [mul(x, x), x] as const, { hasAux: true });
 * ga(3); // => [6, 3]
 */
export type GradientOf<X, R> = [R] extends [Real] ? Gradient<X> : R extends readonly [Real, infer A] ? GradientWithAux<X, A> : never;
/**
 * What valueAndGrad gives, by what `f` returns (`R`): for a Real, `[f(x), ∇f(x)]`; for a pair
 * `[Real, aux]` (with `{ hasAux: true }`), `[[output, aux], ∇output(x)]`.
 * @example
 * const vg: ValueAndGradientOf<Real, Real> = valueAndGrad((x: Real) => mul(x, x));
 * vg(3); // => [9, 6]
 * const vga: ValueAndGradientOf<Real, readonly [Real, Real]> = valueAndGrad((x: Real) => [mul(x, x), x] as const, { hasAux: true });
 * vga(3); // => [[9, 3], 6]
 */
export type ValueAndGradientOf<X, R> = [R] extends [Real]
  ? ValueAndGradient<X>
  : R extends readonly [Real, infer A]
    ? ValueAndGradientWithAux<X, A>
    : never;

