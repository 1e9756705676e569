import { test } from "node:test";
import assert from "node:assert/strict";
import { ExactIndex } from "../src/vector-index/exact.js";
import { seededRandom } from "../src/vector-index/kmeans.js";
import { SyntheticSet } from "../src/vector-index/synthetic.js";

test("the synthetic generator is seeded: same options, same vectors; another seed, others", () => {
  const a = new SyntheticSet({ n: 3000, dims: 48, seed: 5 }).all();
  const b = new SyntheticSet({ n: 3000, dims: 48, seed: 5 }).all();
  const c = new SyntheticSet({ n: 3000, dims: 48, seed: 6 }).all();
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test("chunks stream the same vectors as one array, each of unit length", () => {
  const set = new SyntheticSet({ n: 10_000, dims: 32 });
  const all = set.all();
  const joined = new Float32Array(all.length);
  let offset = 0;
  let chunks = 0;
  for (const c of set.chunks(1024)) {
    assert.ok(c.length <= 1024 * 32, "bounded chunks");
    joined.set(c, offset);
    offset += c.length;
    chunks++;
  }
  assert.equal(chunks, 10);
  assert.deepEqual(joined, all);
  for (let i = 0; i < 10_000; i += 997) {
    let s = 0;
    for (let d = 0; d < 32; d++) s += all[i * 32 + d]! ** 2;
    assert.ok(Math.abs(s - 1) < 1e-5);
  }
});

test("the vectors are clustered like embeddings, not uniform noise", () => {
  const dims = 128;
  const set = new SyntheticSet({ n: 5000, dims });
  const data = set.all();
  const index = new ExactIndex(dims, Int32Array.from({ length: 5000 }, (_, i) => i), data.slice());
  const random = seededRandom(1);
  let nearest = 0;
  let pairs = 0;
  for (let t = 0; t < 200; t++) {
    const i = Math.floor(random() * 5000);
    const j = Math.floor(random() * 5000);
    nearest += index.search(index.vector(i)!, 2)[1]!.score;
    let s = 0;
    for (let d = 0; d < dims; d++) s += data[i * dims + d]! * data[j * dims + d]!;
    pairs += s;
  }
  nearest /= 200;
  pairs /= 200;
  // Uniform unit vectors in 128-d: nearest-neighbour cosine about 0.3, random pairs about 0.
  assert.ok(nearest > 0.6, `nearest-neighbour cosine ${nearest}`);
  assert.ok(pairs > 0.05 && pairs < 0.4, `random-pair cosine ${pairs} (anisotropic, not collapsed)`);
  // Queries come from the model but are not data points.
  const q = set.queries(20);
  for (let i = 0; i < 20; i++) assert.ok(index.search(q.subarray(i * dims, (i + 1) * dims), 1)[0]!.score < 0.999);
});
