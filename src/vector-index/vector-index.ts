/** A hit from a vector index: `id` is the movie's rowid, `score` its cosine similarity. */
export interface VectorHit {
  id: number;
  score: number;
}

/**
 * Which ids may be returned: a predicate, or the set of allowed ids (what `filterRowids`
 * returns). A set lets an index search a selective filter exactly over just those ids.
 */
export type IdFilter = ((id: number) => boolean) | ReadonlySet<number>;

/**
 * Nearest-neighbour search over unit vectors by inner product (= cosine). Every index answers
 * the same question; `exact` is the reference the others are measured against.
 */
export interface VectorIndex {
  readonly dims: number;
  readonly size: number;
  /**
   * Top k by cosine, best first. With `accept`, only ids it accepts are returned, and the page
   * is full whenever at least k stored ids pass (see `filtered.ts` for how).
   */
  search(query: Float32Array, k: number, accept?: IdFilter): VectorHit[];
  /** The stored vector for an id, or null. */
  vector(id: number): Float32Array | null;
}

export const INDEX_KINDS = ["exact", "hnsw", "ivfpq"] as const;
export type IndexKind = (typeof INDEX_KINDS)[number];

/** An index that can change in place and be saved beside its collection. */
export interface MutableVectorIndex extends VectorIndex {
  readonly kind: IndexKind;
  /** Adds or replaces the vector of each id (`vectors` holds ids.length rows of `dims`). */
  upsert(ids: ArrayLike<number>, vectors: Float32Array): void;
  /** Deletes ids; returns how many were present. */
  remove(ids: ArrayLike<number>): number;
  /**
   * Re-reads these ids from the index's vector store into the search structure: added,
   * replaced or, when the store no longer has them, deleted. Used to catch a saved index up
   * with the collection without a rebuild.
   */
  refresh(ids: ArrayLike<number>): void;
  /** Drops tombstones (deleted entries still taking space); the index stays searchable. */
  compact(): void;
}

/** Reads an `IdFilter` as a predicate. */
export function acceptFn(filter: IdFilter): (id: number) => boolean {
  return typeof filter === "function" ? filter : (id) => filter.has(id);
}
