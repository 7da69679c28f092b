// README.md's "Auxiliary results, linearize and trees" example runs as written here (the block between
// the markers is compared with the README's, so neither drifts), and gives the numbers its comments
// state, computed here from closed forms.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  grad, linearize, mul, type Real, sin, square, sub, treeFlatten, treeLeaves, treeMap, treeReduce, treeUnflatten, valueAndGrad, vjp,
} from "../../src/index.ts";
import { expectClose, expectDeepFrozen, expectTreeClose } from "../support/approx.ts";

const readme = readFileSync(fileURLToPath(new URL("../../README.md", import.meta.url)), "utf8");
const self = readFileSync(fileURLToPath(import.meta.url), "utf8");

/** The lines of the README's ```ts block under `heading`, without its import line and the blank line after it. */
function readmeBlock(heading: string): string[] {
  const from = readme.indexOf(`\n${heading}\n`);
  expect(from, heading).toBeGreaterThan(0);
  const start = readme.indexOf("```ts\n", from) + "```ts\n".length;
  const lines = readme.slice(start, readme.indexOf("\n```", start)).split("\n");
  expect(lines[0]).toMatch(/^import .* from "nabla";$/);
  return lines.slice(lines[1] === "" ? 2 : 1);
}

/** The lines between this file's markers, indentation removed. */
function markedBlock(): string[] {
  const lines = self.split("\n");
  const begin = lines.findIndex((l) => l.trim() === "// --- as in README.md ---");
  const end = lines.findIndex((l, i) => i > begin && l.trim() === "// --- end ---");
  return lines.slice(begin + 1, end).map((l) => l.replace(/^ {4}/, ""));
}

describe("README: auxiliary results, linearize and trees", () => {
  it("the example here is the README's, line for line", () => {
    expect(markedBlock()).toEqual(readmeBlock("## Auxiliary results, linearize and trees"));
  });

  it("runs as written and gives what its comments say", () => {
    // --- as in README.md ---
    // hasAux (JAX's layouts): f returns [output, aux]; only output is differentiated
    const loss = (w: Real) => [square(sub(mul(w, 3), 1)), { prediction: mul(w, 3) }] as const;
    const [g, aux] = grad(loss, { hasAux: true })(2);                    // 30, { prediction: 6 }
    const [[value, aux2], g2] = valueAndGrad(loss, { hasAux: true })(2); // [25, { prediction: 6 }], 30
    const [y, pullback, aux3] = vjp(loss, 2, { hasAux: true });          // 25, u ↦ 30·u, { prediction: 6 }

    // linearize: f runs once; each jvpAt(v) = J·v is one sweep over the kept linearization
    const f = (p: { a: Real; b: Real }) => [mul(p.a, p.b), sin(p.a)];
    const [fx, jvpAt] = linearize(f, { a: 2, b: 3 }); // [6, sin 2]
    jvpAt({ a: 1, b: 0 });                            // [3, cos 2]
    jvpAt({ a: 0, b: 1 }); // => [2, 0]

    // tree utilities (JAX's tree_util): leaf by leaf over trees of one structure
    const params = { w: [1, 2], b: 0.5 };
    const grads = { w: [0.5, -1], b: 2 };
    treeMap((p, d) => p - 0.1 * d, params, grads);     // { w: [0.95, 2.1], b: 0.3 }
    treeLeaves(params); // => [1, 2, 0.5]
    treeReduce((s: number, l) => s + l * l, params, 0); // => 5.25
    const [leaves, def] = treeFlatten(params);         // treeUnflatten(def, leaves) is params again
    // --- end ---

    // (3w − 1)² at w = 2: 25, its derivative 6(3w − 1) = 30; the prediction 3w = 6
    for (const a of [aux, aux2, aux3]) expect(a).toEqual({ prediction: 6 });
    expect([g, value, g2, y]).toEqual([30, 25, 30, 25]);
    expect(pullback(1)).toBe(30);
    expectTreeClose(fx, [6, Math.sin(2)]);
    expectTreeClose(jvpAt({ a: 1, b: 0 }), [3, Math.cos(2)]);
    expectTreeClose(jvpAt({ a: 0, b: 1 }), [2, 0]);
    expectTreeClose(treeMap((p, d) => p - 0.1 * d, params, grads), { w: [0.95, 2.1], b: 0.3 });
    expect(treeLeaves(params)).toEqual([1, 2, 0.5]);
    expect(treeReduce((s: number, l) => s + l * l, params, 0)).toBe(5.25);
    expect(treeUnflatten(def, leaves)).toEqual(params);
    expectDeepFrozen(treeUnflatten(def, leaves));
    expectClose(value, 25);
  });
});
