// Child process for the matmul rows: `matmul-run.ts` prints one JSON line, GFLOP/s per shape for each of
// nabla's kernel backends (js and wasm, each selected in turn).
import * as internal from "../src/internal.ts";
import type { Kernels } from "../src/internal.ts";
import { kernelGflops, naiveProduct, type MatmulShape } from "./matmul.ts";

/**
 * [name, kernels] for each backend that runs here: each selected in turn through the internal hook
 * (wasm falls back to js where it cannot run, and is then left out) and its kernels copied.
 */
export function kernelBackends(): readonly (readonly [string, Kernels])[] {
  const list: (readonly [string, Kernels])[] = [];
  for (const name of ["js", "wasm"] as const) {
    if (internal.useBackend(name) === name) list.push([name, { ...internal.kernels }]);
  }
  internal.useBackend("wasm");
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
