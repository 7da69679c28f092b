// The workloads written in jax-js (W2 MLP step, W3 Rosenbrock gradient, W5 hvp, W6 per-example
// gradients, and matrix products), each eager and under `jit`, in float32 or float64, as suites keyed
// by the workload's measure keys. Every timed run ends in a read back (jax-js is lazy until then).
import type { MlpProblem, MlpSystem } from "../workloads/mlp.ts";
import type { HvpInput } from "../workloads/hvp.ts";
import type { PerExampleProblem } from "../workloads/per-example.ts";
import { sizes as perExampleSizes } from "../workloads/per-example.ts";
import { type Numbers, type Suite, timed } from "../workload.ts";
import { arrayOf, constant, type Jax, type JaxArray, type JaxDtype } from "./jaxjs.ts";

type Params = { w1: JaxArray; b1: JaxArray; w2: JaxArray; b2: JaxArray };
const read = (a: JaxArray): Float64Array => Float64Array.from(a.dataSync());
const oneHotRows = (labels: readonly number[], classes: number): number[] =>
  labels.flatMap((l) => Array.from({ length: classes }, (_, k) => (k === l ? 1 : 0)));

/**
 * W2: loss = mean softmax cross-entropy + l2·(‖W1‖² + ‖W2‖²), `valueAndGrad`, SGD; the step returns
 * [loss, new params]. The loss and all parameters are read back every step: arrays under 128
 * elements otherwise stay lazy expressions that grow across steps.
 */
export const jaxMlp = (jax: Jax, dtype: JaxDtype, jitted: boolean): MlpSystem => (p: MlpProblem) => {
  const { numpy: np, nn, tree } = jax;
  const x = arrayOf(jax, p.x, [p.batch, p.inputs], dtype);
  const y = arrayOf(jax, oneHotRows(p.labels, p.classes), [p.batch, p.classes], dtype);
  const lr = constant(jax, p.lr, dtype);
  const l2 = constant(jax, p.l2, dtype);
  const loss = (q: Params, xb: JaxArray, yb: JaxArray, c: JaxArray): JaxArray => {
    const h = np.tanh(np.matmul(xb, q.w1.ref).add(q.b1));
    const logits = np.matmul(h, q.w2.ref).add(q.b2);
    const ce = nn.logsumexp(logits.ref, 1).sub(logits.mul(yb).sum(1)).mean();
    return ce.add(c.mul(np.square(q.w1).sum().add(np.square(q.w2).sum())));
  };
  const lossAndGrad = jax.valueAndGrad(loss);
  const step = (q: Params, xb: JaxArray, yb: JaxArray, rate: JaxArray, c: JaxArray): [JaxArray, Params] => {
    const [l, g] = lossAndGrad(tree.ref(q), xb, yb, c);
    const update = (w: JaxArray, d: JaxArray): JaxArray => w.sub(rate.ref.mul(d));
    const next = { w1: update(q.w1, g.w1), b1: update(q.b1, g.b1), w2: update(q.w2, g.w2), b2: update(q.b2, g.b2) };
    rate.dispose();
    return [l, next];
  };
  const run = jitted ? jax.jit(step) : step;
  let params: Params = {
    w1: arrayOf(jax, p.w1, [p.inputs, p.hidden], dtype),
    b1: arrayOf(jax, p.b1, [p.hidden], dtype),
    w2: arrayOf(jax, p.w2, [p.hidden, p.classes], dtype),
    b2: arrayOf(jax, p.b2, [p.classes], dtype),
  };
  const readParams = () => ({
    w1: read(params.w1.ref), b1: read(params.b1.ref), w2: read(params.w2.ref), b2: read(params.b2.ref),
  });
  return {
    step: () => {
      const [l, next] = run(params, x.ref, y.ref, lr.ref, l2.ref);
      params = next;
      const value = l.dataSync()[0]!;
      readParams();
      return value;
    },
    params: readParams,
  };
};

/** W3's f as in the other systems: Σ 100(x_{i+1} − x_i²)² + (1 − x_i)², with its constants as 0-d arrays. */
const rosenbrock = (jax: Jax) => (x: JaxArray, c100: JaxArray, c1: JaxArray): JaxArray => {
  const n = x.shape[0]!;
  const head = x.ref.slice([0, n - 1]);
  const tail = x.slice([1, n]);
  const a = tail.sub(jax.numpy.square(head.ref));
  const b = c1.sub(head);
  return c100.mul(jax.numpy.square(a)).add(jax.numpy.square(b)).sum();
};

