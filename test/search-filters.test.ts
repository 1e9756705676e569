import { after, test } from "node:test";
import { tmdbTest } from "./helpers/data.js";
import assert from "node:assert/strict";
import { InvalidArgumentError } from "../src/errors.js";
import { Plotline } from "../src/plotline.js";
import { MAX_PAGE_MOVIES } from "../src/search/engine.js";
import type { Movie } from "../src/catalog/movie.js";
import { SEARCH_MODES, type SearchMode } from "../src/search/types.js";
import type { Filters } from "../src/store/filters.js";
import { sqliteOf, tmdbGloveDb } from "./helpers/collections.js";

const plotline = Plotline.open({ db: await tmdbGloveDb(), readonly: true });
after(() => plotline.close());

const lower = (xs: string[]) => xs.map((x) => x.toLowerCase());

/** Each filter with a query that has plenty of matches, and what every result must satisfy. */
const CASES: { name: string; filters: Filters; query: string; holds: (m: Movie) => boolean }[] = [
  { name: "year range", filters: { yearMin: 1990, yearMax: 1999 }, query: "a detective hunts a killer in the city", holds: (m) => m.year! >= 1990 && m.year! <= 1999 },
  { name: "genres (any)", filters: { genres: ["Western", "War"] }, query: "soldiers ride into town", holds: (m) => m.genres.includes("Western") || m.genres.includes("War") },
  { name: "genres (all)", filters: { genres: ["comedy", "Romance"], genreMode: "all" }, query: "love in the city", holds: (m) => m.genres.includes("Comedy") && m.genres.includes("Romance") },
  { name: "minimum rating", filters: { minRating: 7.5 }, query: "a man and his family", holds: (m) => m.rating! >= 7.5 },
  { name: "minimum votes", filters: { minVotes: 2000 }, query: "a man and his family", holds: (m) => m.votes! >= 2000 },
  { name: "runtime range", filters: { runtimeMin: 150, runtimeMax: 200 }, query: "an epic war story", holds: (m) => m.runtime! >= 150 && m.runtime! <= 200 },
  { name: "cast (all of them)", filters: { cast: ["Tom Hanks"] }, query: "a man in trouble", holds: (m) => lower(m.cast).includes("tom hanks") },
  { name: "director (any)", filters: { directors: ["Ridley Scott", "steven spielberg"] }, query: "space aliens", holds: (m) => lower(m.directors).some((d) => d === "ridley scott" || d === "steven spielberg") },
];

for (const c of CASES) {
  tmdbTest(`filter ${c.name} holds in every mode, before top-k (pages are full)`, async () => {
    const passing = (await plotline.store.filterIds(c.filters)).length;
    assert.ok(passing >= 15, `${passing} movies pass`);
    for (const mode of SEARCH_MODES) {
      const q = mode === "title" ? "the" : c.query;
      const r = await plotline.search(q, { mode, k: 15, filters: c.filters, parse: false });
      assert.deepEqual(r.parsed.filters, c.filters);
      if (mode !== "title" && mode !== "keyword") assert.equal(r.results.length, 15, `${mode}: a full page`);
      for (const h of r.results) assert.ok(c.holds((await plotline.movie(h.id))!), `${mode}: ${h.title} passes ${c.name}`);
    }
  });
}

tmdbTest("a selective filter still fills the page: the filter applies before the top k", async () => {
  const filters = { directors: ["Ridley Scott"] };
  const all = await plotline.store.filterIds(filters);
  assert.ok(all.length >= 15 && all.length < 40, `${all.length} Ridley Scott films`);
  for (const mode of ["hybrid", "semantic"] as SearchMode[]) {
    const r = await plotline.search("a love story in Paris", { mode, k: 15, filters });
    assert.equal(r.results.length, 15, mode);
  }
});

tmdbTest("language: movies whose language is unknown do not match (TMDB's file has none)", async () => {
  const r = await plotline.search("space", { filters: { language: "en" } });
  assert.deepEqual(r.results, []);
});

test("the in-memory filter table selects exactly what the SQL filter selects", async () => {
  const collection = sqliteOf(plotline).collection;
  const table = collection.filterTable();
  const combos: Filters[] = [
    ...CASES.map((c) => c.filters),
    { yearMin: 2000, genres: ["Drama"], minRating: 6, runtimeMax: 100 },
    { cast: ["Matt Damon", "Jessica Chastain"] },
    { genres: ["Horror", "thriller"], genreMode: "all", yearMax: 1985 },
  ];
  for (const f of combos) {
    assert.deepEqual([...table.select(f)], [...collection.rowidsWhere(f)], JSON.stringify(f));
  }
  assert.equal((await plotline.store.filterIds({})).length, await plotline.store.count(), "no filters: everything passes");
});

test("bad filters are clear errors naming the parameter", async () => {
  const bad: [Filters, RegExp][] = [
    [{ yearMin: 2000, yearMax: 1990 }, /^year: range 2000\.\.1990 is empty/],
    [{ minRating: Number.NaN }, /^minRating: must be a number/],
    [{ genres: "Comedy" as unknown as string[] }, /^genres: must be a list of strings/],
    [{ genres: ["Comedy"], genreMode: "some" as "any" }, /^genreMode: must be 'any' or 'all'/],
  ];
  for (const [filters, message] of bad) {
    await assert.rejects(plotline.search("space", { filters }), (err: Error) => err instanceof InvalidArgumentError && message.test(err.message));
  }
});

tmdbTest("a page that fills the result-movie cache keeps every result (the cache starts over before reading, not during)", async () => {
  const p = Plotline.open({ db: await tmdbGloveDb(), readonly: true });
  try {
    // Filter-only pages list movies by popularity; 4,090 of them fill the cache to just under MAX_PAGE_MOVIES.
    const engine = await p.searchEngine();
    const page = (offset: number, k: number) => engine.search("", { mode: "keyword", k, offset, filters: { yearMin: 1800 } });
    for (let offset = 0; offset < 4090; offset += 1000) await page(offset, Math.min(1000, 4090 - offset));
    assert.ok(MAX_PAGE_MOVIES < 4110, "the page below must cross the cache's limit");
    // Half of this page is cached, half is not: the read crosses the limit.
    const r = await page(4080, 30);
    assert.equal(r.results.length, 30);
    assert.deepEqual((await page(4080, 30)).results.map((h) => h.id), r.results.map((h) => h.id));
  } finally {
    await p.close();
  }
});
