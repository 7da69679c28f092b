// jax-js as a peer: loads `@jax-js/jax` on its wasm device in Node 20 (a Float16Array stub first, since
// jax-js tests `instanceof Float16Array`; explicit devices, since `init()` alone reads `navigator`).
// Loaded on demand, in the jax-js child process only (jaxjs-run.ts), so no other process pays for it.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type * as JaxModule from "@jax-js/jax";

export type Jax = typeof JaxModule;
export type JaxArray = JaxModule.Array;
/** The two dtypes the bench runs jax-js in (its columns "jax-js f32" and "jax-js f64"). */
export type JaxDtype = "float32" | "float64";

export interface JaxPeer {
  readonly jax: Jax;
  readonly version: string;
}

const require = createRequire(import.meta.url);
/** The package exports no `./package.json`: found beside its entry (dist/index.cjs). */
const packageJson = (): string => join(dirname(require.resolve("@jax-js/jax")), "..", "package.json");

/** A class that cannot be constructed: enough for jax-js's instanceof checks, and loud if ever used. */
class NoFloat16Array {
  constructor() {
    throw new Error("Float16Array is not available in this Node (a stub for jax-js's instanceof checks)");
  }
}

export async function loadJax(): Promise<JaxPeer> {
  const g = globalThis as Record<string, unknown>;
  g.Float16Array ??= NoFloat16Array;
  const jax: Jax = await import("@jax-js/jax");
  await jax.init("cpu", "wasm");
  jax.defaultDevice("wasm");
  const pkg = JSON.parse(readFileSync(packageJson(), "utf8")) as { version: string };
  return { jax, version: pkg.version };
}

/** A jax-js array of `dtype` from float64 numbers (float32-exact in the bench's inputs). */
export const arrayOf = (jax: Jax, values: ArrayLike<number>, shape: readonly number[], dtype: JaxDtype): JaxArray =>
  jax.numpy.array(dtype === "float32" ? Float32Array.from(values) : Float64Array.from(values), {
    shape: [...shape],
    dtype: dtype === "float32" ? jax.numpy.float32 : jax.numpy.float64,
  });

/** A 0-d constant of the run's dtype: under jit a plain number is embedded as a float32 literal. */
export const constant = (jax: Jax, value: number, dtype: JaxDtype): JaxArray => arrayOf(jax, [value], [], dtype);
