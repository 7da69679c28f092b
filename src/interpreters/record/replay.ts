// A recording turned into a function of the input leaves: straight-line JavaScript (one `const` per
// step: scalar steps inline, tensor steps a direct call of the rule's value function with its
// parameters bound, guards as early returns), or, where code cannot be generated (a strict CSP), a loop over the steps.
import { instantiate } from "../../base/codegen.ts";
import type { Payload } from "../../core/protocol.ts";
import { isTensorStep, type Operand, operandValue, type Step } from "./steps.ts";
import { buildSource, isGeneratable, keysOf, readSource } from "../../tree/source.ts";
import type { TreeDef } from "../../tree/types.ts";

/** The output leaves for input leaves `x`, or undefined when a guard fails (the recording does not apply). */
export type Replay = (x: readonly Payload[]) => Payload[] | undefined;

/** A number as a JavaScript literal that reads back as exactly that number (−0 included). */
function literal(c: number): string {
  if (Object.is(c, -0)) return "(-0)";
  return c < 0 ? `(${c})` : String(c);
}

/** Steps that the outputs or a guard depend on (the rest is dead: computed, never used). */
function liveSteps(steps: readonly Step[], outputs: readonly Operand[]): boolean[] {
  const live = steps.map((s) => !isTensorStep(s) && s.expect !== undefined);
  for (const o of outputs) if ("step" in o) live[o.step] = true;
  for (let i = steps.length - 1; i >= 0; i--) {
    if (!live[i]) continue;
    for (const o of steps[i]!.operands) if ("step" in o) live[o.step] = true;
  }
  return live;
}

/**
 * The longest recording worth replaying: beyond about 2,000 steps the straight-line code is too
 * long for V8 to optimize, and replaying it is slower than running the function (measured in
 * bench/README.md); such functions run as written.
 */
export const LONGEST = 2000;

/** What generated code reads from its closure (tensor constants, each tensor step's rule and parameters), by name. */
class Closure {
  readonly names: string[] = [];
  readonly values: unknown[] = [];
  bind(value: unknown): string {
    this.names.push(`k${this.names.length}`);
    this.values.push(value);
    return this.names[this.names.length - 1]!;
  }
  /** A step's operand in generated code: the `const` of its step, a literal, or a constant tensor's name. */
  ref(o: Operand): string {
    return "step" in o ? `s${o.step}` : "constant" in o ? literal(o.constant) : this.bind(o.tensor);
  }
}

/** The replay of a recording, or undefined when it is too long to pay off. */
export function compile(steps: readonly Step[], inputs: number, outputs: readonly Operand[]): Replay | undefined {
  const live = liveSteps(steps, outputs);
  const closure = new Closure();
  const body = stepSource(steps, inputs, live, closure);
  if (body === undefined) return undefined;
  const inputLines = Array.from({ length: inputs }, (_, i) => (live[i] ? `const s${i} = x[${i}];` : ""));
  const result = `[${outputs.map((o) => closure.ref(o)).join(", ")}]`;
  const source = `return function replay(x) {\n${inputLines.join("\n")}\n${body}\nreturn ${result};\n};`;
  return (instantiate(source, closure.names, closure.values) as Replay | undefined) ?? interpret(steps, inputs, outputs, live);
}

/**
 * The replay fused with reading its argument and building its result, for flat structures (a leaf,
 * an array or record of leaves) at both ends: `x ↦ result`, or `miss` when `x` has another structure,
 * or `slow(leaves)` when a leaf is not a plain number or a guard fails. Undefined where code cannot be
 * generated or the structures are not flat: the replay above serves then. For scalar programs (a
 * replay on tensors runs in a scope of the buffer pool, see jit.ts).
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
  const closure = new Closure();
  const body = stepSource(steps, inputs, live, closure, `slow([${Array.from({ length: inputs }, (_, i) => `s${i}`).join(", ")}])`);
  if (body === undefined) return undefined;
  const read = readSource(defs.input, Array.from({ length: inputs }, (_, i) => `s${i}`));
  const source = `return function direct(x) {\n${read}\n${body}\nreturn ${buildSource(defs.output, outputs.map((o) => closure.ref(o)))};\n};`;
  return instantiate(source, ["miss", "slow", "keys", ...closure.names], [miss, slow, keysOf(defs.input), ...closure.values]) as
    | ((x: unknown) => unknown)
    | undefined;
}

/** One `const` per live step after the inputs (V8 keeps them in registers), guards returning `failed`. */
function stepSource(steps: readonly Step[], inputs: number, live: readonly boolean[], closure: Closure, failed = "undefined"): string | undefined {
  const order = steps.map((_, i) => i).filter((i) => live[i]);
  if (order.length > LONGEST) return undefined;
  const lines: string[] = [];
  for (const i of order) {
    if (i < inputs) continue;
    const s = steps[i]!;
    if (isTensorStep(s)) {
      lines.push(`const s${i} = ${closure.bind(s.rule)}.value([${s.operands.map((o) => closure.ref(o)).join(", ")}], ${closure.bind(s.params)});`);
      continue;
    }
    const expr = s.code(...s.operands.map((o) => closure.ref(o)));
    lines.push(s.expect === undefined ? `const s${i} = ${expr};` : `if (${expr} !== ${literal(s.expect)}) return ${failed};`);
  }
  return lines.join("\n");
}

/** The same replay without generated code. */
function interpret(steps: readonly Step[], inputs: number, outputs: readonly Operand[], live: readonly boolean[]): Replay {
  return (x) => {
    const v = new Array<Payload>(steps.length);
    const read = (o: Operand): Payload => operandValue(o, v);
    for (let i = 0; i < steps.length; i++) {
      if (!live[i]) continue;
      const s = steps[i]!;
      if (i < inputs) v[i] = x[i]!;
      else if (isTensorStep(s)) v[i] = s.rule.value(s.operands.map(read), s.params as never);
      else {
        const value = s.value(...(s.operands.map(read) as number[]));
        if (s.expect !== undefined && value !== s.expect) return undefined;
        v[i] = value;
      }
    }
    return outputs.map(read);
  };
}
