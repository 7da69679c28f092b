// The reverse-mode tape: a flat, append-only record of how each tracked value was computed. Each
// node has up to two (parent, partial) edges in typed arrays; wider nodes and closure nodes (rules
// given as whole pullbacks) sit in side tables. Flat arrays make the backward sweep one loop
// (stack-safe at any depth) that visits every node once (linear in the computation).
import { Trace, Tracer, type Value } from "../../core/protocol.ts";
import { untilIdle } from "../../backend/pool.ts";

/** Reverse mode's values: a value with its place (`index`) on a tape; the tape holds how it was computed. */
export class Tracked extends Tracer {
  constructor(
    readonly trace: Tape,
    readonly primal: Value,
    readonly index: number,
  ) {
    super();
  }
}

/** A pullback over several inputs and outputs, run once all its outputs' cotangents are complete. */
export interface CallNode {
  /** Tape indices of the call's outputs, in order; the call sits at the last of them. */
  readonly outputs: readonly number[];
  /** The outputs' primals, whose zeros stand in for cotangents the sweep never reached. */
  readonly primals: readonly Value[];
  /** Tape indices of the inputs it sends cotangents to (-1: an input that is not on this tape). */
  readonly inputs: readonly number[];
  /** Output cotangents to input cotangents (aligned with `inputs`; `undefined` is a zero). */
  readonly pullback: (cotangents: readonly Value[]) => readonly (Value | undefined)[];
}

/** A node with more than two parents. */
export interface WideNode {
  readonly parents: readonly number[];
  readonly partials: readonly Value[];
}

/** Parent slot value for "no parent"; `WIDE` marks a node whose edges are in `wide`. */
export const NONE = -1;
export const WIDE = -2;

/** The typed arrays of a tape, kept between gradients: allocating and zero-filling them dominates short ones. */
interface Buffers {
  readonly parentA: Int32Array;
  readonly parentB: Int32Array;
  readonly partialA: Float64Array;
  readonly partialB: Float64Array;
}
let spare: Buffers | undefined;
/** The largest tape (in nodes) whose arrays are kept for good (1.5 MB); larger ones until the pool is idle. */
const KEEP_CAPACITY = 1 << 16;
const dropLargeSpare = (): void => {
  if (spare !== undefined && spare.parentA.length > KEEP_CAPACITY) spare = undefined;
};

/**
 * Arrays for `capacity` nodes, all four views of one ArrayBuffer: each buffer outside V8's heap costs
 * about a microsecond to make, four times what a short tape's whole recording costs.
 */
function buffers(capacity: number): Buffers {
  const b = new ArrayBuffer(24 * capacity);
  return {
    partialA: new Float64Array(b, 0, capacity),
    partialB: new Float64Array(b, 8 * capacity, capacity),
    parentA: new Int32Array(b, 16 * capacity, capacity),
    parentB: new Int32Array(b, 20 * capacity, capacity),
  };
}

/** The tape's storage and how nodes are appended; the primitives' rules are in trace.ts. */
export abstract class Tape extends Trace {
  size = 0;
  /** First and second parent of each node (NONE when absent; WIDE in `parentA` for wide nodes). */
  parentA: Int32Array;
  parentB: Int32Array;
  /** Partials that are plain numbers; a partial carrying an outer level sits in `carriers`. */
  partialA: Float64Array;
  partialB: Float64Array;
  private capacity: number;
  /** The arrays this tape started with (handed back whole when it has not grown). */
  private readonly buffers: Buffers;
  /** Partials that carry an outer level's perturbation (higher order), keyed by `2·node + slot`. */
  carriers: Map<number, Value> | undefined;
  wide: Map<number, WideNode> | undefined;
  /** Closure nodes, by the tape index they sit at. */
  calls: Map<number, CallNode> | undefined;

  constructor(transform: string, kind: number) {
    super(transform, kind);
    const b = spare ?? buffers(64);
    spare = undefined;
    this.buffers = b;
    this.parentA = b.parentA;
    this.parentB = b.parentB;
    this.partialA = b.partialA;
    this.partialB = b.partialB;
    this.capacity = b.parentA.length;
  }

