// Names of a tree's leaves in a safetensors file: the path with every step joined by a dot, array
// indices included (`0.w`, `layers.1.b`), and the guard that turns a too-deep tree's stack overflow
// into a clear error.
import type { PathKey } from "../tree/params.ts";
import { formatPath, LEAF, type TreeDef } from "../tree/types.ts";

/** A leaf's safetensors name and its path as SPEC §7 writes it in messages. */
export interface Named {
  readonly name: string;
  readonly path: string;
}

/** The path of every leaf of a tree of structure `def`, in leaf order (read from the structure, not the tree again). */
function pathsOf(def: TreeDef): readonly (readonly PathKey[])[] {
  const out: (readonly PathKey[])[] = [];
  const walk = (d: TreeDef, path: PathKey[]): void => {
    if (d === LEAF) {
      out.push([...path]);
      return;
    }
    for (let i = 0; i < d.size; i++) {
      path.push(d.keys === null ? i : d.keys[i]);
      walk(d.children === null ? LEAF : d.children[i], path);
      path.pop();
    }
  };
  walk(def, []);
  return out;
}

/** The name of every leaf of a tree of structure `def`, in leaf order; two leaves of one name are a TypeError. */
export function leafNames(def: TreeDef, op: string): readonly Named[] {
  const seen = new Map<string, string>();
  return pathsOf(def).map((steps) => {
    const name = steps.map(String).join(".");
    const path = formatPath(steps);
    const other = seen.get(name);
    if (other !== undefined) {
      throw new TypeError(`${op}: the leaves at ${other || "the root"} and ${path || "the root"} would both be named ${JSON.stringify(name)}`);
    }
    if (name === "__metadata__") throw new TypeError(`${op}: the leaf at ${path} would be named "__metadata__", which the format reserves`);
    seen.set(name, path);
    return { name, path };
  });
}

/** `run()`, with a stack overflow (a tree nested too deeply to walk) as a RangeError naming `op`. */
export function deepGuard<T>(op: string, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      throw new RangeError(`${op}: the tree is nested too deeply to walk (${e.message})`);
    }
    throw e;
  }
}
