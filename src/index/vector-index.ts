/** A hit from a vector index: `id` is the movie's rowid, `score` its cosine similarity. */
export interface VectorHit {
  id: number;
  score: number;
}

/**
 * Nearest-neighbour search over unit vectors by inner product (= cosine). Every index answers
 * the same question; `exact` is the reference the others are measured against.
 */
export interface VectorIndex {
  readonly dims: number;
  readonly size: number;
  /** Top k by cosine; `accept` (when given) filters ids before they can take a place. */
  search(query: Float32Array, k: number, accept?: (id: number) => boolean): VectorHit[];
  /** The stored vector for an id, or null. */
  vector(id: number): Float32Array | null;
}
