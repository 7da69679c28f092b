// Internal entry: hooks for nabla's own tests (not part of the public API, not re-exported by index.ts).
export { BAKED_VARIANTS, kernelCount, MAX_LOOPS } from "./backend/js/fusion/compile.ts";
export { setCompilation } from "./backend/js/fusion/run.ts";
export { threefry2x32 } from "./random/threefry.ts";
export { instantiate, specialize } from "./base/codegen.ts";
// the protocol and the rule makers, for the recipes in ARCHITECTURE.md (checked by test/unit/recipes.test.ts)
export { bind1, bind2, bindN, bindT } from "./core/bind.ts";
export { newKind, Trace, Tracer } from "./core/protocol.ts";
export type { BinaryRule, NaryRule, TensorRule, UnaryRule, Value } from "./core/protocol.ts";
export { below } from "./core/value.ts";
export { unary, unaryOp } from "./rules/define.ts";
export { scale } from "./rules/scalar.ts";
export { js } from "./backend/js/index.ts";
export type { Kernels } from "./backend/kernels.ts";
export { IDLE_MS, MAX_FREE_BYTES, pooledBytes, releaseIdle } from "./backend/pool.ts";
// the backend's selection (tests run the tensor suites under each; the bench compares them)
export { backendName, kernels, useBackend, wasmAvailable } from "./backend/index.ts";
export type { BackendName } from "./backend/index.ts";
export { wasmKernels } from "./backend/wasm/index.ts";
export { hostWasm } from "./backend/wasm/platform.ts";
export type { WasmApi } from "./backend/wasm/platform.ts";
