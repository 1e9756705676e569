import { test } from "node:test";
import assert from "node:assert/strict";
import { dot, FlatVectors } from "../src/vector-index/flat.js";
import { seededRandom } from "../src/vector-index/kmeans.js";
import { SIMD_SCAN_AVAILABLE, SimdScan } from "../src/vector-index/simd-scan.js";

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

test("the 8-bit SIMD scan stays within its stated error of dot, for dims that need padding and dims that do not", () => {
  for (const dims of [3, 16, 100, 384]) {
    const rows = 257;
    const m = randomRows(rows, dims, dims);
    const scan = new SimdScan(dims);
    scan.load(m, rows);
    const q = randomRows(1, dims, 99);
    const error = scan.scores(q);
    const all = scan.select(-Infinity);
    const listed = Int32Array.from(all.rows);
    const scores = Float32Array.from(all.scores);
    assert.deepEqual([...listed], Array.from({ length: rows }, (_, r) => r));
    let worst = 0;
    for (let r = 0; r < rows; r++) {
      const miss = Math.abs(scores[r]! - dot(m, r * dims, q, 0, dims));
      assert.ok(miss <= error, `dims ${dims}, row ${r}: off by ${miss}, bound ${error}`);
      worst = Math.max(worst, miss);
    }
    // `select` lists exactly the rows at or above a floor, in row order.
    const floor = scan.bar(20);
    const above = [...listed].filter((r) => scores[r]! >= floor);
    assert.ok(above.length >= 1 && above.length < rows, `dims ${dims}: ${above.length} rows reach the bar`);
    assert.deepEqual([...scan.select(floor).rows], above);
    // The bound must also be useful (it decides how many rows are re-scored): within 30 times the worst miss.
    assert.ok(worst > 0 && error < 30 * worst, `dims ${dims}: worst ${worst}, bound ${error}`);
  }
});

test("rows with a zero vector or one huge value are scored within the bound", () => {
  const dims = 20;
  const m = randomRows(4, dims, 5);
  m.fill(0, 0, dims);
  m[dims + 3] = 1e6;
  const scan = new SimdScan(dims);
  scan.load(m, 4);
  const q = randomRows(1, dims, 6);
  const error = scan.scores(q);
  const { scores } = scan.select(-Infinity);
  assert.equal(scores[0], 0);
  for (let r = 0; r < 4; r++) assert.ok(Math.abs(scores[r]! - dot(m, r * dims, q, 0, dims)) <= error, `row ${r}`);
  assert.ok(scan.scores(new Float32Array(dims)) < 1e-40, "a zero query: no error beyond float32 underflow");
  assert.deepEqual([...scan.select(-Infinity).scores], [0, 0, 0, 0]);
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

test("values outside float32's safe range, NaN and k = 0 fall back to an exact scan or an empty answer", () => {
  const dims = 8;
  const n = 40;
  const rows = randomRows(n, dims, 11);
  const ids = Int32Array.from({ length: n }, (_, i) => i + 1);
  const q = randomRows(1, dims, 12);
  // Tiny values: float32 products fall below its normal range, where only an absolute bound holds.
  for (const scale of [1e-30, 1e-20, 1e6]) {
    const flat = new FlatVectors(dims, ids, rows.map((x) => x * scale));
    const qs = q.map((x) => x * scale);
    assert.deepEqual(flat.searchAll(qs, 10).map((h) => h.id), reference(flat, qs, 10), `scale ${scale}`);
  }
  const flat = new FlatVectors(dims, ids, rows.slice());
  assert.deepEqual(flat.searchWhere(q, 0, () => true), []);
  // A NaN row has no bound: the exact scan still answers for the other rows.
  const broken = rows.slice(0, dims).fill(NaN);
  flat.upsert(3, broken);
  assert.equal(flat.searchAll(q, 10).length, 10);
  flat.upsert(3, rows, 2 * dims);
  assert.deepEqual(flat.searchAll(q, 10).map((h) => h.id), reference(flat, q, 10));
});
