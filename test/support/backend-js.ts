// Setup file of vitest's "js" project: the suites it lists run on the JS backend, the fallback where
// WebAssembly cannot run (the default project runs them on wasm where it can).
import { useBackend } from "../../src/internal.ts";

useBackend("js");
