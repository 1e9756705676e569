import { test } from "node:test";
import assert from "node:assert/strict";
import type { Schemas } from "@qdrant/js-client-rest";
import type { Movie } from "../src/catalog/movie.js";
import { InvalidArgumentError } from "../src/errors.js";
import { movieUuid } from "../src/store/remote/point-id.js";
import { qdrantFilter, phraseCondition, PHRASE_KEYS } from "../src/store/qdrant/filters.js";
import { parseQdrantLocation } from "../src/store/qdrant/location.js";
import { moviePayload, movieOf, recordOf, rowOf } from "../src/store/qdrant/payload.js";
import { hybridRequests, keywordRequest, recommendRequest, vectorRequest } from "../src/store/qdrant/queries.js";
import { createCollectionBody, initialMeta } from "../src/store/qdrant/schema.js";
import { B, documentTerms, documentVector, K1, prefixTerms, queryVector, termId } from "../src/store/qdrant/sparse.js";
import { DEFAULT_FIELD_WEIGHTS } from "../src/store/store.js";

/**
 * The Qdrant backend's translation of Plotline's queries, filters and movies into request
 * bodies of Qdrant's REST API, typed by the official client's generated schemas (so a field
 * Qdrant does not know fails to compile) and checked here without a server (CI has none).
 */

const noTuning = { exact: false, ef: undefined };

test("every filter becomes the Qdrant condition on its indexed payload key", () => {
  const f: Schemas["Filter"] | null = qdrantFilter({
    yearMin: 1990,
    yearMax: 1999,
    genres: ["Comedy", "romance", "comedy"],
    minRating: 7,
    minVotes: 100,
    runtimeMin: 90,
    runtimeMax: 120,
    cast: ["Tom Hanks", "Meg Ryan"],
    directors: ["Nora Ephron"],
    language: "EN",
  });
  assert.deepEqual(f, {
    must: [
      { key: "year", range: { gte: 1990, lte: 1999 } },
      { key: "runtime", range: { gte: 90, lte: 120 } },
      { key: "rating", range: { gte: 7 } },
      { key: "votes", range: { gte: 100 } },
      { key: "lc.genres", match: { any: ["comedy", "romance"] } },
      { key: "lc.cast", match: { value: "tom hanks" } },
      { key: "lc.cast", match: { value: "meg ryan" } },
      { key: "lc.directors", match: { any: ["nora ephron"] } },
      { key: "lc.language", match: { value: "en" } },
    ],
  });
  assert.deepEqual(qdrantFilter({ genres: ["Drama", "War"], genreMode: "all" }), { must: [{ key: "lc.genres", match: { value: "drama" } }, { key: "lc.genres", match: { value: "war" } }] });
  assert.equal(qdrantFilter({}), null);
  assert.equal(qdrantFilter({ genres: [], genreMode: "any" }), null);
  assert.equal(qdrantFilter(undefined), null);
  assert.throws(() => qdrantFilter({ yearMin: 2000, yearMax: 1990 }), InvalidArgumentError);
  assert.throws(() => qdrantFilter({ minRating: Number.NaN }), InvalidArgumentError);
});

test("a keyword query is the query's sparse vector against `text`, filters and phrases before the limit", () => {
  const q = { terms: ["stranded", "astronaut"], phrases: [["on", "mars"]], prefix: null };
  const r: Schemas["QueryRequest"] | null = keywordRequest(q, null, { k: 25, filters: { yearMin: 2000 } });
  const ids = ["strand", "astronaut", "mar"].map(termId);
  const sorted = [...ids].sort((a, b) => a - b);
  assert.deepEqual(r, {
    query: { indices: sorted, values: [1, 1, 1] },
    using: "text",
    limit: 25,
    filter: { must: [{ key: "year", range: { gte: 2000 } }, { should: PHRASE_KEYS.map((key) => ({ key, match: { phrase: "on mars" } })) }] },
    with_payload: ["id", "seq"],
  });
  assert.deepEqual(phraseCondition(["stranded", "on", "mars"]), { should: PHRASE_KEYS.map((key) => ({ key, match: { phrase: "stranded on mars" } })) });
  assert.equal(keywordRequest({ terms: [], phrases: [], prefix: null }, null, { k: 10 }), null);
  assert.equal(keywordRequest(q, null, { k: 0 }), null);
});

