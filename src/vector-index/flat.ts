import { exactSearch, MetricKind } from "usearch";
import { SIMD_SCAN_AVAILABLE, SimdScan, type SimdScanOptions } from "./simd-scan.js";
import { TopK } from "./topk.js";
import type { VectorHit } from "./vector-index.js";

/** Inner product of `a[ao..ao+dims)` and `b[bo..bo+dims)`. Four accumulators let the JIT overlap the multiply-adds. */
export function dot(a: Float32Array, ao: number, b: Float32Array, bo: number, dims: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let d = 0;
  for (; d + 3 < dims; d += 4) {
    s0 += a[ao + d]! * b[bo + d]!;
    s1 += a[ao + d + 1]! * b[bo + d + 1]!;
    s2 += a[ao + d + 2]! * b[bo + d + 2]!;
    s3 += a[ao + d + 3]! * b[bo + d + 3]!;
  }
  for (; d < dims; d++) s0 += a[ao + d]! * b[bo + d]!;
  return s0 + s1 + s2 + s3;
}

/**
 * usearch's `exactSearch` reads typed arrays from the start of their ArrayBuffer, ignoring
 * `byteOffset` (checked against 2.25.3), so a subarray, e.g. a row from `vector(id)`, would be
 * read as the buffer's first row. Such views are copied first.
 */
export function ownBuffer(v: Float32Array): Float32Array {
  return v.byteOffset === 0 ? v : Float32Array.from(v);
}

/** Fraction of dead slots at which `compactIfNeeded` rewrites the store (default 0.25). */
export const FLAT_COMPACT_AT = 0.25;

/**
 * Whether exact searches scan the 8-bit SIMD copy (else usearch's float scan): whenever the
 * runtime has WebAssembly SIMD, at any size, since the copy is kept in parts
 * (`SIMD_SCAN_PART_BYTES`). Its cost is a quarter of the float rows' memory again.
 */
export function simdScanFits(_rows: number, _dims: number): boolean {
  return SIMD_SCAN_AVAILABLE;
}

export interface FlatVectorsOptions {
  /** How the 8-bit copy is kept (rows per part); the default suits any size. */
  scan?: SimdScanOptions;
}

/**
 * The vectors of an index: one contiguous Float32Array of rows (so a scan streams memory at
 * full bandwidth), a row per slot, and a map from id to slot. Deleting leaves a tombstone (id
 * -1, zero vector) that scans skip; `compact` rewrites the rows without them. Every index type
 * keeps its full-precision vectors here for `vector(id)`, exact re-ranking and exact search
 * over selective filters; the collection is their durable copy.
 */
export class FlatVectors {
  /**
   * The SIMD copy of the rows (see `topOf`), and how many of its first rows are current: later
   * rows (appended, or moved by `compact`) are quantized on the next search, earlier ones are
   * kept current by `upsert`.
   */
  private scan: SimdScan | null = null;
  private scanRows = 0;
  private readonly scanOptions: SimdScanOptions;
  private slotIds: Int32Array;
  private data: Float32Array;
  private readonly slots = new Map<number, number>();
  private used = 0;
  private dead = 0;

  /**
   * `matrix` holds `ids.length` rows of `dims`, row i belonging to `ids[i]`; ids must be
   * distinct. The store takes `matrix` over (no copy: at a million 384-d vectors a copy is
   * 1.5 GB) when it is a whole ArrayBuffer, so the caller must not change it afterwards.
   */
  constructor(
    readonly dims: number,
    ids: ArrayLike<number> = [],
    matrix: Float32Array = new Float32Array(0),
    options: FlatVectorsOptions = {},
  ) {
    if (!Number.isInteger(dims) || dims <= 0) throw new Error(`dims must be a positive integer, got ${dims}`);
    this.scanOptions = options.scan ?? {};
    if (matrix.length !== ids.length * dims) throw new Error(`matrix has ${matrix.length} values, expected ${ids.length} x ${dims}`);
    const n = ids.length;
    this.slotIds = new Int32Array(Math.max(n, 16));
    if (n >= 16 && matrix.byteOffset === 0 && matrix.byteLength === matrix.buffer.byteLength) this.data = matrix;
    else {
      this.data = new Float32Array(Math.max(n, 16) * dims);
      this.data.set(matrix);
    }
    for (let i = 0; i < n; i++) {
      const id = ids[i]!;
      if (this.slots.has(id)) throw new Error(`duplicate id ${id}`);
      this.slotIds[i] = id;
      this.slots.set(id, i);
    }
    this.used = n;
  }

  /** Live vectors. */
  get size(): number {
    return this.used - this.dead;
  }

  /** Slots in use, tombstones included. */
  get slotCount(): number {
    return this.used;
  }

  get tombstones(): number {
    return this.dead;
  }

  has(id: number): boolean {
    return this.slots.has(id);
  }

