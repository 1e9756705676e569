import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Plotline } from "../src/plotline.js";
import { DEFAULT_SIMILAR_METHOD, SIMILAR_METHODS, type SimilarMethod } from "../src/recommend/types.js";
import { tmdbGloveDb, tmdbMinilmDb } from "./helpers/collections.js";
import { MINILM_COLLECTION_TIMEOUT_MS, realMinilm } from "./helpers/real-minilm.js";
import { ROOT } from "./helpers/paths.js";
import { tmdbTest } from "./helpers/data.js";

interface Entry {
  id: string;
  title: string;
  year: number;
  kind: "sequel" | "remake";
  siblings: string[];
}

const list = (JSON.parse(readFileSync(join(ROOT, "eval/siblings.json"), "utf8")) as { movies: Entry[] }).movies;

/**
 * The least share of the check list each method must keep finding on the glove collection. The
 * default method (knn) must reach issue #12's 90%; every floor sits just under what was
 * measured, so that a regression fails. With the series and the prior blended in (`blend.ts`),
 * every method finds a sibling for all 40; with them off (`prior: 0, series: false`, the
 * similarity alone) glove knn found 34/40, svm 36/40 and tfidf 34/40. kNN got there once movies
 * were embedded from their title, tagline, keywords and leading cast besides the plot
 * (`embeddingText`): from the plot alone an average of word vectors blurs the names a sequel
 * shares with its original ("Marty McFly", "Riggs") into their general sense. TF-IDF reads the
 * plot alone and matches such names exactly, weighed by rarity.
 */
const FLOOR: Record<SimilarMethod, number> = { knn: 0.95, svm: 0.95, tfidf: 0.95 };

tmdbTest("the check list names real movies and siblings of the TMDB collection", async () => {
  assert.ok(list.length >= 15, `${list.length} movies`);
  const p = Plotline.open({ db: await tmdbGloveDb(), readonly: true });
  try {
    for (const e of list) {
      const m = await p.movie(e.id);
      assert.ok(m, `${e.id} is in the collection`);
      assert.equal(m.title, e.title);
      assert.equal(m.year, e.year);
      assert.ok(e.siblings.length > 0 && !e.siblings.includes(e.id));
      for (const s of e.siblings) assert.ok(await p.movie(s), `sibling ${s} of ${e.title} is in the collection`);
    }
  } finally {
    await p.close();
  }
});

tmdbTest("a franchise sibling or remake is in the top 10 for most of the check list", async (t) => {
  const p = Plotline.open({ db: await tmdbGloveDb(), readonly: true });
  try {
    for (const method of SIMILAR_METHODS) {
      const missed: string[] = [];
      for (const e of list) {
        const r = await p.similar(e.id, { method, k: 10 });
        if (!r.results.some((h) => e.siblings.includes(h.id))) missed.push(e.title);
      }
      const rate = (list.length - missed.length) / list.length;
      t.diagnostic(`${method}: ${list.length - missed.length}/${list.length} = ${(100 * rate).toFixed(1)}% (missed: ${missed.join("; ") || "none"})`);
      assert.ok(rate >= FLOOR[method], `${method}: ${(100 * rate).toFixed(1)}% is below ${100 * FLOOR[method]}%`);
      if (method === DEFAULT_SIMILAR_METHOD) assert.ok(rate >= 0.9, `the default method ${method} misses issue #12's 90%`);
    }
  } finally {
    await p.close();
  }
});

/**
 * The same check on the all-MiniLM-L6-v2 collection (run where `npm run models:fetch` has put
 * the weights, as in CI): measured 40/40 by knn and by svm, 34/40 by tfidf (which reads plots,
 * not vectors); each floor sits just under what was measured.
 */
const MINILM_FLOOR: Record<SimilarMethod, number> = { knn: 0.95, svm: 0.95, tfidf: 0.8 };

tmdbTest("with all-MiniLM-L6-v2, a franchise sibling or remake is in the top 10 for nearly all of the check list", { timeout: MINILM_COLLECTION_TIMEOUT_MS }, async (t) => {
  const real = await realMinilm();
  if (typeof real === "string") return t.skip(`no real all-MiniLM-L6-v2 (${real})`);
  const p = Plotline.open({ db: await tmdbMinilmDb(real.file), readonly: true });
  try {
    for (const method of SIMILAR_METHODS) {
      const missed: string[] = [];
      for (const e of list) {
        const r = await p.similar(e.id, { method, k: 10 });
        if (!r.results.some((h) => e.siblings.includes(h.id))) missed.push(e.title);
      }
      const rate = (list.length - missed.length) / list.length;
      t.diagnostic(`minilm ${method}: ${list.length - missed.length}/${list.length} = ${(100 * rate).toFixed(1)}% (missed: ${missed.join("; ") || "none"})`);
      assert.ok(rate >= MINILM_FLOOR[method], `${method}: ${(100 * rate).toFixed(1)}% is below ${100 * MINILM_FLOOR[method]}%`);
    }
  } finally {
    await p.close();
  }
});
