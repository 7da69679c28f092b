// A small typed program, checked by the consumer's tsc under moduleResolution nodenext, node16 and bundler
// (skipLibCheck off, no DOM or Node types): every type comes from the installed declarations. Each
// expected error below proves a type is real: were it `any`, the directive would be unused, itself an error.
import fc from "fast-check";
import {
  adam,
  dense,
  grad,
  hessian,
  key,
  mul,
  type Real,
  serial,
  sin,
  softmaxCrossEntropy,
  sum,
  type Tensor,
  tanhLayer,
  tensor,
  toFloat64Array,
  train,
  valueAndGrad,
} from "nabla";
import { checkFiniteDifferences, type Fn, nice, type Subject } from "nabla/laws";

const f = (x: Real): Real => mul(x, sin(x));
const slope: number = grad(f)(1);
const [value, gradients] = valueAndGrad((p: { readonly w: Real; readonly b: Real }) => mul(p.w, p.b))({ w: 2, b: 3 });
const w: number = gradients.w;
const h: readonly (readonly number[])[] = hessian((v: readonly Real[]) => mul(v[0], v[1]))([1, 2]);
const t: Tensor = tensor([
  [1, 2],
  [3, 4],
]);
const flat: Float64Array = toFloat64Array(t);
const count: number = t.size;
const tensorGrad: Tensor = grad((x: Tensor) => sum(mul(x, x)))(t);

const model = serial(dense(3), tanhLayer, dense(2));
const x = tensor([
  [0.5, -1],
  [1, 2],
]);
const [params] = model.init(key(0), x.shape);
const fit = train({ loss: (p: typeof params) => softmaxCrossEntropy(model.apply(p, x), [0, 1]), params, optimizer: adam(0.1), steps: 3 });
const last: number = fit.history[fit.steps];

const subject: Subject<Fn<Real, Real>, number> = { f, x: nice(-3, 3) };
checkFiniteDifferences(subject, { mode: "reverse" });
checkFiniteDifferences({ f, x: fc.double({ min: -1, max: 1, noNaN: true }) }, { mode: "forward" });

// @ts-expect-error a gradient of a Real function is a number, not a string
const wrong: string = grad(f)(1);
// @ts-expect-error a Tensor's shape is readonly
t.shape.push(3);
// @ts-expect-error toFloat64Array takes a Tensor
toFloat64Array([1, 2, 3]);

export const results = [slope, value, w, h, flat, count, tensorGrad, last, wrong];
