import { FlatVectors } from "./flat.js";
import { acceptFn, type IdFilter, type MutableVectorIndex, type VectorHit } from "./vector-index.js";

/**
 * Exact inner-product search over one contiguous Float32Array (FAISS IndexFlatIP): the
 * reference every other index is measured against. A linear scan of floats is memory-bound
 * (10k x 100-d is 4 MB a query), so queries scan an 8-bit copy of every row in SIMD and re-score
 * the few rows near the cut exactly (`FlatVectors.searchAll`, `searchWhere`): rejected ids never
 * take a place. A filter given as a short set of ids scores just those.
 */
export class ExactIndex implements MutableVectorIndex {
  readonly kind = "exact" as const;
  readonly flat: FlatVectors;

  /** `matrix` holds `ids.length` unit vectors of `dims`, row i belonging to `ids[i]`. */
  constructor(dims: number, ids?: ArrayLike<number>, matrix?: Float32Array);
  constructor(flat: FlatVectors);
  constructor(dimsOrFlat: number | FlatVectors, ids?: ArrayLike<number>, matrix?: Float32Array) {
    this.flat = typeof dimsOrFlat === "number" ? new FlatVectors(dimsOrFlat, ids, matrix) : dimsOrFlat;
  }

  get dims(): number {
    return this.flat.dims;
  }

  get size(): number {
    return this.flat.size;
  }

  vector(id: number): Float32Array | null {
    return this.flat.vector(id);
  }

  search(query: Float32Array, k: number, accept?: IdFilter): VectorHit[] {
    if (query.length !== this.dims) throw new Error(`query has ${query.length} dimensions, index has ${this.dims}`);
    if (k <= 0) return [];
    if (!accept) return this.flat.searchAll(query, k);
    // Scoring a listed id reads its row from anywhere in memory; a SIMD pass over every row
    // costs about one such read per 32 rows, so only short lists go by id.
    if (typeof accept !== "function" && accept.size * (this.flat.simdScan ? 32 : 1) < this.flat.size) return this.flat.searchIds(query, k, accept);
    return this.flat.searchWhere(query, k, acceptFn(accept));
  }

  upsert(ids: ArrayLike<number>, vectors: Float32Array): void {
    checkRows(ids, vectors, this.dims);
    for (let i = 0; i < ids.length; i++) this.flat.upsert(ids[i]!, vectors, i * this.dims);
  }

  remove(ids: ArrayLike<number>): number {
    let n = 0;
    for (let i = 0; i < ids.length; i++) if (this.flat.remove(ids[i]!)) n++;
    this.flat.compactIfNeeded();
    return n;
  }

  /** The flat store is the index: nothing else to update. */
  refresh(): void {}

  compact(): void {
    this.flat.compact();
  }
}

export function checkRows(ids: ArrayLike<number>, vectors: Float32Array, dims: number): void {
  if (vectors.length !== ids.length * dims) throw new Error(`${ids.length} ids need ${ids.length * dims} values, got ${vectors.length}`);
}
