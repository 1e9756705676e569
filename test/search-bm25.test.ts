import { after, test } from "node:test";
import { tmdbTest } from "./helpers/data.js";
import assert from "node:assert/strict";
import { join } from "node:path";
import { Plotline } from "../src/plotline.js";
import { loadQuerySet } from "../src/search/evaluate.js";
import { DEFAULT_FIELD_WEIGHTS } from "../src/search/keyword.js";
import { parseKeywordQuery } from "../src/search/keyword-query.js";
import { ftsExpression } from "../src/store/sqlite/fts-expression.js";
import type { RowHit } from "../src/store/sqlite/keyword.js";
import { sqliteOf, tmdbGloveDb } from "./helpers/collections.js";
import { ROOT } from "./helpers/paths.js";

// The in-memory BM25 scorer must rank exactly as FTS5's bm25() does: same movies, same order,
// same scores, on the real collection.
const plotline = Plotline.open({ db: await tmdbGloveDb(), readonly: true });
after(() => plotline.close());
const spelling = await (await plotline.searchEngine()).spelling();
const keyword = sqliteOf(plotline).keywordIndex(DEFAULT_FIELD_WEIGHTS);

/** Typed queries besides the labelled set: prefixes, misspellings (corrections), stop words only, digits. */
const EXTRA = ["interst", "the", "It", "mars", "a shark attacks a beach town", "shawshenk redemtion", "teh martain", "star wa", "2001 space odys", "jim carrey comedy", "amélie"];
const queries = [...loadQuerySet(join(ROOT, "eval/tmdb-queries.jsonl")).map((q) => q.query), ...EXTRA];

function assertSame(query: string, memory: RowHit[], fts: RowHit[]): void {
  assert.deepEqual(
    memory.map((h) => h.id),
    fts.map((h) => h.id),
    `same movies in the same order for '${query}'`,
  );
  memory.forEach((h, i) => assert.ok(Math.abs(h.score - fts[i]!.score) <= 1e-9 * Math.max(1, Math.abs(fts[i]!.score)), `score of row ${h.id} for '${query}': ${h.score} vs ${fts[i]!.score}`));
}

tmdbTest("in-memory BM25 gives FTS5's movies, order and scores for every labelled and typed query, 200 deep", async () => {
  let compared = 0;
  for (const q of queries) {
    const kq = await spelling.correct(parseKeywordQuery(q));
    const expression = ftsExpression(kq);
    if (!expression) continue;
    const fts = keyword.topFts(expression, 200);
    assertSame(q, keyword.top(kq, 200), fts);
    compared += fts.length;
  }
  assert.ok(compared > 10_000, `compared ${compared} ranked rows`);
});

tmdbTest("filters apply before the limit in memory as in FTS5", () => {
  const allowed = sqliteOf(plotline).collection.filterTable().select({ yearMin: 1990, yearMax: 1999, genres: ["Science Fiction"] });
  assert.ok(allowed && allowed.size > 50);
  for (const q of ["time travel", "alien invasion of earth", "robot"]) {
    const kq = parseKeywordQuery(q);
    const memory = keyword.top(kq, 10, allowed);
    assert.equal(memory.length, 10, `a full page for '${q}'`);
    assert.ok(memory.every((h) => allowed.has(h.id)));
    assertSame(q, memory, keyword.topFts(ftsExpression(kq)!, 10, allowed));
  }
  assert.deepEqual(keyword.top(parseKeywordQuery("robot"), 10, new Set()), []);
});

test("quoted phrases and words of other scripts are answered by FTS5 itself", () => {
  for (const q of ['"great white shark" beach', "東京 物語", "naïve"]) {
    const kq = parseKeywordQuery(q);
    assertSame(q, keyword.top(kq, 50), keyword.topFts(ftsExpression(kq)!, 50));
  }
});
