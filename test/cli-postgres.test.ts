import { tmdbTest } from "./helpers/data.js";
/**
 * Every command on `--db postgres://…`, run as a user runs them (the real binary in a child
 * process) against PGlite 0.5 with pgvector and pg_textsearch over pglite-socket on 127.0.0.1,
 * pool of one (PGlite serves one connection at a time). The engine is the same code over both
 * backends, so whatever does not depend on keyword ranking (semantic search, titles, more like
 * this by each method, recommendations) answers exactly as from the SQLite file ingested from
 * the same catalog; an ingest killed half-way through its write leaves the collection as it was.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, before, test } from "node:test";
import { runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/collections.js";
import { BIN, MOVIES_CSV, TMDB_CSV } from "./helpers/paths.js";
import { startPglite, type TestPostgres } from "./helpers/pglite-server.js";

const dir = tempDir();
const sqlite = join(dir, "fixture.db");
let server: TestPostgres;
let url: string;

async function ok(args: string[]): Promise<string> {
  const r = await runCli(args);
  assert.equal(r.code, 0, `plotline ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}
const json = async <T>(args: string[]): Promise<T> => JSON.parse(await ok([...args, "--json"])) as T;
/** The ids and scores of a result list, rounded past float32 noise. */
type RankedList = { results: { id: string; score: number }[] };
/**
 * The same movies in the same order with the same scores to 1e-5: Postgres and SQLite add a
 * movie's float32 vector products in other orders, so a score may differ in its last digits and
 * round to either side of a fifth decimal.
 */
function sameRanking(actual: RankedList, expected: RankedList, label: string): void {
  assert.deepEqual(actual.results.map((h) => h.id), expected.results.map((h) => h.id), label);
  actual.results.forEach((h, i) => assert.ok(Math.abs(h.score - expected.results[i]!.score) <= 1e-5, `${label}: ${h.id} scores ${h.score} against ${expected.results[i]!.score}`));
}

before(async () => {
  server = await startPglite();
  url = server.collectionUrl();
  await ok(["ingest", MOVIES_CSV, "--embedder", "glove", "--db", sqlite]);
  const out = await ok(["ingest", MOVIES_CSV, "--embedder", "glove", "--db", url]);
  assert.match(out, new RegExp(`Collection postgres://postgres@127\\.0\\.0\\.1:\\d+/postgres\\?pool=1&schema=t_[0-9a-f]+: 10 movies`));
});
after(() => server?.stop());

