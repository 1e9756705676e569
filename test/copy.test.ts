/**
 * `copyCollection` (`plotline copy`): a collection moves from one store to another with its raw
 * vectors, text hashes and fitted embedder state, so nothing is embedded again and the target
 * answers as the source does; the target changes all or nothing. The stores are Postgres
 * collections (one schema each) on PGlite 0.5 with pgvector and pg_textsearch over
 * pglite-socket, pool of one (PGlite serves one connection at a time).
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { copyCollection } from "../src/copy.js";
import type { Embedder } from "../src/embed/embedder.js";
import { textHash } from "../src/embed/cache.js";
import { embeddingText } from "../src/embed/text.js";
import { CollectionError } from "../src/errors.js";
import { DEFAULT_FIELD_WEIGHTS } from "../src/search/keyword.js";
import { openStore } from "../src/store/open.js";
import type { Store, StoreOpenOptions } from "../src/store/store.js";
import { MOVIES_CSV } from "./helpers/paths.js";
import { startPglite, type TestPostgres } from "./helpers/pglite-server.js";
import { gloveEmbedder, ingestBatch, readMovies } from "./helpers/store-batch.js";

const movies = await readMovies(MOVIES_CSV);
const embedder = await gloveEmbedder();
const finish = (raw: Float32Array, state: Parameters<Embedder["finish"]>[1]) => embedder.finish(raw, state);

let server: TestPostgres;
let source: Store;
const opened: Store[] = [];
function open(url: string, options: StoreOpenOptions = {}): Store {
  const s = openStore(url, { finisher: async () => finish, ...options });
  opened.push(s);
  return s;
}
/** A new empty collection, opened without a finisher: the copy must bring its own. */
const emptyTarget = () => open(server.collectionUrl(), { create: true, finisher: undefined });

before(async () => {
  server = await startPglite();
  source = open(server.collectionUrl(), { create: true });
  await source.write(await ingestBatch(movies, embedder));
});
after(async () => {
  for (const s of opened) await s.close();
  await server?.stop();
});

async function records(store: Store) {
  const out = [];
  for await (const batch of store.records()) out.push(...batch);
  return out;
}

test("a copy holds the same movies, raw vectors, hashes and fitted state, and answers the same", async () => {
  const target = emptyTarget();
  const progress: string[] = [];
  const result = await copyCollection(source, target, { finish, onProgress: (p) => progress.push(`${p.phase} ${p.done}/${p.total}`) });
  assert.equal(result.copied, movies.length);
  assert.equal(result.replaced, 0);
  assert.equal(result.embedderId, embedder.id);
  assert.deepEqual(await records(target), await records(source));
  const [a, b] = [(await source.manifest())!, (await target.manifest())!];
  assert.deepEqual({ ...b, createdAt: "", updatedAt: "" }, { ...a, createdAt: "", updatedAt: "" });
  // The ordinals with the vectors are the store's own numbering, as with its hits below.
  const vectors = async (s: Store) => {
    const { dims, ids, matrix } = await s.allVectors();
    return { dims, ids, matrix };
  };
  assert.deepEqual(await vectors(target), await vectors(source), "the same finished vectors");
  const query = { terms: ["astronaut", "mars"], phrases: [], prefix: null };
  // Ordinals are each store's own numbering: the ids and scores are what must agree.
  const plain = (hits: { id: string; score: number }[]) => hits.map(({ id, score }) => ({ id, score }));
  assert.deepEqual(plain(await target.keywordTop(query, { k: 5, weights: DEFAULT_FIELD_WEIGHTS })), plain(await source.keywordTop(query, { k: 5, weights: DEFAULT_FIELD_WEIGHTS })));
  assert.deepEqual(plain(await target.vectorTop({ id: movies[0]!.id }, { k: 5 })), plain(await source.vectorTop({ id: movies[0]!.id }, { k: 5 })));
  assert.deepEqual(await target.keywordVocabulary(), await source.keywordVocabulary());
  // The target's embedding cache has every raw vector: a later ingest there embeds nothing.
  const cached = await target.embeddingCache()!.getMany(embedder.id, movies.map((m) => textHash(embeddingText(m))));
  assert.equal(cached.size, movies.length);
  assert.deepEqual(progress[0], `read 0/${movies.length}`);
  assert.ok(progress.includes(`read ${movies.length}/${movies.length}`) && progress.at(-1) === `write ${movies.length}/${movies.length}`, progress.join(", "));
});

test("a target that holds movies is refused unless replacing, and then becomes the source", async () => {
  const target = open(server.collectionUrl(), { create: true });
  await target.write(await ingestBatch([{ ...movies[0]!, id: "tt7777777", title: "Only in the target" }, movies[1]!], embedder));
  await assert.rejects(copyCollection(source, target, { finish }), (e: Error) => e instanceof CollectionError && /already holds 2 movies; .*--replace/.test(e.message));
  assert.equal(await target.count(), 2, "untouched");
  const result = await copyCollection(source, target, { finish, replace: true });
  assert.equal(result.replaced, 1);
  assert.deepEqual((await records(target)).map((r) => r.movie.id).sort(), movies.map((m) => m.id).sort());
  assert.equal(await target.movie("tt7777777"), null);
});

test("an empty source, or a target whose vectors have other dimensions, is refused before anything is written", async () => {
  const empty = open(server.collectionUrl(), { create: true });
  await empty.write({});
  await assert.rejects(copyCollection(empty, emptyTarget(), { finish }), /the collection is empty; nothing to copy/);
  const other = open(server.collectionUrl(), { create: true });
  const short = (await ingestBatch([movies[0]!], embedder)).upsert!.map((u) => ({ ...u, raw: u.raw.subarray(0, 10) }));
  await other.write({ upsert: short, manifest: { embedderId: "other/10", dims: 10 } });
  await other.write({ remove: [movies[0]!.id] });
  await assert.rejects(copyCollection(source, other, { finish }), /its vectors have 10 dimensions \(other\/10\), .* 100 \(glove/);
  assert.equal((await other.manifest())!.embedderId, "other/10");
});

test("a copy that fails part-way leaves the target as it was", async () => {
  const target = open(server.collectionUrl(), { create: true });
  await target.write(await ingestBatch(movies.slice(0, 2), embedder));
  const token = await target.freshness();
  let n = 0;
  const failing = (raw: Float32Array, state: Parameters<Embedder["finish"]>[1]) => {
    if (++n > 5) throw new Error("finish failed on the sixth vector");
    return finish(raw, state);
  };
  await assert.rejects(copyCollection(source, target, { finish: failing, replace: true }), /finish failed on the sixth vector/);
  assert.equal(await target.freshness(), token);
  assert.deepEqual((await records(target)).map((r) => r.movie.id), movies.slice(0, 2).map((m) => m.id));
});
