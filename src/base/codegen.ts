// The one place nabla generates code at run time (fused loops, jit replays, per-rule fast paths,
// readers and builders of a tree's records). Where `new Function` is forbidden (a strict
// Content-Security-Policy) it says so, and every caller has a closure that does the same work.

/**
 * `new Function(...names, source)(...values)`, or undefined where new Function is forbidden or the
 * engine refuses the source for its size (a RangeError: its parser ran out of stack). Callers bound
 * what they generate; this is the net under those bounds.
 */
export function instantiate(source: string, names: readonly string[], values: readonly unknown[]): unknown {
  try {
    return new Function(...names, source)(...values);
  } catch (e) {
    if (e instanceof EvalError || e instanceof RangeError) return undefined;
    throw e;
  }
}

/**
 * A fresh copy of `factory`, a function written in TypeScript that refers only to its own parameters
 * (and globals such as Math) and names no function inside it (bundlers wrap named ones in helpers). V8 keeps type feedback per copy, so each copy made for one rule keeps
 * its calls monomorphic (a shared closure sees every rule's functions at one call site). Without
 * `new Function`, the factory itself.
 */
export function specialize<F extends (...args: never[]) => unknown>(factory: F): F {
  const source = factory.toString();
  // A bundler's helper (esbuild's __name under keepNames) is not in scope of a copy: use the original.
  if (/\b__[A-Za-z]+\(/.test(source)) return factory;
  return (instantiate(`return (${source});`, [], []) as F | undefined) ?? factory;
}
