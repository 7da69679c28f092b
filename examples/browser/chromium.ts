// Finds Debian's Chromium and opens it headless through playwright-core, with the flags this machine
// needs (no sandbox as root, no GPU, no background networking) and a fresh profile removed on close.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Page } from "playwright-core";

export const chromiumFlags = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
] as const;

/** The Chromium executable: $CHROMIUM_PATH, else Debian's /usr/bin/chromium; undefined when none is installed. */
export function findChromium(): string | undefined {
  return [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].find(
    (path): path is string => path !== undefined && path !== "" && existsSync(path),
  );
}

export interface Browser {
  readonly page: Page;
  close(): Promise<void>;
}

/** A headless Chromium with one page of 1000×700 CSS pixels, in a new empty --user-data-dir. */
export async function openChromium(executablePath: string): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "nabla-chromium-"));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: [...chromiumFlags],
      viewport: { width: 1000, height: 700 },
    });
    const page = context.pages()[0] ?? (await context.newPage());
    return {
      page,
      close: async () => {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
}
