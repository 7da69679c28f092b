// A recording turned into a function of the input leaves: straight-line JavaScript (one `const` per
// step: scalar steps inline, tensor steps a direct call of the rule's value function with its
// parameters bound, guards as early returns), or, where code cannot be generated (a strict CSP), a loop over the steps.
import { instantiate } from "../../base/codegen.ts";
import type { Payload } from "../../core/protocol.ts";
import { isTensorStep, type Operand, operandValue, type Step } from "./steps.ts";

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

/** The replay of a recording, or undefined when it is too long to pay off. */
export function compile(steps: readonly Step[], inputs: number, outputs: readonly Operand[]): Replay | undefined {
  const live = liveSteps(steps, outputs);
  const order = steps.map((_, i) => i).filter((i) => live[i]);
  if (order.length > LONGEST) return undefined;
  // what generated code reads from its closure: tensor constants, and each tensor step's rule and parameters
  const names: string[] = [];
  const values: unknown[] = [];
  const bound = (value: unknown): string => {
    names.push(`k${names.length}`);
    values.push(value);
    return names[names.length - 1]!;
  };
  // one `const` per step, which V8 keeps in registers
  const ref = (o: Operand): string => ("step" in o ? `s${o.step}` : "constant" in o ? literal(o.constant) : bound(o.tensor));
  const body = order.map((i) => {
    if (i < inputs) return `const s${i} = x[${i}];`;
    const s = steps[i]!;
    if (isTensorStep(s)) return `const s${i} = ${bound(s.rule)}.value([${s.operands.map(ref).join(", ")}], ${bound(s.params)});`;
    const expr = s.code(...s.operands.map(ref));
    return s.expect === undefined ? `const s${i} = ${expr};` : `if (${expr} !== ${literal(s.expect)}) return undefined;`;
  });
  const result = `[${outputs.map(ref).join(", ")}]`;
  const replay = instantiate(`return function replay(x) {\n${body.join("\n")}\nreturn ${result};\n};`, names, values);
  return (replay as Replay | undefined) ?? interpret(steps, inputs, outputs, live);
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