test("query terms: corrections count as terms of their own, a prefix expands to the vocabulary's commonest terms, repeats add up", () => {
  const vocabulary = new Map([
    ["interstellar", 3],
    ["interst", 1],
    ["interstat", 5],
    ["space", 100],
  ]);
  assert.deepEqual(prefixTerms("interst", vocabulary), ["interstat", "interstellar", "interst"]);
  assert.deepEqual(prefixTerms("zzz", vocabulary), ["zzz"]);
  const v = queryVector({ terms: ["space", "interst"], phrases: [["space", "the"]], prefix: "interst", corrections: { space: ["spade"] } }, vocabulary)!;
  const weight = new Map(v.indices.map((id, i) => [id, v.values[i]]));
  assert.equal(weight.get(termId("space")), 2, "a free word and a phrase word");
  assert.equal(weight.get(termId("spade")), 1);
  for (const t of ["interstat", "interstellar", "interst"]) assert.equal(weight.get(termId(t)), 1, t);
  assert.equal(weight.has(termId("the")), false, "a phrase's stop words only count when it has nothing else");
  assert.deepEqual(v.indices, [...v.indices].sort((a, b) => a - b), "indices sorted and unique");
  const allStop = queryVector({ terms: [], phrases: [["the", "it"]], prefix: null }, null)!;
  assert.deepEqual(new Set(allStop.indices), new Set([termId("the"), termId("it")]));
});

const martian: Movie = {
  id: "tt3659388",
  source: "tmdb",
  sourceId: "286217",
  title: "The Martian",
  year: 2015,
  overview: "An astronaut is stranded on Mars. The astronaut survives.",
  tagline: "Bring Him Home",
  genres: ["Science Fiction", "Drama"],
  keywords: ["mars", "nasa"],
  cast: ["Matt Damon"],
  directors: ["Ridley Scott"],
  companies: ["Fox"],
  runtime: 141,
  rating: 7.6,
  votes: 4572,
  popularity: 9.5,
  budget: 108000000,
  revenue: 630161890,
  posterUrl: null,
  language: "EN",
};

test("a movie's sparse vector is BM25's term-frequency part of FTS5's weighted frequencies (title 3x, keywords 2x, ...)", () => {
  const terms = documentTerms(martian, DEFAULT_FIELD_WEIGHTS);
  // title: the martian (3 each); keywords: mars nasa (2 each); cast and director: 1.5; genres: 3 words; tagline: 3; overview: 9.
  assert.equal(terms.length, 2 + 2 + 2 + 2 + 3 + 3 + 9);
  assert.equal(terms.tf.get("martian"), 3);
  assert.equal(terms.tf.get("mar"), 2 + 1, "keyword 'mars' and overview 'Mars' share the stem");
  assert.equal(terms.tf.get("astronaut"), 2);
  assert.equal(terms.tf.get("matt"), 1.5);
  const avgdl = 30;
  const v = documentVector(terms, avgdl);
  const norm = K1 * (1 - B + (B * terms.length) / avgdl);
  const at = v.indices.indexOf(termId("martian"));
  assert.ok(Math.abs(v.values[at]! - (3 * (K1 + 1)) / (3 + norm)) < 1e-12);
  assert.equal(v.indices.length, terms.tf.size);
});

test("a movie's payload holds the movie as it is and the backend's derived keys; rows and records read back", () => {
  const raw = Float32Array.of(0.25, -1, 3.5);
  const payload = moviePayload({ movie: martian, textHash: Buffer.alloc(20, 7), raw }, { seq: 12, sentiment: 0.25, stems: ["martian"], length: 23, basis: "b" });
  assert.equal(payload.title, "The Martian");
  assert.deepEqual(payload.lc, { genres: ["science fiction", "drama"], cast: ["matt damon"], directors: ["ridley scott"], language: "en" });
  assert.deepEqual(payload.ph, { keywords: ["mars", "nasa"], cast: ["Matt Damon"], directors: ["Ridley Scott"], genres: ["Science Fiction", "Drama"] });
  assert.equal(payload.seq, 12);
  assert.equal(payload.pop, 9.5);
  assert.equal("plot" in payload, false);
  assert.deepEqual(movieOf(payload), martian);
  assert.deepEqual(rowOf(payload, ["title", "sentiment", "plot"]), { id: martian.id, title: "The Martian", sentiment: 0.25 });
  const back = recordOf(payload);
  assert.deepEqual(back.movie, martian);
  assert.deepEqual([...back.raw], [...raw]);
  assert.deepEqual(back.textHash, Buffer.alloc(20, 7));
});

test("vector queries: nearest by vector or by the movie's point id, exclusions as has_id, MMR when diverse", () => {
  const exclude = ["tt1", "tt2"];
  const r: Schemas["QueryRequest"] = vectorRequest({ vector: Float32Array.of(0.5, 0.5) }, { k: 5, filters: { minRating: 6 }, exclude, tuning: { exact: true, ef: 64 } });
  assert.deepEqual(r, {
    query: { nearest: [0.5, 0.5] },
    using: "dense",
    limit: 5,
    filter: { must: [{ key: "rating", range: { gte: 6 } }, { must_not: [{ has_id: exclude.map(movieUuid) }] }] },
    params: { exact: true, hnsw_ef: 64 },
    with_payload: ["id", "seq"],
  });
  const byId = vectorRequest({ id: "tt0114709" }, { k: 10, diversity: 0.3, candidates: 100, tuning: noTuning });
  assert.deepEqual(byId.query, { nearest: movieUuid("tt0114709"), mmr: { diversity: 0.3, candidates_limit: 100 } });
  assert.equal(byId.filter, undefined);
  assert.equal(byId.params, undefined);
});

