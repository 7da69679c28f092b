// The fused loop without code generation (a strict Content-Security-Policy forbids `new Function`):
// each node is computed over every index in turn, with the same values and the same summation order.
import type { Expr } from "../../expr.ts";

/** As `run`: writes the expression's values into `out`, or returns their sum in index order. */
export function interpret(expr: Expr, n: number, out: Float64Array | undefined): number {
  const memo = new Map<Expr, Float64Array>();
  const values = (e: Expr, len: number): Float64Array => {
    const hit = memo.get(e);
    if (hit !== undefined && hit.length === len) return hit;
    const r = new Float64Array(len);
    switch (e.kind) {
      case "const":
        r.fill(e.value);
        break;
      case "leaf":
        for (let i = 0; i < len; i++) r[i] = e.access === "scalar" ? e.data[0] : e.access === "row" ? e.data[i % e.data.length] : e.data[i];
        break;
      case "op": {
        const args = e.args.map((a) => values(a, len));
        const f = e.op.value;
        if (args.length === 1) for (let i = 0; i < len; i++) r[i] = f(args[0][i]);
        else if (args.length === 2) for (let i = 0; i < len; i++) r[i] = f(args[0][i], args[1][i]);
        else for (let i = 0; i < len; i++) r[i] = f(...args.map((a) => a[i]));
        break;
      }
      case "shift": {
        const inner = values(e.arg, e.to - e.from);
        r.set(inner.subarray(0, Math.max(0, Math.min(inner.length, len - e.from))), e.from);
        return r; // depends on its extent; not memoized
      }
    }
    memo.set(e, r);
    return r;
  };
  const r = values(expr, n);
  if (out !== undefined) {
    out.set(r);
    return 0;
  }
  let acc = 0;
  for (let i = 0; i < n; i++) acc += r[i];
  return acc;
}
