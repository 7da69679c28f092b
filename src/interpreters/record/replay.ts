// A recording turned into a function of the input leaves: straight-line JavaScript (one `const` per
// step, guards as early returns), or, where code cannot be generated (a strict CSP), a loop over the steps.
import { instantiate } from "../../base/codegen.ts";
import type { Operand, Step } from "./recorder.ts";
import { buildSource, isGeneratable, readSource } from "../../tree/source.ts";
import type { TreeDef } from "../../tree/types.ts";

/** The output leaves for input leaves `x`, or undefined when a guard fails (the recording does not apply). */
export type Replay = (x: readonly number[]) => number[] | undefined;

/** A number as a JavaScript literal that reads back as exactly that number (−0 included). */
function literal(c: number): string {
  if (Object.is(c, -0)) return "(-0)";
  return c < 0 ? `(${c})` : String(c);
}

/** Steps that the outputs or a guard depend on (the rest is dead: computed, never used). */
function liveSteps(steps: readonly Step[], outputs: readonly Operand[]): boolean[] {
  const live = steps.map((s) => s.expect !== undefined);
  for (const o of outputs) if ("step" in o) live[o.step] = true;
  for (let i = steps.length - 1; i >= 0; i--) {
    if (!live[i]) continue;
    for (const o of steps[i].operands) if ("step" in o) live[o.step] = true;
  }
  return live;
}

/**
 * The longest recording worth replaying: beyond about 2,000 steps the straight-line code is too
 * long for V8 to optimize, and replaying it is slower than running the function (measured in
 * bench/README.md); such functions run as written.
 */
export const LONGEST = 2000;

/** The replay of a recording, or undefined when it is too long to pay off. */
export function compile(steps: readonly Step[], inputs: number, outputs: readonly Operand[]): Replay | undefined {
  const live = liveSteps(steps, outputs);
  const body = stepSource(steps, inputs, live);
  if (body === undefined) return undefined;
  const inputLines = Array.from({ length: inputs }, (_, i) => (live[i] ? `const s${i} = x[${i}];` : ""));
  const source = `return function replay(x) {\n${inputLines.join("\n")}\n${body}\nreturn [${outputs.map(ref).join(", ")}];\n};`;
  return (instantiate(source, [], []) as Replay | undefined) ?? interpret(steps, inputs, outputs, live);
}

/**
 * The replay fused with reading its argument and building its result, for flat structures (a leaf,
 * an array or record of leaves) at both ends: `x ↦ result`, or `miss` when `x` has another structure,
 * or `slow(leaves)` when a leaf is not a plain number or a guard fails. Undefined where code cannot be
 * generated or the structures are not flat: the replay above serves then.
 */
export function compileDirect(
  steps: readonly Step[],
  inputs: number,
  outputs: readonly Operand[],
  defs: { readonly input: TreeDef; readonly output: TreeDef },
  miss: unknown,
  slow: (leaves: readonly unknown[]) => unknown,
): ((x: unknown) => unknown) | undefined {
  if (!isGeneratable(defs.input) || !isGeneratable(defs.output)) return undefined;
  const live = liveSteps(steps, outputs);
  const body = stepSource(steps, inputs, live, `slow([${Array.from({ length: inputs }, (_, i) => `s${i}`).join(", ")}])`);
  if (body === undefined) return undefined;
  const read = readSource(defs.input, Array.from({ length: inputs }, (_, i) => `s${i}`));
  const source = `return function direct(x) {\n${read}\n${body}\nreturn ${buildSource(defs.output, outputs.map(ref))};\n};`;
  return instantiate(source, ["miss", "slow"], [miss, slow]) as ((x: unknown) => unknown) | undefined;
}

/** A step's operand in generated code: the `const` of its step, or a literal. */
const ref = (o: Operand): string => ("step" in o ? `s${o.step}` : literal(o.constant));

/** One `const` per live step after the inputs (V8 keeps them in registers), guards returning `failed`. */
function stepSource(steps: readonly Step[], inputs: number, live: readonly boolean[], failed = "undefined"): string | undefined {
  const order = steps.map((_, i) => i).filter((i) => live[i]);
  if (order.length > LONGEST) return undefined;
  const lines: string[] = [];
  for (const i of order) {
    if (i < inputs) continue;
    const s = steps[i];
    const expr = s.code(...s.operands.map(ref));
    lines.push(s.expect === undefined ? `const s${i} = ${expr};` : `if (${expr} !== ${literal(s.expect)}) return ${failed};`);
  }
  return lines.join("\n");
}

/** The same replay without generated code. */
function interpret(steps: readonly Step[], inputs: number, outputs: readonly Operand[], live: readonly boolean[]): Replay {
  return (x) => {
    const v = new Array<number>(steps.length);
    const read = (o: Operand): number => ("step" in o ? v[o.step] : o.constant);
    for (let i = 0; i < steps.length; i++) {
      if (!live[i]) continue;
      const s = steps[i];
      if (i < inputs) v[i] = x[i];
      else {
        const value = s.value(...s.operands.map(read));
        if (s.expect !== undefined && value !== s.expect) return undefined;
        v[i] = value;
      }
    }
    return outputs.map(read);
  };
}
