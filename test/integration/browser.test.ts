// examples/browser in a real headless Chromium (Debian's, driven by playwright-core): the page trains the
// course's network with nabla, unchanged, and shows the course's numbers. Skips when no Chromium is installed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Browser, findChromium, openChromium } from "../../examples/browser/chromium.ts";
import { initial, loss } from "../../examples/browser/network.ts";
import { type PageServer, startServer } from "../../examples/browser/server.ts";
import { projected, projectToBall, sgd, train } from "../../src/index.ts";

const executable = findChromium();
const missing = "no Chromium installed (apt-get install -y chromium, or set CHROMIUM_PATH): the browser test is skipped";
if (executable === undefined) console.warn(`test/integration/browser.test.ts: ${missing}`);

const title = "examples/browser in headless Chromium";
describe.skipIf(executable === undefined)(executable === undefined ? `${title} (skipped: ${missing})` : title, () => {
  let server: PageServer | undefined;
  let browser: Browser | undefined;
  const errors: string[] = [];

  const page = () => {
    if (browser === undefined) throw new Error("the browser did not start");
    return browser.page;
  };
  /** The text the page shows for a quantity (`E_total`, `w5`, `dE/dw5`, `norm`, …). */
  const shown = async (q: string): Promise<string> => (await page().textContent(`[data-q="${q}"]`)) ?? "";
  const steps = async (): Promise<number> => Number(await page().textContent("#steps"));
  const curvePoints = async (): Promise<number> => Number(await page().getAttribute("#loss-curve svg", "data-points"));

  beforeAll(async () => {
    server = await startServer();
    browser = await openChromium(executable ?? "");
    browser.page.on("pageerror", (e) => errors.push(e.message));
    browser.page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    await browser.page.goto(server.url);
    await browser.page.waitForSelector("body[data-ready=true]", { timeout: 20_000 });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("shows the course's forward pass and gradients, then w5 = 0.358916480 after one step", async () => {
    expect(await steps()).toBe(0);
    expect(await shown("out_h1")).toBe("0.593269992");
    expect(await shown("out_o2")).toBe("0.772928465");
    expect(await shown("E_total")).toBe("0.298371109");
    expect(await shown("dE/dw5")).toBe("0.082167041");
    expect(await shown("dE/dw1")).toBe("0.000438568");
    expect(await shown("w5")).toBe("0.400000000");
    expect(await curvePoints()).toBe(1);

    await page().click("#step");
    expect(await steps()).toBe(1);
    expect(await shown("w5")).toBe("0.358916480");
    expect(await shown("w1")).toBe("0.149780716");
    expect(await shown("E_total")).toBe("0.291027774");
    expect(await curvePoints()).toBe(2);
  });

  it("runs: the loss falls, every step is nabla's gradient descent, and the curve grows", async () => {
    await page().click("#reset");
    await page().click("#run");
    await page().waitForFunction(() => Number(document.getElementById("steps")?.textContent) >= 100, undefined, { timeout: 20_000 });
    await page().click("#run"); // pause
    const n = await steps();
    expect(n).toBeGreaterThanOrEqual(100);
    const eTotal = Number(await shown("E_total"));
    expect(eTotal).toBeLessThan(0.298371109);
    // the same number of steps of sgd(0.5), in Node: the page computed exactly this
    const expected = train({ loss, params: initial, optimizer: sgd(0.5), steps: n }).history[n];
    expect(await shown("E_total")).toBe(expected.toFixed(9));
    expect(await curvePoints()).toBe(n + 1);
  });

  it("withL2(λ) adds 2λw to the step; projectToBall(r) keeps ‖w‖₂ <= r", async () => {
    await page().click("#reset");
    await page().fill("#lambda", "0.01");
    expect(await shown("dP/dw5")).toBe("0.008000000"); // 2·0.01·0.4
    await page().click("#step");
    expect(await shown("w5")).toBe("0.354916480"); // 0.4 − 0.5·(0.082167041 + 0.008)

    await page().fill("#lambda", "0");
    await page().check("#project");
    await page().fill("#radius", "1");
    await page().click("#reset");
    expect(await shown("norm")).toBe("1.063014581"); // √1.13: the start lies outside the ball
    await page().click("#step");
    expect(await shown("norm")).toBe("1.000000000");
    const optimizer = projected(sgd(0.5), projectToBall(1));
    const expected = train({ loss, params: initial, optimizer, steps: 1 }).history[1];
    expect(await shown("E_total")).toBe(expected.toFixed(9));
  });

  it("logs no error in the page", () => {
    expect(errors).toEqual([]);
  });
});
