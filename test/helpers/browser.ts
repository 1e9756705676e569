import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { BrowserContext, Page } from "playwright-core";
import { tempDir } from "./collections.js";
import { BIN, ROOT } from "./paths.js";

/** Debian's Chromium, driven by playwright-core (no browser download is reachable here). */
export const CHROMIUM = "/usr/bin/chromium";
export const SCREENSHOTS = join(ROOT, "docs/screenshots");
const WEB_INDEX = join(ROOT, "web/dist/index.html");
/** Why the browser tests skip, or false when Chromium is there. */
export const NO_CHROMIUM: string | false = !existsSync(CHROMIUM) ? `Chromium is not installed at ${CHROMIUM} (apt-get install chromium)` : false;

/** `plotline serve --port 0` (the real CLI, in its own process) and the address it printed. */
export async function startServe(db: string): Promise<{ url: string; server: ChildProcess; stderr: () => string }> {
  const server = spawn(process.execPath, [BIN, "serve", "--port", "0", "--db", db, "--json"], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  // Kept (its last 4 KB) so that a failing browser test can say what the server said.
  server.stderr!.on("data", (d) => (stderr = (stderr + d).slice(-4096)));
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: server.stdout! }).once("line", resolve);
    server.once("exit", (code) => reject(new Error(`plotline serve exited with ${code}: ${stderr}`)));
  });
  return { url: (JSON.parse(first) as { url: string }).url, server, stderr: () => stderr };
}

/**
 * Chromium at 1200x800, light, reduced motion, with the web app built (the test script builds it
 * first; a bare `node --test` run builds it here). `errors` collects page errors and, with
 * `consoleErrors`, console errors too.
 */
export async function openBrowser(options: { consoleErrors?: boolean } = {}): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  if (!existsSync(WEB_INDEX)) {
    const { build } = await import("vite");
    await build({ configFile: join(ROOT, "web/vite.config.ts"), logLevel: "warn" });
  }
  const { chromium } = await import("playwright-core");
  const context = await chromium.launchPersistentContext(tempDir("plotline-chromium-"), {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1200, height: 800 },
    colorScheme: "light",
    reducedMotion: "reduce",
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  if (options.consoleErrors) {
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  return { context, page, errors };
}
