// Which backend the tensor suites run on: vitest's "js" project forces the JS fallback, the default
// project uses WebAssembly SIMD where it runs; a tensor product gives the same bits on both.
import { describe, expect, it } from "vitest";
import { matmul, tensor, toArray } from "../../../src/index.ts";
import { backendName, useBackend, wasmAvailable } from "../../../src/internal.ts";

describe("the backend under the tensor suites", () => {
  it("is the project's: js in the js project, else wasm where it runs", ({ task }) => {
    expect(backendName()).toBe(task.file.projectName === "js" || !wasmAvailable() ? "js" : "wasm");
  });

  it("gives a tensor product the same bits on either backend", () => {
    const was = backendName();
    const a = tensor(Array.from({ length: 9 }, (_, i) => Array.from({ length: 300 }, (_, j) => Math.sin(i * 300 + j))));
    const b = tensor(Array.from({ length: 300 }, (_, i) => Array.from({ length: 7 }, (_, j) => Math.cos(i * 7 + j))));
    useBackend("js");
    const onJs = toArray(matmul(a, b));
    useBackend("wasm");
    const onWasm = toArray(matmul(a, b));
    useBackend(was);
    expect(onWasm).toEqual(onJs);
  });
});
