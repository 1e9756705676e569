import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { sparseMovie, type Movie } from "../src/catalog/movie.js";
import { Plotline } from "../src/plotline.js";
import { DEFAULT_FIELD_WEIGHTS } from "../src/search/keyword.js";
import { weaviateFilter } from "../src/store/weaviate/filters.js";
import { parseWeaviateUrl } from "../src/store/weaviate/options.js";
import { loadWeaviateSdk } from "../src/store/weaviate/sdk.js";
import { boostedProperties, termsText } from "../src/store/weaviate/schema.js";
import { UPLOAD_BATCH, WeaviateStore } from "../src/store/weaviate/store.js";
import { runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/collections.js";
import { MOVIES_CSV } from "./helpers/paths.js";
import { dropWeaviateCollection, WEAVIATE_SKIP, weaviateClient, weaviateDb } from "./helpers/weaviate.js";

const SKIP = WEAVIATE_SKIP;
const dbUrl = weaviateDb;
const dropCollection = dropWeaviateCollection;

describe("Weaviate requests (no server needed)", () => {
  test("URLs: host, port, gRPC port, TLS, the collection's name; the key only from WEAVIATE_API_KEY", () => {
    const t = parseWeaviateUrl("weaviate://db.example:9090/Movies?grpc=50052", { WEAVIATE_API_KEY: "secret" });
    assert.deepEqual(t, { httpHost: "db.example", httpPort: 9090, grpcPort: 50052, secure: false, name: "Movies", apiKey: "secret", display: "weaviate://db.example:9090/Movies" });
    assert.equal(parseWeaviateUrl("weaviates://cloud.example/Movies", {}).httpPort, 443);
    assert.equal(parseWeaviateUrl("weaviate://h/Movies", {}).grpcPort, 50051);
    assert.throws(() => parseWeaviateUrl("weaviate://h/movies", {}), /not a Weaviate collection name/);
    assert.throws(() => parseWeaviateUrl("weaviate://h/", {}), /name the collection/);
    assert.throws(() => parseWeaviateUrl("weaviate://u:p@h/Movies", {}), /WEAVIATE_API_KEY, not in the URL/);
    assert.throws(() => parseWeaviateUrl("weaviate://h/Movies?shards=2", {}), /unknown parameter 'shards'/);
  });

  test("field weights become property boosts (the remake's title^3), over the pre-stemmed properties", () => {
    assert.deepEqual(boostedProperties(DEFAULT_FIELD_WEIGHTS), [
      "title_terms^3",
      "keywords_terms^2",
      "cast_terms^1.5",
      "directors_terms^1.5",
      "genres_terms",
      "tagline_terms",
      "overview_terms",
      "plot_terms",
    ]);
    assert.equal(termsText("Sharks terrorise Amélie's beaches", new Map()), "shark terroris ameli s beach");
  });

  test("filters become Weaviate filters (through the client's builder)", async () => {
    await loadWeaviateSdk();
    const f = weaviateFilter({ yearMin: 1990, genres: ["Comedy", "drama"], genreMode: "all", cast: ["Tom Hanks"], language: "EN" }) as unknown as { operator: string; filters: { operator: string; target?: { property: string }; value: unknown }[] };
    assert.equal(f.operator, "And");
    assert.deepEqual(
      f.filters.map((x) => [x.operator, x.target?.property, x.value]),
      [
        ["GreaterThanEqual", "year", 1990],
        ["ContainsAll", "genres_key", ["comedy", "drama"]],
        ["ContainsAll", "cast_key", ["tom hanks"]],
        ["Equal", "language_key", "en"],
      ],
    );
    assert.equal(weaviateFilter({}), undefined);
  });
});

describe("Weaviate backend through Plotline and the CLI", { skip: SKIP }, () => {
  const name = `PlotlineCli${process.pid}`;
  const dir = tempDir();
  const db = join(dir, "fixture.db");
  before(async () => {
    await dropCollection(name);
    await dropCollection(`${name}Small`);
    const p = Plotline.open({ db, create: true });
    await p.ingest([{ file: MOVIES_CSV }], { embedder: "glove" });
    await p.close();
  });
  after(async () => {
    await dropCollection(name);
    await dropCollection(`${name}Small`);
    await dropCollection(`${name}Foreign`);
  });

  test("copy to Weaviate and back: the same movies, vectors and results; a second copy needs --replace", async () => {
    const to = await runCli(["copy", "--from", db, "--to", dbUrl(name), "--json"]);
    assert.equal(to.code, 0, to.stderr);
    assert.equal(JSON.parse(to.stdout).copied, 10);
    const local = Plotline.open({ db, readonly: true });
    const remote = Plotline.open({ db: dbUrl(name), readonly: true });
    try {
      for (const mode of ["semantic", "keyword", "hybrid"] as const) {
        const a = await local.search("astronaut stranded on Mars", { mode, k: 5, parse: false });
        const b = await remote.search("astronaut stranded on Mars", { mode, k: 5, parse: false });
        // BM25's arithmetic is each engine's own (Weaviate's BM25F over properties, FTS5's per column), so
        // keyword and hybrid agree on which movies, semantic (the same vectors) on the order too.
        if (mode === "semantic") assert.deepEqual(b.results.map((r) => r.id), a.results.map((r) => r.id), mode);
        else assert.deepEqual(new Set(b.results.map((r) => r.id).slice(0, 3)), new Set(a.results.map((r) => r.id).slice(0, 3)), mode);
      }
      // Weaviate's own fusions: at alpha 1 the vector side alone (the semantic order), at alpha 0
      // the BM25 side alone (keyword mode's movies); between, only movies one of the two found.
      const q = "astronaut stranded on Mars";
      const ids = (r: { results: { id: string }[] }) => r.results.map((x) => x.id);
      // The backend's fusions take no prior: compared with each side's ranking of relevance alone.
      const semantic = ids(await remote.search(q, { mode: "semantic", k: 5, parse: false, prior: 0 }));
      const keyword = ids(await remote.search(q, { mode: "keyword", k: 10, parse: false, prior: 0 }));
      for (const fusion of ["native-relative", "native-rrf"] as const) {
        assert.deepEqual(ids(await remote.search(q, { mode: "hybrid", fusion, alpha: 1, k: 5, parse: false })), semantic, `${fusion} at alpha 1`);
        const kwOnly = ids(await remote.search(q, { mode: "hybrid", fusion, alpha: 0, k: 10, parse: false }));
        assert.deepEqual(new Set(kwOnly.slice(0, keyword.length)), new Set(keyword), `${fusion} at alpha 0`);
        const half = await remote.search(q, { mode: "hybrid", fusion, alpha: 0.5, k: 5, parse: false });
        assert.equal(half.results.length, 5, fusion);
        const scores = half.results.map((r) => r.score);
        assert.deepEqual(scores, [...scores].sort((x, y) => y - x), `${fusion}: best first`);
        for (const r of half.results) assert.equal(typeof r.scores.semantic, "number", `${fusion}: each result's cosine is filled in`);
      }
      await assert.rejects(local.search(q, { mode: "hybrid", fusion: "native-rrf", k: 5 }), /the sqlite store cannot fuse keyword and vector candidates itself/);
      const sa = await local.similar({ id: "tt1000012" }, { k: 5 });
      const sb = await remote.similar({ id: "tt1000012" }, { k: 5 });
      assert.deepEqual(sb.results.map((r) => r.id), sa.results.map((r) => r.id));
      assert.deepEqual(await remote.store.facets("genres"), await local.store.facets("genres"));
    } finally {
      await local.close();
      await remote.close();
    }
    const again = await runCli(["copy", "--from", db, "--to", dbUrl(name)]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already holds 10 movies; copy into an empty collection, or give --replace/);
    const back = join(dir, "back.db");
    const from = await runCli(["copy", "--from", dbUrl(name), "--to", back, "--json"]);
    assert.equal(from.code, 0, from.stderr);
    const a = Plotline.open({ db, readonly: true });
    const b = Plotline.open({ db: back, readonly: true });
    try {
      for (const id of ["tt1000001", "tt1000009", "tt1000012"]) assert.deepEqual(await b.movie(id), await a.movie(id));
      const va = await a.store.vectors(["tt1000004"]);
      const vb = await b.store.vectors(["tt1000004"]);
      assert.deepEqual([...vb.get("tt1000004")!], [...va.get("tt1000004")!]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test("bad input: unreachable server, refused key, a collection of another dimension, a foreign collection: one line, exit 2, nothing overwritten", async () => {
    const unreachable = await runCli(["search", "mars", "--db", "weaviate://127.0.0.1:1/Movies"]);
    assert.equal(unreachable.code, 2);
    assert.match(unreachable.stderr, /^plotline: weaviate:\/\/127\.0\.0\.1:1\/Movies: cannot reach Weaviate at http:\/\/127\.0\.0\.1:1 \(gRPC 50051\)/);
    assert.equal(unreachable.stderr.trim().split("\n").length, 1);
    const refused = await runCli(["search", "mars", "--db", dbUrl(name)], { env: { WEAVIATE_API_KEY: "wrong-key" } });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /^plotline: weaviate:\/\/.*: Weaviate refused the credentials \(check WEAVIATE_API_KEY\)\n$/);
    // A 100-dimension collection: writing 8-dimension vectors into it fails before anything is written.
    const store = WeaviateStore.open(dbUrl(name), { finisher: async () => (raw) => raw });
    try {
      const token = await store.freshness();
      const movie = (await store.movie("tt1000001")) as Movie;
      await assert.rejects(
        store.write({ upsert: [{ movie, textHash: Buffer.alloc(4), raw: new Float32Array(8) }], manifest: { embedderId: "other/8", dims: 8 } }),
        /the collection's vectors have 100 dimensions .*cannot store 8-dimensional ones/,
      );
      assert.equal(await store.freshness(), token, "nothing written");
    } finally {
      await store.close();
    }
    const minilm = await runCli(["ingest", MOVIES_CSV, "--db", dbUrl(name), "--embedder", "minilm"], { env: { PLOTLINE_OFFLINE: "1" } });
    assert.equal(minilm.code, 2, minilm.stderr);
    assert.match(minilm.stderr, /was built with the glove embedder/);
    // A collection someone else made under the name: never touched.
    const client = await weaviateClient();
    try {
      await client.collections.create({ name: `${name}Foreign` });
      const foreign = await runCli(["ingest", MOVIES_CSV, "--db", dbUrl(`${name}Foreign`), "--embedder", "glove"]);
      assert.equal(foreign.code, 2);
      assert.match(foreign.stderr, /a Weaviate collection named '.*Foreign' exists and is not a Plotline collection/);
      assert.ok(await client.collections.exists(`${name}Foreign`));
    } finally {
      await client.close();
    }
  });

  test("an upload interrupted part-way resumes: objects already sent are not sent again, and readers never saw it", async () => {
    const url = dbUrl(`${name}Small`);
    const dims = 4;
    const finisher = async () => (raw: Float32Array) => raw.map((x) => x / Math.hypot(...raw));
    const n = UPLOAD_BATCH * 2 + 100;
    const items = Array.from({ length: n }, (_, i) => ({
      movie: sparseMovie({ id: `tt${8000000 + i}`, source: "t", sourceId: String(i), title: `Movie ${i}`, year: 2000, overview: "x" }),
      textHash: Buffer.from([i & 255]),
      raw: Float32Array.of(1 + i, 2, 3, 4),
    }));
    const manifest = { embedderId: "test/4", dims, fit: () => null };
    const first = WeaviateStore.open(url, { create: true, finisher });
    let calls = 0;
    await assert.rejects(
      first.write({
        upsert: items,
        manifest,
        onProgress: (done) => {
          // Killed after the first upload batch landed.
          if (done >= UPLOAD_BATCH && ++calls === 1) throw new Error("interrupted");
        },
      }),
      /interrupted/,
    );
    await first.close();
    const reader = WeaviateStore.open(url, { create: true, finisher });
    assert.equal(await reader.count(), 0, "the interrupted write is not visible");
    await reader.close();
    const notices: string[] = [];
    const progress: number[] = [];
    const second = WeaviateStore.open(url, { create: true, finisher, onNotice: (m) => notices.push(m) });
    try {
      const r = await second.write({ upsert: items, manifest, onProgress: (done) => progress.push(done) });
      assert.equal(r.count, n);
      assert.match(notices.join("\n"), /resuming the interrupted write/);
      assert.ok(progress[0]! >= UPLOAD_BATCH, `started at ${progress[0]} of ${n}: the first batch was not sent again`);
      assert.equal(await second.count(), n);
      assert.deepEqual((await second.filterIds({})).length, n);
    } finally {
      await second.close();
    }
  });
});
