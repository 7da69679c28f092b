// Serves examples/browser with Vite's dev server (which compiles the TypeScript, src/ included) on
// localhost; used by `npm run example:browser`, by the browser test and by the screenshot script.
import { fileURLToPath } from "node:url";
import { createServer } from "vite";

const here = fileURLToPath(new URL(".", import.meta.url));
const repo = fileURLToPath(new URL("../..", import.meta.url));

export interface PageServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Starts the server on `port` (0: any free port; a busy port moves to the next one) and returns its address. */
export async function startServer(port = 0): Promise<PageServer> {
  const server = await createServer({
    configFile: false,
    root: here,
    logLevel: "warn",
    clearScreen: false,
    // the page imports "nabla" as a user's page does; here that is the source
    resolve: { alias: [{ find: /^nabla$/, replacement: `${repo}src/index.ts` }] },
    server: { host: "127.0.0.1", port, strictPort: false, fs: { allow: [repo] } },
    // nabla's dependencies, bundled at start so that the first load never triggers a reload
    optimizeDeps: { include: ["fp-ts/Field", "fp-ts/Monoid", "fp-ts/Semigroup", "immer"] },
  });
  await server.listen();
  const url = server.resolvedUrls?.local[0];
  if (url === undefined) {
    await server.close();
    throw new Error("vite started but reported no local address");
  }
  return { url, close: () => server.close() };
}
