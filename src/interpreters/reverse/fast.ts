// Reverse mode's first-order fast paths: values on a tape with plain-number primals record one node
// with plain partials. One copy per rule (base/codegen's specialize), so each rule's value and
// partial calls stay monomorphic; no function inside is named.
import { specialize } from "../../base/codegen.ts";
import type { BinaryRule, UnaryRule, Value } from "../../core/protocol.ts";
import type { Tracked } from "./tape.ts";

const unaryFactory =
  (value: UnaryRule["value"], d: UnaryRule["d"], general: (x: Value) => Value, tracked: typeof Tracked) =>
  (x: Value): Value => {
    if (x instanceof tracked) {
      const p = x.primal;
      const t = x.trace;
      if (typeof p === "number" && t.live) {
        const y = value(p);
        return t.record1(y, x.index, typeof d === "number" ? d : d(p, y));
      }
    }
    return general(x);
  };

const binaryFactory =
  (value: BinaryRule["value"], da: BinaryRule["da"], db: BinaryRule["db"], general: (a: Value, b: Value) => Value, tracked: typeof Tracked) =>
  (a: Value, b: Value): Value => {
    if (typeof a === "number") {
      if (b instanceof tracked) {
        const q = b.primal;
        const t = b.trace;
        if (typeof q === "number" && t.live) {
          const y = value(a, q);
          return t.record1(y, b.index, typeof db === "number" ? db : db(a, q, y));
        }
      }
    } else if (a instanceof tracked) {
      const p = a.primal;
      const t = a.trace;
      if (typeof p === "number" && t.live) {
        if (typeof b === "number") {
          const y = value(p, b);
          return t.record1(y, a.index, typeof da === "number" ? da : da(p, b, y));
        }
        if (b instanceof tracked && b.trace === t && typeof b.primal === "number") {
          const q = b.primal;
          const y = value(p, q);
          return t.record2(y, a.index, typeof da === "number" ? da : da(p, q, y), b.index, typeof db === "number" ? db : db(p, q, y));
        }
      }
    }
    return general(a, b);
  };

/** The fast path of a unary rule on a tape's values; anything else goes to `general`. */
export const fastUnary = (rule: UnaryRule, general: (x: Value) => Value, tracked: typeof Tracked): ((x: Value) => Value) =>
  specialize(unaryFactory)(rule.value, rule.d, general, tracked);

/** The fast path of a binary rule on a tape's values and numbers; anything else goes to `general`. */
export const fastBinary = (rule: BinaryRule, general: (a: Value, b: Value) => Value, tracked: typeof Tracked): ((a: Value, b: Value) => Value) =>
  specialize(binaryFactory)(rule.value, rule.da, rule.db, general, tracked);
