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
 * Default weight of the semantic side in convex fusion when the caller names none and the
 * collection's embedder has no default of its own: 0.35. `Plotline.search` uses the
 * embedder's default (`hybridAlphaFor` in embed/registry.ts: `GLOVE_HYBRID_ALPHA`, 0.35, and
 * `MINILM_HYBRID_ALPHA`, each measured with `plotline eval eval/tmdb-queries.jsonl
 * --sweep-alpha` where it is defined); 0.35 is glove's, the first embedder measured.
 */
export const DEFAULT_ALPHA = 0.35;
/**
 * The top of each list that scores in fusion (and whose score range normalises it): 100 per
 * side, Weaviate's hybrid default. Measured on the labelled queries: pool 100 gives hybrid MRR
 * 0.729 and Recall@10 0.901, pool 200 0.724 and 0.896, pool 50 0.733 and 0.878; a smaller
 * pool is also less work per query (two top-100 lists instead of two top-200).
 */
export const HYBRID_POOL = 100;
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

/** Pages up to this deep are picked from the fused list by insertion; deeper ones sort it whole. */
const INSERTION_MAX = 64;

/**
 * Fuses two rankings, each the top `max(pool, need)` of its side, best first, and returns the
 * fused top `need`. Only the top `pool` of each list scores (`score` gets the scaled score or
 * the rank, and a 1-based rank within `pool`); movies deeper in both lists all score 0 and
 * follow, by their best rank in either list, then rowid. Every part of that order is a property
 * of the movie, not of how deep the lists were read, so page n of any request is page n of
 * every other: pages never overlap or skip, however deep they go. Scores are kept in typed
 * arrays and objects made only for the page, since this runs on every hybrid query.
 */
function fuse(kw: readonly Scored[], sem: readonly Scored[], pool: number, need: number, score: (h: FusedHit) => number): FusedHit[] {
  const n = kw.length;
  const atKw = new Map<number, number>();
  for (let i = 0; i < n; i++) atKw.set(kw[i]!.id, i);
  // The union: every keyword hit (with its semantic rank, if any), then semantic-only hits.
  const semOfKw = new Int32Array(n).fill(-1);
  const semOnly: number[] = [];
  for (let j = 0; j < sem.length; j++) {
    const i = atKw.get(sem[j]!.id);
    if (i === undefined) semOnly.push(j);
    else semOfKw[i] = j;
  }
  const fill = (h: FusedHit, e: number): FusedHit => {
    const j = e < n ? semOfKw[e]! : semOnly[e - n]!;
    h.id = e < n ? kw[e]!.id : sem[j]!.id;
    h.keyword = e < n ? kw[e]!.score : null;
    h.keywordRank = e < n ? e + 1 : null;
    h.semantic = j >= 0 ? sem[j]!.score : null;
    h.semanticRank = j >= 0 ? j + 1 : null;
    return h;
  };
  const count = n + semOnly.length;
  const fused = new Float64Array(count);
  const best = new Int32Array(count);
  const ids = new Int32Array(count);
  const scratch: FusedHit = { id: 0, score: 0, keyword: null, semantic: null, keywordRank: null, semanticRank: null };
  for (let e = 0; e < count; e++) {
    const h = fill(scratch, e);
    best[e] = Math.min(h.keywordRank ?? Infinity, h.semanticRank ?? Infinity);
    fused[e] = best[e]! <= pool ? score(h) : 0;
    ids[e] = h.id;
  }
  const before = (a: number, b: number) => fused[a]! > fused[b]! || (fused[a] === fused[b] && (best[a]! < best[b]! || (best[a] === best[b] && ids[a]! < ids[b]!)));
  const k = Math.min(need, count);
  let top: number[];
  if (k > INSERTION_MAX) top = Array.from({ length: count }, (_, e) => e).sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0)).slice(0, k);
  else {
    top = [];
    for (let e = 0; e < count; e++) {
      if (top.length === k && (k === 0 || !before(e, top[k - 1]!))) continue;
      let at = top.length;
      while (at > 0 && before(e, top[at - 1]!)) at--;
      top.splice(at, 0, e);
      if (top.length > k) top.pop();
    }
  }
  return top.map((e) => {
    const h = fill({ id: 0, score: 0, keyword: null, semantic: null, keywordRank: null, semanticRank: null }, e);
    // Scored again for the explanation's parts (convex fusion's normalised scores).
    if (best[e]! <= pool) score(h);
    h.score = fused[e]!;
    return h;
  });
}

