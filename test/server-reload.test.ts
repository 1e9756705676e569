/**
 * A server following a collection that another process changed (`server/live.ts`) builds the
 * new generation on the thread that serves. Before its builds were sliced (`time-slice.ts`),
 * the whole reload (~1 s on the TMDB collection) ran as one chain of microtasks: no timer, no
 * socket and no `setImmediate` ran until it ended, so every request waited for all of it (issue
 * #18: "reloading after a concurrent ingest stalls the server about 1.3 s"; 0 turns of the
 * event loop were counted during it). How long the longest slice is, is a benchmark figure
 * (`npm run bench -- reload`), not checked here.
 */
import assert from "node:assert/strict";
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { setImmediate as nextTurn } from "node:timers/promises";
import { Plotline } from "../src/plotline.js";
import { warm } from "../src/server/app.js";
import { LivePlotline } from "../src/server/live.js";
import { tempDir, tmdbGloveDb } from "./helpers/collections.js";
import { tmdbTest } from "./helpers/data.js";
import { MOVIES_CSV } from "./helpers/paths.js";

tmdbTest("a reload after an ingest keeps the event loop turning: a request sent during it is answered before the new generation is in", async () => {
  const dir = tempDir("plotline-reload-");
  const db = join(dir, "tmdb.db");
  copyFileSync(await tmdbGloveDb(), db);
  const live = await LivePlotline.open({ db, checkEveryMs: 3_600_000, warm });
  try {
    const before = (await live.plotline.info()).count;
    const writer = Plotline.open({ db });
    await writer.ingest([{ file: MOVIES_CSV }], { embedder: "glove" });
    await writer.close();

    let reloading = true;
    let turns = 0;
    const ticker = (async () => {
      while (reloading) {
        await nextTurn();
        turns++;
      }
    })();
    const reload = live.refreshNow().finally(() => (reloading = false));
    // A request arriving as a macrotask (as a socket's data does), once the reload is under way.
    let answeredWhileReloading: boolean | null = null;
    const request = new Promise<string[]>((resolve, reject) =>
      setImmediate(() => {
        live
          .use((p) => p.titles("The Shaw", 3))
          .then((r) => {
            answeredWhileReloading = reloading;
            resolve(r.results.map((h) => h.title));
          }, reject);
      }),
    );
    await reload;
    await ticker;
    const titles = await request;
    assert.ok(titles.includes("The Shawshank Redemption"), `answered from the old generation: ${titles.join(", ")}`);
    assert.equal(answeredWhileReloading, true, "the request sent during the reload was answered before the reload finished");
    assert.ok(turns >= 10, `the event loop turned ${turns} times during the reload (0 before its builds were sliced)`);
    assert.ok((await live.plotline.info()).count > before, "the new generation is swapped in");
    assert.equal((await live.use((p) => p.movie("tt1000001")))?.title, "The Martian", "and serves the ingested movies");
  } finally {
    await live.close();
  }
});
