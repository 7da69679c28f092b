// Traces are the perturbation levels that transforms open: every `derivative`, `jvp`, `vjp`, `grad`
// call (and every user `dual`) opens a fresh one, ordered by creation, so nested levels never mix.

let lastLevel = 0;

/** One perturbation level. Its number orders levels: a later level is nested inside earlier ones. */
export abstract class Trace {
  /** Creation order; the value with the highest level among an op's arguments is the innermost. */
  readonly level: number = ++lastLevel;
  /** False once the transform that opened this trace has returned. Only that transform flips it. */
  live = true;
  constructor(
    /** The transform that opened the trace, for error messages (`grad`, `jvp`, `dual`, ...). */
    readonly transform: string,
  ) {}
  close(): void {
    this.live = false;
  }
  /** Code outside the primitives read a value at this level (to decide on it, say); `by` names it. */
  valueRead(_by: string): void {}
}

/** The error for a Real used after the transform that made it has returned. */
export const escapedError = (trace: Trace): Error =>
  new Error(
    `nabla: a Real created inside ${trace.transform} was used after that ${trace.transform} returned. ` +
      `It escaped its transform (kept in a variable or a closure) and its derivative information is gone; ` +
      `use primal(x) to keep only its value, or compute with it inside the ${trace.transform}.`,
  );
