// TensorFlow.js as a peer: loads `@tensorflow/tfjs` (its Node build registers the gradients) with the
// pure-JS CPU backend, and `@tensorflow/tfjs-backend-wasm` with its binaries read from node_modules.
// Loaded on demand (dynamic import) so nothing else in bench/ or test/ pays for it.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Backend, Tf } from "../workload.ts";

export interface TfPeer {
  readonly tf: Tf;
  /** Makes `backend` the active one (cheap once initialised: no data moves, tensors stay with their backend). */
  readonly use: (backend: Backend) => Promise<void>;
  readonly versions: Readonly<Record<string, string>>;
  /** What the wasm backend found: SIMD and threads. */
  readonly wasmFeatures: string;
}

const require = createRequire(import.meta.url);

/** The directory holding the `.wasm` files shipped inside the package. */
export const wasmDir = (): string => join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist") + "/";

const versionOf = (pkg: string): string =>
  (JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), "utf8")) as { version: string }).version;

export async function loadTfjs(backends: readonly Backend[] = ["cpu", "wasm"]): Promise<TfPeer> {
  const tf: Tf = await import("@tensorflow/tfjs");
  // Production mode: no debug checks, and no console advice to install tfjs-node (not a peer here).
  tf.enableProdMode();
  let wasmFeatures = "not loaded";
  if (backends.includes("wasm")) {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    wasm.setWasmPaths(wasmDir());
  }
  for (const b of backends) {
    if (!(await tf.setBackend(b))) throw new Error(`TensorFlow.js backend ${b} failed to initialise`);
    await tf.ready();
    if (b === "wasm") {
      const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
      const threads = await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT");
      wasmFeatures = `SIMD ${simd ? "on" : "off"}, threads ${threads ? "on" : "off"}`;
    }
  }
  const use = async (backend: Backend): Promise<void> => {
    if (tf.getBackend() !== backend) await tf.setBackend(backend);
  };
  const versions = {
    "@tensorflow/tfjs": versionOf("@tensorflow/tfjs"),
    "@tensorflow/tfjs-core": tf.version_core,
    ...(backends.includes("wasm") ? { "@tensorflow/tfjs-backend-wasm": versionOf("@tensorflow/tfjs-backend-wasm") } : {}),
  };
  return { tf, use, versions, wasmFeatures };
}