test("recommendations: examples as point ids with Qdrant's strategy names", () => {
  for (const [strategy, name] of [["average", "average_vector"], ["best", "best_score"], ["sum", "sum_scores"]] as const) {
    const r: Schemas["QueryRequest"] = recommendRequest({ positive: ["tt1"], negative: ["tt2"], strategy }, { k: 40, filters: { genres: ["Drama"] }, exclude: ["tt3"], tuning: noTuning });
    assert.deepEqual(r.query, { recommend: { positive: [movieUuid("tt1")], negative: [movieUuid("tt2")], strategy: name } });
    assert.deepEqual(r.filter, { must: [{ key: "lc.genres", match: { any: ["drama"] } }, { must_not: [{ has_id: [movieUuid("tt3")] }] }] });
    assert.equal(r.limit, 40);
  }
});

test("native hybrid: both sides as prefetches fused by rrf (the engine's k) or dbsf, and each list alone for explanations", () => {
  const q = { terms: ["heist"], phrases: [], prefix: null };
  const [fused, kw, sem] = hybridRequests(q, Float32Array.of(1, 0), null, "rrf", { k: 10, pool: 100, rrfK: 60, filters: { yearMin: 1990 }, tuning: noTuning });
  const filter = { must: [{ key: "year", range: { gte: 1990 } }] };
  assert.deepEqual(fused, {
    prefetch: [
      { query: { indices: [termId("heist")], values: [1] }, using: "text", limit: 100, filter },
      { query: { nearest: [1, 0] }, using: "dense", limit: 100, filter },
    ],
    query: { rrf: { k: 60 } },
    limit: 10,
    with_payload: ["id", "seq"],
  } satisfies Schemas["QueryRequest"]);
  assert.equal(kw!.limit, 100);
  assert.equal(sem!.limit, 100);
  const [dbsf, , noVector] = hybridRequests(q, null, null, "dbsf", { k: 10, pool: 100, tuning: noTuning });
  assert.deepEqual(dbsf.query, { fusion: "dbsf" });
  assert.equal((dbsf.prefetch as unknown[]).length, 1);
  assert.equal(noVector, null);
});

test("a new collection: named dense (cosine) and sparse (idf) vectors, distribution, HNSW settings and Plotline's metadata", () => {
  const meta = initialMeta(DEFAULT_FIELD_WEIGHTS);
  const body: Schemas["CreateCollection"] = createCollectionBody(384, { create: { m: 32, efConstruct: 200, indexingThresholdKb: 1 } }, { shards: 3, replicas: 2, writeConsistency: 2 }, meta);
  assert.deepEqual(body, {
    vectors: { dense: { size: 384, distance: "Cosine", hnsw_config: { m: 32, ef_construct: 200 } } },
    sparse_vectors: { text: { modifier: "idf" } },
    on_disk_payload: false,
    shard_number: 3,
    replication_factor: 2,
    write_consistency_factor: 2,
    optimizers_config: { indexing_threshold: 1 },
    metadata: { plotline: meta as unknown as Record<string, unknown> },
  });
  const plain = createCollectionBody(100, { create: {} }, undefined, meta);
  assert.deepEqual(Object.keys(plain), ["vectors", "sparse_vectors", "on_disk_payload", "metadata"]);
  assert.equal(createCollectionBody(100, { create: { onDiskPayload: true } }, undefined, meta).on_disk_payload, true);
});

test("--db qdrant URLs: host, port, collection, HTTPS, key and search settings; mistakes name --db", () => {
  const l = parseQdrantLocation("qdrant://127.0.0.1:6343/movies?exact=1&ef=128", {});
  assert.equal(l.url, "http://127.0.0.1:6343");
  assert.equal(l.collection, "movies");
  assert.equal(l.exact, true);
  assert.equal(l.ef, 128);
  assert.equal(l.display, "qdrant://127.0.0.1:6343/movies");
  const s = parseQdrantLocation("qdrants://:secret@db.example.com/films", {});
  assert.equal(s.url, "https://db.example.com:6333");
  assert.equal(s.apiKey, "secret");
  assert.ok(!s.display.includes("secret"));
  assert.equal(parseQdrantLocation("qdrant://h/c?https=1", { QDRANT_API_KEY: "k" }).url, "https://h:6333");
  assert.equal(parseQdrantLocation("qdrant://h/c", { QDRANT_API_KEY: "k" }).apiKey, "k");
  for (const bad of ["qdrant://h:6333/", "qdrant://h/a/b", "qdrant://h/c?foo=1", "qdrant://h/c?ef=x"]) {
    assert.throws(() => parseQdrantLocation(bad, {}), (e: unknown) => e instanceof InvalidArgumentError && e.message.startsWith("--db:"), bad);
  }
});
