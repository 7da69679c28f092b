// The README's vmap example, as written, checked against a loop of grad over the examples.
import { expect, it } from "vitest";
import { add, grad, logSumExp, matmul, mul, type Real, sum, tanh, type Tensor, tensor, toArray, vmap } from "../../../src/index.ts";
import { expectTreeClose } from "../../support/approx.ts";

it("the README's per-example gradients run as written and equal a loop of grad", () => {
  // --- as in README.md ---
  type Params = { w: Tensor; b: Tensor };
  const loss = ([p, x, y]: readonly [Params, Tensor, Tensor]): Real => {
    const z = add(matmul(tanh(x), p.w), p.b); // one example: x [3], z [2]
    return sum([logSumExp(z), mul(-1, sum(mul(z, y)))]); // softmax cross-entropy, y one-hot
  };
  const params = { w: tensor([[1, -1], [0.5, 0], [0, 2]]), b: tensor([0, 0.1]) };
  const xs = tensor([[1, 2, 3], [0, -1, 1]]); // two examples
  const ys = tensor([[1, 0], [0, 1]]);
  const [perExample] = vmap(grad(loss), [null, 0, 0])([params, xs, ys]);
  expect(perExample.w.shape).toEqual([2, 3, 2]); // => [2, 3, 2]
  // ---
  const rows = [[[1, 2, 3], [1, 0]], [[0, -1, 1], [0, 1]]] as const;
  rows.forEach(([x, y], e) => {
    const [g] = grad(loss)([params, tensor([...x]), tensor([...y])]);
    expectTreeClose((toArray(perExample.w) as number[][][])[e], toArray(g.w));
    expectTreeClose((toArray(perExample.b) as number[][])[e], toArray(g.b));
  });
});
