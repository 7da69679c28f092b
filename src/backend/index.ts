// The active backend: one object every module imports as `kernels`, whose methods are those of the
// selected implementation (WebAssembly SIMD where it runs, else JS), reassigned in place on a switch.
import { js } from "./js/index.ts";
import type { Kernels } from "./kernels.ts";
import { hostWasm } from "./wasm/platform.ts";
import { type WasmKernels, wasmKernels } from "./wasm/index.ts";

/** The kernels in use (a mutable delegate: modules hold this object, so a switch reaches them all). */
export const kernels: Kernels = { ...js };

/** The two backends: "wasm" is the JS one with the matrix products in WebAssembly SIMD. */
export type BackendName = "js" | "wasm";

let wasm: WasmKernels | undefined;
let active: BackendName = "js";
/** Set once a caller chose a backend, so that a late asynchronous compile does not override the choice. */
let chosen = false;

/** The backend in use. */
export const backendName = (): BackendName => active;

/** Whether the wasm backend can run here (compiled, for a browser's main thread perhaps only later). */
export const wasmAvailable = (): boolean => wasm !== undefined;

/**
 * Selects a backend ("wasm" falls back to "js" where it cannot run) and returns the one in use. Both
 * give the same bits (each reduction sums in index order), so a switch changes speed only.
 */
export function useBackend(name: BackendName): BackendName {
  chosen = true;
  return select(name);
}

function select(name: BackendName): BackendName {
  active = name === "wasm" && wasm !== undefined ? "wasm" : "js";
  Object.assign(kernels, js, active === "wasm" ? wasm : {});
  return active;
}

wasm = wasmKernels(hostWasm(), (late) => {
  wasm = late;
  if (!chosen) select("wasm");
});
select("wasm");
