import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { Plotline } from "../src/plotline.js";
import { runCli } from "./helpers/cli.js";
import { tempDir, tmdbGloveDb } from "./helpers/collections.js";
import { tmdbTest } from "./helpers/data.js";
import { MOVIES_CSV } from "./helpers/paths.js";


/** Mistakes any collection answers the same way: one line on stderr, exit 2, nothing on stdout. */
const USAGE_ERRORS: [string[], RegExp][] = [
    [["similar"], /^plotline: movie: is missing; usage: plotline similar <id\|title>/],
    [["similar", "Alien", "--diversity", "lots"], /^plotline: --diversity: expected a number, got 'lots'\n$/],
    [["similar", "Alien", "--method", "lsa"], /^plotline: --method: expected knn \| svm \| tfidf, got .lsa.\n$/],
    [["similar", "Alien", "--year-range", "1999..1990"], /^plotline: --year-range: range 1999..1990 is empty\n$/],
    [["recommend", "--like", "Nope"], /^plotline: like: none of the examples is in the collection: 'Nope'\n$/],
    [["recommend"], /^plotline: like: give at least one liked or disliked movie\n$/],
];

async function expectUsageErrors(db: string, cases: [string[], RegExp][]): Promise<void> {
  for (const [args, message] of cases) {
    const r = await runCli([...args, "--db", db]);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stdout, "");
  }
}

