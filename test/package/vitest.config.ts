// `npm run test:package`: the consumer's view of the packed tarball (test/package/package.test.ts). Apart from
// `npm test` (it packs, installs with npm and starts a browser: about a minute).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: new URL("../..", import.meta.url).pathname,
    include: ["test/package/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 600_000,
  },
});