  slotOf(id: number): number | undefined {
    return this.slots.get(id);
  }

  /** The id in a slot, or -1 for a tombstone. */
  idAt(slot: number): number {
    return this.slotIds[slot]!;
  }

  /** The rows as one array (slot order, byteOffset 0), valid until the next change. */
  get matrix(): Float32Array {
    return this.data.subarray(0, this.used * this.dims);
  }

  vector(id: number): Float32Array | null {
    const slot = this.slots.get(id);
    return slot === undefined ? null : this.data.subarray(slot * this.dims, (slot + 1) * this.dims);
  }

  /** Live ids in slot order. */
  *ids(): Generator<number> {
    for (let s = 0; s < this.used; s++) if (this.slotIds[s]! >= 0) yield this.slotIds[s]!;
  }

  score(id: number, query: Float32Array): number | null {
    const slot = this.slots.get(id);
    return slot === undefined ? null : dot(this.data, slot * this.dims, query, 0, this.dims);
  }

  /** Adds or overwrites (in place) the vector of `id`. */
  upsert(id: number, v: Float32Array, offset = 0): void {
    if (!Number.isInteger(id) || id < 0 || id > 0x7fffffff) throw new Error(`ids must be integers from 0 to 2^31-1, got ${id}`);
    let slot = this.slots.get(id);
    if (slot === undefined) {
      if (this.used === this.slotIds.length) this.grow();
      slot = this.used++;
      this.slotIds[slot] = id;
      this.slots.set(id, slot);
    }
    this.data.set(v.subarray(offset, offset + this.dims), slot * this.dims);
    if (this.scan && slot < this.scanRows) this.scan.setRow(slot, this.data, slot * this.dims);
  }

  remove(id: number): boolean {
    const slot = this.slots.get(id);
    if (slot === undefined) return false;
    this.slots.delete(id);
    this.slotIds[slot] = -1;
    this.data.fill(0, slot * this.dims, (slot + 1) * this.dims);
    this.dead++;
    return true;
  }

  private grow(): void {
    const cap = this.slotIds.length * 2;
    const ids = new Int32Array(cap);
    ids.set(this.slotIds);
    const data = new Float32Array(cap * this.dims);
    data.set(this.data);
    this.slotIds = ids;
    this.data = data;
  }

  /** Rewrites the rows without tombstones. */
  compact(): void {
    if (this.dead === 0) return;
    let w = 0;
    let firstMoved = -1;
    for (let s = 0; s < this.used; s++) {
      const id = this.slotIds[s]!;
      if (id < 0) continue;
      if (w !== s) {
        if (firstMoved < 0) firstMoved = w;
        this.slotIds[w] = id;
        this.data.copyWithin(w * this.dims, s * this.dims, (s + 1) * this.dims);
        this.slots.set(id, w);
      }
      w++;
    }
    this.used = w;
    this.dead = 0;
    // Rows before the first moved one are unchanged in the copy; from there on it is re-made.
    this.scanRows = Math.min(this.scanRows, firstMoved < 0 ? w : firstMoved);
  }

  compactIfNeeded(): void {
    if (this.dead > 0 && this.dead >= FLAT_COMPACT_AT * this.used) this.compact();
  }

  /** Whether searches scan the 8-bit WebAssembly SIMD copy of the rows (see `topOf`). */
  get simdScan(): boolean {
    return simdScanFits(this.used, this.dims);
  }

  /** The 8-bit SIMD copy of the rows, brought up to date (only rows past `scanRows` are quantized), or null without WebAssembly SIMD. */
  private scanner(): SimdScan | null {
    if (!this.simdScan) return null;
    this.scan ??= new SimdScan(this.dims, this.scanOptions);
    if (this.scanRows !== this.used || this.scan.size !== this.used) {
      this.scan.load(this.data, this.used, this.scanRows);
      this.scanRows = this.used;
    }
    return this.scan;
  }

  /** Parts the 8-bit copy is kept in (0 before the first search). */
  get scanParts(): number {
    return this.scan?.partCount ?? 0;
  }

  /**
   * The exact best k of the live slots that pass `accept`, best first, from the 8-bit scan's
   * scores, each within `error` of the exact one. The scan's histogram gives a bar that about
   * 1.5 k rows clear; rows down to 2 errors below it (the floor) are candidates. They are re-scored with
   * `dot` roughly best first, skipping any whose approximate score plus `error` cannot reach the
   * k-th exact score T so far; other rows are never read in full. The result is exact once T is
   * above floor + error, since a row below the floor scores under floor + error exactly.
   * Otherwise (a filter rejected most candidates) the bar is lowered to 4 times the rows.
   */
  private topOf(scan: SimdScan, query: Float32Array, k: number, accept?: (id: number) => boolean): VectorHit[] {
    if (k <= 0) return [];
    const { slotIds, data, dims } = this;
    const error = scan.scores(query);
    if (!Number.isFinite(error)) return this.scanAll(query, k, accept);
    for (let want = k; ; want *= 4) {
      const bar = scan.bar(want);
      const floor = bar - 2 * error;
      const { rows, scores } = scan.select(floor);
      const order = byScore(scores);
      const top = new TopK(k);
      for (let j = 0; j < order.length; j++) {
        const i = order[j]!;
        if (scores[i]! + error < top.threshold) continue;
        const s = rows[i]!;
        const id = slotIds[s]!;
        if (id < 0 || (accept && !accept(id))) continue;
        top.push(id, dot(data, s * dims, query, 0, dims));
      }
      if ((top.length === k && top.threshold > floor + error) || bar === -Infinity) return top.result();
    }
  }