test("on the fixture collection: similar's table, legend and --json shape, recommend's unknown examples, one-line errors", async () => {
  const db = join(tempDir("plotline-recommend-cli-"), "fixture.db");
  const p = Plotline.open({ db, create: true });
  await p.ingest([{ file: MOVIES_CSV }], { embedder: "glove" });
  await p.close();
  const plain = await runCli(["similar", "Toy Story", "-k", "3", "--db", db]);
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal(plain.stdout.split("\n")[0], "More like Toy Story (1995) tt1000010, by knn:");
  assert.match(plain.stdout.split("\n")[1]!, /^#\s+score\s+title\s+year\s+id$/, "no extra columns without --explain");
  assert.match(plain.stdout.trimEnd().split("\n").pop()!, /^score: cosine similarity of the plot embeddings/);
  const explained = await runCli(["similar", "Toy Story", "-k", "3", "--explain", "--db", db]);
  assert.match(explained.stdout.split("\n")[1]!, /^#\s+score\s+similarity\s+sentiment\s+prior\s+series\s+title\s+year\s+id$/);
  const svm = await runCli(["similar", "tt1000010", "-k", "3", "--method", "svm", "--db", db]);
  assert.equal(svm.code, 0, svm.stderr);
  assert.match(svm.stdout, /score: the exemplar SVM's margin \(decision value/);
  const json = await runCli(["similar", "tt1000010", "-k", "3", "--rerank", "sentiment", "--sentiment-weight", "0.5", "--prior", "0", "--no-series", "--json", "--db", db]);
  assert.equal(json.code, 0, json.stderr);
  const body = JSON.parse(json.stdout) as { movie: { id: string }; results: Record<string, number | string>[] };
  assert.equal(body.movie.id, "tt1000010");
  assert.equal(body.results.length, 3);
  assert.ok(!body.results.some((r) => r.id === "tt1000010"), "never the movie itself");
  for (const r of body.results) assert.ok(Math.abs((r.score as number) - (0.5 * (r.similarity as number) + 0.5 * (r.sentiment as number))) < 1e-12);

  const rec = await runCli(["recommend", "--like", "Toy Story", "--like", "No Such Film", "--dislike", "Jaws", "--strategy", "best", "-k", "2", "--json", "--db", db]);
  assert.equal(rec.code, 0, rec.stderr);
  assert.equal(rec.stderr, "plotline: not in the collection, ignored: 'No Such Film'\n");
  const rb = JSON.parse(rec.stdout) as { unknown: string[]; like: { id: string }[]; results: Record<string, unknown>[] };
  assert.deepEqual(rb.unknown, ["No Such Film"]);
  assert.deepEqual(rb.like.map((m) => m.id), ["tt1000010"]);
  assert.equal(rb.results.length, 2);

  const cases: [string[], RegExp][] = [
    ...USAGE_ERRORS,
  ];
  await expectUsageErrors(db, cases);
});

tmdbTest("similar prints a table with the score's parts (--explain) and what the score means, and the search --json shape", async () => {
  const db = await tmdbGloveDb();
  const plain = await runCli(["similar", "Toy Story", "-k", "5", "--db", db]);
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(plain.stdout.split("\n")[1]!, /^#\s+score\s+title\s+year\s+id$/, "no extra columns without --explain");
  assert.match(plain.stdout.trimEnd().split("\n").pop()!, /^score: cosine similarity of the plot embeddings/);
  const table = await runCli(["similar", "Toy Story", "-k", "5", "--explain", "--db", db]);
  assert.equal(table.code, 0, table.stderr);
  const lines = table.stdout.trimEnd().split("\n");
  assert.equal(lines[0], "More like Toy Story (1995) tt0114709, by knn:");
  // With the popularity prior and the series blended in (the default), both are parts of the score.
  assert.match(lines[1]!, /^#\s+score\s+similarity\s+sentiment\s+prior\s+series\s+title\s+year\s+id$/);
  assert.match(lines[3]!, /^1\s+0\.\d{4}\s+0\.\d{4}\s+-?\d\.\d{4}\s+0\.\d{4}\s+1\.0000\s+Toy Story 2\s+1999\s+tt0120363$/);
  assert.equal(lines.length, 3 + 5 + 1);
  const svm = await runCli(["similar", "Toy Story", "-k", "3", "--method", "svm", "--db", db]);
  assert.match(svm.stdout, /score: the exemplar SVM's margin \(decision value/);

  const json = await runCli(["similar", "tt0114709", "--method", "svm", "-k", "3", "--rerank", "sentiment", "--sentiment-weight", "0.5", "--prior", "0", "--no-series", "--json", "--db", db]);
  assert.equal(json.code, 0, json.stderr);
  const body = JSON.parse(json.stdout) as { movie: { id: string }; method: string; results: Record<string, number | string>[] };
  assert.equal(body.movie.id, "tt0114709");
  assert.equal(body.method, "svm");
  assert.equal(body.results.length, 3);
  assert.deepEqual(Object.keys(body.results[0]!).slice(0, 6), ["id", "title", "year", "score", "similarity", "sentiment"]);
  for (const r of body.results) assert.ok(Math.abs((r.score as number) - (0.5 * (r.similarity as number) + 0.5 * (r.sentiment as number))) < 1e-12);
});

tmdbTest("similar takes the search filters as flags", async () => {
  const db = await tmdbGloveDb();
  const r = await runCli(["similar", "Alien", "--method", "tfidf", "--genre", "Comedy", "--year-range", "1990..1999", "-k", "6", "--json", "--db", db]);
  assert.equal(r.code, 0, r.stderr);
  const body = JSON.parse(r.stdout) as { results: { year: number }[] };
  assert.equal(body.results.length, 6);
  for (const h of body.results) assert.ok(h.year >= 1990 && h.year <= 1999);
});

tmdbTest("recommend prints the search --json shape, and reports unknown examples", async () => {
  const db = await tmdbGloveDb();
  const r = await runCli(["recommend", "--like", "Toy Story", "--like", "No Such Film", "--dislike", "Saw (2004)", "--strategy", "best", "-k", "4", "--json", "--db", db]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "plotline: not in the collection, ignored: 'No Such Film'\n");
  const body = JSON.parse(r.stdout) as { strategy: string; unknown: string[]; like: { id: string }[]; results: Record<string, unknown>[] };
  assert.equal(body.strategy, "best");
  assert.deepEqual(body.unknown, ["No Such Film"]);
  assert.deepEqual(body.like.map((m) => m.id), ["tt0114709"]);
  assert.equal(body.results.length, 4);
  assert.deepEqual(Object.keys(body.results[0]!).slice(0, 4), ["id", "title", "year", "score"]);
  assert.ok("like" in body.results[0]! && "dislike" in body.results[0]!);

  const table = await runCli(["recommend", "--like", "tt0114709", "-k", "3", "--diversity", "0.4", "--explain", "--db", db]);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^Recommended \(average\) for liking Toy Story \(1995\):\n#\s+score\s+similarity\s+sentiment\s+prior\s+series\s+redundancy\s+title/);
});

tmdbTest("bad input is a one-line error with exit code 2", async () => {
  const db = await tmdbGloveDb();
  const cases: [string[], RegExp][] = [
    [["similar", "Halloween"], /^plotline: movie: 'Halloween' matches 2 movies: .*Halloween \(1978\) tt0077651.*or --movie-year\) or use its id\n$/],
    ...USAGE_ERRORS,
  ];
  await expectUsageErrors(db, cases);
});
