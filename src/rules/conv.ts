// conv2d as one trilinear family. With x the images, w the kernel and y the result, the number
// T(x, w, y) = ⟨y, x ⋆ w⟩ is linear in each; the convolution is ∂T/∂y, and its two transposes are
// ∂T/∂x (the images' cotangent) and ∂T/∂w (the kernel's). So one rule computes any one of the three
// from the other two: its tangent is the same rule on each tangent in turn (it is bilinear), and
// its pullback to each operand is the rule computing that operand — every derivative, to any order,
// is again the same three kernels.
import { kernels } from "../backend/index.ts";
import { formatShape, type Shape } from "../base/shape.ts";
import { optionsRecord, paddingOf, pairOf, type Window2d, windowOf } from "../base/window.ts";
import { bindT } from "../core/bind.ts";
import type { TensorRule, Value } from "../core/protocol.ts";
import { shapeOf } from "../core/value.ts";
import { data, fromData, type Tensor } from "../tensor/tensor.ts";
import { reshapeRule, toFront } from "./axes.ts";
import { broadcastTo } from "./broadcast.ts";
import { sum } from "./reduce.ts";
import { add } from "./scalar.ts";
import { shapeOfTensor, tensorArg } from "./structure.ts";

/** The three tensors of a convolution: the images x, the kernel w, the result y. */
type Role = 0 | 1 | 2;
const X: Role = 0;
const W: Role = 1;
const Y: Role = 2;

/** For each role computed, the roles of its two operands, in the kernel's order (the images first). */
const operands: readonly (readonly [Role, Role])[] = [[Y, W], [X, Y], [X, W]];

interface Conv {
  /** The role this primitive computes from the other two. */
  readonly out: Role;
  readonly g: Window2d;
  /** Role by role: whether that tensor carries a leading axis of stacked operations (from vmap). */
  readonly stacked: readonly [boolean, boolean, boolean];
}

/** The shape of a role's tensor for n images, with the stack's extent in front when there is one. */
function roleShape(role: Role, n: number, g: Window2d, count: number | undefined): Shape {
  const s = role === X ? [n, g.inH, g.inW, g.inC] : role === W ? [g.kh, g.kw, g.inC, g.outC] : [n, g.outH, g.outW, g.outC];
  return count === undefined ? s : [count, ...s];
}

const reshapeTo = (x: Value, shape: Shape): Value => bindT(reshapeRule, [x], shape);

const convRule: TensorRule<Conv> = {
  name: "conv2d",
  value: ([a, b], p) => {
    const [ra, rb] = operands[p.out];
    const A = a as Tensor;
    const B = b as Tensor;
    const stack = { count: p.stacked[ra] ? A.shape[0] : p.stacked[rb] ? B.shape[0] : 1, a: p.stacked[ra], b: p.stacked[rb] };
    const n = A.shape[stack.a ? 1 : 0]; // the first operand holds the images (x or y)
    const run = p.out === Y ? kernels.conv2d : p.out === X ? kernels.conv2dInput : kernels.conv2dFilter;
    return fromData(run(data(A), data(B), n, p.g, stack), roleShape(p.out, n, p.g, p.stacked[p.out] ? stack.count : undefined));
  },
  // bilinear: d(a ⋆ b) = da ⋆ b + a ⋆ db
  jvp: ([a, b], [ta, tb], _y, p) => {
    const left = ta === undefined ? undefined : bindT(convRule, [ta, b!], p);
    const right = tb === undefined ? undefined : bindT(convRule, [a!, tb], p);
    return left === undefined ? right! : right === undefined ? left : add(left, right);
  },
  // the cotangent takes the place of the result; each operand's is the member computing that operand
  vjp: ([a, b], _y, p, active) => (ct) => {
    const [ra, rb] = operands[p.out];
    const byRole: Value[] = [];
    byRole[ra] = a!;
    byRole[rb] = b!;
    byRole[p.out] = ct;
    return [active[0] ? towards(ra, byRole, p) : undefined, active[1] ? towards(rb, byRole, p) : undefined];
  },
  batch: ([a, b], [axA, axB], p, size) => {
    const [, rb] = operands[p.out];
    // images batched, a shared kernel: the examples are more images of one convolution
    if (!p.stacked.some((s) => s) && rb === W && axB === null) {
      const front = toFront(a!, axA!);
      const s = shapeOf(front)!;
      const y = bindT(convRule, [reshapeTo(front, [size * s[1], ...s.slice(2)]), b!], p);
      return [reshapeTo(y, [size, s[1], ...shapeOf(y)!.slice(1)]), 0];
    }
    return stackExamples([a!, b!], [axA, axB], p, size);
  },
};

/** The member of the family computing role r from the values of the other two (the sum over a stack it was shared by). */
function towards(r: Role, byRole: readonly Value[], p: Conv): Value {
  const [u, v] = operands[r];
  const stacked: [boolean, boolean, boolean] = [...p.stacked];
  stacked[r] = p.stacked[u] || p.stacked[v];
  const result = bindT(convRule, [byRole[u], byRole[v]], { out: r, g: p.g, stacked });
  return stacked[r] && !p.stacked[r] ? sum(result as Tensor, 0) : result;
}

/**
 * The batching rule's general case: one stacked operation per example (times the operations already
 * stacked, which each example then has its own copy of). A batched operand gets its examples in
 * front, merged with its stack; a shared, unstacked operand stays shared by all.
 */