  /**
   * Hands the arrays back for the next tape. Only for a closed tape that nothing will sweep again
   * (grad's, not vjp's, whose pullback keeps it); escaped nodes see `live === false` first.
   */
  release(): void {
    if (spare === undefined || spare.parentA.length < this.capacity) {
      const b = this.buffers;
      spare = b.parentA === this.parentA ? b : { parentA: this.parentA, parentB: this.parentB, partialA: this.partialA, partialB: this.partialB };
      // a huge tape's arrays are kept for the next gradient only while the program computes
      if (this.capacity > KEEP_CAPACITY) untilIdle(dropLargeSpare);
    }
    this.size = 0;
  }

  private grow(): void {
    const b = buffers(this.capacity * 2);
    b.parentA.set(this.parentA);
    b.parentB.set(this.parentB);
    b.partialA.set(this.partialA);
    b.partialB.set(this.partialB);
    this.parentA = b.parentA;
    this.parentB = b.parentB;
    this.partialA = b.partialA;
    this.partialB = b.partialB;
    this.capacity = b.parentA.length;
  }

  private carry(slot: number, partial: Value): number {
    if (typeof partial === "number") return partial;
    (this.carriers ??= new Map()).set(slot, partial);
    return 0;
  }

  /**
   * A node with up to two parents; a parent of NONE is a constant and gets no edge. A lone parent
   * always takes slot A, so the sweep reads slot B only when slot A is used.
   */
  record2(primal: Value, parentA: number, partialA: Value, parentB: number, partialB: Value): Tracked {
    if (parentA === NONE && parentB !== NONE) return this.record2(primal, parentB, partialB, NONE, 0);
    const i = this.size;
    if (i === this.capacity) this.grow();
    this.parentA[i] = parentA;
    this.partialA[i] = typeof partialA === "number" ? partialA : this.carry(2 * i, partialA);
    this.parentB[i] = parentB;
    this.partialB[i] = typeof partialB === "number" ? partialB : this.carry(2 * i + 1, partialB);
    this.size = i + 1;
    return new Tracked(this, primal, i);
  }

  /** A node with one parent (NONE for a constant); its partial B is never read, as parent B is NONE. */
  record1(primal: Value, parent: number, partial: Value): Tracked {
    const i = this.size;
    if (i === this.capacity) this.grow();
    this.parentA[i] = parent;
    this.partialA[i] = typeof partial === "number" ? partial : this.carry(2 * i, partial);
    this.parentB[i] = NONE;
    this.size = i + 1;
    return new Tracked(this, primal, i);
  }

  /** A fresh input: a node without parents. */
  input(primal: Value): Tracked {
    const i = this.size;
    if (i === this.capacity) this.grow();
    this.parentA[i] = NONE;
    this.parentB[i] = NONE;
    this.size = i + 1;
    return new Tracked(this, primal, i);
  }

  /** A node with any number of parents (parallel arrays; NONE entries are constants). */
  recordN(primal: Value, parents: readonly number[], partials: readonly Value[]): Tracked {
    if (parents.length <= 2) {
      return this.record2(primal, parents[0] ?? NONE, partials[0] ?? 0, parents[1] ?? NONE, partials[1] ?? 0);
    }
    const node = this.record2(primal, WIDE, 0, NONE, 0);
    (this.wide ??= new Map()).set(node.index, { parents, partials });
    // A wide node's carried partials stay in its own list; an empty map marks the tape as not plain.
    if (partials.some((d) => typeof d !== "number")) this.carriers ??= new Map();
    return node;
  }

  /** Nodes for the outputs of a rule given as a pullback; the call runs when the sweep reaches it. */
  recordCall(primals: readonly Value[], inputs: readonly number[], pullback: CallNode["pullback"]): Tracked[] {
    const outputs = primals.map((p) => this.input(p));
    if (outputs.length > 0) {
      const node: CallNode = { outputs: outputs.map((o) => o.index), primals, inputs, pullback };
      (this.calls ??= new Map()).set(this.size - 1, node);
    }
    return outputs;
  }

  /** True when every partial is a plain number and every node is a plain edge node. */
  get isPlain(): boolean {
    return this.carriers === undefined && this.calls === undefined;
  }
}
