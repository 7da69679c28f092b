// Forward mode's first-order fast paths: a dual of plain numbers in, tangent = ∂·t with plain
// arithmetic, the general path's arithmetic exactly. One copy per rule (base/codegen's specialize),
// so each rule's value and partial calls stay monomorphic; no function inside is named.
import { specialize } from "../../base/codegen.ts";
import type { BinaryRule, UnaryRule, Value } from "../../core/protocol.ts";
import type { Dual } from "./dual.ts";

const unaryFactory =
  (value: UnaryRule["value"], d: UnaryRule["d"], general: (x: Value) => Value, dual: typeof Dual) =>
  (x: Value): Value => {
    if (x instanceof dual) {
      const p = x.primal;
      const v = x.tangent;
      const g = x.trace;
      if (typeof p === "number" && typeof v === "number" && g.live) {
        const y = value(p);
        return new dual(g, y, (typeof d === "number" ? d : (d(p, y) as number)) * v);
      }
    }
    return general(x);
  };

// tangent = ∂a·ta + ∂b·tb, in the general path's order of operations (partials of numbers are numbers)
const binaryFactory =
  (value: BinaryRule["value"], da: BinaryRule["da"], db: BinaryRule["db"], general: (a: Value, b: Value) => Value, dual: typeof Dual) =>
  (a: Value, b: Value): Value => {
    if (typeof a === "number") {
      if (b instanceof dual) {
        const q = b.primal;
        const v = b.tangent;
        const g = b.trace;
        if (typeof q === "number" && typeof v === "number" && g.live) {
          const y = value(a, q);
          return new dual(g, y, (typeof db === "number" ? db : (db(a, q, y) as number)) * v);
        }
      }
    } else if (a instanceof dual) {
      const p = a.primal;
      const u = a.tangent;
      const g = a.trace;
      if (typeof p === "number" && typeof u === "number" && g.live) {
        if (typeof b === "number") {
          const y = value(p, b);
          return new dual(g, y, (typeof da === "number" ? da : (da(p, b, y) as number)) * u);
        }
        if (b instanceof dual && b.trace === g && typeof b.primal === "number" && typeof b.tangent === "number") {
          const q = b.primal;
          const y = value(p, q);
          return new dual(g, y, (typeof da === "number" ? da : (da(p, q, y) as number)) * u + (typeof db === "number" ? db : (db(p, q, y) as number)) * b.tangent);
        }
      }
    }
    return general(a, b);
  };

/** The fast path of a unary rule on duals; anything else goes to `general`. */
export const fastUnary = (rule: UnaryRule, general: (x: Value) => Value, dual: typeof Dual): ((x: Value) => Value) =>
  specialize(unaryFactory)(rule.value, rule.d, general, dual);

/** The fast path of a binary rule on duals and numbers; anything else goes to `general`. */
export const fastBinary = (rule: BinaryRule, general: (a: Value, b: Value) => Value, dual: typeof Dual): ((a: Value, b: Value) => Value) =>
  specialize(binaryFactory)(rule.value, rule.da, rule.db, general, dual);
