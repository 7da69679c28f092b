// Internal entry: hooks for nabla's own tests (not part of the public API, not re-exported by index.ts).
export { kernelCount } from "./backend/js/fusion/compile.ts";
export { setCompilation } from "./backend/js/fusion/run.ts";
export { threefry2x32 } from "./random/threefry.ts";
