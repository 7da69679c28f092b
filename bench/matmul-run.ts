// Child process for the matmul rows: `matmul-run.ts` prints one JSON line, GFLOP/s per shape for each of
// nabla's kernel backends (js, and any other that src/internal.ts exports, plus its selected default).
import * as internal from "../src/internal.ts";
import type { Kernels } from "../src/internal.ts";
import { kernelGflops, naiveProduct, type MatmulShape } from "./matmul.ts";

/** Whether `k` looks like a kernel backend (a future export such as `wasm`, or the `kernels` delegate). */
const isKernels = (k: unknown): k is Kernels => typeof k === "object" && k !== null && typeof (k as Kernels).matmul === "function";

/**
 * [name, kernels] for each backend: adding one is a line here, e.g. `list.push(["wasm", internal.wasm])`;
 * an export of src/internal.ts named `wasm` (a Kernels object) or `kernels` (the delegate to the
 * selected default backend) is picked up by itself.
 */
export function kernelBackends(): readonly (readonly [string, Kernels])[] {
  const exported = internal as unknown as Record<string, unknown>;
  const list: (readonly [string, Kernels])[] = [["js", internal.js]];
  for (const name of ["wasm", "kernels"]) {
    const k = exported[name];
    if (isKernels(k)) list.push([name === "kernels" ? "default (kernels)" : name, k]);
  }
  return list;
}

const cache = new Map<string, Float64Array>();
const reference = (s: MatmulShape): Float64Array => {
  let r = cache.get(s.label);
  if (!r) cache.set(s.label, (r = naiveProduct(s)));
  return r;
};
const result: Record<string, Record<string, number>> = {};
for (const [name, kernels] of kernelBackends()) result[name] = kernelGflops(kernels, reference);
process.stdout.write(JSON.stringify({ gflops: result }) + "\n");
