// jit A/B: eager against jit on the bench workloads (W2 training step, W3 grad, W5 hvp, W6 per-example
// gradients, W7 CNN step), alternating in one process, medians. `npx tsx bench/jit-ab.ts [rounds] [w2|…|w7]`;
// `npx tsx bench/jit-ab.ts 0 memory`: memory over 1,000 replays of the W2 step.
import {
  add, conv2d, grad, hvp, jit, logSumExp, matmul, maxPool2d, mean, mul, oneHot, type Real, relu, reshape, square, sub, sum, tanh,
  type Tensor, tensor, toArray, valueAndGrad, vmap,
} from "../src/index.ts";
import { mlpProblem } from "./workloads/mlp.ts";
import { rosenbrockInput, rosenbrockNabla } from "./workloads/rosenbrock.ts";
import { hvpInput } from "./workloads/hvp.ts";
import { loss as exampleLoss, perExampleProblem, sizes as exampleSizes } from "./workloads/per-example.ts";
import { cnnProblem } from "./workloads/cnn.ts";
import { extents } from "./workloads/cnn-hand.ts";
import { pooledBytes } from "../src/internal.ts";
import v8 from "node:v8";
import vm from "node:vm";

type Mlp = { readonly w1: Tensor; readonly b1: Tensor; readonly w2: Tensor; readonly b2: Tensor };

/** W2: one SGD step, params → [loss, new params]. */
function w2(): { step: (q: Mlp) => readonly [Real, Mlp]; init: Mlp } {
  const p = mlpProblem();
  const x = tensor(p.x, [p.batch, p.inputs]);
  const y = oneHot(p.labels, p.classes);
  const loss = (q: Mlp): Real => {
    const logits = add(matmul(tanh(add(matmul(x, q.w1), q.b1)), q.w2), q.b2);
    const ce = mean(sub(logSumExp(logits, 1), sum(mul(logits, y), 1)));
    return add(ce, mul(p.l2, add(sum(square(q.w1)), sum(square(q.w2)))));
  };
  const lg = valueAndGrad(loss);
  const step = (q: Mlp): readonly [Real, Mlp] => {
    const [l, g] = lg(q);
    return [l, { w1: sub(q.w1, mul(p.lr, g.w1)), b1: sub(q.b1, mul(p.lr, g.b1)), w2: sub(q.w2, mul(p.lr, g.w2)), b2: sub(q.b2, mul(p.lr, g.b2)) }];
  };
  const init = { w1: tensor(p.w1, [p.inputs, p.hidden]), b1: tensor(p.b1), w2: tensor(p.w2, [p.hidden, p.classes]), b2: tensor(p.b2) };
  return { step, init };
}

type Cnn = { readonly k1: Tensor; readonly b1: Tensor; readonly k2: Tensor; readonly b2: Tensor; readonly w3: Tensor; readonly b3: Tensor };

/** W7: one SGD step of the CNN, params → [loss, new params]. */
function w7(): { step: (q: Cnn) => readonly [Real, Cnn]; init: Cnn } {
  const p = cnnProblem();
  const { batch: B, size: S, c1, c2, classes: K } = p;
  const { flat } = extents(p);
  const x = tensor(p.x, [B, S, S, 1]);
  const y = oneHot(p.labels, K);
  const loss = (q: Cnn): Real => {
    const h1 = maxPool2d(relu(add(conv2d(x, q.k1), q.b1)), 2);
    const h2 = maxPool2d(relu(add(conv2d(h1, q.k2), q.b2)), 2);
    const logits = add(matmul(reshape(h2, [B, flat]), q.w3), q.b3);
    return mean(sub(logSumExp(logits, 1), sum(mul(logits, y), 1)));
  };
  const lg = valueAndGrad(loss);
  const step = (q: Cnn): readonly [Real, Cnn] => {
    const [l, g] = lg(q);
    const u = (a: Tensor, d: Tensor): Tensor => sub(a, mul(p.lr, d));
    return [l, { k1: u(q.k1, g.k1), b1: u(q.b1, g.b1), k2: u(q.k2, g.k2), b2: u(q.b2, g.b2), w3: u(q.w3, g.w3), b3: u(q.b3, g.b3) }];
  };
  const init = {
    k1: tensor(p.k1, [3, 3, 1, c1]), b1: tensor(p.b1), k2: tensor(p.k2, [3, 3, c1, c2]), b2: tensor(p.b2), w3: tensor(p.w3, [flat, K]), b3: tensor(p.b3),
  };
  return { step, init };
}

