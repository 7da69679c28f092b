// The README's "Schedules, chains, minibatches and saving" example, as written, with what its comments say.
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import {
  accuracy, adamw, chain, clipByGlobalNorm, dense, fromSafetensors, key, loadParams, permutation, saveParams, serial,
  softmaxCrossEntropy, take, tanhLayer, type Tensor, tensor, toSafetensors, train, warmupCosineDecaySchedule,
} from "../../../src/index.ts";
import { expectClose } from "../../support/approx.ts";

it("the README's schedules, chain, minibatches and saving run as written", () => {
  // --- as in README.md ---
  const x = tensor([[5.1, 3.5], [6.2, 2.9], [7.7, 3.0], [4.9, 3.1], [5.8, 2.7], [6.9, 3.1]]);
  const y = tensor([0, 1, 2, 0, 1, 2]);
  const model = serial(dense(16), tanhLayer, dense(3));
  const [params] = model.init(key(0), x.shape);
  const lr = warmupCosineDecaySchedule(0, 0.05, 20, 300); // 0 → 0.05 over 20 updates, a cosine down to 0 at 300
  const optimizer = chain(clipByGlobalNorm(1), adamw(lr)); // clip the gradient, then AdamW
  const rows = (step: number) => take(permutation(key(step), 6), [0, 1, 2]); // 3 shuffled rows for update `step`
  const fit = train({
    loss: (p: typeof params, r: Tensor) => softmaxCrossEntropy(model.apply(p, take(x, r)), take(y, r)),
    params, optimizer, steps: 300, data: rows,
  });
  const acc = accuracy(model.apply(fit.params, x), y); // the fraction of rows classified right
  acc; // => 1

  const text = saveParams(fit.params); // JSON text: the same tree, the same float64 bits
  const restored = loadParams(text, params); // checked against params' structure
  restored; // => fit.params
  const bytes = toSafetensors(fit.params, { format: "nabla" }); // tensors "0.w", "0.b", "2.w", "2.b" (F64)
  const reloaded = fromSafetensors(bytes, params); // the tree again; fromSafetensors(bytes) gives name → Tensor
  reloaded; // => fit.params
  Object.keys(fromSafetensors(bytes)); // => ["0.b", "0.w", "2.b", "2.w"]
  // ---
  expect(acc).toBe(1);
  expect(lr(0)).toBe(0);
  expect(lr(20)).toBe(0.05);
  expectClose(lr(300), 0, 0, 1e-18);
  expect(fit.history[fit.steps]).toBeLessThan(fit.history[0]);
  expect(restored).toEqual(fit.params);
  expect(reloaded).toEqual(fit.params);
  expect(Object.keys(fromSafetensors(bytes))).toEqual(["0.b", "0.w", "2.b", "2.w"]);
});

it("the README shows exactly the code the test above runs", () => {
  const source = readFileSync(new URL(import.meta.url), "utf8");
  const begin = source.indexOf("// --- as in README.md ---");
  const code = source.slice(source.indexOf("\n", begin) + 1, source.indexOf("  // ---\n", begin));
  const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
  for (const line of code.split("\n").map((l) => l.trim()).filter((l) => l !== "")) expect(readme).toContain(line);
});
