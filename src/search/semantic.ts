import type { VectorHit, VectorIndex } from "../index/vector-index.js";

/**
 * Top `offset + k` by cosine, then the page. A zero query vector (no known words for GloVe)
 * matches nothing rather than everything equally.
 */
export function semanticSearch(index: VectorIndex, query: Float32Array, k: number, offset = 0, accept?: (id: number) => boolean): VectorHit[] {
  let norm = 0;
  for (let i = 0; i < query.length; i++) norm += query[i]! * query[i]!;
  if (norm === 0) return [];
  return index.search(query, offset + k, accept).slice(offset);
}
