import type { Schemas } from "@qdrant/js-client-rest";
import type { Filters } from "../filters.js";
import { movieUuid } from "../remote/point-id.js";
import type { ExampleStrategy, HybridOptions, KeywordQuery, NativeFusion } from "../store.js";
import { allOf, excludeIds, phraseCondition, qdrantFilter } from "./filters.js";
import { DENSE, SPARSE } from "./schema.js";
import { queryVector } from "./sparse.js";

/**
 * The Query API request bodies the backend sends, built here as pure functions of Plotline's
 * queries (typed by the official client's generated schemas, and checked in
 * `test/store-qdrant-queries.test.ts`), so what reaches Qdrant is readable in one place.
 */
export type QueryRequest = Schemas["QueryRequest"];

/** Payload every ranked list reads back: the movie id and its natural-order number (ties). */
export const HIT_PAYLOAD = ["id", "seq"];

/** How vector search runs: exact scan or HNSW with a given `ef` (from `--db`'s `exact` and `ef`). */
export interface SearchTuning {
  exact: boolean;
  ef: number | undefined;
}

export function searchParams(t: SearchTuning): Schemas["SearchParams"] | undefined {
  if (!t.exact && t.ef === undefined) return undefined;
  return { ...(t.exact ? { exact: true } : {}), ...(t.ef !== undefined ? { hnsw_ef: t.ef } : {}) };
}

/** The filter of a keyword query: the filters, and every quoted phrase in some field. */
export function keywordFilter(q: KeywordQuery, filters: Filters | undefined): Schemas["Filter"] | null {
  return allOf(qdrantFilter(filters), ...q.phrases.map(phraseCondition));
}

/** BM25 top k: the query's sparse vector against `text`, filters and phrases before the limit; null when nothing can match. */
export function keywordRequest(q: KeywordQuery, vocabulary: ReadonlyMap<string, number> | null, o: { k: number; filters?: Filters }): QueryRequest | null {
  const vector = queryVector(q, vocabulary);
  if (!vector || o.k <= 0) return null;
  const filter = keywordFilter(q, o.filters);
  return { query: vector, using: SPARSE, limit: o.k, ...(filter ? { filter } : {}), with_payload: HIT_PAYLOAD };
}

export interface VectorRequestOptions {
  k: number;
  filters?: Filters;
  /** Movie ids never listed. */
  exclude?: readonly string[];
  diversity?: number;
  candidates?: number;
  tuning: SearchTuning;
}

/**
 * Cosine top k against a vector, or against a stored movie's vector by its point id (Qdrant
 * then leaves that movie out itself), filters and exclusions before the limit; with
 * `diversity`, Qdrant's MMR over the `candidates` nearest.
 */
export function vectorRequest(query: { vector: Float32Array } | { id: string }, o: VectorRequestOptions): QueryRequest {
  const input = "vector" in query ? Array.from(query.vector) : movieUuid(query.id);
  const filter = allOf(qdrantFilter(o.filters), excludeIds((o.exclude ?? []).map(movieUuid)));
  const params = searchParams(o.tuning);
  const mmr = o.diversity !== undefined && o.diversity > 0 ? { diversity: o.diversity, candidates_limit: Math.max(o.k, o.candidates ?? o.k) } : null;
  return {
    query: mmr ? { nearest: input, mmr } : { nearest: input },
    using: DENSE,
    limit: o.k,
    ...(filter ? { filter } : {}),
    ...(params ? { params } : {}),
    with_payload: HIT_PAYLOAD,
  };
}

/** Qdrant's names of the recommendation strategies. */
export const STRATEGY: Record<ExampleStrategy, Schemas["RecommendStrategy"]> = { average: "average_vector", best: "best_score", sum: "sum_scores" };

/** Recommendation by examples (point ids of the movies), with a strategy; Qdrant never lists the examples. */
export function recommendRequest(
  q: { positive: readonly string[]; negative: readonly string[]; strategy: ExampleStrategy },
  o: Omit<VectorRequestOptions, "diversity" | "candidates">,
): QueryRequest {
  const filter = allOf(qdrantFilter(o.filters), excludeIds((o.exclude ?? []).map(movieUuid)));
  const params = searchParams(o.tuning);
  return {
    query: { recommend: { positive: q.positive.map(movieUuid), negative: q.negative.map(movieUuid), strategy: STRATEGY[q.strategy] } },
    using: DENSE,
    limit: o.k,
    ...(filter ? { filter } : {}),
    ...(params ? { params } : {}),
    with_payload: HIT_PAYLOAD,
  };
}

/**
 * Qdrant's own hybrid search: the keyword and vector top `pool` as prefetches, fused by `rrf`
 * (with the engine's k) or `dbsf`, top `k`; and the two candidate lists alone, in the same
 * batch, for the explanation of each fused hit (its keyword and semantic score and rank).
 * Returns [fused, keyword, semantic]; a side with nothing to match is left out of the fusion
 * (and its list request is null).
 */
export function hybridRequests(
  keyword: KeywordQuery,
  vector: Float32Array | null,
  vocabulary: ReadonlyMap<string, number> | null,
  fusion: Extract<NativeFusion, "rrf" | "dbsf">,
  o: Pick<HybridOptions, "k" | "pool" | "rrfK" | "filters"> & { tuning: SearchTuning },
): [QueryRequest, QueryRequest | null, QueryRequest | null] {
  const kw = keywordRequest(keyword, vocabulary, { k: o.pool, filters: o.filters });
  const sem = vector ? vectorRequest({ vector }, { k: o.pool, filters: o.filters, tuning: o.tuning }) : null;
  const prefetch: Schemas["Prefetch"][] = [];
  for (const r of [kw, sem]) if (r) prefetch.push({ query: r.query, using: r.using, limit: r.limit, ...(r.filter ? { filter: r.filter } : {}), ...(r.params ? { params: r.params } : {}) });
  const fused: QueryRequest = {
    prefetch,
    query: fusion === "rrf" ? (o.rrfK !== undefined ? { rrf: { k: o.rrfK } } : { fusion: "rrf" }) : { fusion: "dbsf" },
    limit: o.k,
    with_payload: HIT_PAYLOAD,
  };
  return [fused, kw, sem];
}
