// The WebAssembly SIMD backend: the kernels that measure faster in wasm (products, convolutions, column
// sums, fused arithmetic) over the JS ones; its modules are generated at run time (emit.ts), nothing binary ships.
import type { Kernels } from "../kernels.ts";
import { wasmConv } from "./conv.ts";
import { wasmRun } from "./fused.ts";
import { gemmKernel } from "./gemm.ts";
import { gemmOn, PAGES, wasmMatmul } from "./matmul.ts";
import { colsumKernel, wasmSums } from "./reduce.ts";
import { js } from "../js/index.ts";
import { type Instance, instantiate, type WasmApi } from "./platform.ts";

/** The kernels wasm replaces. */
export type WasmKernels = Pick<Kernels, "matmul" | "matmulStack" | "conv2d" | "conv2dInput" | "conv2dFilter" | "sumAxis" | "sumTo" | "run">;

/**
 * The wasm kernels on `api` (the host's WebAssembly, or a test's stand-in), or undefined where they
 * cannot run now; `later` receives them if they can only be compiled asynchronously (a browser's main thread).
 */
export function wasmKernels(api: WasmApi | undefined, later?: (kernels: WasmKernels) => void): WasmKernels | undefined {
  const make = (instance: Instance): WasmKernels => {
    const gemm = gemmOn(instance);
    const products = wasmMatmul(gemm);
    const run = wasmRun(api as WasmApi, instance.memory, PAGES, js.run);
    return { ...products, ...wasmConv(gemm, products.matmul), ...wasmSums(instance, js, PAGES), run };
  };
  const instance = instantiate(api, [gemmKernel(), colsumKernel()], PAGES, later === undefined ? undefined : (i) => later(make(i)));
  return instance === undefined ? undefined : make(instance);
}
