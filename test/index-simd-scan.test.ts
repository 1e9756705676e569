import { test } from "node:test";
import assert from "node:assert/strict";
import { dot, FlatVectors } from "../src/index/flat.js";
import { seededRandom } from "../src/index/kmeans.js";
import { SIMD_SCAN_AVAILABLE, SimdScan } from "../src/index/simd-scan.js";

function randomRows(rows: number, dims: number, seed: number): Float32Array {
  const next = seededRandom(seed);
  const m = new Float32Array(rows * dims);
  for (let i = 0; i < m.length; i++) m[i] = next() * 2 - 1;
  return m;
}

/** Top k of a plain JavaScript scan with `dot`: the reference. */
function reference(flat: FlatVectors, q: Float32Array, k: number, accept: (id: number) => boolean = () => true): number[] {
  const all: [number, number][] = [];
  for (const id of flat.ids()) if (accept(id)) all.push([id, dot(flat.vector(id)!, 0, q, 0, flat.dims)]);
  return all
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, k)
    .map(([id]) => id);
}

test("this runtime has WebAssembly SIMD", () => assert.ok(SIMD_SCAN_AVAILABLE));

test("the SIMD kernel's inner products equal dot's, for dims that need padding and dims that do not", () => {
  for (const dims of [3, 8, 100, 384]) {
    const rows = 257;
    const m = randomRows(rows, dims, dims);
    const scan = new SimdScan(dims);
    scan.load(m, rows);
    const q = randomRows(1, dims, 99);
    const got = scan.scores(q);
    assert.equal(got.length, rows);
    for (let r = 0; r < rows; r++) assert.ok(Math.abs(got[r]! - dot(m, r * dims, q, 0, dims)) < 1e-4, `dims ${dims}, row ${r}`);
  }
});

test("exact search through the SIMD scan matches a plain scan through writes, removals and compaction", () => {
  const dims = 100;
  const n = 3000;
  const flat = new FlatVectors(dims, Int32Array.from({ length: n }, (_, i) => i + 1), randomRows(n, dims, 1));
  const queries = randomRows(20, dims, 2);
  const check = (label: string) => {
    for (let i = 0; i < 20; i++) {
      const q = queries.subarray(i * dims, (i + 1) * dims);
      assert.deepEqual(
        flat.searchAll(q, 10).map((h) => h.id),
        reference(flat, q, 10),
        `${label}: query ${i}`,
      );
      const even = (id: number) => id % 2 === 0;
      assert.deepEqual(
        flat.searchWhere(q, 200, even).map((h) => h.id),
        reference(flat, q, 200, even),
        `${label}: filtered query ${i}`,
      );
    }
  };
  check("as built");
  // Overwrite rows in place with the queries themselves: each must become its own best hit.
  for (let i = 0; i < 20; i++) flat.upsert(100 + i, queries, i * dims);
  check("after overwrites");
  for (let i = 0; i < 20; i++) assert.equal(flat.searchAll(queries.subarray(i * dims, (i + 1) * dims), 1)[0]!.id, 100 + i);
  const extra = randomRows(500, dims, 3);
  for (let i = 0; i < 500; i++) flat.upsert(10_000 + i, extra, i * dims);
  check("after additions");
  for (let id = 1; id <= 1500; id++) flat.remove(id);
  check("after removals");
  flat.compact();
  check("after compaction");
});
