// W7 in jax-js: the CNN's SGD step with `lax.conv` (NCHW images, OIHW kernels, as in JAX), max pooling
// as a reshape and a max over the window axes, eager or under jit. Parameters are kept in jax-js's
// layouts and read back in the workload's (kernels HWIO, dense weights over (h, w, c) features).
import type { CnnProblem, CnnSession, CnnSystem } from "../workloads/cnn.ts";
import { extents } from "../workloads/cnn-hand.ts";
import { arrayOf, constant, type Jax, type JaxArray, type JaxDtype } from "./jaxjs.ts";

type Params = { k1: JaxArray; b1: JaxArray; k2: JaxArray; b2: JaxArray; w3: JaxArray; b3: JaxArray };

/** HWIO (flat) → OIHW, the layout lax.conv takes; `back` the other way, for reading parameters back. */
const hwioToOihw = (k: ArrayLike<number>, ci: number, co: number): Float64Array => {
  const out = new Float64Array(9 * ci * co);
  for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) out[((o * ci + i) * 3 + y) * 3 + x] = k[((y * 3 + x) * ci + i) * co + o]!;
  return out;
};
const oihwToHwio = (k: ArrayLike<number>, ci: number, co: number): Float64Array => {
  const out = new Float64Array(9 * ci * co);
  for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) out[((y * 3 + x) * ci + i) * co + o] = k[((o * ci + i) * 3 + y) * 3 + x]!;
  return out;
};

export const jaxCnn = (jax: Jax, dtype: JaxDtype, jitted: boolean): CnnSystem => (p: CnnProblem): CnnSession => {
  const { numpy: np, nn, lax, tree } = jax;
  const { batch: B, size: S, c1, c2, classes: K } = p;
  const { s1, p1, s2, p2, flat } = extents(p);
  const x = arrayOf(jax, p.x, [B, 1, S, S], dtype); // one channel: NHWC and NCHW hold the same numbers
  const y = arrayOf(jax, p.labels.flatMap((l) => Array.from({ length: K }, (_, k) => (k === l ? 1 : 0))), [B, K], dtype);
  const lr = constant(jax, p.lr, dtype);
  /** relu, then 2×2 max pooling with stride 2 (an odd last row and column dropped, as the other systems do). */
  const pool = (h: JaxArray, c: number, s: number, out: number): JaxArray => {
    const r = nn.relu(h);
    const cut = s === 2 * out ? r : r.slice([], [], [0, 2 * out], [0, 2 * out]);
    return cut.reshape([B, c, out, 2, out, 2]).max([3, 5]);
  };
  const loss = (q: Params, xb: JaxArray, yb: JaxArray): JaxArray => {
    const h1 = pool(lax.conv(xb, q.k1, [1, 1], "VALID").add(q.b1.reshape([1, c1, 1, 1])), c1, s1, p1);
    const h2 = pool(lax.conv(h1, q.k2, [1, 1], "VALID").add(q.b2.reshape([1, c2, 1, 1])), c2, s2, p2);
    const features = h2.transpose([0, 2, 3, 1]).reshape([B, flat]);
    const logits = np.matmul(features, q.w3).add(q.b3);
    return nn.logsumexp(logits.ref, 1).sub(logits.mul(yb).sum(1)).mean();
  };
  const lossAndGrad = jax.valueAndGrad(loss);
  const step = (q: Params, xb: JaxArray, yb: JaxArray, rate: JaxArray): [JaxArray, Params] => {
    const [l, g] = lossAndGrad(tree.ref(q), xb, yb);
    const update = (w: JaxArray, d: JaxArray): JaxArray => w.sub(rate.ref.mul(d));
    const next = {
      k1: update(q.k1, g.k1), b1: update(q.b1, g.b1), k2: update(q.k2, g.k2),
      b2: update(q.b2, g.b2), w3: update(q.w3, g.w3), b3: update(q.b3, g.b3),
    };
    rate.dispose();
    return [l, next];
  };
  const run = jitted ? jax.jit(step) : step;
  let params: Params = {
    k1: arrayOf(jax, hwioToOihw(p.k1, 1, c1), [c1, 1, 3, 3], dtype),
    b1: arrayOf(jax, p.b1, [c1], dtype),
    k2: arrayOf(jax, hwioToOihw(p.k2, c1, c2), [c2, c1, 3, 3], dtype),
    b2: arrayOf(jax, p.b2, [c2], dtype),
    w3: arrayOf(jax, p.w3, [flat, K], dtype),
    b3: arrayOf(jax, p.b3, [K], dtype),
  };
  const read = (a: JaxArray): Float64Array => Float64Array.from(a.ref.dataSync());
  const readAll = () => ({
    k1: oihwToHwio(read(params.k1), 1, c1), b1: read(params.b1), k2: oihwToHwio(read(params.k2), c1, c2),
    b2: read(params.b2), w3: read(params.w3), b3: read(params.b3),
  });
  return {
    step: () => {
      const [l, next] = run(params, x.ref, y.ref, lr.ref);
      params = next;
      const value = l.dataSync()[0]!;
      // every parameter read back each step, as in W2 (small arrays otherwise stay lazy across steps)
      for (const a of Object.values(params)) a.ref.dataSync();
      return value;
    },
    params: readAll,
  };
};
