// `npx tsx bench/conv-kernels.ts`: W7's nabla step with the convolution kernels of src/ (image
// patches packed into the blocked matrix product) against the same three kernels written as direct
// nested loops (positions, window, channels), swapped in for them; steps alternate, minimum and
// median of each; and the same im2col on the WebAssembly SIMD product. What bench/README.md quotes for
// "im2col against direct loops".
import type { Window2d } from "../src/base/window.ts";
import { kernels } from "../src/backend/index.ts";
import { js } from "../src/backend/js/index.ts";
import type { Kernels } from "../src/backend/kernels.ts";
import { hostWasm } from "../src/backend/wasm/platform.ts";
import { wasmKernels } from "../src/backend/wasm/index.ts";
import { cnnProblem, nabla } from "./workloads/cnn.ts";

/** Calls visit(o0, i0, k0) for every output position and every window element inside the image. */
function each(n: number, g: Window2d, visit: (o0: number, i0: number, k0: number) => void): void {
  for (let b = 0; b < n; b++) for (let oy = 0; oy < g.outH; oy++) for (let ox = 0; ox < g.outW; ox++) {
    const o0 = ((b * g.outH + oy) * g.outW + ox) * g.outC;
    for (let ky = 0; ky < g.kh; ky++) {
      const iy = oy * g.strideH - g.padTop + ky * g.dilationH;
      if (iy < 0 || iy >= g.inH) continue;
      for (let kx = 0; kx < g.kw; kx++) {
        const ix = ox * g.strideW - g.padLeft + kx * g.dilationW;
        if (ix >= 0 && ix < g.inW) visit(o0, ((b * g.inH + iy) * g.inW + ix) * g.inC, (ky * g.kw + kx) * g.inC * g.outC);
      }
    }
  }
}

// one operation each (W7 stacks nothing)
const direct = {
  conv2d(x: Float64Array, w: Float64Array, n: number, g: Window2d): Float64Array {
    const [C, O] = [g.inC, g.outC];
    const y = new Float64Array(n * g.outH * g.outW * O);
    each(n, g, (o0, i0, k0) => { for (let c = 0; c < C; c++) { const v = x[i0 + c]!; for (let o = 0; o < O; o++) y[o0 + o] += v * w[k0 + c * O + o]!; } });
    return y;
  },
  conv2dInput(dy: Float64Array, w: Float64Array, n: number, g: Window2d): Float64Array {
    const [C, O] = [g.inC, g.outC];
    const dx = new Float64Array(n * g.inH * g.inW * C);
    each(n, g, (o0, i0, k0) => { for (let c = 0; c < C; c++) { let s = 0; for (let o = 0; o < O; o++) s += dy[o0 + o]! * w[k0 + c * O + o]!; dx[i0 + c] += s; } });
    return dx;
  },
  conv2dFilter(x: Float64Array, dy: Float64Array, n: number, g: Window2d): Float64Array {
    const [C, O] = [g.inC, g.outC];
    const dw = new Float64Array(g.kh * g.kw * C * O);
    each(n, g, (o0, i0, k0) => { for (let c = 0; c < C; c++) { const v = x[i0 + c]!; for (let o = 0; o < O; o++) dw[k0 + c * O + o] += v * dy[o0 + o]!; } });
    return dw;
  },
};

const wasm = wasmKernels(hostWasm());
const pick = (k: Pick<Kernels, "conv2d" | "conv2dInput" | "conv2dFilter">) => ({ conv2d: k.conv2d, conv2dInput: k.conv2dInput, conv2dFilter: k.conv2dFilter });
// the kernels every module calls are `kernels` (backend/index.ts): the sets are swapped in there, over js
const sets: Record<string, object> = { im2col: pick(js), direct, ...(wasm === undefined ? {} : { "im2col-wasm": pick(wasm) }) };
const names = Object.keys(sets);
const sessions = Object.fromEntries(names.map((n) => [n, nabla(cnnProblem())]));
const times = Object.fromEntries(names.map((n) => [n, [] as number[]]));
for (let round = 0; round < 13; round++) {
  for (const name of names) {
    Object.assign(kernels, js, sets[name]);
    const t0 = performance.now();
    const loss = sessions[name]!.step();
    if (round >= 3) times[name]!.push(performance.now() - t0); // three rounds of warm-up
    if (round === 0) console.log(`${name}: first loss ${loss}`);
  }
}
Object.assign(kernels, js);
for (const [name, ts] of Object.entries(times)) {
  ts.sort((a, b) => a - b);
  console.log(`${name}: min ${ts[0]!.toFixed(1)} ms, median ${ts[ts.length >> 1]!.toFixed(1)} ms over ${ts.length} steps`);
}