function stackExamples(args: readonly Value[], axes: readonly (number | null)[], p: Conv, size: number): [Value, number] {
  const roles = operands[p.out];
  // the extent of the stack already there (its axis follows the examples' when they are in front)
  const inner = roles.reduce<number>((c, r, i) => (p.stacked[r] ? shapeOf(args[i])![axes[i] === 0 ? 1 : 0] : c), 1);
  const had = p.stacked.some((s) => s);
  const stacked: [boolean, boolean, boolean] = [...p.stacked];
  const lifted = args.map((x, i) => {
    const r = roles[i];
    const ax = axes[i];
    if (ax === null && !p.stacked[r]) return x;
    stacked[r] = true;
    let front: Value;
    if (ax === null) {
      const s = shapeOf(x)!; // [inner, …]: every example has the same stack
      front = broadcastTo(reshapeTo(x, [1, ...s]), [size, ...s]);
    } else {
      front = toFront(x, ax);
      if (!p.stacked[r] && had) {
        const s = shapeOf(front)!; // [size, …]: the example's operand serves each of its operations
        front = broadcastTo(reshapeTo(front, [size, 1, ...s.slice(1)]), [size, inner, ...s.slice(1)]);
      }
    }
    if (!had) return front;
    const s = shapeOf(front)!;
    return reshapeTo(front, [size * inner, ...s.slice(2)]);
  });
  stacked[p.out] = true;
  const y = bindT(convRule, lifted, { out: p.out, g: p.g, stacked });
  if (!had) return [y, 0];
  return [reshapeTo(y, [size, inner, ...shapeOf(y)!.slice(1)]), 0];
}

/**
 * Options of conv2d: `stride` and `dilation` a number or [h, w]; `padding` "valid", "same" or [[top, bottom], [left, right]].
 * @example
 * const x = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
 * const w = tensor([1, 2, 3, 4], [2, 2, 1, 1]);
 * // "same" with stride 2: ⌈3/2⌉ = 2 positions per axis, the one padded row and column after the image
 * const options: Conv2dOptions = { stride: 2, padding: "same" };
 * reshape(conv2d(x, w, options), [2, 2]); // => tensor([[37, 21], [23, 9]])
 * // dilation 2: the kernel's taps 2 apart, on the image's four corners
 * reshape(conv2d(x, w, { dilation: 2 }), [1, 1]); // => tensor([[64]])
 */
export interface Conv2dOptions {
  readonly stride?: number | readonly [number, number] | undefined;
  readonly dilation?: number | readonly [number, number] | undefined;
  readonly padding?: "valid" | "same" | readonly [readonly [number, number], readonly [number, number]] | undefined;
}

/**
 * The 2-D convolution (a cross-correlation, as in TensorFlow and JAX) of NHWC images
 * x [batch, height, width, in] with an HWIO kernel w [kh, kw, in, out]: y [batch, outH, outW, out].
 * `padding` "same" gives ⌈size/stride⌉ positions, the odd extra padding at the bottom and right.
 * Differentiable in x and w, to any order.
 * @example
 * // a 1×3×3×1 image and a 2×2×1×1 kernel: each output is 1·x[i][j] + 2·x[i][j+1] + 3·x[i+1][j] + 4·x[i+1][j+1]
 * const x = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
 * const w = tensor([1, 2, 3, 4], [2, 2, 1, 1]);
 * conv2d(x, w); // => tensor([[[[37], [47]], [[67], [77]]]])
 * reshape(conv2d(x, w, { padding: "same" }), [3, 3]); // => tensor([[37, 47, 21], [67, 77, 33], [23, 26, 9]])
 * // the kernel's gradient: each tap's sum over the windows it read
 * grad((k: Tensor) => sum(conv2d(x, k)))(w); // => tensor([[[[12]], [[16]]], [[[24]], [[28]]]])
 * conv2d(x, tensor([1, 2], [1, 1, 2, 1])); // throws RangeError
 */
export function conv2d(x: Tensor, w: Tensor, options?: Conv2dOptions): Tensor {
  const images = tensorArg(x, "conv2d", "input");
  const kernel = tensorArg(w, "conv2d", "kernel");
  const g = conv2dWindow("conv2d", shapeOfTensor(images), shapeOfTensor(kernel), options);
  return bindT(convRule, [images, kernel], { out: Y, g, stacked: [false, false, false] }) as Tensor;
}

/** The geometry of conv2d on inputs of shape `xs` with a kernel of shape `ws`, every argument checked (errors name `op`). */
export function conv2dWindow(op: string, xs: Shape, ws: Shape, options: unknown): Window2d {
  const both = `the input ${formatShape(xs)} and the kernel ${formatShape(ws)}`;
  if (xs.length !== 4) throw new RangeError(`${op}: the input must be NHWC [batch, height, width, channels]; got ${both}`);
  if (ws.length !== 4 || ws[0] === 0 || ws[1] === 0) {
    throw new RangeError(`${op}: the kernel must be HWIO [kh, kw, in, out] with kh, kw ≥ 1; got ${both}`);
  }
  if (xs[3] !== ws[2]) throw new RangeError(`${op}: ${both} disagree on the input channels (${xs[3]} and ${ws[2]})`);
  const o = optionsRecord(options, op);
  const window = {
    stride: pairOf(o.stride ?? 1, op, "stride"),
    dilation: pairOf(o.dilation ?? 1, op, "dilation"),
    padding: paddingOf(o.padding ?? "valid", op),
  };
  return windowOf(xs[1], xs[2], xs[3], ws[3], ws[0], ws[1], window, (detail) => new RangeError(`${op}: ${detail}; ${both}`));
}
