import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { openCatalog } from "../src/catalog/formats.js";
import { parseColumnMap } from "../src/catalog/readers/mapped.js";
import type { RawRecord } from "../src/catalog/movie.js";
import { tempDir } from "./helpers/collections.js";
import { MOVIES_CSV, WIKIPEDIA_JSON } from "./helpers/paths.js";
import { NO_WIKIPEDIA, testNeeding } from "./helpers/data.js";

const wikipediaTest = testNeeding(NO_WIKIPEDIA);

const dir = tempDir();

async function collect(records: AsyncIterable<RawRecord>, limit = Infinity): Promise<RawRecord[]> {
  const out: RawRecord[] = [];
  for await (const r of records) {
    out.push(r);
    if (out.length >= limit) break;
  }
  return out;
}

test("auto-detects TMDB CSV, and reads it the same through gzip", async () => {
  const plain = await openCatalog(MOVIES_CSV);
  assert.equal(plain.format, "tmdb");
  const gz = join(dir, "movies.csv.gz");
  writeFileSync(gz, gzipSync(readFixture()));
  const zipped = await openCatalog(gz);
  assert.equal(zipped.format, "tmdb");
  assert.deepEqual(await collect(zipped.records), await collect(plain.records));
});

function readFixture(): Buffer {
  return readFileSync(MOVIES_CSV);
}

wikipediaTest("auto-detects the Wikipedia JSON dump and streams it", async () => {
  const src = await openCatalog(WIKIPEDIA_JSON);
  assert.equal(src.format, "wikipedia");
  assert.equal(src.source, "wikipedia");
  const first = await collect(src.records, 3);
  assert.equal(first.length, 3);
  assert.equal(first[0]!.row, 1);
  assert.equal(typeof first[0]!.fields.title, "string");
  assert.match(String(first[0]!.fields.id), /^wikipedia:/);
});

test("mapped CSV and JSON Lines with --map", async () => {
  const csv = join(dir, "films.csv");
  writeFileSync(csv, 'Name,Plot,Year,Genre\n"Heat","A detective hunts a master thief in Los Angeles.",1995,Crime|Thriller\n');
  const map = parseColumnMap("title=Name,overview=Plot,year=Year,genres=Genre");
  const src = await openCatalog(csv, { map });
  assert.equal(src.format, "csv");
  const [r] = await collect(src.records);
  assert.equal(r!.fields.title, "Heat");
  assert.equal(r!.fields.genres, "Crime|Thriller");
  assert.equal(r!.fields.id, "Heat (1995)");

  const jsonl = join(dir, "films.jsonl");
  writeFileSync(jsonl, '{"name":"Heat","plot":"A detective hunts a thief.","y":1995}\n\n{"name":"Ronin","plot":"Mercenaries chase a briefcase.","y":1998}\n');
  const j = await openCatalog(jsonl, { map: parseColumnMap("title=name,overview=plot,year=y") });
  assert.equal(j.format, "jsonl");
  const rows = await collect(j.records);
  assert.deepEqual(rows.map((x) => x.fields.title), ["Heat", "Ronin"]);
  assert.deepEqual(rows.map((x) => x.row), [1, 3]);
});

test("bad input fails before any record with an error naming the file, column or parameter", async () => {
  await assert.rejects(openCatalog(join(dir, "missing.csv")), /missing\.csv: file not found/);
  const notGzip = join(dir, "fake.json.gz");
  writeFileSync(notGzip, "[]");
  await assert.rejects(openCatalog(notGzip), /fake\.json\.gz: named \.gz but is not gzip data/);
  const other = join(dir, "other.csv");
  writeFileSync(other, "a,b\n1,2\n");
  await assert.rejects(openCatalog(other), /other\.csv: unknown format \(header: a, b\)/);
  await assert.rejects(openCatalog(other, { map: parseColumnMap("title=a,overview=Description") }), /other\.csv: column 'Description' \(mapped to overview\) not found/);
  await assert.rejects(openCatalog(MOVIES_CSV, { format: "xml" as never }), /--format: unknown format 'xml'/);
  assert.throws(() => parseColumnMap("plot"), /--map: expected field=Column/);
  assert.throws(() => parseColumnMap("colour=Red"), /--map: unknown field 'colour'/);
  const empty = join(dir, "empty.csv");
  writeFileSync(empty, "");
  await assert.rejects(openCatalog(empty), /empty\.csv: file is empty/);
});

test("a truncated gzip fails with the file named, not a zlib stack", async () => {
  const gz = join(dir, "cut.csv.gz");
  const full = gzipSync(Buffer.concat([readFixture(), readFixture(), readFixture()]));
  writeFileSync(gz, full.subarray(0, Math.floor(full.length / 2)));
  // Small files fail while detecting the format, large ones while streaming: both name the file.
  await assert.rejects(async () => collect((await openCatalog(gz)).records), /cut\.csv\.gz: corrupt or truncated gzip data/);
});

test("a malformed CSV row names the file and line", async () => {
  const bad = join(dir, "bad.csv");
  writeFileSync(bad, 'id,imdb_id,original_title,overview\n1,tt1,"Unclosed,plot\n');
  const src = await openCatalog(bad);
  await assert.rejects(collect(src.records), /bad\.csv: /);
});
