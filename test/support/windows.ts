// Naive nested-loop references for convolution and pooling over NHWC images, in plain JavaScript
// (nothing here calls nabla): the geometry as TensorFlow documents it, the sums and choices written
// out element by element, and central finite differences of any plain function.

export type Pads = readonly [readonly [number, number], readonly [number, number]];

/** TensorFlow's "same": ⌈size/stride⌉ positions, total padding split with the odd one at the end. */
export function samePads(size: number, k: number, stride: number, dilation = 1): [number, number] {
  const span = (k - 1) * dilation + 1;
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + span - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

export interface Geometry {
  readonly stride: readonly [number, number];
  readonly dilation: readonly [number, number];
  readonly pads: Pads;
}

/** Output extent along one axis: ⌊(size + before + after − span)/stride⌋ + 1. */
const extent = (size: number, k: number, s: number, d: number, pads: readonly [number, number]): number =>
  Math.floor((size + pads[0] + pads[1] - ((k - 1) * d + 1)) / s) + 1;

/** y[n,oy,ox,o] = Σ_{ky,kx,c} x[n, oy·sh − top + ky·dh, ox·sw − left + kx·dw, c]·w[ky,kx,c,o], zero outside the image. */
export function refConv(x: readonly number[], xs: readonly number[], w: readonly number[], ws: readonly number[], g: Geometry): { data: number[]; shape: number[] } {
  const [N, H, W, C] = xs;
  const [KH, KW, , O] = ws;
  const OH = extent(H, KH, g.stride[0], g.dilation[0], g.pads[0]);
  const OW = extent(W, KW, g.stride[1], g.dilation[1], g.pads[1]);
  const out: number[] = [];
  for (let n = 0; n < N; n++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        for (let o = 0; o < O; o++) {
          let s = 0;
          for (let ky = 0; ky < KH; ky++) {
            for (let kx = 0; kx < KW; kx++) {
              const iy = oy * g.stride[0] - g.pads[0][0] + ky * g.dilation[0];
              const ix = ox * g.stride[1] - g.pads[1][0] + kx * g.dilation[1];
              if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
              for (let c = 0; c < C; c++) s += x[((n * H + iy) * W + ix) * C + c] * w[((ky * KW + kx) * C + c) * O + o];
            }
          }
          out.push(s);
        }
      }
    }
  }
  return { data: out, shape: [N, OH, OW, O] };
}

/** One pooling window's elements inside the image: their flat indices, in row-major window order. */
function windowElements(xs: readonly number[], n: number, oy: number, ox: number, c: number, k: readonly [number, number], g: Geometry): number[] {
  const [, H, W, C] = xs;
  const at: number[] = [];
  for (let ky = 0; ky < k[0]; ky++) {
    for (let kx = 0; kx < k[1]; kx++) {
      const iy = oy * g.stride[0] - g.pads[0][0] + ky;
      const ix = ox * g.stride[1] - g.pads[1][0] + kx;
      if (iy >= 0 && iy < H && ix >= 0 && ix < W) at.push(((n * H + iy) * W + ix) * C + c);
    }
  }
  return at;
}

/** Every pooling window (per image and channel, in the result's order), as its elements' indices. */
export function refWindows(xs: readonly number[], k: readonly [number, number], g: Geometry): { windows: number[][]; shape: number[] } {
  const [N, H, W, C] = xs;
  const OH = extent(H, k[0], g.stride[0], 1, g.pads[0]);
  const OW = extent(W, k[1], g.stride[1], 1, g.pads[1]);
  const windows: number[][] = [];
  for (let n = 0; n < N; n++) {
    for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) for (let c = 0; c < C; c++) windows.push(windowElements(xs, n, oy, ox, c, k, g));
  }
  return { windows, shape: [N, OH, OW, C] };
}

/** The first index of the largest element among `at`. */
export const firstArgmax = (x: readonly number[], at: readonly number[]): number =>
  at.reduce((best, i) => (x[i] > x[best] ? i : best), at[0]);

export const refMaxPool = (x: readonly number[], xs: readonly number[], k: readonly [number, number], g: Geometry) => {
  const { windows, shape } = refWindows(xs, k, g);
  return { data: windows.map((at) => x[firstArgmax(x, at)]), shape };
};

export const refAvgPool = (x: readonly number[], xs: readonly number[], k: readonly [number, number], g: Geometry) => {
  const { windows, shape } = refWindows(xs, k, g);
  return { data: windows.map((at) => at.reduce((s, i) => s + x[i], 0) / at.length), shape };
};

/** The gradient of a plain function of a flat vector by central differences, one coordinate at a time. */
export function fdGradient(f: (v: readonly number[]) => number, v: readonly number[], h = 1e-5): number[] {
  return v.map((_, i) => {
    const up = [...v];
    const down = [...v];
    up[i] += h;
    down[i] -= h;
    return (f(up) - f(down)) / (2 * h);
  });
}

/** The directional derivative of a vector function by central differences. */
export function fdDirectional(f: (v: readonly number[]) => readonly number[], v: readonly number[], d: readonly number[], h = 1e-5): number[] {
  const up = f(v.map((x, i) => x + h * d[i]));
  const down = f(v.map((x, i) => x - h * d[i]));
  return up.map((u, i) => (u - down[i]) / (2 * h));
}

/** ⟨a, b⟩ of plain arrays. */
export const inner = (a: readonly number[], b: readonly number[]): number => a.reduce((s, x, i) => s + x * b[i], 0);
