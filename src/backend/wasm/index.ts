// The WebAssembly SIMD backend: the kernels that measure faster in wasm (the matrix products), over the
// JS backend for the rest. Its module is generated at run time (emit.ts), so nothing binary ships.
import type { Kernels } from "../kernels.ts";
import { gemmKernel } from "./gemm.ts";
import { PAGES, wasmMatmul } from "./matmul.ts";
import { type Instance, instantiate, type WasmApi } from "./platform.ts";

/** The kernels wasm replaces. */
export type WasmKernels = Pick<Kernels, "matmul" | "matmulStack">;

/**
 * The wasm kernels on `api` (the host's WebAssembly, or a test's stand-in), or undefined where they
 * cannot run now; `later` receives them if they can only be compiled asynchronously (a browser's main thread).
 */
export function wasmKernels(api: WasmApi | undefined, later?: (kernels: WasmKernels) => void): WasmKernels | undefined {
  const make = (instance: Instance): WasmKernels => wasmMatmul(instance);
  const instance = instantiate(api, [gemmKernel()], PAGES, later === undefined ? undefined : (i) => later(make(i)));
  return instance === undefined ? undefined : make(instance);
}
