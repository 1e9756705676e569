import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setImmediate as nextTurn } from "node:timers/promises";
import { Plotline } from "../src/plotline.js";
import { warm } from "../src/server/app.js";
import { LivePlotline } from "../src/server/live.js";
import { ms, percentile, type BenchSection } from "./lib.js";
import { ROOT, TMDB_CSV } from "./paths.js";

/** The test fixture's 13 movies: what each change adds and removes. */
const FIXTURE_CSV = join(ROOT, "test/fixtures/movies.csv");
/** Reloads measured (changes alternate: add the fixture's movies, remove them). */
const RELOADS = 6;

/**
 * What a serving process lives through when another process changes the collection (#18): a
 * `LivePlotline` over the glove TMDB collection, warmed as `serve` warms it, reloads after
 * each change while a `setImmediate` ticker stands for the requests it would be answering.
 * The longest gap between two turns of the event loop is the longest any request waits
 * behind the reload; the reload's wall time is how long the old generation keeps serving.
 */
export async function run(): Promise<BenchSection[]> {
  const dir = mkdtempSync(join(tmpdir(), "plotline-bench-reload-"));
  try {
    const db = join(dir, "tmdb.db");
    const writer = Plotline.open({ db, create: true });
    await writer.ingest([{ file: TMDB_CSV }], { embedder: "glove" });
    const live = await LivePlotline.open({ db, checkEveryMs: 3_600_000, warm });
    const longest: number[] = [];
    const walls: number[] = [];
    const turnCounts: number[] = [];
    const fixtureIds: string[] = [];
    try {
      for (let i = 0; i < RELOADS; i++) {
        if (i % 2 === 0) {
          await writer.ingest([{ file: FIXTURE_CSV }], { embedder: "glove" });
          // The fixture's ids (tt1000001 ...) are not TMDB's.
          if (!fixtureIds.length) for await (const batch of writer.store.scan(["title"])) for (const m of batch) if (/^tt10000[01]\d$/.test(m.id)) fixtureIds.push(m.id);
        } else await writer.remove(fixtureIds);
        let reloading = true;
        let last = performance.now();
        let gap = 0;
        let turns = 0;
        const ticker = (async () => {
          while (reloading) {
            await nextTurn();
            const now = performance.now();
            gap = Math.max(gap, now - last);
            last = now;
            turns++;
          }
        })();
        const t0 = performance.now();
        await live.refreshNow();
        walls.push(performance.now() - t0);
        reloading = false;
        await ticker;
        longest.push(gap);
        turnCounts.push(turns);
      }
    } finally {
      await live.close();
      await writer.close();
    }
    return [
      {
        title: `Reload while serving (glove TMDB collection, ${RELOADS} reloads after an ingest or a removal by another connection)`,
        columns: ["measure", "median", "max", "target"],
        rows: [
          ["longest event-loop block during a reload (ms)", ms(percentile(longest, 50)), ms(Math.max(...longest)), "< 100"],
          ["reload wall time: open + warm + swap (ms)", ms(percentile(walls, 50)), ms(Math.max(...walls)), ""],
          ["turns of the event loop during a reload", String(percentile(turnCounts, 50)), String(Math.max(...turnCounts)), ""],
        ],
        notes: ["The old generation answers until the swap; a request waits at most the longest block. Before the builds were sliced (time-slice.ts) a reload ran as one block: 0 turns."],
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
