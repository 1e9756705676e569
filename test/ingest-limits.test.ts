import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Cleaner } from "../src/catalog/clean.js";
import { openCatalog } from "../src/catalog/formats.js";
import { FIELD_LIMITS, LIST_ITEMS_LIMIT, truncateAtWord } from "../src/catalog/limits.js";
import { MAX_ERROR_DETAIL, SourceError } from "../src/errors.js";
import { runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/collections.js";

const HEADER = "imdb_id,original_title,overview,tagline,cast,release_year";

async function clean(file: string, strict = false) {
  const src = await openCatalog(file);
  const cleaner = new Cleaner({ strict });
  for await (const r of src.records) cleaner.add(src.file, src.source, r);
  return cleaner.finish();
}

function csv(dir: string, name: string, rows: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, [HEADER, ...rows].join("\n") + "\n");
  return file;
}

test("truncateAtWord: cuts at the last space within the limit, never inside a surrogate pair", () => {
  assert.equal(truncateAtWord("short", 10), "short");
  assert.equal(truncateAtWord("alpha beta gamma delta", 18), "alpha beta gamma");
  // No space in the last 20%: a hard cut at the limit.
  assert.equal(truncateAtWord("a".repeat(30), 10), "a".repeat(10));
  const emoji = "x".repeat(9) + "😀"; // the emoji is two code units, 9 and 10
  assert.equal(truncateAtWord(emoji + "yy", 10), "x".repeat(9));
});

test("an over-long overview is cut at a word and counted with its row; the movie is kept", async () => {
  const dir = tempDir();
  const huge = "word ".repeat(FIELD_LIMITS.overview); // 5x the cap
  const file = csv(dir, "long.csv", [`tt0000001,Fine,"A plot.",,,2000`, `tt0000002,Long,"${huge}",,,2001`]);
  const { movies, report } = await clean(file);
  assert.equal(movies.length, 2);
  const long = movies.find((m) => m.id === "tt0000002")!;
  assert.ok(long.overview.length <= FIELD_LIMITS.overview, `overview kept at ${long.overview.length}`);
  assert.ok(long.overview.endsWith("word"), "cut at a word boundary");
  assert.deepEqual(report.truncatedByField, { overview: 1 });
  assert.equal(report.truncated[0]!.row, 2);
  assert.equal(report.truncated[0]!.length, huge.trim().length);
});

test("with strict, a row with an over-long field is refused and reported; an over-long id always is", async () => {
  const dir = tempDir();
  const longTitle = "T".repeat(FIELD_LIMITS.title + 1);
  const file = csv(dir, "strict.csv", [`tt0000001,${longTitle},"A plot.",,,2000`, `tt0000002,Fine,"Another plot.",,,2001`, `tt${"9".repeat(300)},Id,"Plot.",,,2002`]);
  const lenient = await clean(file);
  assert.equal(lenient.movies.length, 2);
  assert.equal(lenient.movies[0]!.title.length, FIELD_LIMITS.title);
  assert.deepEqual(lenient.report.droppedByReason, { "field too long": 1 });
  const strict = await clean(file, true);
  assert.deepEqual(strict.movies.map((m) => m.id), ["tt0000002"]);
  assert.deepEqual(strict.report.droppedByReason, { "field too long": 2 });
  assert.deepEqual(strict.report.drops.map((d) => d.row), [1, 3]);
});

test("lists keep at most LIST_ITEMS_LIMIT entries", async () => {
  const dir = tempDir();
  const cast = Array.from({ length: LIST_ITEMS_LIMIT + 50 }, (_, i) => `Actor ${i}`).join("|");
  const { movies, report } = await clean(csv(dir, "cast.csv", [`tt0000001,Crowd,"A plot.",,${cast},2000`]));
  assert.equal(movies[0]!.cast.length, LIST_ITEMS_LIMIT);
  assert.equal(report.truncatedByField.cast, 1);
});

test("control characters become spaces and are counted, the same for CSV and JSON Lines", async () => {
  const dir = tempDir();
  const csvFile = csv(dir, "ctl.csv", [`tt0000001,"Bell\u0007Title","Plot with a\u001b[31m escape.",,,2000`]);
  const jsonl = join(dir, "ctl.jsonl");
  writeFileSync(jsonl, JSON.stringify({ id: "tt0000001", t: "Bell\u0007Title", o: "Plot with a\u0000 NUL escape." }) + "\n");
  const fromCsv = await clean(csvFile);
  assert.equal(fromCsv.movies[0]!.title, "Bell Title");
  assert.deepEqual(fromCsv.report.controlCharsByField, { title: 1, overview: 1 });
  const src = await openCatalog(jsonl, { map: { id: "id", title: "t", overview: "o" } });
  const cleaner = new Cleaner();
  for await (const r of src.records) cleaner.add(src.file, src.source, r);
  const fromJson = cleaner.finish();
  assert.equal(fromJson.movies[0]!.title, "Bell Title");
  assert.ok(!fromJson.movies[0]!.overview.includes("\u0000"));
  assert.deepEqual(fromJson.report.controlCharsByField, { title: 1, overview: 1 });
});

test("error details are one short line, whatever the parser quotes", () => {
  const e = new SourceError("f.csv", `bad record: ${"x".repeat(100_000)}\nsecond line`);
  assert.ok(e.message.length <= "f.csv: ".length + MAX_ERROR_DETAIL, `${e.message.length} characters`);
  assert.ok(!e.message.includes("\n"));
});

test("a 50 MB headerless line gives a short one-line error, exit 2", async () => {
  const dir = tempDir();
  const line = "z,".repeat(25 * 1024 * 1024);
  for (const [name, content, format] of [
    ["plain.csv", line, "auto"],
    ["quoted.csv", `"${line}`, "tmdb"],
    ["mapped.csv", `a,b\n"${line}\n`, "csv"],
  ] as const) {
    const file = join(dir, name);
    writeFileSync(file, content);
    const r = await runCli(["ingest", file, "--db", join(dir, "c.db"), "--embedder", "glove", "--format", format, ...(format === "csv" ? ["--map", "title=a,overview=b"] : [])]);
    assert.equal(r.code, 2, `${name}: ${r.stderr.slice(0, 500)}`);
    assert.ok(r.stderr.length < 500, `${name}: stderr is ${r.stderr.length} bytes: ${r.stderr.slice(0, 200)}`);
    assert.equal(r.stderr.trim().split("\n").length, 1);
  }
});

test("ingest --strict and the cut fields appear in the CLI report", async () => {
  const dir = tempDir();
  const file = csv(dir, "cli.csv", [`tt0000001,Fine,"A plot about a dog.",,,2000`, `tt0000002,Long,"${"plot ".repeat(FIELD_LIMITS.overview / 2)}",,,2001`]);
  const cut = await runCli(["ingest", file, "--db", join(dir, "a.db"), "--embedder", "glove"]);
  assert.equal(cut.code, 0, cut.stderr);
  assert.match(cut.stdout, /fields over their cap 1 \(overview 1; cut at a word\)/);
  assert.match(cut.stdout, /row 2: overview 49,999 > 20,000/);
  const strict = await runCli(["ingest", file, "--db", join(dir, "b.db"), "--embedder", "glove", "--strict", "--json"]);
  assert.equal(strict.code, 0, strict.stderr);
  const out = JSON.parse(strict.stdout) as { total: number; report: { droppedByReason: Record<string, number> } };
  assert.equal(out.total, 1);
  assert.deepEqual(out.report.droppedByReason, { "field too long": 1 });
});
