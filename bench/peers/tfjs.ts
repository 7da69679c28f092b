// TensorFlow.js as a peer: loads `@tensorflow/tfjs` (its Node build registers the gradients) with the
// pure-JS CPU backend, and `@tensorflow/tfjs-backend-wasm` with its binaries read from node_modules.
// Loaded on demand (dynamic import) so nothing else in bench/ or test/ pays for it.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Backend, Tf, TfTensor } from "../workload.ts";

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
    registerWasmConv2DBackpropFilter(tf);
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

/**
 * The wasm backend (4.22) has no Conv2DBackpropFilter, so tf.grad of a conv2d's filter throws there.
 * This fills the gap from the backend's own kernels, as a user of the wasm backend would: for NHWC,
 * dW[ky,kx,c,o] = Σ_{b,y,x} X[b, y·s + ky − pad, x·s + kx − pad, c]·dY[b,y,x,o] is the convolution of the
 * images transposed to [C, H, W, B] with the output gradient transposed to [Ho, Wo, B, O] as the
 * kernel, its dilation the stride; the result [C, kh, kw, O] is transposed back to [kh, kw, C, O].
 */
export function registerWasmConv2DBackpropFilter(tf: Tf): void {
  if (tf.getKernel("Conv2DBackpropFilter", "wasm") !== undefined) return;
  tf.registerKernel({
    kernelName: "Conv2DBackpropFilter",
    backendName: "wasm",
    kernelFunc: ({ inputs, attrs }) => {
      const { x, dy } = inputs as unknown as { x: TfTensor; dy: TfTensor };
      const { strides, pad, filterShape, dataFormat } = attrs as unknown as {
        strides: number | [number, number]; pad: unknown; filterShape: [number, number, number, number]; dataFormat: string;
      };
      if (dataFormat !== "NHWC" || (pad !== "valid" && pad !== "same")) throw new Error(`Conv2DBackpropFilter (bench's wasm kernel): only NHWC with "valid" or "same" padding, got ${dataFormat} ${String(pad)}`);
      const [sh, sw] = typeof strides === "number" ? [strides, strides] : strides;
      const [kh, kw] = filterShape;
      const [, H, W] = x.shape as number[];
      const [, oh, ow] = dy.shape as number[];
      // TensorFlow's "same": the total padding (Ho − 1)·s + k − H, the odd one at the bottom/right
      const total = (size: number, out: number, s: number, k: number) => Math.max((out - 1) * s + k - size, 0);
      const [th, tw] = [total(H, oh, sh, kh), total(W, ow, sw, kw)];
      const padding = pad === "valid" ? "valid" : [[0, 0], [th >> 1, th - (th >> 1)], [tw >> 1, tw - (tw >> 1)], [0, 0]];
      const e = tf.engine();
      const xt = e.runKernel("Transpose", { x }, { perm: [3, 1, 2, 0] }) as TfTensor;
      const dyt = e.runKernel("Transpose", { x: dy }, { perm: [1, 2, 0, 3] }) as TfTensor;
      const full = e.runKernel("Conv2D", { x: xt, filter: dyt }, { strides: [1, 1], pad: padding, dataFormat: "NHWC", dilations: [sh, sw] } as never) as TfTensor;
      const cut = full.shape[1] === kh && full.shape[2] === kw ? full : (e.runKernel("Slice", { x: full }, { begin: [0, 0, 0, 0], size: [-1, kh, kw, -1] }) as TfTensor);
      const out = e.runKernel("Transpose", { x: cut }, { perm: [1, 2, 0, 3] }) as TfTensor;
      for (const t of new Set([xt, dyt, full, cut])) t.dispose();
      return out;
    },
  });
}
