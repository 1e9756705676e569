import { checkRows } from "./exact.js";
import { filteredSearch } from "./filtered.js";
import type { FlatVectors } from "./flat.js";
import type { IdFilter, IndexKind, MutableVectorIndex, VectorHit } from "./vector-index.js";

/**
 * An approximate index over a vector store (`FlatVectors`): each kind finds candidates its own
 * way (a graph walk, inverted lists), and everything else is shared: candidates are re-scored
 * exactly from the store, filters go through `filteredSearch`, and writes update the store
 * first, then the kind's own structure (`refresh`).
 */
export abstract class CandidateIndex implements MutableVectorIndex {
  abstract readonly kind: IndexKind;

  protected constructor(readonly flat: FlatVectors) {}

  get dims(): number {
    return this.flat.dims;
  }

  get size(): number {
    return this.flat.size;
  }

  vector(id: number): Float32Array | null {
    return this.flat.vector(id);
  }

  /** The kind's best n for a query, re-scored exactly, best first. */
  protected abstract candidates(query: Float32Array, n: number): VectorHit[];

  /** Re-reads these ids from `flat` into the kind's structure (added, changed or removed there). */
  abstract refresh(ids: ArrayLike<number>): void;

  /** Drops the kind's tombstones (deleted entries still taking space). */
  abstract compact(): void;

  search(query: Float32Array, k: number, accept?: IdFilter): VectorHit[] {
    if (query.length !== this.dims) throw new Error(`query has ${query.length} dimensions, index has ${this.dims}`);
    if (k <= 0 || this.flat.size === 0) return [];
    if (!accept) return this.candidates(query, Math.min(k, this.flat.size));
    return filteredSearch(this.flat, query, k, accept, (q, n) => this.candidates(q, n));
  }

  upsert(ids: ArrayLike<number>, vectors: Float32Array): void {
    checkRows(ids, vectors, this.dims);
    for (let i = 0; i < ids.length; i++) this.flat.upsert(ids[i]!, vectors, i * this.dims);
    this.refresh(ids);
  }

  remove(ids: ArrayLike<number>): number {
    let n = 0;
    for (let i = 0; i < ids.length; i++) if (this.flat.remove(ids[i]!)) n++;
    this.refresh(ids);
    return n;
  }
}