/** The largest difference between two results' numbers, leaf by leaf. */
function maxDiff(a: unknown, b: unknown): number {
  if (typeof a === "number") return Math.abs(a - (b as number));
  if (a !== null && typeof a === "object" && "shape" in a) {
    const x = (toArray(reshape(a as Tensor, [-1])) as number[]);
    const y = (toArray(reshape(b as Tensor, [-1])) as number[]);
    return x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i]!)), 0);
  }
  return Object.keys(a as object).reduce((m, k) => Math.max(m, maxDiff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])), 0);
}

const median = (xs: number[]): number => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)]!;

/** Times `run` (ms), eager and jitted alternately: medians and the agreement of one call's results. */
function ab(name: string, eager: () => unknown, jitted: () => unknown, rounds: number, reps: number): void {
  const diff = maxDiff(jitted(), eager());
  const te: number[] = [];
  const tj: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const [run, out] of r % 2 === 0 ? ([[eager, te], [jitted, tj]] as const) : ([[jitted, tj], [eager, te]] as const)) {
      const t = performance.now();
      for (let k = 0; k < reps; k++) run();
      out.push((performance.now() - t) / reps);
    }
  }
  const [e, j] = [median(te), median(tj)];
  console.log(`${name.padEnd(34)} eager ${e.toFixed(3).padStart(8)} ms  jit ${j.toFixed(3).padStart(8)} ms  ×${(e / j).toFixed(2)}  max |Δ| ${diff.toExponential(1)}`);
}

const rounds = Number(process.argv[2] ?? 15);
const only = process.argv[3];

if (only === undefined || only === "w2") {
  const { step, init } = w2();
  const jstep = jit(step);
  // three steps each way from the same start
  let [a, b] = [init, init];
  for (let s = 0; s < 3; s++) [a, b] = [step(a)[1], jstep(b)[1] as Mlp];
  console.log(`W2 three steps: max |Δ params| ${maxDiff(a, b).toExponential(1)}`);
  ab("W2 step (784-128-10, batch 128)", () => step(init), () => jstep(init), rounds, 5);
}
if (only === undefined || only === "w3") {
  const x = tensor(rosenbrockInput());
  const g = grad(rosenbrockNabla);
  const jg = jit(g);
  ab("W3 grad Rosenbrock (100,000)", () => g(x), () => jg(x), rounds, 10);
}
if (only === undefined || only === "w5") {
  const { x, v } = hvpInput();
  const [xt, vt] = [tensor(x), tensor(v)];
  const h = hvp(rosenbrockNabla);
  const jh = jit((a: readonly [Tensor, Tensor]) => h(a[0], a[1]));
  ab("W5 hvp Rosenbrock (10,000)", () => h(xt, vt), () => jh([xt, vt]), rounds, 20);
}
if (only === undefined || only === "w6") {
  const p = perExampleProblem();
  const { batch, inputs, hidden, classes } = exampleSizes;
  const params = { w1: tensor(p.w1, [inputs, hidden]), b1: tensor(p.b1), w2: tensor(p.w2, [hidden, classes]), b2: tensor(p.b2) };
  const xs = tensor(p.x, [batch, inputs]);
  const ys = oneHot(p.labels, classes);
  const per = vmap(grad(exampleLoss), [null, 0, 0]);
  const jper = jit(per);
  ab("W6 vmap(grad) per-example (128)", () => per([params, xs, ys]), () => jper([params, xs, ys]), rounds, 5);
}
if (only === undefined || only === "w7") {
  const { step, init } = w7();
  const jstep = jit(step);
  ab("W7 CNN step (batch 64)", () => step(init), () => jstep(init), Math.max(5, Math.floor(rounds / 3)), 1);
}
if (only === "memory") {
  const { step, init } = w2();
  const jstep = jit(step);
  v8.setFlagsFromString("--expose_gc");
  const collect = vm.runInNewContext("gc") as () => void;
  const gc = (): void => (collect(), collect());
  const mb = (n: number): string => (n / 1024 / 1024).toFixed(2);
  let q = init;
  gc();
  const start = process.memoryUsage().arrayBuffers;
  for (let i = 1; i <= 1000; i++) {
    q = jstep(q)[1] as Mlp;
    if (i === 10 || i % 200 === 0) {
      gc();
      console.log(`W2 replay ${i}: ArrayBuffers +${mb(process.memoryUsage().arrayBuffers - start)} MB, pool ${mb(pooledBytes())} MB, heap ${mb(process.memoryUsage().heapUsed)} MB`);
    }
  }
}
