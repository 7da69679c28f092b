// Source text that reads a flat structure's leaves and builds a frozen one, for code generated
// around a replay (jit's direct path): the checks of plainLeaves and the builders of unflatten, inline.
import { MAX_GENERATED_KEYS } from "./compiled.ts";
import { LEAF, type TreeDef } from "./types.ts";

/** The keys of a flat record that generated code may name (a `__proto__` literal would set the prototype). */
function literalKeys(def: TreeDef): readonly string[] | undefined {
  if (def === LEAF || def.children !== null || def.keys === null) return undefined;
  const { keys } = def;
  return keys.length > 0 && keys.length <= MAX_GENERATED_KEYS && !keys.includes("__proto__") ? keys : undefined;
}

/** Whether `def` is a leaf, or an array or record of leaves that generated code can read and build. */
export function isGeneratable(def: TreeDef): boolean {
  if (def === LEAF) return true;
  if (def.children !== null) return false;
  return def.keys === null ? def.size > 0 && def.size <= MAX_GENERATED_KEYS : literalKeys(def) !== undefined;
}

/**
 * Statements that read argument `x` of structure `def` into `const`s named `names` (one per leaf),
 * with the record's keys bound to the name `keys` (see `keysOf`):
 * `return miss;` when `x` has another structure (nothing read yet), `return slow([leaves]);` when a leaf
 * is not a plain number (each leaf read once). `def` must be generatable.
 */
export function readSource(def: TreeDef, names: readonly string[]): string {
  const numbers = `if (${names.map((v) => `typeof ${v} !== "number"`).join(" || ")}) return slow([${names.join(", ")}]);`;
  if (def === LEAF) return `const ${names[0]} = x;\n${numbers}`;
  const keys = literalKeys(def);
  if (keys === undefined) {
    return [
      `if (!Array.isArray(x) || x.length !== ${names.length}) return miss;`,
      `const ${names.map((v, i) => `${v} = x[${i}]`).join(", ")};`,
      numbers,
    ].join("\n");
  }
  // for-in walks the keys in Object.keys's order without making an array; it would also walk an
  // enumerable key of Object.prototype (a polluted prototype), so then this is a miss
  return [
    `if (typeof x !== "object" || x === null) return miss;`,
    `const p = Object.getPrototypeOf(x);`,
    `if (p !== Object.prototype && p !== null) return miss;`,
    `if (p !== null) for (const inherited in p) return miss;`,
    `let j = 0;`,
    `for (const key in x) if (j >= ${keys.length} || key !== keys[j++]) return miss;`,
    `if (j !== ${keys.length}) return miss;`,
    `const ${names.map((v, i) => `${v} = x[${JSON.stringify(keys[i])}]`).join(", ")};`,
    numbers,
  ].join("\n");
}

/** The keys `readSource`'s code compares with (bound to the name `keys`), for a record structure. */
export const keysOf = (def: TreeDef): readonly string[] => literalKeys(def) ?? [];

/** An expression for the frozen tree of structure `def` whose leaves are the expressions `leaves`. */
export function buildSource(def: TreeDef, leaves: readonly string[]): string {
  if (def === LEAF) return leaves[0];
  const keys = literalKeys(def);
  if (keys === undefined) return `Object.freeze([${leaves.join(", ")}])`;
  return `Object.freeze({ ${keys.map((key, i) => `${JSON.stringify(key)}: ${leaves[i]}`).join(", ")} })`;
}