/** W3: ∇f read back, eager (`gradRead`) and jitted (`jitGradRead`). */
export function jaxRosenbrock(jax: Jax, dtype: JaxDtype, xs: readonly number[]): Suite<"gradRead" | "jitGradRead"> {
  const x = arrayOf(jax, xs, [xs.length], dtype);
  const c100 = constant(jax, 100, dtype);
  const c1 = constant(jax, 1, dtype);
  const g = jax.grad(rosenbrock(jax));
  const jg = jax.jit(jax.grad(rosenbrock(jax)));
  const reader = (d: Float64Array): Numbers => ({ grad: d });
  return {
    gradRead: timed(() => read(g(x.ref, c100.ref, c1.ref)), reader),
    jitGradRead: timed(() => read(jg(x.ref, c100.ref, c1.ref)), reader),
  };
}

/** W5: H·v by forward over reverse (`jvp` of `grad`), read back, eager (`hvp`) and jitted (`jitHvp`). */
export function jaxHvp(jax: Jax, dtype: JaxDtype, input: HvpInput): Suite<"hvp" | "jitHvp"> {
  const n = input.x.length;
  const x = arrayOf(jax, input.x, [n], dtype);
  const v = arrayOf(jax, input.v, [n], dtype);
  const c100 = constant(jax, 100, dtype);
  const c1 = constant(jax, 1, dtype);
  const g = jax.grad(rosenbrock(jax));
  const hv = (xa: JaxArray, va: JaxArray, a: JaxArray, b: JaxArray): JaxArray => {
    const [primal, tangent] = jax.jvp((y: JaxArray) => g(y, a.ref, b.ref), [xa], [va]);
    primal.dispose();
    a.dispose();
    b.dispose();
    return tangent;
  };
  const jhv = jax.jit(hv);
  const reader = (d: Float64Array): Numbers => ({ hvp: d });
  return {
    hvp: timed(() => read(hv(x.ref, v.ref, c100.ref, c1.ref)), reader),
    jitHvp: timed(() => read(jhv(x.ref, v.ref, c100.ref, c1.ref)), reader),
  };
}

/** W6: `vmap(grad(loss), [null, 0, 0])` over the batch, eager (`vmap`) and jitted (`jit`); all four gradients read back. */
export function jaxPerExample(jax: Jax, dtype: JaxDtype, problem: PerExampleProblem): Suite<"vmap" | "jit"> {
  const { numpy: np, nn } = jax;
  const { batch, inputs, hidden, classes } = perExampleSizes;
  const params: Params = {
    w1: arrayOf(jax, problem.w1, [inputs, hidden], dtype),
    b1: arrayOf(jax, problem.b1, [hidden], dtype),
    w2: arrayOf(jax, problem.w2, [hidden, classes], dtype),
    b2: arrayOf(jax, problem.b2, [classes], dtype),
  };
  const xs = arrayOf(jax, problem.x, [batch, inputs], dtype);
  const ys = arrayOf(jax, oneHotRows(problem.labels, classes), [batch, classes], dtype);
  const loss = (p: Params, x: JaxArray, y: JaxArray): JaxArray => {
    const h = np.tanh(np.matmul(x, p.w1).add(p.b1));
    const z = np.matmul(h, p.w2).add(p.b2);
    return nn.logsumexp(z.ref).sub(z.mul(y).sum());
  };
  const perExample = jax.vmap(jax.grad(loss), [null, 0, 0]);
  const compiled = jax.jit(perExample);
  const readAll = (g: Params): Numbers => ({ w1: read(g.w1), b1: read(g.b1), w2: read(g.w2), b2: read(g.b2) });
  const pass = (n: Numbers): Numbers => n;
  return {
    vmap: timed(() => readAll(perExample(jax.tree.ref(params), xs.ref, ys.ref)), pass),
    jit: timed(() => readAll(compiled(jax.tree.ref(params), xs.ref, ys.ref)), pass),
  };
}

/** A matrix product op(A)·op(B) in jax-js under jit (the transposes fold into it), read back; returns a run. */
export function jaxMatmul(
  jax: Jax, dtype: JaxDtype, a: Float64Array, b: Float64Array,
  [n, k, m]: readonly [number, number, number], transA: boolean, transB: boolean,
): () => Float64Array {
  const aa = arrayOf(jax, a, transA ? [k, n] : [n, k], dtype);
  const bb = arrayOf(jax, b, transB ? [m, k] : [k, m], dtype);
  const product = jax.jit((x: JaxArray, y: JaxArray) => jax.numpy.matmul(transA ? x.transpose() : x, transB ? y.transpose() : y));
  return () => read(product(aa.ref, bb.ref));
}