  /**
   * Exact top k over every live vector: the 8-bit WebAssembly SIMD scan (`simd-scan.ts`) with
   * exact re-scoring, or without WebAssembly SIMD usearch's float brute force on one thread
   * (the caller decides about parallelism), asking for `k + tombstones` so dead slots never
   * take a place and re-scoring its hits with `dot`.
   */
  searchAll(query: Float32Array, k: number): VectorHit[] {
    const live = this.size;
    if (live === 0 || k <= 0) return [];
    const scan = this.scanner();
    if (scan) return this.topOf(scan, query, Math.min(k, live));
    const want = Math.min(k + this.dead, this.used);
    const m = exactSearch(this.matrix, ownBuffer(query), this.dims, want, MetricKind.IP, 1) as { keys: BigUint64Array };
    const top = new TopK(Math.min(k, live));
    for (let i = 0; i < m.keys.length; i++) {
      const slot = Number(m.keys[i]);
      const id = this.slotIds[slot]!;
      if (id >= 0) top.push(id, dot(this.data, slot * this.dims, query, 0, this.dims));
    }
    return top.result();
  }

  /** Exact top k over the live vectors whose id passes `accept` (rejected ids never take a place). */
  searchWhere(query: Float32Array, k: number, accept: (id: number) => boolean): VectorHit[] {
    const scan = this.scanner();
    if (scan) return this.topOf(scan, query, k, accept);
    return this.scanAll(query, k, accept);
  }

  /** Exact top k by `dot` over every live slot that passes `accept`: the plain scan. */
  private scanAll(query: Float32Array, k: number, accept?: (id: number) => boolean): VectorHit[] {
    if (k <= 0) return [];
    const top = new TopK(k);
    const { dims, data, slotIds } = this;
    for (let s = 0, base = 0; s < this.used; s++, base += dims) {
      const id = slotIds[s]!;
      if (id < 0 || (accept && !accept(id))) continue;
      top.push(id, dot(data, base, query, 0, dims));
    }
    return top.result();
  }

  /** Exact top k over the given ids (those not stored are skipped): the path for selective filters. */
  searchIds(query: Float32Array, k: number, ids: Iterable<number>): VectorHit[] {
    const top = new TopK(k);
    for (const id of ids) {
      const slot = this.slots.get(id);
      if (slot === undefined) continue;
      top.push(id, dot(this.data, slot * this.dims, query, 0, this.dims));
    }
    return top.result();
  }

  /** Exact scores for candidate ids, best k first (re-ranking an approximate index's candidates). */
  rerank(query: Float32Array, k: number, candidates: ArrayLike<number>): VectorHit[] {
    const top = new TopK(k);
    for (let i = 0; i < candidates.length; i++) {
      const id = candidates[i]!;
      const slot = this.slots.get(id);
      if (slot !== undefined) top.push(id, dot(this.data, slot * this.dims, query, 0, this.dims));
    }
    return top.result();
  }

  /** Approximate bytes held (rows and ids, capacity included; the id map not counted). */
  get bytes(): number {
    return this.data.byteLength + this.slotIds.byteLength;
  }
}


/** Buckets `byScore` sorts candidates into: a few candidates each, so their order barely matters. */
const ORDER_BUCKETS = 64;

/**
 * Positions of `scores`, highest score's bucket first (a counting sort into equal-width buckets
 * between the least and greatest score): order enough to reach the k-th score early, without
 * comparing pairs.
 */
function byScore(scores: Float32Array): Int32Array {
  const n = scores.length;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = scores[i]!;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  const scale = hi > lo ? (ORDER_BUCKETS - 1) / (hi - lo) : 0;
  const starts = new Int32Array(ORDER_BUCKETS + 1);
  const bucket = new Int32Array(n);
  for (let i = 0; i < n; i++) starts[(bucket[i] = ORDER_BUCKETS - 1 - Math.floor((scores[i]! - lo) * scale)) + 1]!++;
  for (let b = 0; b < ORDER_BUCKETS; b++) starts[b + 1]! += starts[b]!;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[starts[bucket[i]!]!++] = i;
  return order;
}
