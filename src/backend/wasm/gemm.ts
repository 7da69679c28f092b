// The matrix product's micro-kernel, generated as WebAssembly: a ROWS × 2·VECS tile of C held in f64x2
// locals while it runs down packed panels of A and B; matmul.ts packs the panels and copies C out.
import { Body, type Func } from "./emit.ts";

/** Rows of A per packed panel, and f64x2 vectors (two columns each) of B per packed panel. */
export const ROWS = 4;
export const VECS = 2;
/** Columns of B per packed panel. */
export const COLS = VECS * 2;

/**
 * gemm(ap, bp, cp, panelsA, panelsB, kc, first): C = (first) or C += (else) Ap·Bp, where Ap holds
 * `panelsA` panels of ROWS rows of A (Ap[(ip·kc + p)·ROWS + r]), Bp `panelsB` panels of COLS columns of
 * B (Bp[(jq·kc + p)·COLS + t]), and C is panelsA·ROWS rows of panelsB·COLS doubles; all byte
 * addresses. Each element of C is summed over p = 0 … kc−1 in that order, a product then a sum, from
 * +0: the JS kernel's order, so both give the same bits (the lanes of f64x2 are separate columns).
 * Every extent is at least 1.
 */
export function gemmKernel(): Func {
  const body = new Body(["i32", "i32", "i32", "i32", "i32", "i32", "i32"]);
  const [ap0, bp0, cp0, panelsA, panelsB, kc, first] = [0, 1, 2, 3, 4, 5, 6];
  const ldc = body.local("i32"); // bytes per row of C
  const aStride = body.local("i32"); // bytes per panel of A
  const bStride = body.local("i32");
  const jq = body.local("i32");
  const ip = body.local("i32");
  const a = body.local("i32");
  const aEnd = body.local("i32");
  const b = body.local("i32");
  const bPanel = body.local("i32");
  const c = body.local("i32");
  const acc = Array.from({ length: ROWS * VECS }, () => body.local("v128"));
  const bv = Array.from({ length: VECS }, () => body.local("v128"));
  const x = body.local("v128");

  body.get(panelsB).i32(COLS * 8).i32Mul().set(ldc);
  body.get(kc).i32(ROWS * 8).i32Mul().set(aStride);
  body.get(kc).i32(COLS * 8).i32Mul().set(bStride);
  body.i32(0).set(jq);
  body.get(bp0).set(bPanel);
  // one panel of B stays in L1 while every panel of A (the block, in L2) passes under it
  body.doWhile(jq, 1, panelsB, () => {
    body.i32(0).set(ip);
    body.get(ap0).set(a);
    body.doWhile(ip, 1, panelsA, () => {
      for (const v of acc) body.zero().set(v);
      body.get(a).get(aStride).i32Add().set(aEnd);
      body.get(bPanel).set(b);
      body.loop(() => {
        for (let v = 0; v < VECS; v++) body.get(b).v128Load(v * 16).set(bv[v]!);
        for (let r = 0; r < ROWS; r++) {
          body.get(a).load64Splat(r * 8).set(x);
          for (let v = 0; v < VECS; v++) {
            const t = acc[r * VECS + v]!;
            body.get(t).get(x).get(bv[v]!).f64x2Mul().f64x2Add().set(t);
          }
        }
        body.bump(b, COLS * 8);
        body.bump(a, ROWS * 8).get(a).get(aEnd).i32LtU().brIf(0);
      });
      // the tile's place in C: row ip·ROWS, column jq·COLS
      body.get(cp0).get(ip).get(ldc).i32Mul().i32(ROWS).i32Mul().i32Add().get(jq).i32(COLS * 8).i32Mul().i32Add().set(c);
      const store = (accumulate: boolean) => () => {
        for (let r = 0; r < ROWS; r++) {
          for (let v = 0; v < VECS; v++) {
            body.get(c);
            if (accumulate) body.get(c).v128Load(v * 16).get(acc[r * VECS + v]!).f64x2Add();
            else body.get(acc[r * VECS + v]!);
            body.v128Store(v * 16);
          }
          if (r < ROWS - 1) body.get(c).get(ldc).i32Add().set(c);
        }
      };
      body.get(first).ifElse(store(false), store(true));
    });
    body.get(bPanel).get(bStride).i32Add().set(bPanel);
  });
  return { name: "gemm", body };
}
