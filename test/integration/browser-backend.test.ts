// The kernel backend in a real headless Chromium: examples/browser/backend.html runs on WebAssembly SIMD,
// and, served with a Content-Security-Policy that forbids compiling (no 'wasm-unsafe-eval'), falls back
// to JS; both give exactly Node's numbers. Skips when no Chromium is installed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Browser, findChromium, openChromium } from "../../examples/browser/chromium.ts";
import { probeOperands } from "../../examples/browser/probe.ts";
import { type PageServer, startServer } from "../../examples/browser/server.ts";
import { matmul, tensor, toArray } from "../../src/index.ts";

const executable = findChromium();
const title = "the kernel backend in headless Chromium";

describe.skipIf(executable === undefined)(executable === undefined ? `${title} (skipped: no Chromium installed)` : title, () => {
  let server: PageServer | undefined;
  let browser: Browser | undefined;
  const errors: string[] = [];
  const [a, b] = probeOperands();
  const expected = JSON.stringify(toArray(matmul(tensor(a), tensor(b))));

  beforeAll(async () => {
    server = await startServer();
    browser = await openChromium(executable ?? "");
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** The probe page in a new tab (with `csp` as its Content-Security-Policy): the backend it reports and its product. */
  async function probe(csp?: string): Promise<{ backend: string | null; product: string | null }> {
    if (browser === undefined || server === undefined) throw new Error("the browser or the server did not start");
    const page = await browser.page.context().newPage();
    page.on("pageerror", (e) => errors.push(e.message));
    if (csp !== undefined) {
      await page.route("**/backend.html", async (route) => {
        const response = await route.fetch();
        await route.fulfill({ response, headers: { ...response.headers(), "content-security-policy": csp } });
      });
    }
    await page.goto(`${server.url}backend.html`);
    await page.waitForSelector("body[data-ready=true]", { timeout: 20_000 });
    const result = { backend: await page.getAttribute("body", "data-backend"), product: await page.textContent("#product") };
    await page.close();
    return result;
  }

  it("selects WebAssembly SIMD and computes Node's numbers", async () => {
    const { backend, product } = await probe();
    expect(backend).toBe("wasm");
    expect(product).toBe(expected);
  });

  it("falls back to JS under a CSP without 'wasm-unsafe-eval' (nor 'unsafe-eval'), with the same numbers", async () => {
    const { backend, product } = await probe("script-src 'self'");
    expect(backend).toBe("js");
    expect(product).toBe(expected);
  });

  it("keeps WebAssembly under a CSP that allows it ('wasm-unsafe-eval' without 'unsafe-eval')", async () => {
    const { backend, product } = await probe("script-src 'self' 'wasm-unsafe-eval'");
    expect(backend).toBe("wasm");
    expect(product).toBe(expected);
  });

  it("logs no error in the pages", () => {
    expect(errors).toEqual([]);
  });
});
