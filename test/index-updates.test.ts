import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, existsSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ExactIndex } from "../src/vector-index/exact.js";
import { HnswIndex } from "../src/vector-index/hnsw.js";
import { IvfPqIndex } from "../src/vector-index/ivfpq.js";
import { sidecarPaths } from "../src/store/sqlite/saved-index.js";
import type { MutableVectorIndex } from "../src/vector-index/vector-index.js";
import { Plotline } from "../src/plotline.js";
import { runCli } from "./helpers/cli.js";
import { tempDir, tmdbGloveDb } from "./helpers/collections.js";
import { fixture } from "./helpers/indexes.js";
import { MOVIES_CSV } from "./helpers/paths.js";
import { tmdbTest } from "./helpers/data.js";

const dir = tempDir();

function kinds(fx: ReturnType<typeof fixture>): Record<string, MutableVectorIndex> {
  return {
    exact: new ExactIndex(fx.flat()),
    hnsw: HnswIndex.build(fx.flat()),
    ivfpq: IvfPqIndex.build(fx.flat(), { nlist: 32, iterations: 6 }),
  };
}

test("add, update and delete change what every index type returns, without a rebuild", () => {
  const fx = fixture(3000, 32, 20);
  const extra = fixture(200, 32, 0, 99);
  for (const [name, index] of Object.entries(kinds(fx))) {
    // Add 200 new ids: each is its own nearest neighbour.
    const newIds = Array.from({ length: 200 }, (_, i) => 10_001 + i);
    index.upsert(newIds, extra.data);
    assert.equal(index.size, 3200, name);
    for (const i of [0, 57, 199]) assert.equal(index.search(extra.data.subarray(i * 32, (i + 1) * 32), 1)[0]!.id, newIds[i], `${name}: added ${newIds[i]}`);

    // Update id 5 to sit exactly on query 0.
    index.upsert([5], Float32Array.from(fx.query(0)));
    const top = index.search(fx.query(0), 1)[0]!;
    assert.equal(top.id, 5, `${name}: updated vector found at its new place`);
    assert.ok(Math.abs(top.score - 1) < 1e-5);
    assert.deepEqual(Array.from(index.vector(5)!), Array.from(fx.query(0)));

    // Delete the current top 3 of every query: none comes back, pages stay full.
    const gone = new Set<number>();
    for (let q = 0; q < fx.queries; q++) for (const h of index.search(fx.query(q), 3)) gone.add(h.id);
    assert.equal(index.remove([...gone, 987_654]), gone.size, `${name}: counts only present ids`);
    assert.equal(index.size, 3200 - gone.size);
    for (let q = 0; q < fx.queries; q++) {
      const hits = index.search(fx.query(q), 10);
      assert.equal(hits.length, 10, `${name}: full page after deletes`);
      for (const h of hits) assert.ok(!gone.has(h.id), `${name}: deleted ${h.id} returned`);
    }
    assert.equal(index.vector([...gone][0]!), null);
  }
});

test("after many changes the approximate indexes still agree with exact (recall@10 > 0.9), and compaction keeps them searchable", () => {
  const fx = fixture(4000, 32, 50, 5);
  const all = kinds(fx);
  const extra = fixture(1500, 32, 0, 77);
  for (const index of Object.values(all)) {
    // 1,500 deletes (37%: past every compaction threshold), 1,500 adds, 500 updates.
    index.remove(Array.from({ length: 1500 }, (_, i) => i * 2 + 1));
    index.upsert(Array.from({ length: 1500 }, (_, i) => 20_000 + i), extra.data);
    index.upsert(Array.from({ length: 500 }, (_, i) => i * 2 + 2), extra.data.slice(0, 500 * 32));
  }
  const hnsw = all.hnsw as HnswIndex;
  assert.ok(hnsw.removed < 0.2 * hnsw.size, `hnsw compacted its graph (removed ${hnsw.removed})`);
  assert.equal(hnsw.graphSize, hnsw.size);
  for (const name of ["hnsw", "ivfpq"]) {
    let found = 0;
    for (let q = 0; q < fx.queries; q++) {
      const want = new Set(all.exact!.search(fx.query(q), 10).map((h) => h.id));
      found += all[name]!.search(fx.query(q), 10).filter((h) => want.has(h.id)).length;
    }
    assert.ok(found / (fx.queries * 10) > 0.9, `${name} recall@10 after changes ${found / (fx.queries * 10)}`);
    assert.equal(all[name]!.size, all.exact!.size);
  }
});

