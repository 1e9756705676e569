import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { Pinecone, type QueryOptions, type RecordMetadata } from "@pinecone-database/pinecone";
import type { Movie } from "../src/catalog/movie.js";
import { CapabilityError, InvalidArgumentError } from "../src/errors.js";
import { Plotline } from "../src/plotline.js";
import { pineconeFilter } from "../src/store/pinecone/filters.js";
import { parsePineconeUrl } from "../src/store/pinecone/options.js";
import { MAX_RETRIES, movieMetadata, PineconeStore, UPSERT_BATCH } from "../src/store/pinecone/store.js";
import { runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/collections.js";
import { MOVIES_CSV } from "./helpers/paths.js";
import { PineconeStub } from "./helpers/pinecone-stub.js";

const KEY = "test-key";
/** The live suite's account, read before the stub tests set their own key. */
const LIVE_KEY = process.env.PINECONE_API_KEY;
const LIVE_INDEX = process.env.PLOTLINE_PINECONE_INDEX;
// The stores read their key (and the stub's address, per suite) from the environment, as the CLI does.
process.env.PINECONE_API_KEY = KEY;

describe("Pinecone requests (translation, checked against the client's types)", () => {
  test("filters become Pinecone's metadata filter language", () => {
    const f = pineconeFilter({ yearMin: 1990, yearMax: 1999, genres: ["Comedy", "romance"], genreMode: "all", minRating: 7, cast: ["Tom Hanks"], directors: ["A", "b"], language: "EN" });
    // What the client's query takes: a filter in its own type (a compile-time check).
    const q: QueryOptions = { vector: [1, 0], topK: 3, ...(f ? { filter: f } : {}) };
    assert.deepEqual(q.filter, {
      $and: [
        { year: { $gte: 1990 } },
        { year: { $lte: 1999 } },
        { rating: { $gte: 7 } },
        { genres_key: { $in: ["comedy"] } },
        { genres_key: { $in: ["romance"] } },
        { cast_key: { $in: ["tom hanks"] } },
        { directors_key: { $in: ["a", "b"] } },
        { language_key: { $eq: "en" } },
      ],
    });
    assert.deepEqual(pineconeFilter({ genres: ["Drama", "War"] }), { genres_key: { $in: ["drama", "war"] } });
    assert.equal(pineconeFilter({}), undefined);
    assert.equal(pineconeFilter({ genreMode: "any" }), undefined);
    assert.throws(() => pineconeFilter({ yearMin: 2000, yearMax: 1990 }), InvalidArgumentError);
  });

  test("a movie becomes metadata Pinecone accepts: no nulls, lists of strings, lower-cased filter copies", () => {
    const movie: Movie = {
      id: "tt1",
      source: "tmdb",
      sourceId: "1",
      title: "Amélie",
      year: 2001,
      overview: "A shy waitress.",
      tagline: null,
      genres: ["Comedy", "Romance"],
      keywords: [],
      cast: ["Audrey Tautou"],
      directors: ["Jean-Pierre Jeunet"],
      companies: [],
      runtime: null,
      rating: 7.8,
      votes: 1000,
      popularity: null,
      budget: null,
      revenue: null,
      posterUrl: null,
      language: "FR",
    };
    const md: RecordMetadata = movieMetadata(movie, { seq: 4, added: 1, sentiment: 0.1, textHash: "ab", raw: Float32Array.of(1, 2) });
    for (const v of Object.values(md)) assert.ok(v !== null && v !== undefined);
    assert.equal(md.tagline, undefined);
    assert.equal(md.runtime, undefined);
    assert.deepEqual(md.genres_key, ["comedy", "romance"]);
    assert.equal(md.language_key, "fr");
    assert.equal(md.seq, 4);
    const long = movieMetadata({ ...movie, plot: "x".repeat(100_000) }, { seq: 0, added: 1, sentiment: 0, textHash: "ab", raw: Float32Array.of(1) });
    assert.ok(Buffer.byteLength(JSON.stringify(long)) < 40_000, "under Pinecone's 40 KB metadata limit");
    assert.equal(long.plot_truncated, true);
  });

  test("URLs: index and namespace, the key only from PINECONE_API_KEY", () => {
    assert.deepEqual(
      { ...parsePineconeUrl("pinecone://movies/tmdb", { PINECONE_API_KEY: "k" }), apiKey: "-" },
      { index: "movies", namespace: "tmdb", apiKey: "-", controllerHostUrl: undefined, display: "pinecone://movies/tmdb" },
    );
    assert.equal(parsePineconeUrl("pinecone://movies", { PINECONE_API_KEY: "k" }).namespace, "");
    assert.throws(() => parsePineconeUrl("pinecone://movies", {}), /PINECONE_API_KEY: is not set/);
    assert.throws(() => parsePineconeUrl("pinecone://Movies_1", { PINECONE_API_KEY: "k" }), /not a Pinecone index name/);
    assert.throws(() => parsePineconeUrl("pinecone://key@movies", { PINECONE_API_KEY: "k" }), /not in the URL/);
  });
});

/** Synthetic movies with `dims`-dimensional raw vectors, for write tests that need no embedder. */
function items(n: number, dims: number, salt = 0) {
  return Array.from({ length: n }, (_, i) => {
    const raw = Float32Array.from({ length: dims }, (_, d) => Math.sin(i * 7 + d * 3 + salt) + 0.01);
    const movie: Movie = {
      id: `tt${String(i).padStart(5, "0")}`,
      source: "test",
      sourceId: String(i),
      title: `Movie ${i}`,
      year: 1950 + (i % 70),
      overview: `Overview ${i}`,
      tagline: null,
      genres: [i % 2 ? "Drama" : "Comedy"],
      keywords: [],
      cast: [],
      directors: [],
      companies: [],
      runtime: 90,
      rating: (i % 10) + 0.5,
      votes: i,
      popularity: i,
      budget: null,
      revenue: null,
      posterUrl: null,
      language: "en",
    };
    return { movie, textHash: Buffer.from([i & 255, (i >> 8) & 255]), raw };
  });
}

const normalize = (raw: Float32Array) => {
  const n = Math.hypot(...raw);
  return raw.map((x) => x / n);
};

describe("Pinecone export against a local stub server", () => {
  const stub = new PineconeStub({ index: "movies", dimension: 8, apiKey: KEY });
  const open = (url: string, onNotice?: (m: string) => void) => PineconeStore.open(url, { create: true, onNotice });
  before(async () => {
    await stub.start();
    process.env.PINECONE_CONTROLLER_HOST = stub.url;
  });
  after(() => stub.stop());

  test("an upload is batched, its ids are the movies' ids, and a second upload changes nothing", async () => {
    const data = items(250, 8);
    const manifest = { embedderId: "test-embedder", dims: 8, fit: () => null, finish: normalize };
    const store = open("pinecone://movies/idem");
    const first = await store.write({ upsert: data, manifest });
    assert.equal(first.count, 250);
    const upserts = stub.calls("/vectors/upsert").filter((r) => r.body?.namespace === "idem");
    assert.equal(upserts.length, Math.ceil(250 / UPSERT_BATCH));
    assert.ok(upserts.every((r) => (r.body!.vectors as unknown[]).length <= UPSERT_BATCH));
    assert.ok(upserts.every((r) => r.apiKey === KEY));
    const ns = stub.namespace("idem");
    assert.equal(ns.size, 250);
    assert.deepEqual([...ns.keys()].sort(), data.map((d) => d.movie.id).sort());
    const before = JSON.stringify([...ns.values()].sort((a, b) => (a.id < b.id ? -1 : 1)));
    const again = open("pinecone://movies/idem");
    const second = await again.write({ upsert: data, manifest });
    assert.equal(second.count, 250);
    assert.equal(ns.size, 250, "no copies");
    const afterSecond = JSON.stringify([...ns.values()].sort((a, b) => (a.id < b.id ? -1 : 1))).replace(/"added":\d+/g, "");
    assert.equal(afterSecond, before.replace(/"added":\d+/g, ""), "the same records (ids, vectors, metadata)");
    assert.equal(await again.count(), 250);
    const hits = await again.vectorTop({ vector: normalize(data[3]!.raw) }, { k: 3 });
    assert.equal(hits[0]!.id, data[3]!.movie.id);
    assert.ok(Math.abs(hits[0]!.score - 1) < 1e-5);
    const drama = await again.vectorTop({ id: data[4]!.movie.id }, { k: 5, filters: { genres: ["drama"] }, exclude: [data[5]!.movie.id] });
    assert.equal(drama.length, 5);
    for (const h of drama) assert.ok(h.id !== data[5]!.movie.id && Number(h.id.slice(2)) % 2 === 1, `${h.id} is a drama`);
    assert.deepEqual(await again.filterIds({ yearMin: 2018 }), data.filter((d) => d.movie.year! >= 2018).map((d) => d.movie.id));
  });

  test("an upload interrupted by an outage resumes where it stopped: sent batches are not sent again", async () => {
    const data = items(430, 8, 1);
    const manifest = { embedderId: "test-embedder", dims: 8, fit: () => null, finish: normalize };
    const before = stub.calls("/vectors/upsert").length;
    stub.failUpsertsAfter = stub.calls("/vectors/upsert").filter((r) => !String(r.body?.namespace).endsWith("__plotline")).length + 2;
    const store = open("pinecone://movies/resume");
    await assert.rejects(store.write({ upsert: data, manifest }), /Pinecone kept failing .*run the same command again to resume/);
    assert.equal(stub.namespace("resume").size, 2 * UPSERT_BATCH, "two batches landed");
    const tries = stub.calls("/vectors/upsert").filter((r) => r.body?.namespace === "resume").length;
    assert.equal(tries, 2 + 1 + MAX_RETRIES, "the third batch was tried once and retried MAX_RETRIES times (the client's backoff) before the write gave up");
    assert.equal(await open("pinecone://movies/resume").count(), 0, "nothing committed: the manifest still says empty");
    stub.failUpsertsAfter = null;
    const sentBefore = stub.calls("/vectors/upsert").filter((r) => r.body?.namespace === "resume").length;
    const notices: string[] = [];
    const resumed = open("pinecone://movies/resume", (m) => notices.push(m));
    const result = await resumed.write({ upsert: data, manifest });
    assert.equal(result.count, 430);
    const resent = stub.calls("/vectors/upsert").filter((r) => r.body?.namespace === "resume").slice(sentBefore);
    const firstIds = new Set(data.slice(0, 2 * UPSERT_BATCH).map((d) => d.movie.id));
    const resentIds = resent.flatMap((r) => (r.body!.vectors as { id: string }[]).map((v) => v.id));
    assert.equal(resent.length, Math.ceil(430 / UPSERT_BATCH) - 2, "only the batches after the checkpoint");
    assert.ok(resentIds.every((id) => !firstIds.has(id)), "no movie of a sent batch is sent again");
    assert.equal(stub.namespace("resume").size, 430);
    assert.match(notices.join("\n"), /resuming the interrupted upload/);
    assert.ok(stub.calls("/vectors/upsert").length > before);
    // Natural order survived the interruption: every movie has its own place.
    const seqs = [...stub.namespace("resume").values()].map((r) => r.metadata!.seq as number).sort((a, b) => a - b);
    assert.deepEqual(seqs, Array.from({ length: 430 }, (_, i) => i));
  });

  test("keyword search, facets and the vocabulary are declared missing and fail with one message", async () => {
    const store = open("pinecone://movies/idem");
    assert.equal(store.capabilities.keyword, false);
    assert.equal(store.capabilities.facets, false);
    await assert.rejects(store.facets("genres"), (err: unknown) => err instanceof CapabilityError && /the pinecone store cannot count facets/.test((err as Error).message));
  });
});

describe("plotline copy --to pinecone:// and search against it (stub server)", () => {
  const dir = tempDir();
  const db = join(dir, "fixture.db");
  const stub = new PineconeStub({ index: "films", dimension: 100, apiKey: KEY });
  const env = () => ({ PINECONE_API_KEY: KEY, PINECONE_CONTROLLER_HOST: stub.url });
  before(async () => {
    await stub.start();
    process.env.PINECONE_CONTROLLER_HOST = stub.url;
    const p = Plotline.open({ db, create: true });
    await p.ingest([{ file: MOVIES_CSV }], { embedder: "glove" });
    await p.close();
  });
  after(() => stub.stop());

  test("copy, then semantic search and similar (knn) with filters; keyword and hybrid say Pinecone cannot", async () => {
    const copy = await runCli(["copy", "--from", db, "--to", "pinecone://films/fixture", "--json"], { env: env() });
    assert.equal(copy.code, 0, copy.stderr);
    assert.equal(JSON.parse(copy.stdout).copied, 10);
    const local = Plotline.open({ db, readonly: true });
    const remote = Plotline.open({ db: "pinecone://films/fixture", readonly: true });
    try {
      const a = await local.search("astronaut stranded on Mars", { mode: "semantic", k: 5, parse: false });
      const b = await remote.search("astronaut stranded on Mars", { mode: "semantic", k: 5, parse: false });
      assert.deepEqual(b.results.map((r) => r.id), a.results.map((r) => r.id));
      for (let i = 0; i < a.results.length; i++) assert.ok(Math.abs(a.results[i]!.score - b.results[i]!.score) < 1e-4);
      const fa = await local.search("space", { mode: "semantic", k: 5, filters: { yearMin: 1990 }, parse: false });
      const fb = await remote.search("space", { mode: "semantic", k: 5, filters: { yearMin: 1990 }, parse: false });
      assert.deepEqual(fb.results.map((r) => r.id), fa.results.map((r) => r.id));
      const sa = await local.similar({ id: "tt1000012" }, { k: 3 });
      const sb = await remote.similar({ id: "tt1000012" }, { k: 3 });
      assert.deepEqual(sb.results.map((r) => r.id), sa.results.map((r) => r.id));
    } finally {
      await local.close();
      await remote.close();
    }
    const keyword = await runCli(["search", "mars", "--mode", "keyword", "--db", "pinecone://films/fixture"], { env: env() });
    assert.equal(keyword.code, 2);
    assert.equal(keyword.stderr.trim().split("\n").length, 1, keyword.stderr);
    assert.match(keyword.stderr, /the pinecone store cannot run keyword \(BM25\) queries, which keyword search needs/);
    const hybrid = await runCli(["search", "mars", "--db", "pinecone://films/fixture"], { env: env() });
    assert.equal(hybrid.code, 2);
    assert.match(hybrid.stderr, /cannot run keyword \(BM25\) queries, which hybrid search needs; use --mode semantic/);
    const semantic = await runCli(["search", "mars", "--mode", "semantic", "-k", "3", "--db", "pinecone://films/fixture", "--json"], { env: env() });
    assert.equal(semantic.code, 0, semantic.stderr);
    assert.equal(JSON.parse(semantic.stdout).results.length, 3);
  });

  test("bad input: a wrong API key, an unknown index, an index of another dimension: one line, exit 2, nothing written", async () => {
    const upsertsBefore = stub.calls("/vectors/upsert").length;
    const wrongKey = await runCli(["copy", "--from", db, "--to", "pinecone://films/other"], { env: { ...env(), PINECONE_API_KEY: "wrong" } });
    assert.equal(wrongKey.code, 2);
    assert.match(wrongKey.stderr, /^plotline: pinecone:\/\/films\/other: Pinecone refused the API key \(check PINECONE_API_KEY\)\n$/);
    const unknown = await runCli(["copy", "--from", db, "--to", "pinecone://nope"], { env: env() });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^plotline: pinecone:\/\/nope: Pinecone has no index 'nope'/);
    const small = new PineconeStub({ index: "small", dimension: 16, apiKey: KEY });
    await small.start();
    try {
      const wrongDims = await runCli(["copy", "--from", db, "--to", "pinecone://small"], { env: { ...env(), PINECONE_CONTROLLER_HOST: small.url } });
      assert.equal(wrongDims.code, 2);
      assert.match(wrongDims.stderr, /^plotline: pinecone:\/\/small: the index has dimension 16; these vectors have 100/);
      assert.equal(small.calls("/vectors/upsert").length, 0);
    } finally {
      await small.stop();
    }
    const noKey = await runCli(["search", "x", "--mode", "semantic", "--db", "pinecone://films"], { env: { PINECONE_API_KEY: "" } });
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /PINECONE_API_KEY: is not set/);
    assert.equal(stub.calls("/vectors/upsert").length, upsertsBefore, "nothing written");
  });
});

