// Memory as the memory tests read it: the ArrayBuffers (where tensor data lives) still alive after
// full collections. Node's gc is exposed at run time, so the suites need no flag.
import v8 from "node:v8";
import vm from "node:vm";

v8.setFlagsFromString("--expose_gc");
const gc = vm.runInNewContext("gc") as () => void;

export const MB = 1024 * 1024;

/** Bytes of ArrayBuffers alive after a full collection. */
export function arrayBuffers(): number {
  gc();
  gc();
  return process.memoryUsage().arrayBuffers;
}
