// W4: the scalar chain x ← sin(x)·1.0001 + 0.1·cos(x): grad by nabla, and by a hand-written tape of
// typed arrays (values are indices, no objects), the floor for any tape-based reverse mode.
import { add, cos, grad, mul, type Real, sin } from "../../src/index.ts";

export const chain = (steps: number) => (x0: Real): Real => {
  let x = x0;
  for (let i = 0; i < steps; i++) x = add(mul(sin(x), 1.0001), mul(0.1, cos(x)));
  return x;
};

export const gradNabla = (steps: number) => {
  const g = grad(chain(steps));
  return (x0: number): number => g(x0);
};

/** The hand-written tape's buffers, allocated once and reused, as a careful hand-written tape would. */
let buffers = { pa: new Int32Array(0), pb: new Int32Array(0), da: new Float64Array(0), db: new Float64Array(0), ct: new Float64Array(0) };

/** A hand-written tape: five nodes per step, each with up to two (parent, partial) edges. */
export function gradHandTape(steps: number, x0: number): number {
  const size = 5 * steps + 1;
  if (buffers.pa.length < size) {
    buffers = { pa: new Int32Array(size), pb: new Int32Array(size), da: new Float64Array(size), db: new Float64Array(size), ct: new Float64Array(size) };
  }
  const { pa, pb, da, db } = buffers;
  let n = 1;
  pa[0] = -1;
  let x = 0;
  let xv = x0;
  for (let i = 0; i < steps; i++) {
    const s = Math.sin(xv);
    const c = Math.cos(xv);
    pa[n] = x; da[n] = c; pb[n] = -1; const ns = n++;
    pa[n] = ns; da[n] = 1.0001; pb[n] = -1; const nm1 = n++;
    pa[n] = x; da[n] = -s; pb[n] = -1; const nc = n++;
    pa[n] = nc; da[n] = 0.1; pb[n] = -1; const nm2 = n++;
    pa[n] = nm1; da[n] = 1; pb[n] = nm2; db[n] = 1; x = n++;
    xv = s * 1.0001 + 0.1 * c;
  }
  const ct = buffers.ct;
  ct.fill(0, 0, n);
  ct[x] = 1;
  for (let i = n - 1; i > 0; i--) {
    const c = ct[i];
    const a = pa[i];
    if (a >= 0) {
      ct[a] += da[i] * c;
      const b = pb[i];
      if (b >= 0) ct[b] += db[i] * c;
    }
  }
  return ct[0];
}
