// Internal entry: hooks for nabla's own tests (not part of the public API, not re-exported by index.ts).
export { kernelCount, setCompilation } from "./tensor/fusion.ts";
export { threefry2x32 } from "./random/threefry.ts";
export { instantiate, specialize } from "./base/codegen.ts";
