/**
 * The backend conformance suite: one set of cases every `Store` implementation must pass, run
 * through the engine (`Plotline`) and through the store itself, on the shared fixture
 * (`test/fixtures/movies.csv`, 10 movies, glove). A backend joins by giving a factory for
 * empty collections (`ConformanceBackend`) to `storeConformance` in
 * `test/store-conformance.test.ts`.
 *
 * Expected answers are worked out here from what the store returns for single movies (every
 * field, every vector), never from the backend's own ranking: a filter's movies by testing
 * each movie, a semantic list by cosine over every vector, a facet by counting. So a backend
 * passes by giving the same answers as every other, in the same shape; what it cannot do it
 * must declare (`capabilities`) and then fail with `CapabilityError`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Movie } from "../../src/catalog/movie.js";
import { CapabilityError } from "../../src/errors.js";
import { Plotline } from "../../src/plotline.js";
import type { Filters } from "../../src/store/filters.js";
import { DEFAULT_FIELD_WEIGHTS } from "../../src/search/keyword.js";
import { FIELD_GROUPS, scanSharedOverviews, sharedOverviews, type Capability, type Store, type StoredMovie } from "../../src/store/store.js";
import type { Trailer } from "../../src/store/trailers.js";
import { MOVIES_CSV } from "./paths.js";
import { tempDir } from "./collections.js";

export interface ConformanceBackend {
  /** Shown in every case's name (`sqlite`, `postgres`). */
  name: string;
  /** Why the backend cannot run here (a missing server URL); the cases are skipped with it. */
  skip?: string | false;
  /** The location (`--db`) of a new, empty collection of this backend; each call a new one. */
  create(): Promise<string>;
}

/** The fixture's movies in file order, as cleaning keeps them (the row without an id and the one without a plot are dropped). */
const FIXTURE_IDS = ["tt1000001", "tt1000002", "tt1000003", "tt1000004", "tt1000005", "tt1000006", "tt1000009", "tt1000010", "tt1000011", "tt1000012"];
const MARTIAN = "tt1000001";
const MISSION_TO_MARS = "tt1000002";
const CRUSOE = "tt1000003";
const WALL_E = "tt1000004";
const JAWS = "tt1000005";
const TOY_STORY = "tt1000010";
const ALIEN = "tt1000012";

/** Whether a movie passes the filters, by the definition in `store/filters.ts`. */
function passes(m: Movie, f: Filters): boolean {
  const has = (list: string[], value: string) => list.some((v) => v.toLowerCase() === value.toLowerCase());
  if (f.yearMin !== undefined && (m.year === null || m.year < f.yearMin)) return false;
  if (f.yearMax !== undefined && (m.year === null || m.year > f.yearMax)) return false;
  if (f.genres?.length) {
    const hits = f.genres.filter((g) => has(m.genres, g)).length;
    if (f.genreMode === "all" ? hits < f.genres.length : hits === 0) return false;
  }
  if (f.excludeGenres?.some((g) => has(m.genres, g))) return false;
  if (f.minRating !== undefined && (m.rating === null || m.rating < f.minRating)) return false;
  if (f.minVotes !== undefined && (m.votes === null || m.votes < f.minVotes)) return false;
  if (f.runtimeMin !== undefined && (m.runtime === null || m.runtime < f.runtimeMin)) return false;
  if (f.runtimeMax !== undefined && (m.runtime === null || m.runtime > f.runtimeMax)) return false;
  if (f.cast?.length && !f.cast.every((c) => has(m.cast, c))) return false;
  if (f.directors?.length && !f.directors.some((d) => has(m.directors, d))) return false;
  if (f.language !== undefined && (m.language === null || m.language.toLowerCase() !== f.language.toLowerCase())) return false;
  return true;
}

/** One of each kind of filter, alone and combined, each passing some movies of the fixture and failing others. */
const FILTER_CASES: Filters[] = [
  { yearMin: 1990, yearMax: 2009 },
  { yearMax: 1979 },
  { genres: ["science fiction"] },
  { genres: ["Adventure", "Drama"], genreMode: "all" },
  { genres: ["Horror", "Animation"], genreMode: "any" },
  { excludeGenres: ["horror", "Science Fiction"] },
  { minRating: 7.5 },
  { minVotes: 1000 },
  { runtimeMin: 100, runtimeMax: 120 },
  { cast: ["tom hanks", "Tim Allen"] },
  { directors: ["Ridley Scott", "Steven Spielberg"] },
  { language: "en" },
  { genres: ["Science Fiction"], yearMin: 1970, minRating: 6 },
];

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Ids by score, best first, ties in natural order (`order`). */
function ranked(scores: Map<string, number>, order: readonly string[]): string[] {
  const at = new Map(order.map((id, i) => [id, i]));
  return [...scores.keys()].sort((a, b) => scores.get(b)! - scores.get(a)! || at.get(a)! - at.get(b)!);
}

const ids = (hits: readonly { id: string }[]) => hits.map((h) => h.id);

/** A CSV in the fixture's (TMDB) layout with these rows; columns not given are empty. */
function fixtureRows(rows: Record<string, string>[]): string {
  const header = readFileSync(MOVIES_CSV, "utf8").split("\n", 1)[0]!.trim();
  const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [header, ...rows.map((r) => header.split(",").map((c) => quote(r[c] ?? "")).join(","))].join("\n") + "\n";
}

/**
 * The engine's own ranking layers off (the popularity prior, the series boost): what is checked
 * here is what the store answers, against definitions worked out from single movies.
 */
const BLENDS_OFF = { prior: 0, series: false } as const;

