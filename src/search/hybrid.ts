/**
 * Hybrid fusion of a keyword and a semantic ranking. Pure: the lists come from callbacks, so
 * the same code serves any keyword index and any vector index.
 */

/** A scored id, best first in a list. */
export interface Scored {
  id: number;
  score: number;
}

/** A fused result and the parts of its score. */
export interface FusedHit {
  id: number;
  score: number;
  /** BM25, or null when the movie is not among the keyword candidates. */
  keyword: number | null;
  /** Cosine, or null when the movie is not among the semantic candidates. */
  semantic: number | null;
  /** 1-based rank in each list, or null when outside it. */
  keywordRank: number | null;
  semanticRank: number | null;
  /** Convex fusion: each side min-max normalised (0 outside the top `pool`). */
  keywordNorm?: number;
  semanticNorm?: number;
}

/**
 * Default weight of the semantic side in convex fusion: 0.35, chosen on the team's labelled
 * queries (`eval/tmdb-queries.jsonl`, 95 queries, GloVe embedder) with
 * `plotline eval eval/tmdb-queries.jsonl --sweep-alpha`, which scores alpha 0 to 1 in steps of
 * 0.05. 0.35 gives the best Recall@10 (0.898; keyword alone 0.869, semantic alone 0.398) and
 * the best nDCG@10 (0.744), and its MRR (0.716) beats keyword alone (0.702); MRR peaks at 0.15
 * (0.731) but Recall@10 there is 0.882. With a stronger embedder (MiniLM) the semantic side
 * deserves more weight: re-run the sweep on the collection you use.
 */
export const DEFAULT_ALPHA = 0.35;
/**
 * The top of each list that scores in fusion (and whose score range normalises it): 200 per
 * side, twice Weaviate's hybrid default of 100, so a few pages of a 10-result list are fused.
 */
export const HYBRID_POOL = 200;
/** Reciprocal rank fusion's constant (Cormack et al. 2009): score = sum 1 / (RRF_K + rank). */
export const RRF_K = 60;

/**
 * Min-max scaling fixed by the top `pool` of a list: its best score maps to 1, its pool-th to 0,
 * and anything lower (deeper in the list, or outside it) to 0, as Weaviate's relative score
 * fusion does. A list of one distinct score scales from zero instead.
 */
function scaler(list: readonly Scored[], pool: number): (x: number) => number {
  if (list.length === 0) return () => 0;
  const max = list[0]!.score;
  const min = list[Math.min(pool, list.length) - 1]!.score;
  const range = max - min;
  if (!(range > 1e-12)) return max > 0 ? (x) => Math.max(0, Math.min(1, x / max)) : () => 1;
  return (x) => Math.max(0, Math.min(1, (x - min) / range));
}

/**
 * Fuses two rankings, each the top `max(pool, need)` of its side, best first. Only the top
 * `pool` of each list scores (`score` gets the scaled score or the rank, and a 1-based rank
 * within `pool`); movies deeper in both lists all score 0 and follow, by their best rank in
 * either list, then rowid. Every part of that order is a property of the movie, not of how deep
 * the lists were read, so page n of any request is page n of every other: pages never overlap
 * or skip, however deep they go.
 */
function fuse(kw: readonly Scored[], sem: readonly Scored[], pool: number, score: (h: FusedHit) => number): FusedHit[] {
  const byId = new Map<number, FusedHit>();
  const entry = (id: number) => {
    let h = byId.get(id);
    if (!h) byId.set(id, (h = { id, score: 0, keyword: null, semantic: null, keywordRank: null, semanticRank: null }));
    return h;
  };
  kw.forEach((hit, i) => {
    const h = entry(hit.id);
    h.keyword = hit.score;
    h.keywordRank = i + 1;
  });
  sem.forEach((hit, i) => {
    const h = entry(hit.id);
    h.semantic = hit.score;
    h.semanticRank = i + 1;
  });
  const hits = [...byId.values()];
  const best = (h: FusedHit) => Math.min(h.keywordRank ?? Infinity, h.semanticRank ?? Infinity);
  for (const h of hits) h.score = best(h) <= pool ? score(h) : 0;
  return hits.sort((a, b) => b.score - a.score || best(a) - best(b) || a.id - b.id);
}

/**
 * Convex combination, `(1 - alpha) * keyword + alpha * semantic`, of min-max normalised scores
 * (Weaviate's relative score fusion; its hybrid `alpha` means the same). Lists are read `need`
 * deep (at least `pool`), so a page deep in the results is still full.
 */
export function convexFusion(keyword: (limit: number) => Scored[], semantic: (limit: number) => Scored[], alpha: number, need: number, pool = HYBRID_POOL): FusedHit[] {
  const depth = Math.max(pool, need);
  const kw = keyword(depth);
  const sem = semantic(depth);
  const nk = scaler(kw, pool);
  const ns = scaler(sem, pool);
  return fuse(kw, sem, pool, (h) => {
    h.keywordNorm = h.keyword !== null && h.keywordRank! <= pool ? nk(h.keyword) : 0;
    h.semanticNorm = h.semantic !== null && h.semanticRank! <= pool ? ns(h.semantic) : 0;
    return (1 - alpha) * h.keywordNorm + alpha * h.semanticNorm;
  });
}

/** Reciprocal rank fusion, `sum 1 / (k + rank)` over both lists' top `pool`. */
export function rrfFusion(keyword: (limit: number) => Scored[], semantic: (limit: number) => Scored[], need: number, pool = HYBRID_POOL, k = RRF_K): FusedHit[] {
  const depth = Math.max(pool, need);
  return fuse(keyword(depth), semantic(depth), pool, (h) => {
    let s = 0;
    if (h.keywordRank !== null && h.keywordRank <= pool) s += 1 / (k + h.keywordRank);
    if (h.semanticRank !== null && h.semanticRank <= pool) s += 1 / (k + h.semanticRank);
    return s;
  });
}
