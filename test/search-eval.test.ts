import { after, test } from "node:test";
import { tmdbTest } from "./helpers/data.js";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { SourceError } from "../src/errors.js";
import { Plotline } from "../src/plotline.js";
import { evaluateMode, loadQuerySet, metrics } from "../src/search/evaluate.js";
import type { SearchOptions } from "../src/search/types.js";
import { runCli } from "./helpers/cli.js";
import { tempDir, tmdbGloveDb, tmdbMinilmDb } from "./helpers/collections.js";
import { MINILM_COLLECTION_TIMEOUT_MS, realMinilm } from "./helpers/real-minilm.js";
import { ROOT } from "./helpers/paths.js";

const db = await tmdbGloveDb();
const plotline = Plotline.open({ db, readonly: true });
after(() => plotline.close());
const QUERIES = join(ROOT, "eval/tmdb-queries.jsonl");

test("metrics: Recall@1, Recall@10 (over min(10, relevant)), MRR, binary nDCG@10 and Success@3", () => {
  assert.deepEqual(metrics(["a", "b"], ["a"]), { recall1: 1, recall10: 1, mrr: 1, ndcg10: 1, success3: 1 });
  const third = metrics(["x", "y", "a"], ["a"]);
  assert.equal(third.recall1, 0);
  assert.equal(third.recall10, 1);
  assert.equal(third.mrr, 1 / 3);
  assert.equal(third.ndcg10, 1 / Math.log2(4));
  assert.equal(third.success3, 1);
  assert.equal(metrics(["x", "y", "z", "a"], ["a"]).success3, 0);
  const two = metrics(["a", "x", "b"], ["a", "b", "c"]);
  assert.equal(two.recall10, 2 / 3);
  assert.equal(two.ndcg10, (1 + 1 / Math.log2(4)) / (1 + 1 / Math.log2(3) + 1 / Math.log2(4)));
  assert.deepEqual(metrics(Array.from({ length: 20 }, (_, i) => `x${i}`).concat("a"), ["a"]), { recall1: 0, recall10: 0, mrr: 0, ndcg10: 0, success3: 0 });
});

tmdbTest("the labelled set: at least 50 queries in our own words, every right answer in the collection", () => {
  const set = loadQuerySet(QUERIES);
  assert.ok(set.length >= 50, `${set.length} queries`);
  const kinds = new Set(set.map((q) => q.kind));
  for (const kind of ["plot", "keywords", "typo", "people", "filters"]) assert.ok(kinds.has(kind), kind);
  for (const q of set) {
    assert.doesNotMatch(q.query, /NASA tried to rescue/i, "not the seed's query");
    for (const id of q.relevant) assert.ok(plotline.movie(id), `${q.query}: ${id} is in the collection`);
  }
});

test("bad query files are one-line errors naming the file and line", () => {
  const dir = tempDir();
  const bad = join(dir, "bad.jsonl");
  writeFileSync(bad, '{"query": "ok", "relevant": ["tt1"]}\n{"query": "no ids"}\n');
  assert.throws(() => loadQuerySet(bad), (err: Error) => err instanceof SourceError && err.message === `${bad}: line 2: "relevant" must be a non-empty list of ids`);
  writeFileSync(bad, "not json\n");
  assert.throws(() => loadQuerySet(bad), /line 1: not JSON/);
  assert.throws(() => loadQuerySet(join(dir, "missing.jsonl")), /missing\.jsonl: cannot read \(ENOENT\)/);
});

tmdbTest("with GloVe, hybrid beats both keyword and semantic search on MRR and Recall@10", async () => {
  const set = loadQuerySet(QUERIES);
  const search = (q: string, o: SearchOptions) => plotline.search(q, o);
  const [hybrid, keyword, semantic] = [await evaluateMode(search, set, "hybrid"), await evaluateMode(search, set, "keyword"), await evaluateMode(search, set, "semantic")];
  const line = (name: string, m: typeof hybrid.overall) => `${name}: MRR ${m.mrr.toFixed(3)}, R@10 ${m.recall10.toFixed(3)}`;
  const table = [line("hybrid", hybrid.overall), line("keyword", keyword.overall), line("semantic", semantic.overall)].join("; ");
  for (const other of [keyword, semantic]) {
    assert.ok(hybrid.overall.mrr > other.overall.mrr, table);
    assert.ok(hybrid.overall.recall10 > other.overall.recall10, table);
  }
});

tmdbTest("with all-MiniLM-L6-v2 (its own default alpha), hybrid beats keyword and semantic search, and semantic beats glove's", { timeout: MINILM_COLLECTION_TIMEOUT_MS }, async (t) => {
  const real = await realMinilm();
  if (typeof real === "string") return t.skip(`no real all-MiniLM-L6-v2 (${real})`);
  const minilm = Plotline.open({ db: await tmdbMinilmDb(real.file), readonly: true });
  try {
    const set = loadQuerySet(QUERIES);
    const on = (p: Plotline) => (q: string, o: SearchOptions) => p.search(q, o);
    const [hybrid, keyword, semantic, gloveSemantic] = [
      await evaluateMode(on(minilm), set, "hybrid"),
      await evaluateMode(on(minilm), set, "keyword"),
      await evaluateMode(on(minilm), set, "semantic"),
      await evaluateMode(on(plotline), set, "semantic"),
    ];
    const line = (name: string, m: typeof hybrid.overall) => `${name}: MRR ${m.mrr.toFixed(3)}, R@10 ${m.recall10.toFixed(3)}`;
    const table = [line("hybrid", hybrid.overall), line("keyword", keyword.overall), line("semantic", semantic.overall), line("glove semantic", gloveSemantic.overall)].join("; ");
    t.diagnostic(table);
    for (const other of [keyword, semantic]) {
      assert.ok(hybrid.overall.mrr > other.overall.mrr, table);
      assert.ok(hybrid.overall.recall10 > other.overall.recall10, table);
    }
    assert.ok(semantic.overall.mrr > gloveSemantic.overall.mrr && semantic.overall.recall10 > gloveSemantic.overall.recall10, table);
  } finally {
    await minilm.close();
  }
});

tmdbTest("plotline eval prints the table per mode, and JSON", async () => {
  const dir = tempDir();
  const small = join(dir, "small.jsonl");
  writeFileSync(small, loadQuerySet(QUERIES).slice(0, 6).map((q) => JSON.stringify(q)).join("\n"));
  const r = await runCli(["eval", small, "--db", db]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /mode\s+Recall@1\s+Recall@10\s+MRR\s+nDCG@10/);
  for (const row of [/hybrid \(convex, alpha 0\.35\)(\s+\d\.\d{3}){4}/, /hybrid \(rrf, k=60\)(\s+\d\.\d{3}){4}/, /keyword(\s+\d\.\d{3}){4}/, /semantic(\s+\d\.\d{3}){4}/]) assert.match(r.stdout, row);
  const json = await runCli(["eval", small, "--modes", "keyword,title", "--json", "--db", db]);
  const body = JSON.parse(json.stdout) as { queries: number; modes: { mode: string; overall: { mrr: number } }[] };
  assert.equal(body.queries, 6);
  assert.deepEqual(body.modes.map((m) => m.mode), ["keyword", "title"]);
  const bad = await runCli(["eval", small, "--modes", "fuzzy", "--db", db]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^plotline: --modes: unknown mode 'fuzzy'/);
});
