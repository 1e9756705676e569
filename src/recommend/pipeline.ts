import { InvalidArgumentError } from "../errors.js";
import { hasFilters, validateFilters, type Filters } from "../store/filters.js";
import type { VectorQuery } from "../store/store.js";
import { TopK } from "../vector-index/topk.js";
import type { RecommendContext } from "./context.js";
import { mmr } from "./mmr.js";
import { DEFAULT_PRIOR, MAX_PRIOR } from "../search/types.js";
import { DEFAULT_RERANKER, DEFAULT_SENTIMENT_WEIGHT, MAX_RECOMMEND_K, RERANKERS, type RecommendationOptions, type RecommendHit, type Reranker } from "./types.js";

/** Most candidates re-ranking and diversity may be asked to consider. */
export const MAX_CANDIDATES = 10_000;

/** Options every recommendation call shares, checked and with defaults filled in. */
export interface Plan {
  k: number;
  /** How many to take by similarity before re-ranking and diversity (k when neither is on). */
  pool: number;
  diversity: number;
  rerank: Reranker;
  sentimentWeight: number;
  /** Restrictions applied before top k, or undefined (none). */
  filters: Filters | undefined;
  /** Multiple of the prior's weight (0: off); see `blend.ts`. */
  prior: number;
  /** Whether the example's series and remakes are boosted (`blend.ts`). */
  series: boolean;
  /**
   * Whether the store's vector search applies the diversity itself (`nativeDiversity`: Qdrant's
   * MMR): only without re-ranking (sentiment, or the prior and series blend), since the
   * candidates must be re-ranked before MMR picks among them.
   */
  storeDiversity: boolean;
}

/** A movie (by position) with the method's similarity, best first. */
export interface Candidate {
  p: number;
  similarity: number;
  like?: number;
  dislike?: number;
  /** With the prior or series blended in (`blend.ts`): the blended score, and its parts. */
  score?: number;
  prior?: number;
  series?: number;
}

export function plan(ctx: RecommendContext, options: RecommendationOptions, defaultK: number): Plan {
  const k = integer("k", options.k ?? defaultK, 1, MAX_RECOMMEND_K);
  const diversity = fraction("diversity", options.diversity ?? 0);
  const rerank = options.rerank ?? DEFAULT_RERANKER;
  if (!(RERANKERS as readonly string[]).includes(rerank)) throw new InvalidArgumentError("rerank", `unknown re-ranker '${rerank}' (re-rankers: ${RERANKERS.join(", ")})`);
  const sentimentWeight = fraction("sentimentWeight", options.sentimentWeight ?? DEFAULT_SENTIMENT_WEIGHT);
  const widen = diversity > 0 || rerank !== "none";
  const candidates = options.candidates === undefined ? Math.max(4 * k, 100) : integer("candidates", options.candidates, 1, MAX_CANDIDATES);
  const prior = options.prior ?? DEFAULT_PRIOR;
  if (typeof prior !== "number" || !(prior >= 0 && prior <= MAX_PRIOR)) throw new InvalidArgumentError("prior", `must be a number from 0 to ${MAX_PRIOR}, got ${String(prior)}`);
  const series = options.series ?? true;
  if (typeof series !== "boolean") throw new InvalidArgumentError("series", `must be true or false, got ${String(series)}`);
  const filters = options.filters && hasFilters(options.filters) ? options.filters : undefined;
  if (filters) validateFilters(filters);
  const storeDiversity = diversity > 0 && rerank === "none" && prior === 0 && !series && ctx.store.capabilities.nativeDiversity;
  return { k, pool: widen ? Math.max(candidates, k) : k, diversity, rerank, sentimentWeight, filters, prior, series, storeDiversity };
}

/**
 * Whether the movie at p may be listed: not excluded, and passing the filters (the store says
 * which movies pass, for the methods that rank every position themselves).
 */
export async function admits(ctx: RecommendContext, plan: Plan, excluded: ReadonlySet<number>): Promise<(p: number) => boolean> {
  if (!plan.filters) return (p) => !excluded.has(p);
  const allowed = new Uint8Array(ctx.size);
  for (const id of await ctx.store.filterIds(plan.filters)) {
    const p = ctx.positionOfId(id);
    if (p !== undefined) allowed[p] = 1;
  }
  return (p) => !excluded.has(p) && allowed[p] === 1;
}

/** The best `n` positions by a score array (or a visitor of scores), keeping only admitted ones. */
export function topPositions(n: number, scores: ArrayLike<number>, admit: (p: number) => boolean): Candidate[] {
  const top = new TopK(n);
  for (let p = 0; p < scores.length; p++) {
    const s = scores[p]!;
    if (s >= top.threshold && admit(p)) top.push(p, s);
  }
  return top.result().map((h) => ({ p: h.id, similarity: h.score }));
}

