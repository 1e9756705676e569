import type { Filters } from "../store/filters.js";
import type { TextField as MatchField } from "../store/store.js";
import type { RankFeature } from "./rank-model.js";

/** One search result; the `--json` shape of every search and recommendation command. */
export interface SearchHit {
  id: string;
  title: string;
  year: number | null;
  score: number;
}

/** Fields keyword search indexes and reports matches in (the store's `TEXT_FIELDS`). */
export { TEXT_FIELDS as MATCH_FIELDS, type TextField as MatchField } from "../store/store.js";
/** Words of the query found in each field, spelled as in the field (for highlighting). */
export type FieldMatches = Partial<Record<MatchField, string[]>>;

/**
 * Why a result is where it is. `keyword` is its BM25 score and `semantic` its cosine similarity
 * to the query; null when that side did not score it (keyword: no query word matched, or in
 * hybrid mode it was not among the keyword candidates; both: not computed in keyword, semantic
 * or title mode for the other side). In hybrid mode `keywordNorm`/`semanticNorm` are the min-max
 * normalised scores that `convex` fusion combined (0 outside the top 200 of that side), and
 * `keywordRank`/`semanticRank` each side's 1-based rank (null: outside its list), which `rrf`
 * combines. `title` is the title-match score in title mode.
 *
 * `prior` is the movie's popularity prior (0..1, `prior.ts`) and `priorWeight` the weight it
 * was blended with (absent when the prior was off). With learned fusion, `contributions` holds
 * each ranking-model feature's share of `score` (weight times value; they sum to `score`).
 */
export interface HitScores {
  keyword: number | null;
  semantic: number | null;
  keywordNorm?: number;
  semanticNorm?: number;
  keywordRank?: number | null;
  semanticRank?: number | null;
  title?: number;
  prior?: number;
  priorWeight?: number;
  contributions?: Partial<Record<RankFeature, number>>;
  /** A query naming films and more words: the normalised score from the examples and from the text, which `EXAMPLE_WEIGHTS` add up to `score`. */
  examples?: number;
  text?: number;
}

/** A search result with its explanation: `score` is the fused score in hybrid mode. */
export interface ExplainedHit extends SearchHit {
  scores: HitScores;
  /** Matched words per field; empty when no query word occurs in the movie. */
  matches: FieldMatches;
}

/** A phrase of the query that query understanding turned into a filter or intent. */
export interface ExtractedPhrase {
  /** As typed, e.g. `90s`, `starring Jim Carrey`. */
  phrase: string;
  /** What it became, e.g. `year 1990..1999`, `cast Jim Carrey`. */
  as: string;
}

/** What was searched: the query text left after understanding, and the filters applied. */
export interface ParsedQuery {
  text: string;
  /** Filters from the options and from the query (options win where both set one). */
  filters: Filters;
  /** "movies like Alien": the title named, when the query asks for more like a movie. */
  like?: string;
  /** The id of the movie `like` resolved to. */
  likeId?: string;
  /**
   * When the query names several films or films to avoid ("Alien meets Toy Story", "like Alien
   * without Aliens"): every film to be like (the first is `like`) and to be unlike. Results are
   * then recommendations from these examples, within the filters, fused with the rest of the
   * query's text when there is any.
   */
  examples?: { like: { id: string; title: string; year: number | null }[]; unlike: { id: string; title: string; year: number | null }[] };
  /** Phrases turned into filters or intents, so a surface can show them and offer to drop them. */
  extracted: ExtractedPhrase[];
}

/** What `Plotline.search` returns: the CLI's and the HTTP API's `--json` shape. */
export interface SearchResponse {
  /** The query as searched (trimmed). */
  query: string;
  parsed: ParsedQuery;
  mode: SearchMode;
  results: ExplainedHit[];
}

