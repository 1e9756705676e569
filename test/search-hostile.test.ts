import { after, test } from "node:test";
import assert from "node:assert/strict";
import { InvalidArgumentError } from "../src/errors.js";
import { Plotline } from "../src/plotline.js";
import { MAX_QUERY_LENGTH, SEARCH_MODES } from "../src/search/types.js";
import { runCli } from "./helpers/cli.js";
import { tmdbGloveDb } from "./helpers/collections.js";

const db = await tmdbGloveDb();
const plotline = Plotline.open({ db, readonly: true });
after(() => plotline.close());

const HOSTILE = [
  '"',
  '""',
  '"unterminated phrase about mars',
  'title:mars NEAR(astronaut rescue) AND OR NOT',
  "mars* ^space (((",
  ")",
  "'; DROP TABLE movies; --",
  "1 OR 1=1 UNION SELECT * FROM sqlite_master",
  'robert"); DELETE FROM movies_fts; --',
  "🚀👽 an alien on a spaceship 🚀",
  "🙂🙃",
  "\u0000\u0001\u0002 nul bytes",
  "%_\\ like wildcards",
  "Ωμέγα русский 日本語 العربية",
  "x".repeat(MAX_QUERY_LENGTH),
  "like ".repeat(2000),
  "starring with directed by between and 1990s ".repeat(200),
  Array.from({ length: 900 }, (_, i) => `qzx${i}word`).join(" "),
].map((q) => q.slice(0, MAX_QUERY_LENGTH));

test("hostile queries never crash or leak SQL errors in any mode: results or nothing", async () => {
  const before = await plotline.store.count();
  for (const mode of SEARCH_MODES) {
    for (const q of HOSTILE) {
      const r = await plotline.search(q, { mode, k: 10 });
      assert.ok(Array.isArray(r.results), `${mode}: ${q.slice(0, 30)}`);
      for (const h of r.results) assert.equal(typeof h.id, "string");
    }
  }
  assert.equal(await plotline.store.count(), before, "nothing was written");
  const space = await plotline.search("🚀👽 an alien on a spaceship 🚀", { mode: "keyword" });
  assert.ok(space.results.length > 0, "emoji are separators; the words still search");
  assert.ok((await plotline.titles("'; DROP TABLE movies; --")).results.length >= 0);
});

test("empty and over-long queries are clear errors naming the query", async () => {
  for (const q of ["", "   ", "x".repeat(MAX_QUERY_LENGTH + 1)]) {
    await assert.rejects(plotline.search(q), (err: Error) => err instanceof InvalidArgumentError && /^query: /.test(err.message));
  }
  await assert.rejects(plotline.search("mars", { k: 0 }), /^InvalidArgumentError: k: must be an integer from 1 to 1000/);
  await assert.rejects(plotline.search("mars", { offset: -1 }), /offset: must be an integer from 0/);
});

test("the CLI answers hostile queries with results or 'No results.', never an SQL error", async () => {
  for (const q of ['title:mars NEAR(a b) AND "', "'; DROP TABLE movies; --", "🙂🙃"]) {
    const r = await runCli(["search", q, "--db", db]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, /sqlite|fts5|syntax error|unexpected error/i);
  }
  const long = await runCli(["search", "x".repeat(MAX_QUERY_LENGTH + 1), "--db", db]);
  assert.equal(long.code, 2);
  assert.equal(long.stderr, `plotline: query: is ${MAX_QUERY_LENGTH + 1} characters; the limit is ${MAX_QUERY_LENGTH}\n`);
});
