// Issue "Robustness" item 5 (SPEC §7 "Bounded"): the buffer pool has a budget. Buffers come in size
// classes (so varying shapes reuse them), at most MAX_FREE_BYTES wait for reuse, and everything kept
// (free buffers, a huge tape's arrays, a sweep's and a matmul's scratch) goes once the program has
// been idle for IDLE_MS. Memory after a varied-shape workload returns to near where it started.
import { describe, expect, it } from "vitest";
import { add, grad, matmul, mul, type Real, sin, softmax, sum, tanh, type Tensor, tensor } from "../../src/index.ts";
import { IDLE_MS, MAX_FREE_BYTES, pooledBytes } from "../../src/internal.ts";
import { arrayBuffers, MB } from "../support/memory.ts";

const idle = () => new Promise((resolve) => setTimeout(resolve, IDLE_MS + 300));

/** A loss that allocates: softmax along rows, an elementwise product, their pullbacks. */
const loss = (q: Tensor): Real => sum(mul(softmax(q, 1), tanh(mul(q, 3))));

describe("the buffer pool's budget", () => {
  it("100 grads on shapes [4, 20000 + 13i] keep at most the budget, and memory returns to the start when idle", async () => {
    await idle();
    const start = arrayBuffers();
    let most = 0;
    for (let i = 0; i < 100; i++) {
      const n = 20_000 + 13 * i;
      grad(loss)(tensor(new Float64Array(4 * n).fill(0.25), [4, n]));
      most = Math.max(most, pooledBytes?.() ?? 0);
    }
    // while it works: the budget (32 MB) and a few live buffers (it was ~250 MB with exact-length lists)
    expect(arrayBuffers() - start).toBeLessThan(48 * MB);
    expect(most).toBeLessThanOrEqual(MAX_FREE_BYTES);
    await idle();
    expect(arrayBuffers() - start).toBeLessThan(2 * MB);
    expect(pooledBytes()).toBe(0);
  });

  it("size classes: a varied-shape workload reuses buffers rather than allocating one per shape", () => {
    const before = pooledBytes();
    grad(loss)(tensor(new Float64Array(4 * 40_000).fill(0.25), [4, 40_000]));
    const listed = pooledBytes();
    expect(listed).toBeGreaterThan(before);
    // a slightly different shape takes its buffers from the lists (same classes) rather than new ones
    grad(loss)(tensor(new Float64Array(4 * 40_100).fill(0.25), [4, 40_100]));
    expect(pooledBytes()).toBe(listed);
  });

  it("the scratch of a big matmul gradient and of a 1,000,000-op gradient goes when idle", async () => {
    await idle();
    const start = arrayBuffers();
    const A = tensor(new Float64Array(600 * 600).fill(0.001), [600, 600]);
    grad((a: Tensor) => sum(matmul(a, a)))(A);
    const chain = (x: Real): Real => {
      let y = x;
      for (let i = 0; i < 500_000; i++) y = add(sin(y), 0.1);
      return y;
    };
    expect(typeof grad(chain)(0.5)).toBe("number");
    // the tape (24 B a node), its sweep's scratch and the packed operands are held for the next call …
    expect(arrayBuffers() - start).toBeGreaterThan(10 * MB);
    await idle();
    // … and only A (2.9 MB) remains once the program has been idle (it was ~50–100 MB for good)
    expect(arrayBuffers() - start).toBeLessThan(600 * 600 * 8 + 2 * MB);
    expect(A.shape).toEqual([600, 600]);
  });
});
