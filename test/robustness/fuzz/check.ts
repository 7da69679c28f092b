// One fuzzed call and what it must do: return, or throw an Error whose message names the function
// (an Error thrown by the hostile value itself may pass through); within a time bound; without
// changing or freezing its arguments; without touching a prototype.
import * as nabla from "../../../src/index.ts";
import { Hostile } from "./hostile.ts";

/** The most one call may take. */
export const CALL_BOUND_MS = 2000;

/** A structural snapshot of a value that reads no getter and survives cycles and throwing traps. */
export function snapshot(x: unknown, seen = new Map<object, number>()): unknown {
  if (typeof x !== "object" || x === null) return typeof x === "function" ? x : { primitive: x };
  const again = seen.get(x);
  if (again !== undefined) return { again };
  seen.set(x, seen.size);
  try {
    if (x instanceof nabla.Tensor) {
      try {
        return { tensor: [...x.shape], data: nabla.toArray(x) };
      } catch {
        return { tensor: [...x.shape], data: "unreadable" };
      }
    }
    if (ArrayBuffer.isView(x)) return { view: x.constructor.name, bytes: Array.from(new Uint8Array(x.buffer, x.byteOffset, x.byteLength)) };
    const state = { frozen: Object.isFrozen(x), sealed: Object.isSealed(x), extensible: Object.isExtensible(x) };
    const descriptors = Object.getOwnPropertyDescriptors(x);
    const own: Record<string, unknown> = {};
    for (const k of Reflect.ownKeys(descriptors)) {
      const d = descriptors[k as string];
      // a long sparse array: its own keys only
      own[String(k)] = "value" in d ? snapshot(d.value, seen) : { get: d.get, set: d.set };
    }
    return { state, proto: Object.getPrototypeOf(x), own };
  } catch (e) {
    return { unreadable: e instanceof Hostile ? "hostile" : String(e) };
  }
}

/** Deep equality of snapshots (functions and prototypes by identity, numbers by Object.is). */
export function same(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

const prototypes = [Object.prototype, Array.prototype, Function.prototype, Number.prototype, String.prototype];
const fingerprint = (): string => prototypes.map((p) => Reflect.ownKeys(p).map(String).join(",")).join("|");
const cleanPrototypes = fingerprint();

/** What a call did. */
export type Outcome = { readonly returned: unknown } | { readonly threw: unknown };

/**
 * Calls `fn(...args)` as the export `label` (its message must include one of `names`) and checks
 * every promise above; returns the outcome, or throws an Error describing the broken promise.
 */
export function exercise(label: string, names: readonly string[], fn: (...args: unknown[]) => unknown, args: readonly unknown[]): Outcome {
  const before = args.map((a) => snapshot(a));
  const started = performance.now();
  let outcome: Outcome;
  try {
    outcome = { returned: fn(...args) };
  } catch (e) {
    outcome = { threw: e };
  }
  const took = performance.now() - started;
  if (took > CALL_BOUND_MS) throw new Error(`${label} took ${took.toFixed(0)} ms (bound ${CALL_BOUND_MS} ms)`);
  if (fingerprint() !== cleanPrototypes || ({} as Record<string, unknown>).polluted !== undefined) {
    throw new Error(`${label} polluted a prototype`);
  }
  args.forEach((a, i) => {
    if (!same(before[i], snapshot(a))) throw new Error(`${label} changed (or froze) its argument ${i}`);
  });
  if ("threw" in outcome) {
    const e = outcome.threw;
    if (e instanceof Hostile || e === "a string, not an Error") return outcome; // the argument's own
    if (!(e instanceof Error)) throw new Error(`${label} threw a non-Error: ${String(e)}`);
    // a revoked proxy throws the engine's TypeError at any touch: that is the argument's own error
    if (e.cause instanceof Hostile || /proxy that has been revoked/.test(e.message)) return outcome;
    if (!names.some((n) => e.message.includes(n))) {
      throw new Error(`${label} threw a ${e.constructor.name} that names none of ${names.join(", ")}: ${e.message.slice(0, 300)}`);
    }
    if (!(e instanceof TypeError || e instanceof RangeError) && !/created inside|computed inside/.test(e.message) && e.constructor !== Error) {
      throw new Error(`${label} threw an unexpected ${e.constructor.name}: ${e.message.slice(0, 300)}`);
    }
  }
  return outcome;
}
