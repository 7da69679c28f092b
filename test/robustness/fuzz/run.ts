// The fuzz program: every public export of src/index.ts (functions, the Tensor constructor, the
// methods of exported objects, and whatever those calls return: functions, pairs with pullbacks,
// optimizers and layers), called with hostile arguments under fast-check. It runs in its own process
// (test/robustness/fuzz.test.ts spawns it with a watchdog), so a hang or an abort is caught too.
//
//   node --import tsx test/robustness/fuzz/run.ts            env: NABLA_FUZZ_RUNS (per export, default 25),
//                                                            NABLA_FUZZ_SEED, NABLA_FUZZ_PROGRESS (a file
//                                                            that names the call under way), NABLA_FUZZ_ONLY
import { writeFileSync } from "node:fs";
import fc from "fast-check";
import * as nabla from "../../../src/index.ts";
import { exercise, type Outcome } from "./check.ts";
import { argsOf, build, Hostile, type Recipe } from "./hostile.ts";

const runs = Number(process.env.NABLA_FUZZ_RUNS ?? 25);
const seed = Number(process.env.NABLA_FUZZ_SEED ?? Date.now() % 2 ** 31);
const progress = process.env.NABLA_FUZZ_PROGRESS;
const only = process.env.NABLA_FUZZ_ONLY;

type Callable = (...args: unknown[]) => unknown;
interface Target {
  readonly label: string;
  /** An error message must include one of these. */
  readonly names: readonly string[];
  readonly call: Callable;
}

/** Methods that are another export under a second name (fp-ts's instances): that name counts too. */
const aliases: Record<string, readonly string[]> = { "MonoidSumReal.concat": ["add"], "MonoidProductReal.concat": ["mul"] };

/**
 * Exports left out of the table, each with why. Remove an entry once its fix is in (none now).
 */
const excluded: Readonly<Record<string, string>> = {};

/** Every callable thing the public door exports. */
function targets(): Target[] {
  const out: Target[] = [];
  for (const [name, value] of Object.entries(nabla)) {
    if (name in excluded) continue;
    if (name === "Tensor") {
      out.push({ label: "new Tensor", names: ["Tensor", "tensor"], call: (...a) => new (value as unknown as new (...a: unknown[]) => unknown)(...a) });
    } else if (typeof value === "function") {
      out.push({ label: name, names: [name], call: value as Callable });
    } else if (Array.isArray(value)) {
      value.forEach((entry, i) => {
        for (const [k, v] of Object.entries(entry as object)) {
          if (typeof v === "function") out.push({ label: `${name}[${i}].${k}`, names: [name, (entry as { name: string }).name.split(" ")[0], k], call: v as Callable });
        }
      });
    } else if (typeof value === "object" && value !== null) {
      for (const [k, v] of Object.entries(value)) {
        const label = `${name}.${k}`;
        if (typeof v === "function") out.push({ label, names: [name, k, ...(aliases[label] ?? [])], call: (v as Callable).bind(value) });
      }
    }
  }
  return out.filter((t) => only === undefined || t.label.startsWith(only));
}

let calls = 0;

/** One call, its progress noted first (so a watchdog that kills this process can say which). */
function call(target: Target, label: string, fn: Callable, recipes: readonly Recipe[]): Outcome {
  if (progress !== undefined) writeFileSync(progress, `${label}(${JSON.stringify(recipes)})\n`);
  calls++;
  return exercise(label, target.names, fn, recipes.map(build));
}

/** What a call returned, exercised in turn: a function, the functions of a pair, an object's methods. */
function follow(target: Target, label: string, outcome: Outcome, rest: readonly (readonly Recipe[])[]): void {
  if (!("returned" in outcome) || rest.length === 0) return;
  const r = outcome.returned;
  const [args, ...more] = rest;
  const fns: [string, Callable][] = [];
  try {
    if (typeof r === "function") fns.push([`${label}(…)`, r as Callable]);
    else if (Array.isArray(r)) r.forEach((v, i) => typeof v === "function" && fns.push([`${label}[${i}]`, v as Callable]));
    else if (typeof r === "object" && r !== null && !(r instanceof nabla.Tensor) && Object.getPrototypeOf(r) === Object.prototype) {
      for (const [k, v] of Object.entries(r)) if (typeof v === "function") fns.push([`${label}.${k}`, (v as Callable).bind(r)]);
    }
  } catch (e) {
    // what came back is a hostile argument handed back as it is (treeReduce's initial value, say): its
    // own getters and traps throw when this harness looks into it, which says nothing about nabla
    if (e instanceof Hostile || (e instanceof TypeError && /proxy that has been revoked/.test(e.message))) return;
    throw e;
  }
  for (const [l, fn] of fns) follow(target, l, call(target, l, fn, args), more);
}

const failures: { label: string; counterexample: string; error: string }[] = [];
const started = performance.now();
for (const target of targets()) {
  const result = fc.check(
    fc.property(fc.tuple(argsOf, argsOf, argsOf), ([a, b, c]) => {
      follow(target, target.label, call(target, target.label, target.call, a), [b, c]);
    }),
    { numRuns: runs, seed, endOnFailure: false, maxSkipsPerRun: 0 },
  );
  if (result.failed) {
    failures.push({
      label: target.label,
      counterexample: JSON.stringify(result.counterexample),
      error: String((result.errorInstance as Error | undefined)?.message ?? result.errorInstance),
    });
  }
}
const summary = { seed, runs, targets: targets().length, calls, seconds: Number(((performance.now() - started) / 1000).toFixed(1)), failures };
console.log(JSON.stringify(summary, null, 1));
process.exitCode = failures.length === 0 ? 0 : 1;