/** Registers the suite's cases for one backend. */
export function storeConformance(backend: ConformanceBackend): void {
  const skip = backend.skip || false;
  const name = (what: string) => `${backend.name} conformance: ${what}`;
  const dir = tempDir(`plotline-conformance-${backend.name}-`);

  /** A new collection holding the fixture, and its location. */
  async function ingested(): Promise<{ p: Plotline; db: string }> {
    const db = await backend.create();
    const p = Plotline.open({ db, create: true });
    await p.ingest([{ file: MOVIES_CSV }], { embedder: "glove" });
    return { p, db };
  }

  // The read-only cases share one collection, built on first use.
  let shared: Promise<Plotline> | null = null;
  const collection = () => (shared ??= ingested().then(({ p }) => p));
  /** Every movie with every field, by id, and the natural order. */
  async function everything(p: Plotline): Promise<{ order: string[]; movies: Map<string, StoredMovie> }> {
    const order: string[] = [];
    for await (const batch of p.store.scan(["id"])) order.push(...batch.map((m) => m.id));
    const movies = new Map<string, StoredMovie>();
    for (const row of await p.store.movies(order, ["title", "year", "overview", "tagline", "genres", "keywords", "cast", "directors", "companies", "runtime", "rating", "votes", "popularity", "language", "sentiment"])) {
      movies.set(row.id, row as StoredMovie);
    }
    return { order, movies };
  }
  /** The finished query vector of a text, as the engine embeds it. */
  async function queryVector(p: Plotline, text: string): Promise<Float32Array> {
    const embedder = await p.queryEmbedder();
    return embedder.finish(await embedder.embedQuery(text), (await p.store.manifest())!.embedderState);
  }
  /** Every movie's cosine to a vector, for movies passing `filters`. */
  async function cosines(p: Plotline, v: Float32Array, filters: Filters = {}): Promise<{ order: string[]; scores: Map<string, number> }> {
    const { order, movies } = await everything(p);
    const vectors = await p.store.vectors(order);
    const scores = new Map<string, number>();
    for (const id of order) if (passes(movies.get(id)!, filters) && vectors.has(id)) scores.set(id, dot(vectors.get(id)!, v));
    return { order, scores };
  }
  /** Checks a capability the way the engine must: the answer when declared, else `CapabilityError`. */
  async function declared<T>(store: Store, capability: Capability, run: () => Promise<T>, check: (value: T) => void | Promise<void>): Promise<void> {
    if (store.capabilities[capability]) await check(await run());
    else await assert.rejects(run(), (e: Error) => e instanceof CapabilityError && e.message.includes(store.kind));
  }

  test(name("the collection: count, manifest, movies by id, scan and pages in natural order"), { skip }, async () => {
    const p = await collection();
    const s = p.store;
    assert.equal(await s.count(), FIXTURE_IDS.length);
    const manifest = (await s.manifest())!;
    assert.match(manifest.embedderId, /^glove/);
    assert.equal(manifest.dims, 100);
    assert.equal((await s.movie(MARTIAN))?.title, "The Martian");
    assert.equal((await s.movie(MARTIAN))?.cast[2], "Michael Peña", "stored as cleaned");
    assert.equal(await s.movie("tt404"), null);

    const rows = await s.movies([ALIEN, "tt404", MARTIAN, ALIEN], ["title", "year"]);
    assert.deepEqual(rows, [
      { id: ALIEN, title: "Alien", year: 1979 },
      { id: MARTIAN, title: "The Martian", year: 2015 },
      { id: ALIEN, title: "Alien", year: 1979 },
    ]);

    const batches: string[][] = [];
    for await (const batch of s.scan(["title"], { batchSize: 3 })) batches.push(ids(batch));
    assert.ok(batches.every((b) => b.length <= 3 && b.length > 0), "batches of at most batchSize");
    assert.deepEqual(batches.flat(), FIXTURE_IDS, "natural order: as ingested");

    const { movies } = await everything(p);
    const byPopularity = [...FIXTURE_IDS].sort((a, b) => (movies.get(b)!.popularity ?? 0) - (movies.get(a)!.popularity ?? 0) || FIXTURE_IDS.indexOf(a) - FIXTURE_IDS.indexOf(b));
    assert.deepEqual(ids(await s.page({ fields: ["title"], orderBy: "popularity", offset: 2, limit: 4 })), byPopularity.slice(2, 6));
    assert.deepEqual(ids(await s.page({ fields: ["title"], offset: 8, limit: 5 })), FIXTURE_IDS.slice(8));
    const scifi = FIXTURE_IDS.filter((id) => movies.get(id)!.genres.includes("Science Fiction"));
    assert.deepEqual(ids(await s.page({ fields: ["title"], filters: { genres: ["Science Fiction"] }, offset: 1, limit: 10 })), scifi.slice(1));
    for (const id of FIXTURE_IDS) {
      const sentiment = movies.get(id)!.sentiment;
      assert.ok(sentiment >= -1 && sentiment <= 1, `sentiment of ${id}`);
    }
  });

  test(name("filters: each kind, alone and combined, passes exactly the movies it describes, in every mode"), { skip }, async () => {
    const p = await collection();
    const { order, movies } = await everything(p);
    for (const f of FILTER_CASES) {
      const expected = order.filter((id) => passes(movies.get(id)!, f));
      const label = JSON.stringify(f);
      assert.deepEqual(await p.store.filterIds(f), expected, `filterIds ${label}`);
      // "space crew" is a keyword and a semantic query that every movie can be ranked for.
      for (const mode of ["keyword", "semantic", "hybrid"] as const) {
        const res = await p.search("the crew of a ship lost in space", { ...BLENDS_OFF, mode, k: 10, filters: f, parse: false });
        for (const r of res.results) assert.ok(expected.includes(r.id), `${mode} ${label}: ${r.id} does not pass`);
      }
      const semantic = await p.search("the crew of a ship lost in space", { ...BLENDS_OFF, mode: "semantic", k: 10, filters: f, parse: false });
      assert.equal(semantic.results.length, expected.length, `semantic ${label}: every passing movie has a cosine, so the page is full`);
    }
    assert.deepEqual(await p.store.filterIds({}), order, "no filter: every movie");
  });

  test(name("keyword search: BM25 over weighted fields, matched words, quoted phrases, filters before the limit"), { skip }, async () => {
    const p = await collection();
    const shark = await p.search("shark", { ...BLENDS_OFF, mode: "keyword", k: 10 });
    assert.deepEqual(ids(shark.results), [JAWS], "only the movie holding the word");
    assert.deepEqual(shark.results[0]!.matches.overview, ["shark"]);
    assert.ok(shark.results[0]!.scores.keyword! > 0);

    const mars = await p.search("mars", { ...BLENDS_OFF, mode: "keyword", k: 10 });
    assert.deepEqual(new Set(ids(mars.results)), new Set([MARTIAN, MISSION_TO_MARS, CRUSOE]));
    const scores = mars.results.map((r) => r.score);
    assert.deepEqual(scores, [...scores].sort((a, b) => b - a), "best first");
    // A word in the title weighs more than one in the overview: with the title weighed far more, the two titles with Mars come first.
    await declared(
      p.store,
      "queryWeights",
      () => p.store.keywordTop({ terms: ["mars"], phrases: [], prefix: null }, { k: 10, weights: { ...DEFAULT_FIELD_WEIGHTS, title: 50 } }),
      (titleHeavy) => assert.deepEqual(new Set(ids(titleHeavy.slice(0, 2))), new Set([MISSION_TO_MARS, CRUSOE])),
    );
    await declared(
      p.store,
      "queryWeights",
      () => p.store.keywordTop({ terms: ["mars"], phrases: [], prefix: null }, { k: 10, weights: { ...DEFAULT_FIELD_WEIGHTS, title: 0, overview: 0, plot: 0, tagline: 0 } }),
      (noTitle) => assert.ok(ids(noTitle).includes(MARTIAN), "The Martian's keywords hold mars"),
    );
    // With the weights it was written with, every backend weighs a title word above an overview word.
    const defaults = await p.store.keywordTop({ terms: ["mars"], phrases: [], prefix: null }, { k: 10, weights: DEFAULT_FIELD_WEIGHTS });
    assert.deepEqual(new Set(ids(defaults)), new Set([MARTIAN, MISSION_TO_MARS, CRUSOE]));

    const filtered = await p.search("mars", { ...BLENDS_OFF, mode: "keyword", k: 1, filters: { yearMax: 1999 } });
    assert.deepEqual(ids(filtered.results), [CRUSOE], "the filter applies before the limit");
    assert.deepEqual(ids((await p.search("interst", { ...BLENDS_OFF, mode: "keyword", k: 10 })).results), [], "a prefix that starts no word matches nothing");
    assert.ok(ids((await p.search("astrona", { ...BLENDS_OFF, mode: "keyword", k: 10 })).results).includes(MARTIAN), "the last word is also a prefix");

    await declared(
      p.store,
      "phrases",
      () => p.search('"great white shark"', { ...BLENDS_OFF, mode: "keyword", k: 10 }),
      (res) => assert.deepEqual(ids(res.results), [JAWS]),
    );
    await declared(
      p.store,
      "phrases",
      () => p.search('"white great shark"', { ...BLENDS_OFF, mode: "keyword", k: 10 }),
      (res) => assert.deepEqual(ids(res.results), [], "a phrase matches its words in order"),
    );
    await declared(
      p.store,
      "vocabulary",
      () => p.store.keywordVocabulary(),
      (vocabulary) => {
        assert.ok(vocabulary.get("shark") === 1 && (vocabulary.get("mar") ?? vocabulary.get("mars") ?? 0) >= 3, "stems with their movie counts");
      },
    );
  });

  test(name("field matches: which groups of fields hold the query's words, weighted by IDF"), { skip }, async () => {
    const p = await collection();
    const { order } = await everything(p);
    const q = (...terms: string[]) => ({ terms, phrases: [], prefix: null });
    const G = FIELD_GROUPS.length;
    const group = (g: (typeof FIELD_GROUPS)[number]) => FIELD_GROUPS.indexOf(g);
    // One word: its share is 1 in each group that holds it, whatever its IDF.
    await declared(
      p.store,
      "fieldMatches",
      () => p.store.keywordFieldMatches(q("alien"), [ALIEN, JAWS, "tt9999999"]),
      (m) => {
        assert.ok(m && m.length === 3 * G);
        // Alien: "alien" in the title, the keywords and the overview; no cast member is called so.
        // `any`: the word once, though three groups hold it.
        assert.deepEqual(Array.from(m.subarray(0, G)), [1, 1, 0, 1, 1]);
        assert.deepEqual(Array.from(m.subarray(G, 2 * G)), [0, 0, 0, 0, 0], "a movie without the word");
        assert.deepEqual(Array.from(m.subarray(2 * G)), [0, 0, 0, 0, 0], "an id not in the collection");
      },
    );
    // Two words in different groups: the shares are the words' IDF over their sum, so they add up to 1 where both are.
    await declared(
      p.store,
      "fieldMatches",
      () => p.store.keywordFieldMatches(q("hanks", "woody"), [TOY_STORY, ...order]),
      (m) => {
        const toy = Array.from(m!.subarray(0, G));
        assert.ok(toy[group("people")]! > 0 && toy[group("people")]! < 1, `Tom Hanks in the cast: ${toy.join(", ")}`);
        assert.ok(Math.abs(toy[group("people")]! + toy[group("text")]! - 1) < 1e-9, "Woody in the overview, Hanks in the cast");
        assert.ok(Math.abs(toy[group("any")]! - 1) < 1e-9, `both words found: all of the query covered (${toy.join(", ")})`);
        assert.deepEqual(Array.from(m!.subarray(G * (1 + order.indexOf(TOY_STORY)), G * (2 + order.indexOf(TOY_STORY)))), toy, "the same movie asked twice");
      },
    );
  });

  test(name("by ordinal: field matches and vectors of the movies whose hits carry those ordinals, as by id"), { skip }, async () => {
    const p = await collection();
    const store = p.store;
    if (!store.keywordFieldMatchesByOrdinal && !store.vectorsByOrdinal) return; // optional: the engine asks by id
    const all = await store.vectorTop({ id: TOY_STORY }, { k: await store.count() });
    assert.ok(all.every((h) => h.ordinal !== undefined), "a store that takes ordinals gives them with its hits");
    const byOrdinal = [...all].sort((a, b) => a.ordinal! - b.ordinal!);
    const ordinals = Int32Array.from(byOrdinal, (h) => h.ordinal!);
    const ids = byOrdinal.map((h) => h.id);
    const unknown = Math.max(...ordinals) + 1000;
    if (store.keywordFieldMatchesByOrdinal) {
      for (const q of [{ terms: ["alien"], phrases: [], prefix: null }, { terms: ["hanks", "woody"], phrases: [], prefix: null }, { terms: ["mar"], phrases: [], prefix: "mar" }]) {
        assert.deepEqual(await store.keywordFieldMatchesByOrdinal(q, ordinals), await store.keywordFieldMatches(q, ids), q.terms.join(" "));
        const asked = Int32Array.from([ordinals[2]!, unknown, ordinals[0]!]);
        const m = await store.keywordFieldMatchesByOrdinal(q, asked);
        assert.deepEqual(m, await store.keywordFieldMatches(q, [ids[2]!, "tt9999999", ids[0]!]), "out of order, and an ordinal of no movie reads zeros");
      }
    }
    if (store.vectorsByOrdinal) {
      const byId = await store.vectors(ids);
      const vectors = await store.vectorsByOrdinal(ordinals);
      assert.deepEqual(vectors.map((v) => (v ? Array.from(v) : null)), ids.map((id) => Array.from(byId.get(id)!)));
      assert.deepEqual(await store.vectorsByOrdinal(Int32Array.from([unknown])), [null], "an ordinal of no movie has no vector");
    }
  });

  test(name("semantic search: the cosine of every vector, best first, and nothing else"), { skip }, async () => {
    const p = await collection();
    const text = "a giant shark attacks swimmers at a beach town";
    const v = await queryVector(p, text);
    for (const f of [{}, { genres: ["Adventure"] }, { yearMin: 2000 }] as Filters[]) {
      const { order, scores } = await cosines(p, v, f);
      const expected = ranked(scores, order);
      const res = await p.search(text, { ...BLENDS_OFF, mode: "semantic", k: 5, filters: f, parse: false });
      assert.deepEqual(ids(res.results), expected.slice(0, 5), JSON.stringify(f));
      for (const r of res.results) assert.ok(Math.abs(r.score - scores.get(r.id)!) < 1e-5, `cosine of ${r.id}`);
      const hits = await p.store.vectorTop({ vector: v }, { k: 3, filters: f, exclude: [expected[0]!] });
      assert.deepEqual(ids(hits), expected.slice(1, 4), "exclude drops a movie and the page is still full");
    }
    assert.equal((await p.search(text, { ...BLENDS_OFF, mode: "semantic", k: 1 })).results[0]!.id, JAWS);
    const self = await p.store.vectorTop({ id: TOY_STORY }, { k: 2 });
    assert.equal(self[0]!.id, TOY_STORY, "a stored movie's vector lists the movie itself first");
    assert.ok(Math.abs(self[0]!.score - 1) < 1e-5);
    assert.deepEqual(await p.store.vectorTop({ id: "tt404" }, { k: 3 }), [], "an unknown movie has no neighbours");
  });

  test(name("hybrid search: both sides fused, each result's keyword and semantic scores as those modes give them"), { skip }, async () => {
    const p = await collection();
    const text = "astronaut stranded on mars";
    const hybrid = await p.search(text, { ...BLENDS_OFF, mode: "hybrid", k: 10, parse: false });
    const keyword = await p.search(text, { ...BLENDS_OFF, mode: "keyword", k: 10, parse: false });
    const semantic = await p.search(text, { ...BLENDS_OFF, mode: "semantic", k: 10, parse: false });
    assert.ok(hybrid.results.length > 0);
    assert.ok([MARTIAN, CRUSOE].includes(hybrid.results[0]!.id), `top: ${hybrid.results[0]!.title}`);
    const kw = new Map(keyword.results.map((r) => [r.id, r.score]));
    const sem = new Map(semantic.results.map((r) => [r.id, r.score]));
    for (const r of hybrid.results) {
      assert.ok(kw.has(r.id) || sem.has(r.id), `${r.id} comes from one of the lists`);
      if (kw.has(r.id)) assert.ok(Math.abs(r.scores.keyword! - kw.get(r.id)!) < 1e-9);
      if (sem.has(r.id)) assert.ok(Math.abs(r.scores.semantic! - sem.get(r.id)!) < 1e-5);
    }
    const scores = hybrid.results.map((r) => r.score);
    assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
    const rrf = await p.search(text, { ...BLENDS_OFF, mode: "hybrid", fusion: "rrf", k: 10, parse: false });
    assert.deepEqual(new Set(ids(rrf.results)), new Set(ids(hybrid.results)), "the same candidates, fused another way");
  });

  test(name("pagination: pages of every mode join into the longer list"), { skip }, async () => {
    const p = await collection();
    for (const mode of ["keyword", "semantic", "hybrid", "title"] as const) {
      const query = mode === "title" ? "m" : "the crew of a ship in space";
      const whole = await p.search(query, { ...BLENDS_OFF, mode, k: 9, parse: false });
      const pages = [];
      for (let offset = 0; offset < 9; offset += 3) pages.push(...(await p.search(query, { ...BLENDS_OFF, mode, k: 3, offset, parse: false })).results);
      assert.deepEqual(ids(pages), ids(whole.results), mode);
      const past = await p.search(query, { ...BLENDS_OFF, mode, k: 3, offset: 50, parse: false });
      assert.deepEqual(past.results, [], `${mode}: a page past the end is empty`);
    }
  });

  test(name("titles as you type: prefixes, typos, filters in title mode"), { skip }, async () => {
    const p = await collection();
    assert.equal((await p.titles("toy st")).results[0]?.id, TOY_STORY);
    assert.equal((await p.titles("toy stroy")).results[0]?.id, TOY_STORY, "a typo");
    assert.equal((await p.titles("wall-e")).results[0]?.id, WALL_E, "punctuation and the repaired WALL·E");
    const mars = await p.titles("mars", 10);
    assert.deepEqual(new Set(ids(mars.results).slice(0, 2)), new Set([MISSION_TO_MARS, CRUSOE]));
    const filtered = await p.search("mars", { ...BLENDS_OFF, mode: "title", filters: { yearMax: 1999 } });
    assert.deepEqual(ids(filtered.results), [CRUSOE]);
  });

  test(name("facets: movies per genre, most first, with filters and a limit"), { skip }, async () => {
    const p = await collection();
    const { order, movies } = await everything(p);
    const expected = (f: Filters) => {
      const counts = new Map<string, number>();
      for (const id of order) if (passes(movies.get(id)!, f)) for (const g of movies.get(id)!.genres) counts.set(g, (counts.get(g) ?? 0) + 1);
      return [...counts].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    };
    await declared(
      p.store,
      "facets",
      () => p.store.facets("genres"),
      (facets) => assert.deepEqual(facets, expected({})),
    );
    await declared(
      p.store,
      "facets",
      () => p.store.facets("genres", { filters: { yearMin: 1990 }, limit: 3 }),
      (facets) => assert.deepEqual(facets, expected({ yearMin: 1990 }).slice(0, 3)),
    );
  });

  test(name("similar: knn by cosine, exemplar SVM, TF-IDF; never the movie itself; filters before the limit"), { skip }, async () => {
    const p = await collection();
    const vectors = await p.store.vectors([MISSION_TO_MARS]);
    const { order, scores } = await cosines(p, vectors.get(MISSION_TO_MARS)!);
    scores.delete(MISSION_TO_MARS);
    const knn = await p.similar({ id: MISSION_TO_MARS }, { ...BLENDS_OFF, k: 4 });
    assert.equal(knn.method, "knn");
    assert.deepEqual(ids(knn.results), ranked(scores, order).slice(0, 4));
    for (const r of knn.results) assert.ok(Math.abs(r.similarity - scores.get(r.id)!) < 1e-5);

    await declared(
      p.store,
      "allVectors",
      () => p.similar({ id: MISSION_TO_MARS }, { ...BLENDS_OFF, k: 4, method: "svm" }),
      (svm) => {
        assert.equal(svm.results.length, 4);
        assert.ok(!ids(svm.results).includes(MISSION_TO_MARS));
        const sims = svm.results.map((r) => r.similarity);
        assert.deepEqual(sims, [...sims].sort((a, b) => b - a));
      },
    );
    // TF-IDF is the engine's, over the plots of the store's field scan (on ten plots no word is
    // both in two of them and in at most a tenth, so the list may be short or empty).
    const tfidf = await p.similar("Mission to Mars", { ...BLENDS_OFF, k: 3, method: "tfidf" });
    assert.equal(tfidf.movie.id, MISSION_TO_MARS, "by title");
    assert.equal(tfidf.method, "tfidf");
    assert.ok(!ids(tfidf.results).includes(MISSION_TO_MARS));
    const tfidfSims = tfidf.results.map((r) => r.similarity);
    assert.deepEqual(tfidfSims, [...tfidfSims].sort((a, b) => b - a));

    for (const method of ["knn", "svm", "tfidf"] as const) {
      if (method === "svm" && !p.store.capabilities.allVectors) continue;
      const res = await p.similar({ id: ALIEN }, { ...BLENDS_OFF, k: 10, method, filters: { genres: ["Science Fiction"] } });
      const scifi = new Set([MARTIAN, MISSION_TO_MARS, CRUSOE]);
      if (method === "tfidf") assert.ok(ids(res.results).every((id) => scifi.has(id)), "tfidf: only science fiction");
      else assert.deepEqual(new Set(ids(res.results)), scifi, `${method}: every other science fiction movie, and only those`);
    }
  });

  test(name("recommend: near the likes and away from the dislikes, examples never listed"), { skip }, async () => {
    const p = await collection();
    const likes = [TOY_STORY, WALL_E];
    const vectors = await p.store.vectors(likes);
    const mean = new Float32Array(100);
    for (const id of likes) vectors.get(id)!.forEach((x, d) => (mean[d]! += x / likes.length));
    const { order, scores } = await cosines(p, mean);
    for (const id of likes) scores.delete(id);
    const average = await p.recommend({ ...BLENDS_OFF, like: likes, k: 3 });
    assert.equal(average.strategy, "average");
    assert.deepEqual(ids(average.results), ranked(scores, order).slice(0, 3), "nearest to the mean of the likes");

    const disliked = await p.recommend({ ...BLENDS_OFF, like: [TOY_STORY], dislike: [ALIEN], k: 8 });
    assert.ok(!ids(disliked.results).includes(TOY_STORY) && !ids(disliked.results).includes(ALIEN));
    const best = await p.recommend({ ...BLENDS_OFF, like: ["Toy Story"], dislike: ["Alien (1979)"], strategy: "best", k: 8 });
    assert.deepEqual(ids(best.dislike), [ALIEN], "examples by title and year");
    assert.ok(!ids(best.results).includes(ALIEN));
    const unknown = await p.recommend({ ...BLENDS_OFF, like: [TOY_STORY, "No Such Film"], k: 2 });
    assert.deepEqual(unknown.unknown, ["No Such Film"]);
    const filtered = await p.recommend({ ...BLENDS_OFF, like: [TOY_STORY], k: 10, filters: { genres: ["Animation"] } });
    assert.deepEqual(ids(filtered.results), [WALL_E]);
  });

  test(name("writes: upserts and removals show everywhere at once, new movies after old, one new freshness token per batch"), { skip }, async () => {
    const { p } = await ingested();
    try {
      const s = p.store;
      const t0 = await s.freshness();
      assert.equal(await s.freshness(), t0, "reading changes nothing");
      assert.deepEqual(ids((await p.search("shark", { ...BLENDS_OFF, mode: "keyword" })).results), [JAWS]);
      const horror = (await s.facets("genres")).find((f) => f.value === "Horror")?.count;

      assert.deepEqual(await p.remove([JAWS, "tt404"]), { removed: [JAWS], missing: ["tt404"] });
      const t1 = await s.freshness();
      assert.notEqual(t1, t0);
      assert.equal(await s.count(), 9);
      assert.equal(await s.movie(JAWS), null);
      assert.deepEqual((await p.search("shark", { ...BLENDS_OFF, mode: "keyword" })).results, []);
      assert.ok(!ids((await p.search("a giant shark attacks", { ...BLENDS_OFF, mode: "semantic", k: 10 })).results).includes(JAWS));
      assert.ok(!ids((await p.titles("jaws")).results).includes(JAWS));
      assert.ok(!ids((await p.similar({ id: ALIEN }, { ...BLENDS_OFF, k: 9 })).results).includes(JAWS));
      if (s.capabilities.facets) assert.equal((await s.facets("genres")).find((f) => f.value === "Horror")?.count, horror! - 1);

      // A changed movie and a new one, through ingest.
      const csv = join(dir, `update-${process.pid}.csv`);
      writeFileSync(
        csv,
        fixtureRows([
          { id: "12", imdb_id: ALIEN, original_title: "Alien: Director's Cut", overview: "The crew of a commercial spaceship is hunted by a deadly creature, with scenes restored.", genres: "Horror|Science Fiction", release_year: "1979", vote_average: "8.0", vote_count: "2600", runtime: "116", director: "Ridley Scott", cast: "Sigourney Weaver|Tom Skerritt", popularity: "9" },
          { id: "2000001", imdb_id: "tt2000001", original_title: "Submarine Depths", overview: "A submarine crew trapped under polar ice races against failing oxygen.", genres: "Thriller", release_year: "2021", vote_average: "6.5", vote_count: "120", runtime: "104", director: "Jane Doe", cast: "Ann Actor|Bob Actor", popularity: "1.5" },
        ]),
      );
      await p.ingest([{ file: csv }]);
      assert.notEqual(await s.freshness(), t1);
      assert.equal(await s.count(), 10);
      assert.equal((await s.movie(ALIEN))?.title, "Alien: Director's Cut");
      assert.equal((await s.movie(ALIEN))?.rating, 8);
      const order: string[] = [];
      for await (const batch of s.scan(["title"])) order.push(...ids(batch));
      assert.equal(order.at(-1), "tt2000001", "a new movie comes after every old one");
      assert.deepEqual(ids((await p.search("submarine", { ...BLENDS_OFF, mode: "keyword" })).results), ["tt2000001"]);
      assert.deepEqual(ids((await p.search("restored", { ...BLENDS_OFF, mode: "keyword" })).results), [ALIEN], "the new overview is indexed");
      assert.equal((await p.titles("submarine dep")).results[0]?.id, "tt2000001");
      assert.equal((await p.search("submarine trapped under ice", { ...BLENDS_OFF, mode: "semantic", k: 1 })).results[0]?.id, "tt2000001");
      assert.deepEqual(await s.filterIds({ directors: ["jane doe"] }), ["tt2000001"]);
      assert.equal((await p.similar({ id: "tt2000001" }, { ...BLENDS_OFF, k: 10 })).results.length, 9, "every other movie");
    } finally {
      await p.close();
    }
  });

  test(name("movies sharing an overview: the store's answer (or the scan fallback) as worked out from every movie; copies of a plot never recommended"), { skip }, async () => {
    const { p } = await ingested();
    try {
      const s = p.store;
      const vectors = await s.vectors([MARTIAN, JAWS]);
      const copy = async (of: string, id: string, changes: Partial<Movie>, hash: number) => ({
        movie: { ...(await s.movie(of))!, id, ...changes },
        textHash: Buffer.alloc(32, hash),
        raw: vectors.get(of) ?? vectors.get(MARTIAN)!,
      });
      await s.write({
        upsert: [
          // Jaws's overview under another title: a copy of its plot.
          await copy(JAWS, "tt4000001", { title: "Shark Summer" }, 1),
          // The Martian's overview with a longer merged plot: shares the overview, not the plot.
          await copy(MARTIAN, "tt4000002", { title: "Red Planet Alone", plot: "A longer plot merged from another catalog." }, 2),
          // A second placeholder (empty) overview: empty overviews are never shared.
          await copy("tt1000009", "tt4000003", { title: "Another Placeholder" }, 3),
        ],
      });

      const rows: { id: string; overview: string; plot?: string }[] = [];
      for await (const batch of s.scan(["overview", "plot"])) rows.push(...batch);
      const expected = rows.filter((r) => r.overview !== "" && rows.some((o) => o.id !== r.id && o.overview === r.overview));
      assert.deepEqual(ids(expected), [MARTIAN, JAWS, "tt4000001", "tt4000002"], "worked out from every movie, in natural order");
      assert.equal(expected.find((r) => r.id === "tt4000002")?.plot, "A longer plot merged from another catalog.");
      assert.ok(expected.filter((r) => r.id !== "tt4000002").every((r) => !("plot" in r)), "no plot key on movies without one");
      if (s.sharedOverviews) assert.deepEqual(await s.sharedOverviews(), expected, "the backend's own answer");
      assert.deepEqual(await sharedOverviews(s), expected, "what the engine asks");
      assert.deepEqual(await scanSharedOverviews(s), expected, "the scan fallback");

      // The engine uses it: a copy of Jaws's plot is Jaws, never recommended for it; a movie with
      // the same overview but another merged plot is not a copy.
      const forJaws = ids((await p.similar({ id: JAWS }, { k: 20 })).results);
      assert.ok(!forJaws.includes("tt4000001"), "the copy of Jaws's plot is left out");
      assert.ok(forJaws.includes("tt4000003"), "a placeholder is no copy of another");
      const forMartian = ids((await p.similar({ id: MARTIAN }, { k: 20 })).results);
      assert.ok(forMartian.includes("tt4000002"), "another merged plot is no copy");
      assert.ok(!ids((await p.similar({ id: "tt4000001" }, { k: 20 })).results).includes(JAWS), "both ways");
    } finally {
      await p.close();
    }
  });

  test(name("a failed write batch leaves the collection as it was"), { skip }, async () => {
    const { p, db } = await ingested();
    try {
      const s = p.store;
      if (!s.capabilities.atomicWrites) return; // ingest warns instead; nothing to promise
      const before = {
        token: await s.freshness(),
        count: await s.count(),
        all: await everything(p),
        keyword: ids((await p.search("mars", { ...BLENDS_OFF, mode: "keyword" })).results),
        semantic: ids((await p.search("robots on an abandoned earth", { ...BLENDS_OFF, mode: "semantic" })).results),
        manifest: await s.manifest(),
      };
      const martian = (await s.movie(MARTIAN))!;
      const dims = before.manifest!.dims;
      const raw = new Float32Array(dims).fill(0.1);
      const textHash = Buffer.alloc(32, 1);
      // Removals and upserts are applied, then the batch fails inside it.
      await assert.rejects(
        s.write({
          remove: [JAWS],
          upsert: [
            { movie: { ...martian, title: "Changed" }, textHash, raw },
            { movie: { ...martian, id: "tt3000001", title: "New" }, textHash, raw },
          ],
          manifest: {
            embedderId: before.manifest!.embedderId,
            dims,
            fit: () => {
              throw new Error("refit failed");
            },
          },
        }),
        /refit failed/,
      );
      // A vector of the wrong size is refused.
      await assert.rejects(s.write({ upsert: [{ movie: { ...martian, id: "tt3000002" }, textHash, raw: new Float32Array(dims + 1) }] }));
      assert.equal(await s.freshness(), before.token, "no batch committed");
      assert.equal(await s.count(), before.count);
      assert.deepEqual(await everything(p), before.all);
      assert.deepEqual(await s.manifest(), before.manifest);
      assert.deepEqual(ids((await p.search("mars", { ...BLENDS_OFF, mode: "keyword" })).results), before.keyword);
      assert.deepEqual(ids((await p.search("robots on an abandoned earth", { ...BLENDS_OFF, mode: "semantic" })).results), before.semantic);
      // And a Plotline opened afresh sees the same.
      const again = Plotline.open({ db, readonly: true });
      try {
        assert.equal(await again.store.count(), before.count);
        assert.equal((await again.store.movie(MARTIAN))?.title, "The Martian");
        assert.equal(await again.store.movie("tt3000001"), null);
      } finally {
        await again.close();
      }
    } finally {
      await p.close();
    }
  });

  test(name("trailers: kept by hash, attached to movies, transcripts searched and embedded, their languages filtered"), { skip }, async () => {
    const { p } = await ingested();
    try {
      const s = p.store;
      if (!s.capabilities.trailers) {
        await assert.rejects(p.trailers([dir]), (e: Error) => e instanceof CapabilityError && e.message.includes(s.kind));
        return;
      }
      const embedder = await p.queryEmbedder();
      const manifest = (await s.manifest())!;
      const hash = (n: number) => n.toString(16).padStart(40, "0");
      const trailer = async (n: number, file: string, movie: string | null, transcript: string, language: string): Promise<Trailer> => ({
        hash: hash(n),
        file,
        bytes: 1000 + n,
        movie,
        match: movie ? { kind: "matched", title: "Jaws", year: null, how: "title" } : { kind: "unmatched", title: "Unknown", year: null },
        seconds: 4.5,
        recognizer: "test-recognizer",
        transcript,
        transcriptSource: "speech",
        language,
        languageSource: "transcript",
        languages: [{ language, source: "transcript", raw: language, confidence: 0.75 }],
        embedder: embedder.id,
        raw: (await embedder.embed([transcript]))[0]!,
        createdAt: "2026-01-02T03:04:05.000Z",
      });
      const spanish = await trailer(1, "/videos/Jaws Tráiler.mp4", JAWS, "un tiburón blanco ataca a los bañistas en la playa", "es");
      const english = await trailer(2, "/videos/Jaws Trailer 2.mp4", JAWS, "a zeppelin drifts over the harbour at night", "en");
      const loose = await trailer(3, "/videos/Unknown Trailer.mp4", null, "nobody has heard of this film", "en");
      const t0 = await s.freshness();
      await s.write({ trailers: [spanish, english, loose] });
      assert.notEqual(await s.freshness(), t0, "a batch of trailers is a write batch");

      assert.deepEqual(await s.trailer(hash(1)), spanish, "every field as written");
      assert.deepEqual(await s.trailer(hash(3)), loose);
      assert.equal(await s.trailer(hash(9)), null);
      // File order: "Jaws Trailer 2.mp4" sorts before "Jaws Tráiler.mp4" (code units).
      const withoutVector = ({ raw: _raw, ...info }: Trailer) => info;
      assert.deepEqual(await s.movieTrailers(JAWS), [english, spanish].map(withoutVector));
      assert.deepEqual(await s.movieTrailers(ALIEN), []);
      assert.deepEqual((await s.stats()).trailers, { trailers: 3, attached: 2 });

      const joined = `${english.transcript}\n\n${spanish.transcript}`;
      assert.deepEqual(await s.movies([JAWS, ALIEN], ["transcript"]), [
        { id: JAWS, transcript: joined },
        { id: ALIEN, transcript: null },
      ]);
      assert.deepEqual(await s.transcripts(embedder.id), [{ id: JAWS, transcript: joined, languages: ["en", "es"], files: [english.file, spanish.file], raws: [english.raw, spanish.raw] }]);
      assert.deepEqual((await s.transcripts("another-embedder"))[0]?.raws, [], "vectors of another embedder are left out");

      // A word only a trailer says finds its movie, matched in the transcript field.
      const zeppelin = await p.search("zeppelin", { mode: "keyword" });
      assert.deepEqual(ids(zeppelin.results), [JAWS]);
      assert.deepEqual(zeppelin.results[0]!.matches, { transcript: ["zeppelin"] });
      // A trailer's language counts as the movie's.
      const { order, movies } = await everything(p);
      assert.deepEqual(await s.filterIds({ language: "es" }), order.filter((id) => id === JAWS || movies.get(id)!.language === "es"));
      assert.ok(ids((await p.search("shark", { mode: "keyword", filters: { language: "es" } })).results).includes(JAWS));

      // Semantic search scores a movie by the closer of its description and its transcript.
      const query = "a zeppelin drifts over the harbour";
      const q = await queryVector(p, query);
      const mean = english.raw!.map((v, d) => (v + spanish.raw![d]!) / 2);
      const byTranscript = dot(embedder.finish(mean, manifest.embedderState), q);
      const { scores } = await cosines(p, q);
      assert.ok(byTranscript > scores.get(JAWS)!, "the query is closer to what the trailer says than to the description");
      const expected = ranked(new Map([...scores].map(([id, score]) => [id, id === JAWS ? Math.max(score, byTranscript) : score])), order);
      const semantic = await p.search(query, { ...BLENDS_OFF, mode: "semantic", k: 10, parse: false });
      assert.deepEqual(ids(semantic.results), expected);
      assert.ok(Math.abs(semantic.results.find((r) => r.id === JAWS)!.score - Math.max(scores.get(JAWS)!, byTranscript)) < 1e-5);

      // More like a movie with a transcript (knn) queries by what its trailers say; a trailer's file name names it.
      const byTrailer = (await cosines(p, embedder.finish(mean, manifest.embedderState))).scores;
      byTrailer.delete(JAWS);
      const knn = await p.similar({ id: JAWS }, { ...BLENDS_OFF, k: 4 });
      assert.deepEqual(ids(knn.results), ranked(byTrailer, order).slice(0, 4));
      for (const r of knn.results) assert.ok(Math.abs(r.similarity - byTrailer.get(r.id)!) < 1e-5, `${r.id}: cosine to the transcript vector`);
      assert.equal((await p.similar("Jaws Trailer 2.mp4", { k: 1 })).movie.id, JAWS);
      assert.equal((await p.similar("/videos/Jaws Tráiler.mp4", { k: 1 })).movie.id, JAWS);

      // A trailer naming a movie the collection does not have is refused, and nothing is written.
      const token = await s.freshness();
      await assert.rejects(s.write({ trailers: [await trailer(4, "/videos/Nothing.mp4", "tt404", "words", "en")] }), /tt404/);
      assert.equal(await s.freshness(), token);
      assert.equal(await s.trailer(hash(4)), null);

      // Removing a movie detaches its trailers, which keep what they say.
      await p.remove([JAWS]);
      assert.deepEqual(await s.trailer(hash(1)), { ...spanish, movie: null });
      assert.deepEqual((await s.stats()).trailers, { trailers: 3, attached: 0 });
      assert.deepEqual(await s.transcripts(embedder.id), []);
      assert.ok(!(await s.filterIds({ language: "es" })).includes(JAWS));
    } finally {
      await p.close();
    }
  });

  test(name("done: the shared collection closes"), { skip }, async () => {
    if (shared) await (await shared).close();
  });
}
