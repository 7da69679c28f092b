// Code generated at run time (per-op fast paths, readers and builders of a tree's records). Where
// `new Function` is forbidden (a strict Content-Security-Policy) callers fall back to closures.

/** `new Function(...names, source)(...values)`, or undefined where new Function is forbidden. */
export function instantiate(source: string, names: readonly string[], values: readonly unknown[]): unknown {
  try {
    return new Function(...names, source)(...values);
  } catch (e) {
    if (e instanceof EvalError) return undefined;
    throw e;
  }
}