/**
 * - `hybrid` (default): keyword and semantic candidates fused (`fusion`, `alpha`);
 * - `semantic`: cosine similarity of embeddings;
 * - `keyword`: BM25 over title, keywords, cast, directors, genres, tagline, overview, plot and trailer transcripts;
 * - `title`: title search as you type, typo tolerant.
 */
export const SEARCH_MODES = ["hybrid", "semantic", "keyword", "title"] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];
/** What `search` does without a `mode`. */
export const DEFAULT_SEARCH_MODE: SearchMode = "hybrid";

export const FUSIONS = ["learned", "convex", "rrf", "native-rrf", "native-relative", "native-dbsf"] as const;
/**
 * Plotline's own, the same on every backend:
 * - `learned` (default): the ranking model (`rank-model.ts`), a linear score over both sides'
 *   normalised scores and ranks, title and per-field matches, genre words and the prior, with
 *   weights learned from the catalogue's own description pairs (`scripts/train-ranker.ts`);
 * - `convex`: `(1 - alpha) * keyword + alpha * semantic` over min-max normalised scores;
 * - `rrf`: reciprocal rank fusion, `sum 1 / (60 + rank)` over both lists.
 *
 * The backend's own hybrid query, where it has one (`nativeHybrid`), over the same two
 * candidate lists, so the two can be compared; each backend offers some of these
 * (`Store.nativeFusions`), any other is an error naming the ones it has:
 * - `native-rrf`: the backend's reciprocal rank fusion (Qdrant: k = 60 over 0-based ranks;
 *   Weaviate's `rankedFusion`, its ranks weighted by alpha);
 * - `native-relative`: the backend's min-max scaled scores combined by alpha (Weaviate's
 *   `relativeScoreFusion`: `convex` computed by the server);
 * - `native-dbsf`: distribution-based score fusion, each side normalised by mean ± 3 sd and
 *   summed (Qdrant's `dbsf`).
 */
export type Fusion = (typeof FUSIONS)[number];
/** How hybrid search fuses without a `fusion`. */
export const DEFAULT_FUSION: Fusion = "learned";

export interface SearchOptions {
  /** Default `hybrid`. */
  mode?: SearchMode;
  /** Results per page (default 10, at most 1000). */
  k?: number;
  /** Results to skip (default 0). */
  offset?: number;
  /**
   * Hybrid weight of the semantic side, 0 (keyword only) to 1 (semantic only); default: the
   * collection's embedder's (`hybridAlphaFor` in embed/registry.ts, through `Plotline.search`),
   * else `DEFAULT_ALPHA` (0.35).
   */
  alpha?: number;
  /** Hybrid fusion (default `learned`). */
  fusion?: Fusion;
  /**
   * How much the popularity prior counts, as a multiple of its weight in each mode (`PRIOR_WEIGHTS`
   * and the learned model's `prior` weight in `rank-weights.ts`): 1 (default) as learned, 0 off
   * (the ranking of relevance alone: exactly the ranking before the prior for keyword,
   * semantic, title, convex and RRF), 2 twice as much; 0 to `MAX_PRIOR`.
   */
  prior?: number;
  /** Restrictions applied before top-k, in every mode (default none). */
  filters?: Filters;
  /** Turn phrases such as "90s" or "starring Jim Carrey" into filters (default true). */
  parse?: boolean;
}

/** `Plotline.titles(prefix, k)`: suggestions as the user types. */
export interface TitleResponse {
  query: string;
  results: ExplainedHit[];
}

export const DEFAULT_K = 10;
/** Default of `SearchOptions.prior` (and of the recommenders' `prior`): the weights as learned or stated. */
export const DEFAULT_PRIOR = 1;
/** Largest `prior` multiple accepted. */
export const MAX_PRIOR = 10;
export const MAX_K = 1000;
/** Longest query accepted, in characters; longer ones are an error, not silently cut. */
export const MAX_QUERY_LENGTH = 10_000;
/** Suggestions `Plotline.titles` returns by default. */
export const DEFAULT_TITLES_K = 10;
