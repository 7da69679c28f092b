// Runs a test body where code cannot be generated, as under a strict Content-Security-Policy:
// `new Function` throws an EvalError until the body returns (or throws).
export function withoutCodegen<T>(run: () => T): T {
  const original = globalThis.Function;
  globalThis.Function = function () {
    throw new EvalError("Refused to evaluate a string as JavaScript");
  } as unknown as FunctionConstructor;
  try {
    return run();
  } finally {
    globalThis.Function = original;
  }
}