test("hnsw and ivfpq indexes reload from their files with the same results, and keep changing after", () => {
  const fx = fixture(3000, 32, 20, 3);
  const built = { hnsw: HnswIndex.build(fx.flat()), ivfpq: IvfPqIndex.build(fx.flat(), { nlist: 32, iterations: 6 }) };
  built.hnsw.save(join(dir, "x.usearch"));
  built.ivfpq.save(join(dir, "x.ivfpq"));
  const loaded = { hnsw: HnswIndex.load(join(dir, "x.usearch"), fx.flat()), ivfpq: IvfPqIndex.load(join(dir, "x.ivfpq"), fx.flat()) };
  for (const name of ["hnsw", "ivfpq"] as const) {
    for (let q = 0; q < fx.queries; q++) assert.deepEqual(loaded[name].search(fx.query(q), 10), built[name].search(fx.query(q), 10), `${name} query ${q}`);
    loaded[name].remove([1, 2, 3]);
    loaded[name].upsert([9999], Float32Array.from(fx.query(1)));
    assert.equal(loaded[name].search(fx.query(1), 1)[0]!.id, 9999);
  }
  writeFileSync(join(dir, "bad.ivfpq"), "not an index");
  assert.throws(() => IvfPqIndex.load(join(dir, "bad.ivfpq"), fx.flat()), /not a Plotline IVF-PQ file/);
});

tmdbTest("a collection's saved index is loaded without a rebuild, caught up after removals, and rebuilt when stale", async () => {
  const db = join(dir, "tmdb.db");
  copyFileSync(await tmdbGloveDb(), db);
  const notices: string[] = [];
  const open = (readonly = false) => Plotline.open({ db, readonly, onNotice: (m) => notices.push(m) });

  let p = open();
  const built = await p.prepareIndex({ type: "hnsw" });
  assert.equal(built.status, "built");
  assert.equal(built.kind, "hnsw");
  const paths = sidecarPaths(db, "hnsw");
  assert.ok(existsSync(paths.data) && existsSync(paths.meta));
  const query = "tt3659388"; // The Martian
  const nearest = async (q: Plotline) => (await q.store.vectorTop({ id: query }, { k: 5 })).map((h) => h.id);
  const before = await nearest(p);
  assert.equal(before[0], query);
  assert.equal((await p.info()).index!.fresh, true);
  await p.close();

  // Reopened: loaded as saved, same answers.
  p = open();
  const loaded = await p.prepareIndex();
  assert.equal(loaded.status, "loaded");
  assert.deepEqual(await nearest(p), before);

  // Removing movies leaves the file stale; the next open catches up with just those rows.
  const removedIds = before.slice(1, 3);
  await p.remove(removedIds);
  assert.equal((await p.info()).index!.fresh, false);
  await p.close();
  const mtime = statSync(paths.data).mtimeMs;
  p = open(true);
  const after = await nearest(p);
  for (const id of removedIds) assert.ok(!after.includes(id), "removed movies are gone");
  assert.equal(after.length, 5);
  assert.equal(statSync(paths.data).mtimeMs, mtime, "a read-only open writes nothing");
  assert.ok(notices.some((m) => /caught up in memory/.test(m)), notices.join("\n"));
  await p.close();
  p = open();
  const synced = await p.prepareIndex();
  assert.equal(synced.status, "synced");
  assert.equal(synced.changes, 2);
  assert.equal((await p.info()).index!.fresh, true);

  // Other build parameters, or a damaged file: rebuilt.
  const other = await p.prepareIndex({ type: "hnsw", hnsw: { M: 8 } });
  assert.equal(other.status, "built");
  await p.close();
  truncateSync(paths.data, 100);
  p = open();
  notices.length = 0;
  assert.equal((await p.prepareIndex()).status, "built");
  assert.ok(existsSync(paths.data) && statSync(paths.data).size > 100);

  // Switching type removes the other type's files; exact saves nothing.
  const ivf = await p.prepareIndex({ type: "ivfpq", ivfpq: { iterations: 4 } });
  assert.equal(ivf.kind, "ivfpq");
  assert.ok(!existsSync(paths.data), "hnsw files removed");
  assert.ok(existsSync(sidecarPaths(db, "ivfpq").data));
  assert.equal((await p.prepareIndex({ type: "auto" })).kind, "exact", "auto is exact below 50,000 movies");
  assert.ok(!existsSync(sidecarPaths(db, "ivfpq").data));
  await p.close();
});

