// W7's hand-written step: the CNN conv 3×3 → relu → maxPool 2 → conv 3×3 → relu → maxPool 2 → dense,
// softmax cross-entropy averaged over the batch, in Float64Array loops with the backward pass worked
// out by hand (direct convolution loops, the first largest element of each pooling window, relu'(0) = 0).

export interface CnnSizes {
  readonly batch: number;
  /** Images are size × size × 1. */
  readonly size: number;
  readonly c1: number;
  readonly c2: number;
  readonly classes: number;
}

/** Spatial extents along the network: conv 3×3 valid, then pool 2 (floor). */
export function extents(s: CnnSizes) {
  const s1 = s.size - 2;
  const p1 = s1 >> 1;
  const s2 = p1 - 2;
  const p2 = s2 >> 1;
  return { s1, p1, s2, p2, flat: p2 * p2 * s.c2 };
}

export interface CnnArrays {
  readonly k1: Float64Array; // [3, 3, 1, c1]
  readonly b1: Float64Array; // [c1]
  readonly k2: Float64Array; // [3, 3, c1, c2]
  readonly b2: Float64Array; // [c2]
  readonly w3: Float64Array; // [flat, classes]
  readonly b3: Float64Array; // [classes]
}

/** z[b,y,x,o] = bias[o] + Σ_{ky,kx,c} x[b,y+ky,x+kx,c]·k[ky,kx,c,o] (3×3, valid). */
function convForward(x: Float64Array, B: number, H: number, C: number, k: Float64Array, bias: Float64Array, O: number, z: Float64Array): void {
  const S = H - 2;
  for (let b = 0; b < B; b++) {
    for (let y = 0; y < S; y++) {
      for (let xx = 0; xx < S; xx++) {
        const o0 = ((b * S + y) * S + xx) * O;
        for (let o = 0; o < O; o++) z[o0 + o] = bias[o];
        for (let ky = 0; ky < 3; ky++) {
          for (let kx = 0; kx < 3; kx++) {
            const i0 = ((b * H + y + ky) * H + xx + kx) * C;
            const k0 = (ky * 3 + kx) * C * O;
            for (let c = 0; c < C; c++) {
              const v = x[i0 + c];
              const kc = k0 + c * O;
              for (let o = 0; o < O; o++) z[o0 + o] += v * k[kc + o];
            }
          }
        }
      }
    }
  }
}

/** relu, then 2×2 max pooling (floor): the pooled values and, per pooled element, the flat index chosen. */
function reluPool(z: Float64Array, B: number, S: number, C: number, out: Float64Array, idx: Int32Array): void {
  const P = S >> 1;
  for (let b = 0; b < B; b++) {
    for (let y = 0; y < P; y++) {
      for (let xx = 0; xx < P; xx++) {
        for (let c = 0; c < C; c++) {
          let best = -Infinity;
          let at = -1;
          for (let dy = 0; dy < 2; dy++) {
            for (let dx = 0; dx < 2; dx++) {
              const i = ((b * S + 2 * y + dy) * S + 2 * xx + dx) * C + c;
              const v = z[i] > 0 ? z[i] : 0;
              if (v > best) {
                best = v;
                at = i;
              }
            }
          }
          const o = ((b * P + y) * P + xx) * C + c;
          out[o] = best;
          idx[o] = at;
        }
      }
    }
  }
}

/** The buffers of one session, allocated once (as careful hand-written code does). */
export function cnnScratch(s: CnnSizes) {
  const e = extents(s);
  const B = s.batch;
  return {
    z1: new Float64Array(B * e.s1 * e.s1 * s.c1), h1: new Float64Array(B * e.p1 * e.p1 * s.c1), i1: new Int32Array(B * e.p1 * e.p1 * s.c1),
    z2: new Float64Array(B * e.s2 * e.s2 * s.c2), h2: new Float64Array(B * e.flat), i2: new Int32Array(B * e.flat),
    logits: new Float64Array(B * s.classes), dz1: new Float64Array(B * e.s1 * e.s1 * s.c1), dz2: new Float64Array(B * e.s2 * e.s2 * s.c2),
    dh1: new Float64Array(B * e.p1 * e.p1 * s.c1), dh2: new Float64Array(B * e.flat),
  };
}

