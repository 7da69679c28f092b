// jit's replays of a tensor program run in a recycling scope of the buffer pool: the buffers of
// intermediates that die go back to the pool and serve the next replay, so 1,000 replays of a
// training step hold no more memory than the first few (bench/jit-ab.ts runs the W2-sized one).
import { describe, expect, it } from "vitest";
import { add, jit, logSumExp, matmul, mean, mul, oneHot, type Real, square, sub, sum, tanh, type Tensor, tensor, valueAndGrad } from "../../src/index.ts";
import { MAX_FREE_BYTES, pooledBytes } from "../../src/internal.ts";
import { arrayBuffers, MB } from "../support/memory.ts";


type P = { readonly w1: Tensor; readonly b1: Tensor; readonly w2: Tensor; readonly b2: Tensor };
const [B, I, H, K] = [32, 256, 64, 10]; // W2's shape, smaller: W1 and the activations' gradients pass the pool's threshold
const values = (n: number, s: number): number[] => Array.from({ length: n }, (_, i) => Math.sin(s * 7.1 + i * 1.37) * 0.05);

describe("jit's replays of a training step", () => {
  it("1,000 replays: the step runs once, and memory and the pool stay where they were after the first replays", () => {
    const x = tensor(values(B * I, 1), [B, I]);
    const y = oneHot(Array.from({ length: B }, (_, i) => i % K), K);
    const loss = (q: P): Real => {
      const logits = add(matmul(tanh(add(matmul(x, q.w1), q.b1)), q.w2), q.b2);
      return add(mean(sub(logSumExp(logits, 1), sum(mul(logits, y), 1))), mul(1e-4, add(sum(square(q.w1)), sum(square(q.w2)))));
    };
    let runs = 0;
    const step = jit((q: P) => {
      runs++;
      const [l, g] = valueAndGrad(loss)(q);
      return [l, { w1: sub(q.w1, mul(0.1, g.w1)), b1: sub(q.b1, mul(0.1, g.b1)), w2: sub(q.w2, mul(0.1, g.w2)), b2: sub(q.b2, mul(0.1, g.b2)) }] as const;
    });
    let q: P = { w1: tensor(values(I * H, 2), [I, H]), b1: tensor(values(H, 3)), w2: tensor(values(H * K, 4), [H, K]), b2: tensor(values(K, 5)) };
    for (let i = 0; i < 10; i++) q = step(q)[1];
    const [memory, pooled] = [arrayBuffers(), pooledBytes()];
    expect(pooled).toBeGreaterThan(0); // the replays' intermediates went back to the pool
    let most = 0;
    for (let i = 0; i < 1000; i++) {
      q = step(q)[1];
      most = Math.max(most, pooledBytes());
    }
    expect(runs).toBe(1);
    expect(most).toBeLessThanOrEqual(Math.min(MAX_FREE_BYTES, 2 * pooled));
    expect(arrayBuffers() - memory).toBeLessThan(MB);
  });
});
