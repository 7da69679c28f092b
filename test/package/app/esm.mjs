// A user's first program in plain Node: no loader, no TypeScript at run time. Prints what it computed as JSON.
import fc from "fast-check";
import { add, cos, customJvp, derivative, grad, jit, mul, sin, square, sum, tanh, tensor, toFloat64Array } from "nabla";
import { checkFiniteDifferences, nice } from "nabla/laws";

const f = (x) => mul(x, sin(x));
const out = {
  resolved: import.meta.resolve("nabla"),
  resolvedLaws: import.meta.resolve("nabla/laws"),
  grad: grad(f)(1),
  derivative: derivative(f)(1),
  jit: jit(grad(f))(1),
  record: grad((p) => square(add(mul(p.w, 3), p.b)))({ w: 2, b: 1 }),
  tensorGrad: [...toFloat64Array(grad((t) => sum(mul(t, t)))(tensor([1, 2, 3])))],
  size: tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]).size,
};

// the laws, with the user's own fast-check arbitraries: a right rule passes, a wrong one is caught
const neuron = (p) => tanh(add(add(mul(p.w[0], 0.5), mul(p.w[1], -1.25)), p.b));
checkFiniteDifferences({ f: neuron, x: fc.record({ w: fc.tuple(nice(), nice()), b: nice() }) }, { mode: "reverse" });
const right = customJvp(sin, (x, v) => [sin(x), mul(cos(x), v)]);
checkFiniteDifferences({ f: right, x: nice(-3, 3) }, { mode: "forward" });
const wrong = customJvp(sin, (x, v) => [sin(x), mul(cos(x), mul(v, 1.01))]);
try {
  checkFiniteDifferences({ f: wrong, x: nice(-3, 3) }, { mode: "forward" });
  out.wrongRule = "not caught";
} catch (e) {
  out.wrongRule = String(e);
}
console.log(JSON.stringify(out));
