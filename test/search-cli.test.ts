import { test } from "node:test";
import { tmdbTest } from "./helpers/data.js";
import assert from "node:assert/strict";
import { FILTER_OPTIONS, filtersFrom } from "../src/options/filters.js";
import { parseCli, parseRange } from "../src/options/option.js";
import { runCli } from "./helpers/cli.js";
import { tmdbGloveDb } from "./helpers/collections.js";

const db = await tmdbGloveDb();

interface Body {
  query: string;
  parsed: { text: string; filters: Record<string, unknown>; extracted: { phrase: string; as: string }[] };
  mode: string;
  results: { id: string; title: string; year: number; score: number; scores: Record<string, number | null>; matches: Record<string, string[]> }[];
}

tmdbTest("--json has the issue's shape: query, parsed {text, filters}, results with id, title, year, score, scores, matches", async () => {
  const r = await runCli(["search", "NASA tried to rescue an astronaut stranded on Mars.", "-k", "5", "--json", "--db", db]);
  assert.equal(r.code, 0, r.stderr);
  const body = JSON.parse(r.stdout) as Body;
  assert.deepEqual(Object.keys(body), ["query", "parsed", "mode", "results"]);
  assert.equal(body.mode, "hybrid");
  assert.deepEqual(Object.keys(body.parsed).slice(0, 2), ["text", "filters"]);
  assert.equal(body.results.length, 5);
  for (const h of body.results) {
    assert.deepEqual(Object.keys(h), ["id", "title", "year", "score", "scores", "matches"]);
    assert.ok("keyword" in h.scores && "semantic" in h.scores);
  }
});

tmdbTest("filters from flags, --explain, and the understood phrases shown back", async () => {
  const r = await runCli(["search", "90s sci-fi about time travel", "--genre-mode", "any", "--min-votes", "50", "-k", "3", "--explain", "--db", db]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split("\n");
  assert.equal(lines[0], 'Understood: year 1990..1999 ("90s"), genre Science Fiction ("sci-fi"); searching "time travel". Use --no-parse to search the words as typed.');
  assert.match(r.stdout, /^#\s+score\s+title\s+year\s+id$/m);
  assert.match(r.stdout, /^\s+keyword (\d+\.\d{4}|-)\s+semantic \d\.\d{4}\s+normalised \d\.\d{3} \/ \d\.\d{3}/m);
  assert.match(r.stdout, /^\s+matched\s+.*(time|travel)/m);

  const json = await runCli(["search", "time travel", "--year", "1990..1999", "--genre", "Science Fiction", "--genre", "Comedy", "--min-rating", "5", "--runtime", "..130", "--json", "--db", db]);
  const body = JSON.parse(json.stdout) as Body;
  assert.deepEqual(body.parsed.filters, { yearMin: 1990, yearMax: 1999, runtimeMax: 130, genres: ["Science Fiction", "Comedy"], minRating: 5 });
  assert.ok(body.results.length > 0);

  const raw = await runCli(["search", "90s sci-fi", "--no-parse", "--json", "--db", db]);
  assert.deepEqual((JSON.parse(raw.stdout) as Body).parsed.filters, {});
});

tmdbTest("every mode from the CLI, and --fusion rrf", async () => {
  for (const mode of ["hybrid", "keyword", "semantic", "title"]) {
    const r = await runCli(["search", "interstelar", "--mode", mode, "-k", "3", "--json", "--db", db]);
    assert.equal(r.code, 0, r.stderr);
    const body = JSON.parse(r.stdout) as Body;
    assert.equal(body.mode, mode);
    if (mode !== "semantic") assert.equal(body.results[0]?.id, "tt0816692", mode);
  }
  const rrf = await runCli(["search", "a shark attacks a beach town", "--fusion", "rrf", "--json", "--db", db]);
  assert.ok((JSON.parse(rrf.stdout) as Body).results[0]!.scores.keywordRank !== undefined);
});

test("bad flags are one-line errors naming the flag", async () => {
  const cases: [string[], string][] = [
    [["--year", "1990-1999"], "plotline: --year: expected N or FROM..TO (either end may be left out), got '1990-1999'\n"],
    [["--year", "2000..1990"], "plotline: --year: range 2000..1990 is empty\n"],
    [["--mode", "fuzzy"], "plotline: --mode: expected hybrid | semantic | keyword | title, got 'fuzzy'\n"],
    [["--alpha", "high"], "plotline: --alpha: expected a number, got 'high'\n"],
    [["--alpha", "2"], "plotline: --alpha: must be between 0 and 1, got 2\n"],
    [["--genre-mode", "some"], "plotline: --genre-mode: expected any | all, got 'some'\n"],
    [["--min-rating", "x"], "plotline: --min-rating: expected a number, got 'x'\n"],
  ];
  for (const [flags, message] of cases) {
    const r = await runCli(["search", "mars", ...flags, "--db", db]);
    assert.equal(r.code, 2, flags.join(" "));
    assert.equal(r.stderr, message);
  }
});

test("range and filter flags parse as documented", () => {
  assert.deepEqual(parseRange("--year", "1995"), { min: 1995, max: 1995 });
  assert.deepEqual(parseRange("--year", "1990.."), { min: 1990, max: undefined });
  assert.deepEqual(parseRange("--runtime", "..120"), { min: undefined, max: 120 });
  assert.deepEqual(filtersFrom(parseCli(FILTER_OPTIONS, { cast: ["Tom Hanks", " "], director: "Ridley Scott", language: "en" })), { cast: ["Tom Hanks"], directors: ["Ridley Scott"], language: "en" });
});
