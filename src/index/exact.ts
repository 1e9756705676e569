import { exactSearch, MetricKind } from "usearch";
import { TopK } from "./topk.js";
import type { VectorHit, VectorIndex } from "./vector-index.js";

/**
 * Exact inner-product search over one contiguous Float32Array (FAISS IndexFlatIP). A linear
 * scan is memory-bound: 10k x 100-d is 4 MB a query, well under a millisecond with SIMD.
 * Unfiltered queries use usearch's SIMD brute force (about 3.5x a JavaScript loop here, see
 * BENCHMARKS.md); filtered ones scan in JavaScript so rejected ids never take a place.
 */
export class ExactIndex implements VectorIndex {
  private readonly positions = new Map<number, number>();

  /** `matrix` holds `ids.length` unit vectors of `dims`, row i belonging to `ids[i]`. */
  constructor(
    readonly dims: number,
    private readonly ids: Int32Array,
    private readonly matrix: Float32Array,
  ) {
    ids.forEach((id, i) => this.positions.set(id, i));
  }

  get size(): number {
    return this.ids.length;
  }

  vector(id: number): Float32Array | null {
    const i = this.positions.get(id);
    return i === undefined ? null : this.matrix.subarray(i * this.dims, (i + 1) * this.dims);
  }

  search(query: Float32Array, k: number, accept?: (id: number) => boolean): VectorHit[] {
    const { dims, matrix, ids } = this;
    if (query.length !== dims) throw new Error(`query has ${query.length} dimensions, index has ${dims}`);
    const n = ids.length;
    if (!accept && n > 0 && k > 0) {
      // One thread: the caller decides about parallelism (a server runs one query per core).
      const m = exactSearch(matrix, query, dims, Math.min(k, n), MetricKind.IP, 1) as { keys: BigUint64Array; distances: Float32Array };
      const hits: VectorHit[] = [];
      for (let i = 0; i < m.keys.length; i++) hits.push({ id: ids[Number(m.keys[i])]!, score: 1 - m.distances[i]! });
      return hits.sort((a, b) => b.score - a.score || a.id - b.id);
    }
    const top = new TopK(k);
    for (let i = 0, base = 0; i < n; i++, base += dims) {
      // Four accumulators let the JIT overlap the multiply-adds.
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let d = 0;
      for (; d + 3 < dims; d += 4) {
        s0 += matrix[base + d]! * query[d]!;
        s1 += matrix[base + d + 1]! * query[d + 1]!;
        s2 += matrix[base + d + 2]! * query[d + 2]!;
        s3 += matrix[base + d + 3]! * query[d + 3]!;
      }
      for (; d < dims; d++) s0 += matrix[base + d]! * query[d]!;
      const score = s0 + s1 + s2 + s3;
      if (score < top.threshold) continue;
      const id = ids[i]!;
      if (accept && !accept(id)) continue;
      top.push(id, score);
    }
    return top.result();
  }
}
