// `npx tsx examples/browser/screenshot.ts`: trains the page in headless Chromium and saves
// examples/browser/screenshot.png (the picture in the README): the course's lr 0.5, with the weights
// held in the ball ‖w‖₂ <= 4 so that the picture shows the hard constraint at work.
import { fileURLToPath } from "node:url";
import { findChromium, openChromium } from "./chromium.ts";
import { startServer } from "./server.ts";

const steps = Number(process.argv[2] ?? 1500);
const executable = findChromium();
if (executable === undefined) throw new Error("no Chromium: install Debian's with `apt-get install -y chromium`, or set CHROMIUM_PATH");

const server = await startServer();
const browser = await openChromium(executable);
try {
  const { page } = browser;
  await page.goto(server.url);
  await page.waitForSelector("body[data-ready=true]");
  await page.check("#project");
  await page.fill("#radius", "4");
  await page.click("#run");
  await page.waitForFunction((n) => Number(document.getElementById("steps")?.textContent) >= n, steps, { timeout: 60_000 });
  await page.click("#run");
  const path = fileURLToPath(new URL("screenshot.png", import.meta.url));
  await page.screenshot({ path });
  console.log(`saved ${path} after ${await page.textContent("#steps")} steps`);
} finally {
  await browser.close();
  await server.close();
}
