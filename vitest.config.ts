import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// The tensor-level suites, run a second time on the JS backend (the fallback) by the "js" project.
const onBothBackends = [
  "test/unit/tensor/**/*.test.ts",
  "test/spec/s4-tensors/**/*.test.ts",
  "test/unit/nn/**/*.test.ts",
  "test/unit/transforms/**/*.test.ts",
];

export default defineConfig({
  // "nabla" as a user imports it (examples/browser, the doc examples) is the source here
  resolve: {
    alias: [
      { find: /^nabla$/, replacement: fileURLToPath(new URL("./src/index.ts", import.meta.url)) },
      { find: /^nabla\/laws$/, replacement: fileURLToPath(new URL("./laws/index.ts", import.meta.url)) },
    ],
  },
  test: {
    testTimeout: 60_000,
    projects: [
      // everything on the default backend (WebAssembly SIMD where it runs)
      {
        extends: true,
        test: { name: "default", include: ["test/**/*.test.ts", "laws/**/*.test.ts"], exclude: ["test/package/**", "**/node_modules/**"] },
      },
      { extends: true, test: { name: "js", include: onBothBackends, setupFiles: ["test/support/backend-js.ts"] } },
    ],
  },
});
