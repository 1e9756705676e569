import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { NO_CHROMIUM, openBrowser, SCREENSHOTS, startServe } from "./helpers/browser.js";
import { Plotline } from "../src/plotline.js";
import { tempDir } from "./helpers/collections.js";
import { FIXTURES } from "./helpers/paths.js";

/**
 * Posters, the dense similar grid, the list view, `/?q=` and the way home from a dead end, in
 * Chromium, on a collection built from the fixtures whose poster URLs a local server serves
 * (one poster is missing on purpose: its card must fall back to the generated cover). Runs
 * without `../shared`; takes the screenshots in docs/screenshots/ that show posters.
 */
const skip = NO_CHROMIUM;

const MARTIAN = "tt3659388";
/** The movie whose poster URL answers 404. */
const BROKEN = "Jaws";

const dir = tempDir("plotline-posters-");
const posterHits: string[] = [];
let posters: Server | undefined;
let server: ChildProcess | undefined;
let base = "";
let context: BrowserContext | undefined;
let page: Page;
let pageErrors: string[] = [];

/** A poster as an SVG image: a colour per title and the title in large type, 2:3. */
function posterSvg(title: string): string {
  let hash = 0;
  for (const ch of title) hash = (hash * 31 + ch.codePointAt(0)!) >>> 0;
  const hue = hash % 360;
  const safe = title.replace(/[<>&"]/g, "");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="300" viewBox="0 0 200 300"><defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="hsl(${hue},70%,55%)"/><stop offset="1" stop-color="hsl(${(hue + 40) % 360},60%,18%)"/></linearGradient></defs><rect width="200" height="300" fill="url(#g)"/><circle cx="150" cy="70" r="38" fill="hsl(${(hue + 180) % 360},80%,75%)" opacity="0.8"/><text x="14" y="250" font-family="sans-serif" font-size="22" font-weight="700" fill="#fff">${safe.slice(0, 14)}</text><text x="14" y="276" font-family="sans-serif" font-size="14" fill="#fff" opacity="0.8">POSTER</text></svg>`;
}

before(async () => {
  if (skip) return;
  posters = createServer((req, res) => {
    posterHits.push(req.url ?? "");
    const m = /^\/posters\/(.+)\.svg$/.exec(req.url ?? "");
    const title = m ? decodeURIComponent(m[1]!) : "";
    if (!m || title === BROKEN) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { "content-type": "image/svg+xml" });
    res.end(posterSvg(title));
  });
  await new Promise<void>((resolve) => posters!.listen(0, "127.0.0.1", resolve));
  const posterBase = `http://127.0.0.1:${(posters.address() as AddressInfo).port}/posters`;
  // The Wikipedia fixture with its thumbnails pointing at the local poster server.
  const wiki = (JSON.parse(readFileSync(join(FIXTURES, "wikipedia-movies.json"), "utf8")) as { title: string; thumbnail?: string }[]).map((m) => ({
    ...m,
    ...(m.thumbnail ? { thumbnail: `${posterBase}/${encodeURIComponent(m.title)}.svg` } : {}),
  }));
  const wikiFile = join(dir, "wikipedia-posters.json");
  writeFileSync(wikiFile, JSON.stringify(wiki));
  const db = join(dir, "posters.db");
  const p = Plotline.open({ db, create: true });
  await p.ingest([{ file: join(FIXTURES, "readme-tmdb.csv") }, { file: wikiFile }], { embedder: "glove", merge: true });
  await p.close();

  ({ url: base, server } = await startServe(db));
  let errors: string[];
  ({ context, page, errors } = await openBrowser());
  pageErrors = errors;
});

after(async () => {
  await context?.close();
  server?.kill("SIGTERM");
  posters?.close();
});

async function settled(): Promise<void> {
  const u = new URL(page.url());
  await page.locator(`body[data-ready=true][data-href=${JSON.stringify(u.pathname + u.search)}]`).waitFor({ state: "attached", timeout: 15_000 });
}

async function open(path: string): Promise<void> {
  await page.goto(base + path);
  await settled();
}

/** Waits until every poster image on screen has loaded or been replaced by its fallback. */
async function postersSettled(): Promise<void> {
  await page.waitForFunction(() => Array.from(document.querySelectorAll<HTMLImageElement>("img.poster")).every((img) => img.loading === "lazy" && (img.complete || img.getBoundingClientRect().top > innerHeight * 2)), undefined, { timeout: 15_000 }).catch(() => undefined);
  await page.waitForTimeout(300);
}

test("search results show the collection's posters, lazy-loaded; a poster that fails falls back to the generated cover", { skip }, async () => {
  await open("/search?q=space%20adventure&mode=keyword");
  await page.getByTestId("card").first().waitFor();
  await postersSettled();
  const imgs = page.locator("main img.poster");
  assert.ok((await imgs.count()) >= 3, `${await imgs.count()} posters`);
  for (const img of await imgs.all()) {
    assert.equal(await img.getAttribute("loading"), "lazy");
    assert.match((await img.getAttribute("src")) ?? "", /^http:\/\/127\.0\.0\.1:\d+\/posters\//);
  }
  const loaded = await imgs.evaluateAll((els) => (els as HTMLImageElement[]).filter((e) => e.complete && e.naturalWidth > 0).length);
  assert.ok(loaded >= 3, `${loaded} posters drawn`);
  await page.screenshot({ path: join(SCREENSHOTS, "search-posters.png") });
  assert.ok(statSync(join(SCREENSHOTS, "search-posters.png")).size > 10_000);

  await open("/search?q=shark%20beach%20town&mode=keyword");
  const jaws = page.locator(`main [data-testid=card]`, { hasText: BROKEN }).first();
  await jaws.locator(".cover.generated[data-poster-failed=true]").waitFor({ timeout: 10_000 });
  assert.ok(posterHits.some((u) => u.includes(BROKEN)), "the broken poster was asked for");
  assert.deepEqual(pageErrors, []);
});

test("a movie page shows its poster and the 40 similar in a dense grid (about two screens at 1200x800), or a compact list", { skip }, async () => {
  await open(`/movie/${MARTIAN}`);
  await page.locator("[data-testid=movie-detail] img.poster").waitFor();
  const grid = page.locator("[data-testid=similar] .grid.dense");
  await grid.waitFor();
  const cards = grid.locator("[data-testid=card]");
  const n = await cards.count();
  assert.ok(n >= 10, `${n} similar`);
  const first = (await cards.first().boundingBox())!;
  const perRow = (await cards.evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().top)))).filter((t) => t === Math.round(first.y + 0) || Math.abs(t - first.y) < 2).length;
  assert.ok(perRow >= 8, `${perRow} cards a row at 1200 px`);
  // 40 cards in rows of perRow, each as tall as this one: at most about two screens.
  const rowHeight = (await cards.nth(perRow).boundingBox())!.y - first.y;
  const forty = Math.ceil(40 / perRow) * rowHeight;
  assert.ok(forty <= 2 * 800, `40 similar take ${forty} px, more than two 800 px screens (rows of ${perRow}, ${rowHeight} px)`);
  await postersSettled();
  await page.screenshot({ path: join(SCREENSHOTS, "movie-posters.png"), fullPage: true });
  assert.ok(statSync(join(SCREENSHOTS, "movie-posters.png")).size > 10_000);

  await page.getByTestId("view-switch").locator("input[value=list]").check({ force: true });
  await settled();
  assert.equal(new URL(page.url()).searchParams.get("view"), "list");
  const rows = page.locator("[data-testid=rows] [data-testid=card]");
  await rows.first().waitFor();
  assert.equal(await rows.count(), n);
  const rowBox = (await rows.first().boundingBox())!;
  assert.ok(rowBox.height <= 60, `a list row is ${rowBox.height} px tall`);
  assert.ok(40 * rowBox.height <= 2 * 800, "40 rows in about two screens");
  await page.reload();
  await settled();
  assert.equal(await page.locator("[data-testid=rows] [data-testid=card]").count(), n, "the list view survives a reload");
});

test("/?q=... opens the search; not-found pages have a way home", { skip }, async () => {
  await page.goto(`${base}/?q=astronaut%20mars`);
  await page.locator("body[data-ready=true][data-href^='/search']").waitFor({ timeout: 15_000 });
  const u = new URL(page.url());
  assert.equal(u.pathname, "/search");
  assert.equal(u.searchParams.get("q"), "astronaut mars");
  assert.equal(await page.getByTestId("search-input").inputValue(), "astronaut mars");
  assert.ok((await page.getByTestId("card").count()) > 0);

  await open("/movie/tt0000000");
  await page.getByTestId("not-found").waitFor();
  assert.match((await page.getByTestId("not-found").textContent()) ?? "", /Movie not found/);
  await page.getByTestId("home-link").click();
  await settled();
  assert.equal(new URL(page.url()).pathname, "/");

  await open("/no/such/page");
  await page.getByTestId("home-link").click();
  await settled();
  assert.equal(new URL(page.url()).pathname, "/");
});
