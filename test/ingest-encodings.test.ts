import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { Readable } from "node:stream";
import { Cleaner } from "../src/catalog/clean.js";
import { openCatalog } from "../src/catalog/formats.js";
import { openText } from "../src/catalog/source.js";
import { runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/collections.js";

const HEADER = "imdb_id,original_title,overview,release_year\n";
const AMELIE = "tt0211915,Amélie à Paris,\"Une jeune serveuse de Montmartre décide de changer la vie des autres.\",2001\n";

async function movies(file: string, encoding?: string) {
  const src = await openCatalog(file, { encoding });
  const cleaner = new Cleaner();
  for await (const r of src.records) cleaner.add(src.file, src.source, r);
  return cleaner.finish().movies;
}

async function text(file: string, encoding?: string): Promise<string> {
  const { stream } = await openText(file, encoding);
  const parts: Buffer[] = [];
  for await (const c of stream as Readable) parts.push(c as Buffer);
  return Buffer.concat(parts).toString("utf8");
}

test("a latin-1 CSV is refused with its row, field, line and byte offset, never garbled; --encoding latin1 reads it", async () => {
  const dir = tempDir();
  const file = join(dir, "latin1.csv");
  const bytes = Buffer.from(HEADER + "tt0000001,Plain,\"A plot.\",2000\n" + AMELIE, "latin1");
  writeFileSync(file, bytes);
  await assert.rejects(movies(file), (err: Error) => {
    assert.match(err.message, /latin1\.csv: row 2, field original_title: not valid UTF-8 at line 3, byte offset \d+ \(bytes e9 /);
    assert.equal(Number(/byte offset (\d+)/.exec(err.message)![1]), bytes.indexOf(0xe9));
    assert.match(err.message, /--encoding latin1/);
    return true;
  });
  const [, amelie] = await movies(file, "latin1");
  assert.equal(amelie!.title, "Amélie à Paris");
  assert.ok(!amelie!.overview.includes("\uFFFD"));
  // windows-1252 maps 0x80-0x9f to characters (the euro sign, curly quotes).
  writeFileSync(file, Buffer.concat([Buffer.from(HEADER), Buffer.from([...Buffer.from("tt0000002,Euro "), 0x80, ...Buffer.from(",\"It"), 0x92, ...Buffer.from("s a plot.\",2000\n")])]));
  const [euro] = await movies(file, "windows-1252");
  assert.equal(euro!.title, "Euro €");
  assert.equal(euro!.overview, "It’s a plot.");
});

test("the CLI refuses a non-UTF-8 file with exit 2 and leaves no movies behind", async () => {
  const dir = tempDir();
  const file = join(dir, "films.csv");
  writeFileSync(file, Buffer.from(HEADER + AMELIE, "latin1"));
  const db = join(dir, "c.db");
  const bad = await runCli(["ingest", file, "--db", db, "--embedder", "glove", "--format", "tmdb"]);
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /not valid UTF-8 at line 2/);
  const good = await runCli(["ingest", file, "--db", db, "--embedder", "glove", "--format", "tmdb", "--encoding", "latin1", "--json"]);
  assert.equal(good.code, 0, good.stderr);
  const unknown = await runCli(["ingest", file, "--db", db, "--encoding", "klingon"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /--encoding: unknown encoding 'klingon'/);
});

test("invalid UTF-8 deep in a gzip file, past the format sniffing, is found with its offset", async () => {
  const dir = tempDir();
  const rows = Array.from({ length: 3000 }, (_, i) => `tt${String(1000000 + i)},Movie ${i},"A plot about ñandús number ${i}.",2000\n`).join("");
  const bad = Buffer.concat([Buffer.from(HEADER + rows), Buffer.from([0x74, 0x74, 0x39, 0x2c, 0xff, 0x2c, 0x22, 0x78, 0x22, 0x2c, 0x31, 0x0a])]);
  const file = join(dir, "deep.csv.gz");
  writeFileSync(file, gzipSync(bad));
  await assert.rejects(movies(file), (err: Error) => {
    assert.match(err.message, new RegExp(`: row 3001, field original_title: not valid UTF-8 at line 3002, byte offset ${bad.indexOf(0xff)} \\(bytes ff`));
    return true;
  });
});

test("a NUL byte anywhere refuses the file the same way, CSV or JSON, plain or gzip", async () => {
  const dir = tempDir();
  const filler = Array.from({ length: 2000 }, (_, i) => `tt${String(2000000 + i)},Movie ${i},"A plot.",2000\n`).join("");
  const csv = Buffer.concat([Buffer.from(HEADER + filler + "tt0000009,Nul"), Buffer.from([0]), Buffer.from("Title,\"Plot.\",2000\n")]);
  const jsonl = Buffer.concat([Buffer.from('{"id":"a","t":"x","o":"y"}\n'.repeat(3000) + '{"id":"b","t":"'), Buffer.from([0]), Buffer.from('","o":"z"}\n')]);
  for (const [name, content] of [["nul.csv", csv], ["nul.csv.gz", gzipSync(csv)], ["nul.jsonl", jsonl], ["nul.jsonl.gz", gzipSync(jsonl)]] as const) {
    const file = join(dir, name);
    writeFileSync(file, content);
    const opened = name.includes("jsonl") ? openCatalog(file, { map: { id: "id", title: "t", overview: "o" } }) : openCatalog(file);
    await assert.rejects(
      (async () => {
        const src = await opened;
        for await (const _ of src.records);
      })(),
      name.includes("csv") ? /: row 2001, field original_title: a NUL byte \(binary data or UTF-16, not text.*\) at line 2002, byte offset \d+/ : /a NUL byte \(binary data or UTF-16, not text.*\) at line \d+, byte offset \d+/,
      name,
    );
  }
});

test("a bad byte in a CSV names its row and its column, mapped or TMDB, in any field; a bad header is the header", async () => {
  const dir = tempDir();
  const file = join(dir, "mapped.csv");
  // The bad byte sits in a quoted plot that spans two lines, in the third data row.
  const rows = 'Name,Plot Summary,Year\nOne,"First.",2001\nTwo,"Second.",2002\nThree,"Third line one\nand ';
  writeFileSync(file, Buffer.concat([Buffer.from(rows), Buffer.from([0xe9]), Buffer.from('t\u00e9.",2003\nFour,"Fourth.",2004\n')]));
  const map = { title: "Name", overview: "Plot Summary", year: "Year" };
  await assert.rejects(
    (async () => {
      const src = await openCatalog(file, { map });
      for await (const _ of src.records);
    })(),
    (err: Error) => {
      assert.match(err.message, /mapped\.csv: row 3, field Plot Summary: not valid UTF-8 at line 5, byte offset \d+ \(bytes e9 74/);
      assert.equal(Number(/byte offset (\d+)/.exec(err.message)![1]), Buffer.byteLength(rows));
      return true;
    },
  );
  // In the header the file is refused before any row, naming line 1.
  writeFileSync(file, Buffer.concat([Buffer.from("Name,Pl"), Buffer.from([0xf8]), Buffer.from("t,Year\nOne,A.,2001\n")]));
  await assert.rejects(openCatalog(file, { map }), /mapped\.csv: not valid UTF-8 at line 1, byte offset 7 \(bytes f8/);
  // The CLI prints the same one line, exit 2.
  writeFileSync(file, Buffer.from(HEADER + "tt0000001,Plain,\"A plot.\",2000\n" + AMELIE, "latin1"));
  const db = join(dir, "c.db");
  const r = await runCli(["ingest", file, "--db", db, "--embedder", "glove", "--format", "tmdb"]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^plotline: .*mapped\.csv: row 2, field original_title: not valid UTF-8 at line 3, byte offset \d+/m);
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
});

test("multi-byte characters split across chunks decode exactly; a BOM is dropped", async () => {
  const dir = tempDir();
  const body = "é😀ñ€".repeat(40_000); // 440 KB: many 64 KB chunk boundaries inside characters
  const file = join(dir, "multi.txt");
  writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body)]));
  assert.equal(await text(file), body);
  // A file cut inside its last character is an error, not a U+FFFD.
  writeFileSync(file, Buffer.from(body).subarray(0, Buffer.byteLength(body) - 1));
  await assert.rejects(text(file), /ends inside a character/);
});