/**
 * Nearest neighbours by cosine (of a query vector, or of a movie's own vector), as positions,
 * skipping excluded and filtered movies: the store's vector top k, with filters and exclusions
 * passed down. With `plan.storeDiversity` the store picks the plan's `k` among the `n` nearest
 * by MMR, and they come in its selection order (`finish` then keeps that order). Otherwise
 * movies with a trailer transcript also score by it, keeping the closer of their two vectors
 * (`Transcripts.closerOfTwo`); a store with native diversity keeps no trailers (Qdrant).
 */
export async function nearest(ctx: RecommendContext, query: VectorQuery, n: number, plan: Plan, excluded: ReadonlySet<number>): Promise<Candidate[]> {
  const exclude: string[] = [];
  for (const p of excluded) exclude.push(ctx.ids[p]!);
  const diversity = plan.storeDiversity ? { k: plan.k, diversity: plan.diversity, candidates: n } : { k: n };
  let hits = await ctx.store.vectorTop(query, { ...diversity, filters: plan.filters, exclude });
  if (!plan.storeDiversity && ctx.transcripts.size > 0) {
    const p = "id" in query ? ctx.positionOfId(query.id) : undefined;
    const vector = "vector" in query ? query.vector : p === undefined ? null : ctx.vectorAt(p);
    if (vector) {
      const admit = await admits(ctx, plan, excluded);
      const position = (id: string) => ctx.positionOfId(id) ?? Infinity;
      hits = ctx.transcripts.closerOfTwo(hits, vector, n, (id) => {
        const q = ctx.positionOfId(id);
        return q !== undefined && admit(q);
      }, position);
    }
  }
  const out: Candidate[] = [];
  for (const h of hits) {
    const p = ctx.positionOfHit(h);
    if (p !== undefined) out.push({ p, similarity: h.score });
  }
  return out;
}

/**
 * Turns candidates (best first by similarity) into results: re-ranks by sentiment when asked,
 * picks by MMR when `diversity` > 0, and keeps k. `similarity(a, b)` compares two positions for
 * MMR; `cosineScale` says whether the candidates' similarity is already a cosine (else it is
 * min-max scaled to 0..1 over the candidates for MMR, so that relevance and redundancy weigh
 * alike). `diversified`: the store already picked them by MMR (`nearest` with
 * `plan.storeDiversity`), so their order is kept and only each one's redundancy is worked out.
 */
export function finish(ctx: RecommendContext, plan: Plan, candidates: Candidate[], similarity: (a: number, b: number) => number, cosineScale: boolean, diversified = false): RecommendHit[] {
  const w = plan.rerank === "sentiment" ? plan.sentimentWeight : 0;
  const rows = candidates.map((c) => {
    const sentiment = ctx.sentiment(c.p);
    return { c, sentiment, score: (1 - w) * (c.score ?? c.similarity) + w * sentiment };
  });
  if (w > 0) rows.sort((a, b) => b.score - a.score || a.c.p - b.c.p);
  let picked: { row: (typeof rows)[number]; redundancy?: number }[];
  if (diversified) {
    picked = rows.slice(0, plan.k).map((row, j, kept) => {
      let redundancy = j === 0 ? 0 : -Infinity;
      for (let i = 0; i < j; i++) redundancy = Math.max(redundancy, similarity(kept[i]!.c.p, row.c.p));
      return { row, redundancy };
    });
  } else if (plan.diversity > 0 && rows.length > 1) {
    let relevance = rows.map((r) => r.score);
    if (!cosineScale) {
      const lo = Math.min(...relevance);
      const span = Math.max(...relevance) - lo;
      relevance = relevance.map((s) => (span > 0 ? (s - lo) / span : 1));
    }
    const { order, redundancy } = mmr(relevance, plan.k, 1 - plan.diversity, (a, b) => similarity(rows[a]!.c.p, rows[b]!.c.p));
    picked = order.map((i, j) => ({ row: rows[i]!, redundancy: redundancy[j]! }));
  } else picked = rows.slice(0, plan.k).map((row) => ({ row }));
  return picked.map(({ row, redundancy }) => {
    const { c, sentiment, score } = row;
    // Written out rather than spread from `summary`: one shape for every hit, built in place.
    const hit: RecommendHit = { id: ctx.ids[c.p]!, title: ctx.titles[c.p]!, year: ctx.years[c.p]!, score, similarity: c.similarity, sentiment };
    if (c.prior !== undefined) hit.prior = c.prior;
    if (c.series !== undefined) hit.series = c.series;
    if (c.like !== undefined) hit.like = c.like;
    if (c.dislike !== undefined) hit.dislike = c.dislike;
    if (redundancy !== undefined) hit.redundancy = redundancy;
    return hit;
  });
}

export function integer(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new InvalidArgumentError(name, `must be an integer from ${min} to ${max}, got ${value}`);
  return value;
}

function fraction(name: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 1) throw new InvalidArgumentError(name, `must be a number from 0 to 1, got ${value}`);
  return value;
}
