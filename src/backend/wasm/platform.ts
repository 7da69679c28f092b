// The few WebAssembly globals the backend uses, typed here (the library's build has no DOM types), and
// their detection: WebAssembly present, SIMD validating, and compiling allowed (a CSP may forbid it).
import { assemble, type Func } from "./emit.ts";

/** A linear memory: its buffer is replaced (the old one detached) when it grows. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
type Exports = Readonly<Record<string, unknown>>;
interface WasmInstance {
  readonly exports: Exports;
}

/** The part of the WebAssembly namespace used here (a test passes a stand-in to simulate a refusal). */
export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  compile(bytes: Uint8Array): Promise<object>;
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => WasmInstance;
  readonly Memory: new (descriptor: { initial: number; maximum: number }) => WasmMemory;
}

/** The host's WebAssembly, if any. */
export const hostWasm = (): WasmApi | undefined => (globalThis as unknown as { readonly WebAssembly?: WasmApi }).WebAssembly;

/** A running module: its memory and its exported functions. */
export interface Instance {
  readonly memory: WasmMemory;
  readonly exports: Exports;
}

/**
 * The module of `funcs` over a memory of `pages` pages, compiled and instantiated now; undefined when
 * there is no WebAssembly, the engine lacks SIMD (the module does not validate), or compiling throws
 * (a Content-Security-Policy without 'wasm-unsafe-eval', or an engine refusing synchronous
 * compilation of a large module on a browser's main thread). In the last case `later` receives the
 * instance if asynchronous compilation succeeds. A module may share the memory of another (`shared`).
 */
export function instantiate(
  api: WasmApi | undefined, funcs: readonly Func[], pages: number, later?: (instance: Instance) => void, shared?: WasmMemory,
): Instance | undefined {
  if (api === undefined || typeof api.validate !== "function") return undefined;
  let bytes: Uint8Array;
  try {
    bytes = assemble(funcs, pages);
    if (!api.validate(bytes)) return undefined;
  } catch {
    return undefined;
  }
  // the memory is made at its full size and never grows: growing detaches the old buffer, and once any
  // buffer in the process is detached V8 checks every typed-array access for it (slower everywhere)
  const start = (module: object): Instance => {
    const memory = shared ?? new api.Memory({ initial: pages, maximum: pages });
    return { memory, exports: new api.Instance(module, { m: { memory } }).exports };
  };
  try {
    return start(new api.Module(bytes));
  } catch {
    if (later !== undefined && typeof api.compile === "function") {
      api.compile(bytes).then(
        (module) => later(start(module)),
        () => undefined, // refused asynchronously too: JS stays
      );
    }
    return undefined;
  }
}
