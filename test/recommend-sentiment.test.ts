import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sentimentScore } from "../src/catalog/sentiment.js";
import { Plotline } from "../src/plotline.js";
import { sqliteOf, tempDir, tmdbGloveDb } from "./helpers/collections.js";
import { MOVIES_CSV } from "./helpers/paths.js";
import { tmdbTest } from "./helpers/data.js";

test("sentiment scores are in -1..1, positive for happy text, negative for grim text, 0 without words", () => {
  assert.ok(sentimentScore("A joyful, heartwarming story of love, friendship and triumph.") > 0.5);
  assert.ok(sentimentScore("A brutal killer murders, tortures and terrorizes the desperate victims.") < -0.5);
  assert.equal(sentimentScore(""), 0);
  assert.equal(sentimentScore("The train leaves the station at noon."), 0);
  const extreme = sentimentScore("good ".repeat(500));
  assert.ok(extreme <= 1 && extreme > 0.99, "bounded however much praise");
});

tmdbTest("every movie of the TMDB collection has a stored sentiment in -1..1, computed from its overview", async () => {
  const p = Plotline.open({ db: await tmdbGloveDb(), readonly: true });
  try {
    const collection = sqliteOf(p).collection;
    const stored = collection.storedSentiment();
    const rows = collection.allRows(["title", "overview"]).map(({ rowid, row }) => ({ ...row, score: stored.get(rowid) ?? null }));
    assert.equal(rows.length, 10_852);
    let positive = 0;
    let negative = 0;
    for (const r of rows) {
      assert.ok(r.score !== null && r.score >= -1 && r.score <= 1, `${r.title}: stored score ${r.score}`);
      if (r.score > 0.2) positive++;
      if (r.score < -0.2) negative++;
    }
    assert.ok(positive > 1000 && negative > 1000, `scores spread over the range (${positive} above 0.2, ${negative} below -0.2)`);
    for (const r of rows.slice(0, 50)) assert.equal(r.score, sentimentScore(r.overview));
  } finally {
    await p.close();
  }
});

tmdbTest("re-ranking by sentiment: score = (1 - w) x similarity + w x sentiment, both parts shown", async () => {
  const p = Plotline.open({ db: await tmdbGloveDb(), readonly: true });
  try {
    // The similarity alone, without the prior and series blends, is what sentiment re-ranks here.
    const plain = await p.similar("tt0114709", { k: 40, prior: 0, series: false });
    for (const h of plain.results) {
      assert.equal(h.score, h.similarity, "without re-ranking the score is the similarity");
      assert.ok(h.sentiment >= -1 && h.sentiment <= 1, "sentiment shown anyway");
    }
    for (const w of [0.3, 0.8]) {
      const r = await p.similar("tt0114709", { k: 40, rerank: "sentiment", sentimentWeight: w, prior: 0, series: false });
      for (const h of r.results) {
        assert.ok(Math.abs(h.score - ((1 - w) * h.similarity + w * h.sentiment)) < 1e-12, `${h.title}: score from its parts`);
      }
      for (let i = 1; i < r.results.length; i++) assert.ok(r.results[i - 1]!.score >= r.results[i]!.score, "ranked by the combined score");
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      assert.ok(mean(r.results.map((h) => h.sentiment)) > mean(plain.results.map((h) => h.sentiment)), `w=${w}: the list turns more positive`);
    }
    const byDefault = await p.similar("tt0114709", { k: 10, rerank: "sentiment", prior: 0, series: false });
    for (const h of byDefault.results) assert.ok(Math.abs(h.score - (0.7 * h.similarity + 0.3 * h.sentiment)) < 1e-12, "default weight 0.3");
  } finally {
    await p.close();
  }
});

test("sentiment is stored in the ingest transaction and rescored only when an overview changes", async () => {
  const dir = tempDir();
  const db = join(dir, "s.db");
  const p = Plotline.open({ db, create: true });
  try {
    await p.ingest([{ file: MOVIES_CSV }], { embedder: "glove" });
    const scores = () => {
      const collection = sqliteOf(p).collection;
      const stored = collection.storedSentiment();
      return new Map(collection.rowidsAndIds().flatMap(([rowid, id]) => (stored.has(rowid) ? [[id, stored.get(rowid)!] as const] : [])));
    };
    const before = scores();
    assert.equal(before.size, await p.store.count());
    const csv = join(dir, "changed.csv");
    const grim = "A vicious, hateful killer murders a terrified, miserable family.";
    writeFileSync(csv, readFileSync(MOVIES_CSV, "utf8").replace(/"A giant great white shark[^"]*"/, `"${grim}"`));
    await p.ingest([{ file: csv }]);
    const after = scores();
    assert.equal(after.get("tt1000005"), sentimentScore(grim), "Jaws rescored from its new overview");
    assert.ok(after.get("tt1000005")! < before.get("tt1000005")!);
    for (const [id, s] of before) if (id !== "tt1000005") assert.equal(after.get(id), s, `${id} unchanged`);
    await p.remove(["tt1000005"]);
    assert.equal(scores().has("tt1000005"), false, "removed with its movie");
  } finally {
    await p.close();
  }
});