test("search in every mode; semantic and title answers are SQLite's", async () => {
  const query = "an astronaut stranded on mars";
  for (const mode of ["semantic", "title"]) {
    const args = ["search", mode === "title" ? "mars" : query, "--mode", mode, "-k", "5"];
    sameRanking(await json([...args, "--db", url]), await json([...args, "--db", sqlite]), mode);
  }
  for (const mode of ["keyword", "hybrid"]) {
    // Relevance alone (the prior off): what the backend's BM25 ranks first.
    const r = await json<{ keywordRanking: string; results: { id: string; matches: Record<string, string[]> }[] }>(["search", query, "--mode", mode, "-k", "3", "--explain", "--prior", "0", "--db", url]);
    assert.equal(r.results[0]!.id, "tt1000003", `${mode}: Robinson Crusoe on Mars`);
    assert.deepEqual(r.results[0]!.matches.keywords, ["mars", "astronaut"], "matched words come from the engine, as for SQLite");
    assert.match(r.keywordRanking, /^BM25 \(pg_textsearch/);
  }
  const explained = await ok(["search", query, "--explain", "-k", "2", "--db", url]);
  assert.match(explained, /^Keyword ranking: BM25 \(pg_textsearch index over the weighted text\)\.$/m);
  const tsRank = await ok(["search", query, "--mode", "keyword", "--explain", "-k", "2", "--db", `${url}&keyword=ts_rank_cd`]);
  assert.match(tsRank, /^Keyword ranking: ts_rank_cd \(weighted tsvector, GIN index\)\.$/m);
  const filtered = await json<{ results: { year: number }[] }>(["search", "space", "--year", "2000..2020", "--db", url]);
  assert.ok(filtered.results.length > 0 && filtered.results.every((h) => h.year >= 2000 && h.year <= 2020));
});

test("similar by knn, svm and tfidf, and recommend, answer as from SQLite", async () => {
  for (const method of ["knn", "svm", "tfidf"]) {
    const args = ["similar", "Jaws", "--method", method, "-k", "5"];
    sameRanking(await json([...args, "--db", url]), await json([...args, "--db", sqlite]), method);
  }
  const diverse = ["similar", "The Martian", "-k", "4", "--diversity", "0.5"];
  sameRanking(await json([...diverse, "--db", url]), await json([...diverse, "--db", sqlite]), "MMR in the engine");
  for (const strategy of ["average", "best"]) {
    const args = ["recommend", "--like", "The Martian", "--dislike", "Jaws", "--strategy", strategy, "-k", "4"];
    sameRanking(await json([...args, "--db", url]), await json([...args, "--db", sqlite]), strategy);
  }
});

test("info names the server, its extensions and the keyword ranking", async () => {
  const info = await json<{ backend: string; count: number; path: string; details: Record<string, unknown> }>(["info", "--db", url]);
  assert.equal(info.backend, "postgres");
  assert.equal(info.count, 10);
  assert.match(String(info.details.server), /^PostgreSQL 18/);
  assert.match(String(info.details.keyword_ranking), /^BM25/);
  assert.match(await ok(["info", "--db", url]), /^vector_index\s+hnsw \(vector_cosine_ops, m 16, ef_construction 64\)$/m);
});

test("eval runs the labelled-query format against Postgres", async () => {
  const set = join(dir, "queries.jsonl");
  writeFileSync(set, [{ query: "an astronaut stranded on mars", relevant: ["tt1000003"], kind: "plot" }, { query: "shark beach town", relevant: ["tt1000005"], kind: "keywords" }].map((q) => JSON.stringify(q)).join("\n"));
  const report = await json<{ modes: { mode: string; overall: { recall10: number } }[] }>(["eval", set, "--modes", "keyword,semantic,hybrid", "--db", url]);
  assert.deepEqual(report.modes.map((m) => m.mode), ["keyword", "semantic", "hybrid"]);
  assert.equal(report.modes[2]!.overall.recall10, 1);
});

test("serve answers the HTTP API from Postgres", async () => {
  const child = spawn(process.execPath, [BIN, "serve", "--port", "0", "--json", "--db", url], { stdio: ["ignore", "pipe", "pipe"] });
  try {
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    const first = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once("line", resolve);
      child.once("exit", (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
    });
    const base = (JSON.parse(first) as { url: string; movies: number }).url;
    const search = (await (await fetch(`${base}/api/search?q=${encodeURIComponent("shark attacks a beach town")}&k=3`)).json()) as { results: { id: string }[] };
    assert.equal(search.results[0]!.id, "tt1000005");
    const genres = (await (await fetch(`${base}/api/genres`)).json()) as unknown[];
    assert.ok(Array.isArray(genres) ? genres.length > 0 : Object.keys(genres).length > 0);
    const similar = await fetch(`${base}/api/movies/tt1000001/similar?k=2`);
    assert.equal(similar.status, 200);
  } finally {
    child.kill("SIGTERM");
  }
});

test("copy moves a collection SQLite -> Postgres -> SQLite without embedding, answering the same", async () => {
  const pgCopy = server.collectionUrl();
  const back = join(dir, "back.db");
  assert.match(await ok(["copy", "--from", sqlite, "--to", pgCopy]), /^Copied 10 movies \(glove-sif\/.*\) from .*fixture\.db to postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres\?pool=1&schema=t_[0-9a-f]+ in [\d.]+ s; nothing embedded$/m);
  await ok(["copy", "--from", pgCopy, "--to", back]);
  for (const db of [pgCopy, back]) {
    const args = ["search", "a robot left alone on earth", "--mode", "semantic", "-k", "4"];
    sameRanking(await json([...args, "--db", db]), await json([...args, "--db", sqlite]), db);
  }
  const again = await runCli(["copy", "--from", sqlite, "--to", pgCopy]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already holds 10 movies; copy into an empty collection, or give --replace/);
});

test("remove deletes from Postgres; unknown ids make exit code 2", async () => {
  const target = server.collectionUrl();
  await ok(["copy", "--from", sqlite, "--to", target]);
  const r = await runCli(["remove", "tt1000005", "tt404", "--db", target]);
  assert.equal(r.code, 2);
  assert.match(r.stdout, /^Removed tt1000005$/m);
  assert.match(r.stderr, /^plotline: tt404: not in the collection$/m);
  const after = await json<{ results: { id: string }[] }>(["search", "shark attacks a beach town", "--db", target]);
  assert.ok(!after.results.some((h) => h.id === "tt1000005"));
  assert.equal((await json<{ count: number }>(["info", "--db", target])).count, 9);
});

test("a collection built with another embedder is refused in one line, exit code 2, nothing written", async () => {
  const r = await runCli(["ingest", MOVIES_CSV, "--embedder", "minilm", "--db", url]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^plotline: postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres\?pool=1&schema=t_[0-9a-f]+ was built with the glove embedder \(glove-sif\/[^)]+\); ingest with --embedder glove or use another --db\n$/);
  assert.equal((await json<{ count: number; embedder: string }>(["info", "--db", url])).embedder.startsWith("glove"), true);
});

tmdbTest("SIGKILL during the write of an ingest into Postgres leaves the collection as it was", async () => {
  const target = server.collectionUrl();
  await ok(["copy", "--from", sqlite, "--to", target]);
  const before = await json<{ results: { id: string }[] }>(["search", "shark attacks a beach town", "-k", "3", "--db", target]);
  // The ingest of the real catalogue (10,852 movies) is killed once its write batch has sent
  // rows: they are inside its transaction, which the server rolls back when the client dies.
  const killed = await new Promise<string | null>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "ingest", TMDB_CSV, "--embedder", "glove", "--db", target], { env: { ...process.env, PLOTLINE_PROGRESS: "1" }, stdio: ["ignore", "ignore", "pipe"] });
    let seen: string | null = null;
    createInterface({ input: child.stderr! }).on("line", (line) => {
      if (!seen && /^writing\s.*\] [1-9]\d*\/\d+ movies/.test(line)) {
        seen = line;
        child.kill("SIGKILL");
      }
    });
    child.on("error", reject);
    child.on("close", (_code, signal) => resolve(signal === "SIGKILL" ? seen : null));
  });
  assert.ok(killed, "the ingest was killed while writing");
  const info = await json<{ count: number }>(["info", "--db", target]);
  assert.equal(info.count, 10, `the previous contents (killed at: ${killed})`);
  assert.deepEqual(await json(["search", "shark attacks a beach town", "-k", "3", "--db", target]), before, "answers as before");
  // Nothing is left locked: the next ingest goes through.
  assert.match(await ok(["ingest", MOVIES_CSV, "--embedder", "glove", "--db", target]), /: 10 movies/);
});