test("re-ingesting refits the embedder's state, so a saved index is rebuilt rather than trusted", async () => {
  const db = join(dir, "small.db");
  let p = Plotline.open({ db, create: true });
  await p.ingest([{ file: MOVIES_CSV }], { embedder: "glove" });
  assert.equal((await p.prepareIndex({ type: "hnsw" })).status, "built");
  const meta = JSON.parse(readFileSync(sidecarPaths(db, "hnsw").meta, "utf8")) as { seq: number };
  assert.ok(meta.seq >= 10, "the change log counted the inserts");
  // One movie less in the file: the common component refitted on 9 movies changes every vector.
  const csv = readFileSync(MOVIES_CSV, "utf8").trimEnd().split("\n");
  writeFileSync(join(dir, "nine.csv"), csv.slice(0, -1).join("\n") + "\n");
  const [last] = await p.store.page({ fields: [], offset: 9, limit: 1 });
  await p.remove([last!.id]);
  await p.ingest([{ file: join(dir, "nine.csv") }]);
  await p.close();
  p = Plotline.open({ db });
  assert.equal((await p.prepareIndex()).status, "built");
  await p.close();
});

test("plotline ingest --index and plotline index build, save and report the index", async () => {
  const db = join(dir, "cli.db");
  const ingest = await runCli(["ingest", MOVIES_CSV, "--embedder", "glove", "--index", "hnsw", "--ef-search", "32", "--db", db]);
  assert.equal(ingest.code, 0, ingest.stderr);
  assert.match(ingest.stdout, /Index hnsw: 10 vectors, built .* saved .*cli\.db\.hnsw\.usearch/);
  const status = await runCli(["index", "--db", db, "--json"]);
  assert.equal(status.code, 0, status.stderr);
  const s = JSON.parse(status.stdout) as { kind: string; fresh: boolean; config: { type: string; hnsw: { efSearch: number } } };
  assert.equal(s.kind, "hnsw");
  assert.equal(s.fresh, true);
  assert.equal(s.config.hnsw.efSearch, 32);
  const search = await runCli(["search", "an astronaut stranded on Mars", "-k", "3", "--db", db, "--json"]);
  assert.equal(search.code, 0, search.stderr);
  assert.equal((JSON.parse(search.stdout) as { results: unknown[] }).results.length, 3);
  const ivf = await runCli(["index", "--type", "ivfpq", "--nprobe", "2", "--db", db]);
  assert.equal(ivf.code, 0, ivf.stderr);
  assert.match(ivf.stdout, /Index ivfpq: 10 vectors, built/);
  const info = await runCli(["info", "--db", db]);
  assert.match(info.stdout, /index\s+ivfpq, .*cli\.db\.ivfpq\.bin/);
  const bad = await runCli(["index", "--type", "annoy", "--db", db]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr.trim(), /^[^\n]*--type[^\n]*annoy[^\n]*$/);
  const badParam = await runCli(["ingest", MOVIES_CSV, "--index", "hnsw", "--m", "many", "--db", db]);
  assert.notEqual(badParam.code, 0);
  assert.match(badParam.stderr, /--m/);
});
