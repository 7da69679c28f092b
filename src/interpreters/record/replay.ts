// A recording turned into a function of the input leaves: straight-line JavaScript (one `const` per
// step, guards as early returns), or, where code cannot be generated (a strict CSP), a loop over the steps.
import { instantiate } from "../../base/codegen.ts";
import type { Operand, Step } from "./recorder.ts";

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
  const order = steps.map((_, i) => i).filter((i) => live[i]);
  if (order.length > LONGEST) return undefined;
  // one `const` per step, which V8 keeps in registers
  const ref = (o: Operand): string => ("step" in o ? `s${o.step}` : literal(o.constant));
  const body = order.map((i) => {
    if (i < inputs) return `const s${i} = x[${i}];`;
    const s = steps[i];
    const expr = s.code(...s.operands.map(ref));
    return s.expect === undefined ? `const s${i} = ${expr};` : `if (${expr} !== ${literal(s.expect)}) return undefined;`;
  });
  const replay = instantiate(`return function replay(x) {\n${body.join("\n")}\nreturn [${outputs.map(ref).join(", ")}];\n};`, [], []);
  return (replay as Replay | undefined) ?? interpret(steps, inputs, outputs, live);
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
