// Generated readers and builders for flat records (a structure a transform sees again and again):
// property loads and object literals, with closures doing the same where code cannot be generated.
import { instantiate } from "../base/codegen.ts";
import { Tracer, type Value } from "../core/protocol.ts";
import { Tensor } from "../tensor/tensor.ts";
import { hasKeys, record } from "./records.ts";
import { type Compiled, type Container, LEAF, type Lifter, type TreeDef } from "./types.ts";

/**
 * `flattenLifted`'s short path for a flat array or record of structure `def` (the structure a
 * transform saw last time): the lifted container (frozen, as every tree handed to user code is),
 * or undefined when `x` is anything else.
 */
export function liftFlat(def: Container, x: unknown, out: Value[], lifter: Lifter): unknown {
  const { keys, size } = def;
  if (keys === null) {
    if (!Array.isArray(x) || x.length !== size) return undefined;
    const parts = new Array<unknown>(size);
    for (let i = 0; i < size; i++) {
      const v: unknown = x[i];
      if (typeof v !== "number" && !isLiveLeaf(v)) return undefined;
      out.push(v as Value);
      parts[i] = lifter.input(v as Value);
    }
    return Object.freeze(parts);
  }
  if (!hasKeys(x, keys)) return undefined;
  const lifted = compiledFor(def, keys).lift(x, out, lifter, isLiveLeaf);
  return lifted === undefined ? undefined : Object.freeze(lifted);
}

/**
 * The leaves of `x` when it has the flat structure `def` (an array or record of leaves) and every leaf
 * is a plain number; undefined otherwise (then `flatten` says what `x` is). Records are read by
 * generated code, as `flattenLifted` reads them.
 */
export function plainLeaves(def: TreeDef, x: unknown): number[] | undefined {
  if (def === LEAF) return typeof x === "number" ? [x] : undefined;
  const { keys, size, children } = def;
  if (children !== null) return undefined;
  if (keys === null) {
    if (!Array.isArray(x) || x.length !== size) return undefined;
    for (let i = 0; i < size; i++) if (typeof x[i] !== "number") return undefined;
    return x.slice() as number[];
  }
  return hasKeys(x, keys) ? compiledFor(def, keys).read(x) : undefined;
}

/** Builds flat records of structure `def` with generated code from now on (for a structure used again and again). */
export function prepare(def: TreeDef): void {
  if (def !== LEAF && def.keys !== null && def.children === null) compiledFor(def, def.keys);
}

/** A leaf other than a number that a transform may take: a tensor, or a Real of a running transform. */
export const isLiveLeaf = (v: unknown): boolean => v instanceof Tensor || (v instanceof Tracer && v.trace.live);

/**
 * Records with more keys than this are read and built by loops: generated code gains nothing there,
 * and engines limit a function's size, its arguments (65,535) and the nesting their parsers handle.
 */
export const MAX_GENERATED_KEYS = 1000;

/** The compiled code of a flat record structure (closures where code cannot or should not be generated). */
function compiledFor(def: Container, keys: readonly string[]): Compiled {
  if (def.compiled !== undefined) return def.compiled;
  // `{ "__proto__": v }` would set the prototype; an empty record would generate `const ;`
  const literal = keys.length > 0 && keys.length <= MAX_GENERATED_KEYS && keys.every((k) => k !== "__proto__");
  const names = keys.map((k) => JSON.stringify(k));
  const vs = keys.map((_, i) => `v${i}`);
  const lift = literal
    ? instantiate(
        // A record of tracers is made by a constructor of its own (its prototype Object.prototype), not
        // as a literal: V8 then gives it other hidden classes than a user's literal of the same keys,
        // whose number fields it would otherwise box from then on (W1's records: jit 1.9× → 1.65×).
        `function Lifted(${vs.join(", ")}) {
  ${names.map((k, i) => `this[${k}] = v${i};`).join("\n  ")}
}
Lifted.prototype = Object.prototype;
return function liftRecord(x, out, lifter, isLiveLeaf) {
  const ${names.map((k, i) => `v${i} = x[${k}]`).join(", ")};
  if (${vs.map((v) => `(typeof ${v} !== "number" && !isLiveLeaf(${v}))`).join(" || ") || "false"}) return undefined;
  out.push(${vs.join(", ")});
  return new Lifted(${vs.map((v) => `lifter.input(${v})`).join(", ")});
};`,
        [],
        [],
      )
    : undefined;
  const make = literal ? instantiate(`return function makeRecord(v) { return { ${names.map((k, i) => `${k}: v[${i}]`).join(", ")} }; };`, [], []) : undefined;
  const read = !literal ? undefined : instantiate(
    `return function readRecord(x) {
  const ${names.map((k, i) => `v${i} = x[${k}]`).join(", ")};
  return ${vs.map((v) => `typeof ${v} === "number"`).join(" && ") || "true"} ? [${vs.join(", ")}] : undefined;
};`,
    [],
    [],
  );
  def.compiled = {
    lift: (lift as Compiled["lift"] | undefined) ?? ((x, out, lifter, ok) => {
      const values = keys.map((k) => (x as Record<string, unknown>)[k]);
      if (!values.every((v) => typeof v === "number" || ok(v))) return undefined;
      for (const v of values) out.push(v as Value); // one push per leaf: no argument-count limit
      return record(keys, values.map((v) => lifter.input(v as Value)));
    }),
    make: (make as Compiled["make"] | undefined) ?? ((v) => record(keys, v)),
    read: (read as Compiled["read"] | undefined) ?? ((x) => {
      const values = keys.map((k) => (x as Record<string, unknown>)[k]);
      return values.every((v) => typeof v === "number") ? (values as number[]) : undefined;
    }),
  };
  return def.compiled;
}

