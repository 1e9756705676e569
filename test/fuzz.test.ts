import { test, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { Cleaner } from "../src/catalog/clean.js";
import { openCatalog } from "../src/catalog/formats.js";
import { InvalidArgumentError, MAX_ERROR_DETAIL, PlotlineError } from "../src/errors.js";
import { parseRange } from "../src/options/option.js";
import { parseKeywordQuery } from "../src/search/keyword-query.js";
import { createServer } from "../src/server/app.js";
import { runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/collections.js";
import { MOVIES_CSV } from "./helpers/paths.js";

/**
 * Property-based tests over hostile input: fixed seed, bounded runs (10,500 generated inputs in
 * all). Each property: no crash, no hang, no uncaught error; a failure is a PlotlineError whose
 * message names the file (and row or line) or the parameter, on one short line.
 */
const SEED = 18;
const dir = tempDir("plotline-fuzz-");

/** Text that tends to break parsers: quotes, separators, newlines, NUL and other controls, astral characters, invalid surrogates. */
const nasty = fc.oneof(
  fc.string({ unit: fc.constantFrom('"', ",", "\n", "\r", "\t", "|", "{", "}", "[", "]", ":", "\\", "\u0000", "\u0007", "\u0085", "é", "😀", "\uD800", " ", "a", "1", "..", "-") , maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
);

function assertReported(err: unknown, file: string): void {
  assert.ok(err instanceof PlotlineError, `not a PlotlineError: ${(err as Error)?.stack ?? String(err)}`);
  assert.ok(err.message.startsWith(`${file}: `) || err instanceof InvalidArgumentError, err.message);
  assert.ok(!err.message.includes("\n"), "one line");
  assert.ok(err.message.length <= file.length + 2 + MAX_ERROR_DETAIL + 200, `${err.message.length} characters`);
}

async function readAll(file: string, options: Parameters<typeof openCatalog>[1]): Promise<void> {
  try {
    const src = await openCatalog(file, options);
    const cleaner = new Cleaner();
    for await (const r of src.records) cleaner.add(src.file, src.source, r);
    const { movies } = cleaner.finish();
    // eslint-disable-next-line no-control-regex
    for (const m of movies) assert.ok(!/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(m.title + m.overview), "no control characters stored");
  } catch (err) {
    assertReported(err, file);
  }
}

test("CSV reader: any bytes in a mapped or TMDB CSV are read or refused with the file named (1,500 inputs)", async () => {
  let n = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(fc.array(nasty, { minLength: 1, maxLength: 6 }), { maxLength: 8 }), fc.boolean(), fc.boolean(), async (rows, tmdb, latin1) => {
      const file = join(dir, `f${n++}.csv`);
      const header = tmdb ? "imdb_id,original_title,overview\n" : "Name,Plot,Year\n";
      const body = rows.map((r) => r.join(",")).join("\n");
      writeFileSync(file, latin1 ? Buffer.from(header + body, "latin1") : header + body);
      await readAll(file, tmdb ? { format: "tmdb" } : { map: { title: "Name", overview: "Plot", year: "Year" } });
    }),
    { seed: SEED, numRuns: 1500 },
  );
});

test("JSON reader: any lines in a JSON Lines file, or any array text, are read or refused with the file named (1,500 inputs)", async () => {
  let n = 0;
  const value = fc.oneof(nasty, fc.integer(), fc.constant(null), fc.array(nasty, { maxLength: 3 }));
  const line = fc.oneof(nasty, fc.record({ t: value, o: value, y: value }).map((o) => JSON.stringify(o)));
  await fc.assert(
    fc.asyncProperty(fc.array(line, { maxLength: 8 }), fc.boolean(), async (lines, array) => {
      const file = join(dir, `j${n++}.${array ? "json" : "jsonl"}`);
      writeFileSync(file, array ? `[${lines.join(",")}]` : lines.join("\n"));
      await readAll(file, { map: { title: "t", overview: "o", year: "y" } });
    }),
    { seed: SEED, numRuns: 1500 },
  );
});

test("query parser: any text parses into terms, phrases and a prefix without throwing (3,500 inputs)", () => {
  fc.assert(
    fc.property(fc.oneof(nasty, fc.string({ unit: "grapheme", maxLength: 300 })), (text) => {
      const q = parseKeywordQuery(text);
      assert.ok(Array.isArray(q.terms) && Array.isArray(q.phrases));
      assert.ok(q.prefix === null || q.terms.includes(q.prefix));
    }),
    { seed: SEED, numRuns: 3500 },
  );
});

test("filter ranges: any text is a range or an InvalidArgumentError naming the parameter (1,500 inputs)", () => {
  fc.assert(
    fc.property(fc.oneof(nasty, fc.tuple(fc.oneof(fc.double(), fc.integer(), fc.constant("")), fc.oneof(fc.double(), fc.integer(), fc.constant(""))).map(([a, b]) => `${a}..${b}`)), (text) => {
      try {
        const r = parseRange("year", text);
        if (r?.min !== undefined && r.max !== undefined) assert.ok(r.min <= r.max);
      } catch (err) {
        assert.ok(err instanceof InvalidArgumentError, String(err));
        assert.ok(err.message.startsWith("year: "));
      }
    }),
    { seed: SEED, numRuns: 1500 },
  );
});

const db = join(dir, "fixture.db");
const built = await runCli(["ingest", MOVIES_CSV, "--db", db, "--embedder", "glove"]);
assert.equal(built.code, 0, built.stderr);
const { app } = await createServer({ db, webRoot: null, heavy: false });
await app.ready();
after(() => app.close());

test("API parameters: any value of any parameter of every endpoint is answered below 500 with the JSON error shape (2,500 inputs)", async () => {
  const names = ["q", "mode", "k", "offset", "alpha", "fusion", "parse", "genre", "year", "min_rating", "cast", "director", "language", "method", "diversity", "rerank", "sentiment_weight", "candidates", "prefix", "strategy", "like", "dislike", "gnere"];
  const endpoint = fc.constantFrom("/api/search", "/api/titles", "/api/movies/tt1000001/similar", "/api/movies/%ZZ/similar", "/api/recommend", "/api/genres", "/api/health", "/api/movies/tt1000001");
  await fc.assert(
    fc.asyncProperty(endpoint, fc.array(fc.tuple(fc.constantFrom(...names), fc.oneof(nasty, fc.double().map(String), fc.constant("1e400"), fc.constant("-0"))), { maxLength: 5 }), async (path, params) => {
      let r;
      if (path === "/api/recommend") {
        const body = Object.fromEntries(params.map(([k, v]) => [k, k === "like" || k === "dislike" ? [v] : /^-?[\d.e]+$/.test(v) ? Number(v) : v]));
        r = await app.inject({ method: "POST", url: path, payload: body });
      } else {
        const qs = params.map(([k, v]) => `${k}=${encodeURIComponent(v.replace(/[\uD800-\uDFFF]/g, "?"))}`).join("&");
        r = await app.inject({ url: `${path}${qs ? `?${qs}` : ""}` });
      }
      assert.ok(r.statusCode < 500, `${r.statusCode} for ${path} ${JSON.stringify(params)}: ${r.body.slice(0, 300)}`);
      const body = r.json() as { error?: { code: string; message: string } };
      if (r.statusCode >= 400) assert.ok(typeof body.error?.message === "string" && !body.error.message.includes("\n    at "), r.body.slice(0, 300));
    }),
    { seed: SEED, numRuns: 2500 },
  );
});
