/**
 * One definition of every filter and of each listing command's options (`src/options/`): the
 * CLI flags, the HTTP parameters, `/openapi.json` and the web client's types all come from it,
 * with one spelling and one default per option.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { apiTypes, API_TYPES_FILE } from "../scripts/api-types.js";
import { recommendCommand } from "../src/cli/commands/recommend.js";
import { searchCommand } from "../src/cli/commands/search.js";
import { similarCommand } from "../src/cli/commands/similar.js";
import { RECOMMEND_OPTIONS, recommendOptions, SEARCH_OPTIONS, searchOptions, SIMILAR_OPTIONS, similarOptions, TITLES_OPTIONS } from "../src/options/commands.js";
import { FILTER_OPTIONS } from "../src/options/filters.js";
import { cliFlag, httpName, parseCli, type OptionSpec } from "../src/options/option.js";
import { DEFAULT_RECOMMEND_K, DEFAULT_SIMILAR_K } from "../src/recommend/types.js";
import { DEFAULT_K, DEFAULT_TITLES_K } from "../src/search/types.js";
import { apiDocument } from "../src/server/app.js";

type Parameter = { name: string; schema: { default?: unknown } };
type Operation = { parameters: Parameter[]; requestBody?: { content: { "application/json": { schema: { properties: Record<string, { default?: unknown }> } } } } };

const COMMANDS = [
  { name: "search", specs: SEARCH_OPTIONS, cli: searchCommand, path: "/api/search", method: "get", options: searchOptions },
  { name: "similar", specs: SIMILAR_OPTIONS, cli: similarCommand, path: "/api/movies/{id}/similar", method: "get", options: similarOptions },
  { name: "recommend", specs: RECOMMEND_OPTIONS, cli: recommendCommand, path: "/api/recommend", method: "post", options: recommendOptions },
] as const;

/** An operation's parameters with their schema defaults, query string or JSON body alike. */
async function httpParameters(path: string, method: string): Promise<Map<string, unknown>> {
  const doc = (await apiDocument()) as { paths: Record<string, Record<string, Operation>> };
  const op = doc.paths[path]![method]!;
  const out = new Map<string, unknown>();
  for (const p of op.parameters) out.set(p.name, p.schema.default);
  for (const [name, s] of Object.entries(op.requestBody?.content["application/json"].schema.properties ?? {})) out.set(name, s.default);
  return out;
}

test("every filter is a flag of every listing command and a parameter of its endpoint, with the same default", async () => {
  for (const c of COMMANDS) {
    const http = await httpParameters(c.path, c.method);
    for (const spec of c.specs as readonly OptionSpec[]) {
      const onCli = !spec.surfaces || spec.surfaces.includes("cli");
      const onHttp = !spec.surfaces || spec.surfaces.includes("http");
      if (onCli) {
        const flag = c.cli.options[cliFlag(spec)];
        assert.ok(flag, `${c.name}: --${cliFlag(spec)}`);
        if (spec.type.kind !== "boolean") assert.equal(flag.default, spec.default, `${c.name} --${cliFlag(spec)} default`);
      }
      if (onHttp) {
        assert.ok(http.has(httpName(spec)), `${c.path}: ${httpName(spec)}`);
        assert.equal(http.get(httpName(spec)), spec.default, `${c.path} ${httpName(spec)} default`);
      }
    }
    for (const f of FILTER_OPTIONS) {
      assert.ok(c.cli.options[cliFlag(f)], `${c.name} has the filter --${cliFlag(f)}`);
      assert.ok(http.has(httpName(f)), `${c.path} has the filter ${httpName(f)}`);
    }
  }
  // The defaults that differed by surface before: one value each, the library's.
  assert.equal((await httpParameters("/api/titles", "get")).get("k"), DEFAULT_TITLES_K);
  assert.equal(TITLES_OPTIONS[0]!.default, DEFAULT_TITLES_K);
  assert.equal((await httpParameters("/api/search", "get")).get("k"), DEFAULT_K);
  assert.equal((await httpParameters("/api/movies/{id}/similar", "get")).get("k"), DEFAULT_SIMILAR_K);
  assert.equal((await httpParameters("/api/recommend", "post")).get("k"), DEFAULT_RECOMMEND_K);
});

test("--year takes a year or a range in every command; --year-range is an alias; other filters read alike", () => {
  for (const c of COMMANDS) {
    const read = (raw: Record<string, unknown>) => c.options(parseCli(c.specs, raw)).filters;
    assert.deepEqual(read({ year: "1994" }), { yearMin: 1994, yearMax: 1994 }, c.name);
    assert.deepEqual(read({ year: "1990..1999" }), { yearMin: 1990, yearMax: 1999 }, c.name);
    assert.deepEqual(read({ year: "2006.." }), { yearMin: 2006 }, c.name);
    assert.deepEqual(read({ "year-range": "..1979" }), { yearMax: 1979 }, `${c.name} --year-range`);
    assert.throws(() => read({ year: "1994", "year-range": "1995" }), /--year-range: is the same option as --year; give one/);
    assert.throws(() => read({ year: "90s" }), /--year: expected N or FROM..TO/);
    assert.throws(() => read({ "year-range": "1999..1990" }), /--year-range: range 1999..1990 is empty/);
    assert.deepEqual(read({ genre: ["Drama", "Crime"], "genre-mode": "all", "min-rating": "7", "min-votes": "100", runtime: "90..120", cast: ["Al Pacino"], director: ["Sidney Lumet"], language: "EN" }), {
      genres: ["Drama", "Crime"],
      genreMode: "all",
      minRating: 7,
      minVotes: 100,
      runtimeMin: 90,
      runtimeMax: 120,
      cast: ["Al Pacino"],
      directors: ["Sidney Lumet"],
      language: "en",
    });
    assert.throws(() => read({ language: "english" }), /--language: expected a two-letter ISO 639-1 code, got 'english'/, `${c.name}: the language is checked everywhere`);
    assert.throws(() => read({ "min-rating": "high" }), /--min-rating: expected a number, got 'high'/);
  }
});

test("the web client's API types are generated from the current OpenAPI document", async () => {
  const committed = readFileSync(API_TYPES_FILE, "utf8");
  assert.ok(committed === (await apiTypes()), `${API_TYPES_FILE} is out of date: run npm run api-types`);
});
