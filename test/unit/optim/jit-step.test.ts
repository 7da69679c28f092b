// A training step under jit, as a JAX user writes one: (params, optimizer state) → (loss, params,
// state). Every optimizer's update is recorded with the gradient (Adam's count and bias correction
// included; a schedule as a step calling it on the count), so later steps replay, with the eager numbers.
import { describe, expect, it } from "vitest";
import {
  adadelta, adagrad, adam, adamw, chain, clipByGlobalNorm, cosineDecaySchedule, dense, jit, key, momentum, type Optimizer, reluLayer,
  rmsprop, serial, sgd, softmaxCrossEntropy, type Tensor, tensor, toArray, valueAndGrad, warmupCosineDecaySchedule,
} from "../../../src/index.ts";

const net = serial(dense(6), reluLayer, dense(3));
const [params0] = net.init(key(3), [4, 5]);
type Params = typeof params0;
const x = tensor(Array.from({ length: 20 }, (_, i) => Math.sin(1.7 * i)), [4, 5]);
const y = tensor([0, 1, 2, 1]);
const loss = (p: Params) => softmaxCrossEntropy(net.apply(p, x) as Tensor, y);

/** Tensors as nested arrays, so two trees compare with toEqual (bit for bit: toEqual uses Object.is on numbers). */
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_, t: unknown) => (t instanceof Object && "shape" in t ? toArray(t as Tensor) : t)));

/** `steps` eager steps and `steps` jitted ones from the same start, and how often the jitted function ran. */
function train(opt: Optimizer<unknown>, steps: number) {
  let runs = 0;
  const step = (s: { readonly p: Params; readonly o: unknown }) => {
    runs++;
    const [l, g] = valueAndGrad(loss)(s.p);
    const [p, o] = opt.update(g, s.o, s.p);
    return [l, { p, o }] as const;
  };
  const jitted = jit(step);
  let eager = { p: params0, o: opt.init(params0) };
  let compiled = eager;
  const losses: [unknown[], unknown[]] = [[], []];
  for (let i = 0; i < steps; i++) {
    const [l, next] = step(eager);
    losses[0].push(l);
    eager = next;
  }
  runs = 0;
  for (let i = 0; i < steps; i++) {
    const [l, next] = jitted(compiled);
    losses[1].push(l);
    compiled = next as typeof compiled;
  }
  return { eager: plain([losses[0], eager]), compiled: plain([losses[1], compiled]), runs };
}

describe("jit of a whole training step", () => {
  const constant: Record<string, Optimizer<unknown>> = {
    sgd: sgd(0.1), momentum: momentum(0.05), adam: adam(0.01), adamw: adamw(0.01), rmsprop: rmsprop(0.01), adagrad: adagrad(0.1),
    adadelta: adadelta(), "chain(clipByGlobalNorm, adamw)": chain(clipByGlobalNorm(1), adamw(0.01)),
  } as Record<string, Optimizer<unknown>>;
  for (const [name, opt] of Object.entries(constant)) {
    it(`${name}: recorded once and replayed (counts included), the eager numbers exactly`, () => {
      const r = train(opt, 4);
      expect(r.compiled).toEqual(r.eager);
      expect(r.runs).toBe(1);
    });
  }

  it("Adam's count comes back as a plain number, advanced on every replay", () => {
    const opt = adam(0.01);
    const step = jit((s: { readonly p: Params; readonly o: unknown }) => opt.update(valueAndGrad(loss)(s.p)[1], s.o as never, s.p));
    let s = { p: params0, o: opt.init(params0) as unknown };
    for (let i = 1; i <= 3; i++) {
      const [p, o] = step(s);
      expect((o as { count: unknown }).count).toBe(i);
      s = { p, o };
    }
  });

  it("a schedule is a step that calls it on each replay's count: recorded once, a new rate every step", () => {
    for (const opt of [momentum(cosineDecaySchedule(0.1, 50)), adamw(warmupCosineDecaySchedule(0, 0.01, 2, 10))]) {
      const r = train(opt as Optimizer<unknown>, 5);
      expect(r.compiled).toEqual(r.eager);
      expect(r.runs).toBe(1);
    }
    let calls = 0;
    const counted = sgd((step: number) => (calls++, 0.1 / (1 + step)));
    train(counted as Optimizer<unknown>, 3);
    expect(calls).toBe(6); // 3 eager steps, then 3 jitted ones: the recording and two replays
  });

  it("a schedule's bad value is still a RangeError naming the optimizer, under jit too", () => {
    const opt = sgd((step: number) => (step < 1 ? 0.1 : Number.NaN));
    const step = jit((s: { readonly p: Params; readonly o: unknown }) => opt.update(valueAndGrad(loss)(s.p)[1], s.o as never, s.p));
    const [p, o] = step({ p: params0, o: opt.init(params0) });
    expect(() => step({ p, o })).toThrow(/^sgd: the learning-rate schedule gave NaN at step 1/);
  });
});
