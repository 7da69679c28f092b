// The active backend. Another one (WebAssembly SIMD, say) is a folder beside js/ and this one line,
// e.g. `{ ...js, ...wasm }` for a backend that implements only some kernels.
import { js } from "./js/index.ts";
import type { Kernels } from "./kernels.ts";

export const kernels: Kernels = js;