/** The mean softmax cross-entropy at `p`, and its gradient written into `g`. */
export function cnnLossAndGradHand(s: CnnSizes, x: Float64Array, labels: Int32Array, p: CnnArrays, g: CnnArrays, t = cnnScratch(s)): number {
  const { batch: B, size: H, c1, c2, classes: K } = s;
  const { s1, p1, s2, flat: F } = extents(s);
  convForward(x, B, H, 1, p.k1, p.b1, c1, t.z1);
  reluPool(t.z1, B, s1, c1, t.h1, t.i1);
  convForward(t.h1, B, p1, c1, p.k2, p.b2, c2, t.z2);
  reluPool(t.z2, B, s2, c2, t.h2, t.i2);
  // logits = h2·w3 + b3; loss; logits become dL/dlogits = (softmax − onehot)/B in place
  let loss = 0;
  for (let b = 0; b < B; b++) {
    const row = b * K;
    for (let k = 0; k < K; k++) t.logits[row + k] = p.b3[k];
    for (let f = 0; f < F; f++) {
      const h = t.h2[b * F + f];
      for (let k = 0; k < K; k++) t.logits[row + k] += h * p.w3[f * K + k];
    }
    let m = -Infinity;
    for (let k = 0; k < K; k++) m = Math.max(m, t.logits[row + k]);
    let sum = 0;
    for (let k = 0; k < K; k++) sum += Math.exp(t.logits[row + k] - m);
    const lse = m + Math.log(sum);
    loss += lse - t.logits[row + labels[b]];
    for (let k = 0; k < K; k++) t.logits[row + k] = Math.exp(t.logits[row + k] - lse) / B;
    t.logits[row + labels[b]] -= 1 / B;
  }
  // dense: dw3 = h2ᵀ·dlogits, db3 = Σ dlogits, dh2 = dlogits·w3ᵀ
  g.w3.fill(0);
  g.b3.fill(0);
  for (let b = 0; b < B; b++) {
    for (let k = 0; k < K; k++) g.b3[k] += t.logits[b * K + k];
    for (let f = 0; f < F; f++) {
      const h = t.h2[b * F + f];
      let d = 0;
      for (let k = 0; k < K; k++) {
        const dl = t.logits[b * K + k];
        g.w3[f * K + k] += h * dl;
        d += dl * p.w3[f * K + k];
      }
      t.dh2[b * F + f] = d;
    }
  }
  backPoolRelu(t.dh2, t.i2, t.z2, t.dz2);
  convBackward(t.h1, B, p1, c1, p.k2, c2, t.dz2, g.k2, g.b2, t.dh1);
  backPoolRelu(t.dh1, t.i1, t.z1, t.dz1);
  convBackward(x, B, H, 1, p.k1, c1, t.dz1, g.k1, g.b1, undefined);
  return loss / B;
}

/** dz = the pooled cotangent sent to the chosen elements, times relu' (1 where z > 0). */
function backPoolRelu(dh: Float64Array, idx: Int32Array, z: Float64Array, dz: Float64Array): void {
  dz.fill(0);
  for (let o = 0; o < dh.length; o++) {
    const i = idx[o];
    if (z[i] > 0) dz[i] += dh[o];
  }
}

/** The 3×3 valid convolution's pullback: dk, dbias, and (unless undefined) dx. */
function convBackward(
  x: Float64Array, B: number, H: number, C: number, k: Float64Array, O: number, dz: Float64Array,
  dk: Float64Array, dbias: Float64Array, dx: Float64Array | undefined,
): void {
  const S = H - 2;
  dk.fill(0);
  dbias.fill(0);
  dx?.fill(0);
  for (let b = 0; b < B; b++) {
    for (let y = 0; y < S; y++) {
      for (let xx = 0; xx < S; xx++) {
        const o0 = ((b * S + y) * S + xx) * O;
        for (let o = 0; o < O; o++) dbias[o] += dz[o0 + o];
        for (let ky = 0; ky < 3; ky++) {
          for (let kx = 0; kx < 3; kx++) {
            const i0 = ((b * H + y + ky) * H + xx + kx) * C;
            const k0 = (ky * 3 + kx) * C * O;
            for (let c = 0; c < C; c++) {
              const v = x[i0 + c];
              const kc = k0 + c * O;
              let d = 0;
              for (let o = 0; o < O; o++) {
                dk[kc + o] += v * dz[o0 + o];
                d += k[kc + o] * dz[o0 + o];
              }
              if (dx !== undefined) dx[i0 + c] += d;
            }
          }
        }
      }
    }
  }
}