const liveSkip = !LIVE_KEY ? "PINECONE_API_KEY is not set (no Pinecone account here)" : !LIVE_INDEX ? "PLOTLINE_PINECONE_INDEX is not set (a 100-dimension cosine index to test in)" : false;

describe("Pinecone live (a real index)", { skip: liveSkip }, () => {
  test("copy the fixture, search it semantically, and clean up", async () => {
    const dir = tempDir();
    const db = join(dir, "fixture.db");
    const p = Plotline.open({ db, create: true });
    await p.ingest([{ file: MOVIES_CSV }], { embedder: "glove" });
    await p.close();
    const ns = `plotline-test-${process.pid}`;
    const url = `pinecone://${LIVE_INDEX}/${ns}`;
    const live = { PINECONE_API_KEY: LIVE_KEY, PINECONE_CONTROLLER_HOST: "" };
    const copy = await runCli(["copy", "--from", db, "--to", url, "--json"], { env: live });
    assert.equal(copy.code, 0, copy.stderr);
    // Pinecone's writes become visible to queries within seconds (eventual consistency).
    let hits = 0;
    for (let i = 0; i < 30 && hits === 0; i++) {
      const r = await runCli(["search", "astronaut on Mars", "--mode", "semantic", "-k", "3", "--db", url, "--json"], { env: live });
      hits = r.code === 0 ? JSON.parse(r.stdout).results.length : 0;
      if (!hits) await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    assert.equal(hits, 3);
    const client = new Pinecone({ apiKey: LIVE_KEY! });
    await client.index({ name: LIVE_INDEX!, namespace: ns }).deleteAll();
    await client.index({ name: LIVE_INDEX!, namespace: `${ns}__plotline` }).deleteAll();
  });
});
