import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // "nabla" as a user imports it (examples/browser, the doc examples) is the source here
  resolve: {
    alias: [
      { find: /^nabla$/, replacement: fileURLToPath(new URL("./src/index.ts", import.meta.url)) },
      { find: /^nabla\/laws$/, replacement: fileURLToPath(new URL("./laws/index.ts", import.meta.url)) },
    ],
  },
  test: {
    include: ["test/**/*.test.ts", "laws/**/*.test.ts"],
    exclude: ["test/package/**", "**/node_modules/**"],
    testTimeout: 60_000,
  },
});