/**
 * Convex combination, `(1 - alpha) * keyword + alpha * semantic`, of min-max normalised scores
 * (Weaviate's relative score fusion; its hybrid `alpha` means the same): the fused top `need`.
 * Lists are read `need` deep (at least `pool`), so a page deep in the results is still full.
 */
export function convexFusion(keyword: (limit: number) => Scored[], semantic: (limit: number) => Scored[], alpha: number, need: number, pool = HYBRID_POOL): FusedHit[] {
  const depth = Math.max(pool, need);
  const kw = keyword(depth);
  const sem = semantic(depth);
  const nk = scaler(kw, pool);
  const ns = scaler(sem, pool);
  return fuse(kw, sem, pool, need, (h) => {
    h.keywordNorm = h.keyword !== null && h.keywordRank! <= pool ? nk(h.keyword) : 0;
    h.semanticNorm = h.semantic !== null && h.semanticRank! <= pool ? ns(h.semantic) : 0;
    return (1 - alpha) * h.keywordNorm + alpha * h.semanticNorm;
  });
}

/**
 * Fusion by any score of a fused hit: `scorer` is given both lists (each `max(pool, need)`
 * deep) and returns the score of a hit, which sees both sides' scores, min-max normalised
 * scores (as `convexFusion` has them) and ranks; each movie of either list's top `pool` is
 * scored, and the fused top `need` returned, ordered and paged as `convexFusion` is. The
 * learned ranking model (`ranker.ts`) and the prior-blended convex and RRF fusions score
 * through this.
 */
export function scoredFusion(
  keyword: (limit: number) => Scored[],
  semantic: (limit: number) => Scored[],
  scorer: (keyword: readonly Scored[], semantic: readonly Scored[]) => (h: FusedHit) => number,
  need: number,
  pool = HYBRID_POOL,
): FusedHit[] {
  const depth = Math.max(pool, need);
  const kw = keyword(depth);
  const sem = semantic(depth);
  const nk = scaler(kw, pool);
  const ns = scaler(sem, pool);
  const score = scorer(kw, sem);
  return fuse(kw, sem, pool, need, (h) => {
    h.keywordNorm = h.keyword !== null && h.keywordRank! <= pool ? nk(h.keyword) : 0;
    h.semanticNorm = h.semantic !== null && h.semanticRank! <= pool ? ns(h.semantic) : 0;
    return score(h);
  });
}

/**
 * How alike a list's top is: the normalised score (as fusion scales it) of its `at`-th entry,
 * averaged over the lists that are that long; 0 when none is. Near 1 when the tenth result
 * scores almost as well as the first (a vague query many movies fit), near 0 when the first
 * stands out.
 */
export function vagueness(lists: readonly (readonly Scored[])[], at = 10, pool = HYBRID_POOL): number {
  let sum = 0;
  let n = 0;
  for (const list of lists) {
    if (list.length < at) continue;
    sum += scaler(list, pool)(list[at - 1]!.score);
    n++;
  }
  return n ? sum / n : 0;
}

/**
 * One ranking (keyword or semantic alone) with the prior blended in:
 * `(1 - weight) * normalised score + weight * prior` over the list's top `pool` (min-max
 * normalised as in convex fusion), the rest after it in list order: the top `need`.
 */
export function blendPrior(list: (limit: number) => Scored[], prior: (id: number) => number, weight: number, need: number, pool = HYBRID_POOL): FusedHit[] {
  const depth = Math.max(pool, need);
  const kw = list(depth);
  const nk = scaler(kw, pool);
  return fuse(kw, [], pool, need, (h) => {
    h.keywordNorm = nk(h.keyword!);
    return (1 - weight) * h.keywordNorm + weight * prior(h.id);
  });
}

/** Reciprocal rank fusion, `sum 1 / (k + rank)` over both lists' top `pool`: the fused top `need`. */
export function rrfFusion(keyword: (limit: number) => Scored[], semantic: (limit: number) => Scored[], need: number, pool = HYBRID_POOL, k = RRF_K): FusedHit[] {
  const depth = Math.max(pool, need);
  return fuse(keyword(depth), semantic(depth), pool, need, (h) => {
    let s = 0;
    if (h.keywordRank !== null && h.keywordRank <= pool) s += 1 / (k + h.keywordRank);
    if (h.semanticRank !== null && h.semanticRank <= pool) s += 1 / (k + h.semanticRank);
    return s;
  });
}
