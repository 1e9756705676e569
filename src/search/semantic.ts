import type { IdFilter, VectorHit, VectorIndex } from "../vector-index/vector-index.js";

/** True when a vector is all zeros (GloVe: the query had no known word). */
export function isZero(v: Float32Array): boolean {
  for (let i = 0; i < v.length; i++) if (v[i] !== 0) return false;
  return true;
}

/**
 * Top `offset + k` by cosine, then the page. A zero query vector (no known words for GloVe)
 * matches nothing rather than everything equally. `accept` (a predicate, or the set of allowed
 * rowids from `filterRowids`) applies before top-k.
 */
export function semanticSearch(index: VectorIndex, query: Float32Array, k: number, offset = 0, accept?: IdFilter): VectorHit[] {
  if (isZero(query)) return [];
  return index.search(query, offset + k, accept).slice(offset);
}

/** Cosine of the query with each id's stored vector; ids without a vector are absent. */
export function cosines(index: VectorIndex, query: Float32Array, ids: readonly number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const id of ids) {
    const v = index.vector(id);
    if (!v) continue;
    let s = 0;
    for (let d = 0; d < v.length; d++) s += v[d]! * query[d]!;
    out.set(id, s);
  }
  return out;
}
