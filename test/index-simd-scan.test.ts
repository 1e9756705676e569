import { test } from "node:test";
import assert from "node:assert/strict";
import { dot, FlatVectors } from "../src/vector-index/flat.js";
import { seededRandom } from "../src/vector-index/kmeans.js";
import { SIMD_SCAN_AVAILABLE, SIMD_SCAN_PART_BYTES, SimdScan } from "../src/vector-index/simd-scan.js";

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

test("a scan kept in parts scores, histograms and selects exactly as one kept whole", () => {
  const dims = 100;
  const rows = 1001;
  const m = randomRows(rows, dims, 21);
  const whole = new SimdScan(dims);
  const parts = new SimdScan(dims, { partRows: 64 });
  whole.load(m, rows);
  parts.load(m, rows);
  assert.equal(whole.partCount, 1);
  assert.equal(parts.partCount, 16);
  const q = randomRows(1, dims, 22);
  assert.equal(parts.scores(q), whole.scores(q));
  for (const want of [1, 10, 100]) assert.equal(parts.bar(want), whole.bar(want), `bar(${want})`);
  for (const floor of [-Infinity, whole.bar(10), whole.bar(100)]) {
    const a = whole.select(floor);
    const b = parts.select(floor);
    assert.deepEqual([...b.rows], [...a.rows], `rows at floor ${floor}`);
    assert.deepEqual([...b.scores], [...a.scores], `scores at floor ${floor}`);
  }
  assert.throws(() => new SimdScan(dims, { partRows: 6 }), /multiple of 4/);
});

test("exact search through a scan in parts matches a plain scan through additions past a part, overwrites, removals and compaction", () => {
  // Parts of 64 rows stand in for SIMD_SCAN_PART_BYTES (256 MB, the old cap on the 8-bit scan):
  // the code that crosses parts is the same at any part size.
  const dims = 48;
  const n = 200;
  const flat = new FlatVectors(dims, Int32Array.from({ length: n }, (_, i) => i + 1), randomRows(n, dims, 31), { scan: { partRows: 64 } });
  const queries = randomRows(12, dims, 32);
  const check = (label: string, parts: number) => {
    for (let i = 0; i < 12; i++) {
      const q = queries.subarray(i * dims, (i + 1) * dims);
      const got = flat.searchAll(q, 10);
      assert.deepEqual(got.map((h) => h.id), reference(flat, q, 10), `${label}: query ${i}`);
      for (const h of got) assert.equal(h.score, dot(flat.vector(h.id)!, 0, q, 0, dims), `${label}: score of ${h.id}`);
      const odd = (id: number) => id % 2 === 1;
      assert.deepEqual(flat.searchWhere(q, 40, odd).map((h) => h.id), reference(flat, q, 40, odd), `${label}: filtered query ${i}`);
    }
    assert.equal(flat.scanParts, parts, `${label}: parts`);
  };
  check("as built", 4);
  // Additions one at a time fill the last part and open new ones (only the new rows are quantized).
  const extra = randomRows(150, dims, 33);
  for (let i = 0; i < 150; i++) {
    flat.upsert(1000 + i, extra, i * dims);
    if (i % 50 === 49) check(`after ${i + 1} additions`, Math.ceil((n + i + 1) / 64));
  }
  // Overwrites in the first, a middle and the last part: each query becomes its own best hit.
  const targets = [3, 130, 1149, 64, 65, 1100, 7, 199, 200, 1000, 1001, 1148];
  targets.forEach((id, i) => flat.upsert(id, queries, i * dims));
  check("after overwrites", 6);
  targets.forEach((id, i) => assert.equal(flat.searchAll(queries.subarray(i * dims, (i + 1) * dims), 1)[0]!.id, id));
  // Removals across parts (tombstones are skipped), then compaction moves rows between parts.
  for (let id = 20; id <= 140; id++) flat.remove(id);
  for (let id = 1050; id < 1090; id++) flat.remove(id);
  check("after removals", 6);
  flat.compact();
  check("after compaction", Math.ceil(flat.size / 64));
  // Writes after compaction go to the rows as they now lie.
  const more = randomRows(100, dims, 34);
  for (let i = 0; i < 100; i++) flat.upsert(5000 + i, more, i * dims);
  flat.upsert(1, queries, 0);
  check("after compaction and more writes", Math.ceil(flat.size / 64));
  assert.equal(flat.searchAll(queries.subarray(0, dims), 1)[0]!.id, 1);
});

test("a copy larger than one part of SIMD_SCAN_PART_BYTES is scored within the bound on both sides of the boundary", () => {
  // A real crossing of the default part size (the old 256 MB cap) at a size the suite affords:
  // 3 dims are padded to 16 bytes a row, so a part holds 8.4M rows, and 100 MB of floats cross it.
  const dims = 3;
  const scan = new SimdScan(dims);
  const rows = scan.partRows + 5000;
  assert.equal(scan.partRows, Math.floor(SIMD_SCAN_PART_BYTES / 32 / 4) * 4);
  const m = randomRows(rows, dims, 41);
  scan.load(m, rows);
  assert.equal(scan.partCount, 2);
  const q = randomRows(1, dims, 42);
  const error = scan.scores(q);
  const { rows: listed, scores } = scan.select(scan.bar(50_000));
  let top = 0;
  let topScore = -Infinity;
  for (let r = 0; r < rows; r++) {
    const s = dot(m, r * dims, q, 0, dims);
    if (s > topScore) {
      top = r;
      topScore = s;
    }
  }
  assert.ok(listed.length >= 50_000 && listed.length < 200_000, `${listed.length} rows selected`);
  let crossed = 0;
  for (let i = 0; i < listed.length; i++) {
    const r = listed[i]!;
    if (r >= scan.partRows) crossed++;
    assert.ok(Math.abs(scores[i]! - dot(m, r * dims, q, 0, dims)) <= error, `row ${r}`);
  }
  assert.ok(crossed > 0 && crossed < listed.length, `selected rows from both parts (${crossed} past the boundary)`);
  // The best row is among those selected, wherever it lies.
  assert.ok([...listed].includes(top), `best row ${top} selected`);
  // Rows just past the boundary, written in place, are scored from their new values.
  const row = scan.partRows + 1;
  m.set(q.map((x) => x * 100), row * dims);
  scan.setRow(row, m, row * dims);
  scan.scores(q);
  const best = scan.select(scan.bar(1));
  assert.ok([...best.rows].includes(row), "the overwritten row past the boundary ranks first");
});
