import { test } from "node:test";
import assert from "node:assert/strict";
import { normalize } from "../src/embed/embedder.js";
import { ExactIndex } from "../src/vector-index/exact.js";
import { HnswIndex } from "../src/vector-index/hnsw.js";
import { IvfPqIndex } from "../src/vector-index/ivfpq.js";
import { finishedVectors } from "../src/store/sqlite/saved-index.js";
import { seededRandom } from "../src/vector-index/kmeans.js";
import type { VectorIndex } from "../src/vector-index/vector-index.js";
import { Plotline } from "../src/plotline.js";
import { sqliteOf, tmdbGloveDb } from "./helpers/collections.js";
import { fixture, recallAt, truth } from "./helpers/indexes.js";
import { tmdbTest } from "./helpers/data.js";

/** Top-k by a plain sort of every score: a reference independent of the index code. */
function bruteForce(data: Float32Array, dims: number, ids: Int32Array, q: Float32Array, k: number) {
  const all: { id: number; score: number }[] = [];
  for (let i = 0; i < ids.length; i++) {
    let s = 0;
    for (let d = 0; d < dims; d++) s += data[i * dims + d]! * q[d]!;
    all.push({ id: ids[i]!, score: s });
  }
  return all.sort((a, b) => b.score - a.score || a.id - b.id).slice(0, k);
}

test("every index type returns the exact top-10 on a small fixture at full-recall settings", () => {
  const fx = fixture(2000, 32, 25);
  const indexes: Record<string, VectorIndex> = {
    exact: new ExactIndex(fx.flat()),
    // ef >= n: the search visits the whole (connected) graph.
    hnsw: HnswIndex.build(fx.flat(), { efConstruction: 200, efSearch: 2000 }),
    // Every list probed and every candidate re-ranked exactly.
    ivfpq: IvfPqIndex.build(fx.flat(), { nlist: 16, nprobe: 16, rerank: 2000, iterations: 6 }),
  };
  for (const [name, index] of Object.entries(indexes)) {
    assert.equal(index.size, 2000, name);
    for (let q = 0; q < fx.queries; q++) {
      const want = bruteForce(fx.data, fx.dims, fx.ids, fx.query(q), 10);
      const got = index.search(fx.query(q), 10);
      assert.deepEqual(got.map((h) => h.id), want.map((h) => h.id), `${name}, query ${q}`);
      got.forEach((h, i) => assert.ok(Math.abs(h.score - want[i]!.score) < 1e-5, `${name} score ${h.score} vs ${want[i]!.score}`));
    }
  }
});

test("hnsw and ivfpq reach recall@10 > 0.9 against exact on a 12,000 x 64 synthetic set (default parameters)", (t) => {
  const fx = fixture(12_000, 64, 100, 7);
  const expected = truth(new ExactIndex(fx.flat()), fx, 10);
  const hnsw = recallAt(HnswIndex.build(fx.flat()), fx, expected, 10);
  const ivfpq = recallAt(IvfPqIndex.build(fx.flat()), fx, expected, 10);
  t.diagnostic(`recall@10: hnsw ${hnsw.toFixed(3)}, ivfpq ${ivfpq.toFixed(3)}`);
  assert.ok(hnsw > 0.9, `hnsw recall@10 ${hnsw}`);
  assert.ok(ivfpq > 0.9, `ivfpq recall@10 ${ivfpq}`);
});

tmdbTest("hnsw and ivfpq reach recall@10 > 0.9 on the real TMDB collection's GloVe vectors", async (t) => {
  const p = Plotline.open({ db: await tmdbGloveDb(), readonly: true });
  try {
    const manifest = (await p.store.manifest())!;
    const embedder = await p.queryEmbedder();
    const flat = () => finishedVectors(sqliteOf(p).collection, (raw, state) => embedder.finish(raw, state), manifest);
    const exact = new ExactIndex(flat());
    // Queries between two random movies: near real vectors but not equal to any.
    const ids = [...exact.flat.ids()];
    const random = seededRandom(3);
    const queries = Array.from({ length: 100 }, () => {
      const a = exact.vector(ids[Math.floor(random() * ids.length)]!)!;
      const b = exact.vector(ids[Math.floor(random() * ids.length)]!)!;
      return normalize(a.map((x, d) => x + b[d]!));
    });
    const want = queries.map((q) => new Set(exact.search(q, 10).map((h) => h.id)));
    const recall = (index: VectorIndex) => queries.reduce((acc, q, i) => acc + index.search(q, 10).filter((h) => want[i]!.has(h.id)).length, 0) / (queries.length * 10);
    const hnsw = recall(HnswIndex.build(flat()));
    const ivfpq = recall(IvfPqIndex.build(flat(), { iterations: 8 }));
    t.diagnostic(`recall@10 on ${ids.length} real vectors: hnsw ${hnsw.toFixed(3)}, ivfpq ${ivfpq.toFixed(3)}`);
    assert.ok(hnsw > 0.9, `hnsw recall@10 ${hnsw}`);
    assert.ok(ivfpq > 0.9, `ivfpq recall@10 ${ivfpq}`);
  } finally {
    await p.close();
  }
});

test("an index query given as a view into another array (a stored vector) searches with that vector", () => {
  const fx = fixture(500, 16, 1);
  for (const index of [new ExactIndex(fx.flat()), HnswIndex.build(fx.flat()), IvfPqIndex.build(fx.flat(), { nlist: 4, iterations: 4 })]) {
    const v = index.vector(321)!;
    assert.ok(v.byteOffset > 0, "a view, not a copy");
    assert.equal(index.search(v, 1)[0]!.id, 321, index.constructor.name);
  }
});
