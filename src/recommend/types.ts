import type { Filters } from "../store/filters.js";
import { EXAMPLE_STRATEGIES, type ExampleStrategy } from "../store/store.js";
import type { SearchHit } from "../search/types.js";

/**
 * A movie given by the caller: its id (`tt0114709`), its title (`Toy Story`, case-insensitive;
 * `Halloween (1978)` picks a year), or an object. A title that matches several movies is an
 * error listing them with their years, unless a year picks one.
 */
export type MovieRef = string | { id?: string; title?: string; year?: number };

/** How `similar` ranks the collection against one movie. */
export const SIMILAR_METHODS = ["knn", "svm", "tfidf"] as const;
/**
 * - `knn`: cosine similarity of the collection's embedding vectors (Karpathy's fast default);
 * - `svm`: an exemplar SVM (the movie the only positive, every other movie a negative; linear,
 *   squared hinge, balanced class weights, C = 0.1), movies ranked by its decision value;
 * - `tfidf`: cosine similarity of TF-IDF vectors of the plot's unigrams and bigrams.
 */
export type SimilarMethod = (typeof SIMILAR_METHODS)[number];
/** Karpathy's fast default. */
export const DEFAULT_SIMILAR_METHOD: SimilarMethod = "knn";

/**
 * How `recommend` combines liked and disliked examples (Qdrant's recommendation strategies,
 * which a backend with `nativeRecommend` runs itself and the engine computes otherwise):
 * - `average`: search near `2 * mean(likes) - mean(dislikes)` (Qdrant's `average_vector`);
 * - `best`: score each movie by its best like, pushed below every such movie when a dislike is
 *   closer than any like (Qdrant's `best_score`);
 * - `sum`: the sum of a movie's cosines to the likes minus the sum to the dislikes (Qdrant's
 *   `sum_scores`): every example counts, not just the closest.
 */
export const RECOMMEND_STRATEGIES = EXAMPLE_STRATEGIES;
export type RecommendStrategy = ExampleStrategy;
/** Qdrant's default. */
export const DEFAULT_RECOMMEND_STRATEGY: RecommendStrategy = "average";

export const RERANKERS = ["none", "sentiment"] as const;
/** `sentiment`: rank by `(1 - sentimentWeight) * similarity + sentimentWeight * sentiment`. */
export type Reranker = (typeof RERANKERS)[number];
/** No re-ranking: results in the method's order. */
export const DEFAULT_RERANKER: Reranker = "none";

/** Karpathy's movie site lists the 40 movies most like the one clicked. */
export const DEFAULT_SIMILAR_K = 40;
export const DEFAULT_RECOMMEND_K = 10;
/** The trailer article's opinion score: 0.7 x similarity + 0.3 x sentiment. */
export const DEFAULT_SENTIMENT_WEIGHT = 0.3;
export const MAX_RECOMMEND_K = 1000;
/** Most examples `recommend` takes per list; each costs a pass over the collection with `best`. */
export const MAX_EXAMPLES = 100;

/** What every recommendation call accepts besides its examples. */
export interface RecommendationOptions {
  /** Results to return (default 40 for `similar`, 10 for `recommend`; at most 1000). */
  k?: number;
  /** Restrictions applied before top-k (the search filters); default none. */
  filters?: Filters;
  /**
   * 0..1 (default 0): maximal marginal relevance over the candidate pool with
   * `lambda = 1 - diversity`, so a list is not seven sequels in a row. 0 keeps the ranking as is.
   */
  diversity?: number;
  /** `none` (default) or `sentiment`. */
  rerank?: Reranker;
  /** 0..1, weight of sentiment when `rerank` is `sentiment` (default 0.3). */
  sentimentWeight?: number;
  /**
   * How much the popularity prior counts, as a multiple of its weight (`BLEND_WEIGHTS.prior`,
   * 0.25): 1 (default), 0 off, up to 10.
   */
  prior?: number;
  /**
   * Whether movies of the example's own series and its remakes are boosted (`BLEND_WEIGHTS.series`,
   * found from titles: `franchise.ts`); default true. With `prior: 0` and `series: false` the
   * ranking is the method's similarity alone.
   */
  series?: boolean;
  /**
   * Candidates that re-ranking and diversity choose from, best by similarity first
   * (default `max(4k, 100)`, and never fewer than `k`). Ignored when neither is on.
   */
  candidates?: number;
}

export interface SimilarOptions extends RecommendationOptions {
  /** Default `knn`. */
  method?: SimilarMethod;
  /** Picks one movie when the title matches several (ignored for ids that exist). */
  year?: number;
}

export interface RecommendOptions extends RecommendationOptions {
  /** Movies to move towards. `average` needs at least one. */
  like?: MovieRef[];
  /** Movies to move away from. */
  dislike?: MovieRef[];
  /** Default `average`. */
  strategy?: RecommendStrategy;
}

/** A movie as echoed back in a response. */
export interface MovieSummary {
  id: string;
  title: string;
  year: number | null;
}

/**
 * One recommended movie: the search hit shape (`id`, `title`, `year`, `score`) plus the parts of
 * its score. Results come best first by `score`, except with `diversity`, where the order is the
 * MMR selection order.
 */
export interface RecommendHit extends SearchHit {
  /**
   * The method's own similarity: cosine for `knn`, `tfidf` and `average`; the SVM decision value
   * for `svm` (about -1 for an ordinary negative, higher is more alike); Qdrant's best_score for
   * `best` (in 0..1 when a like is the closest example, in -1..0 when a dislike is); the sum of
   * cosines to the likes minus those to the dislikes for `sum`.
   */
  similarity: number;
  /** Sentiment, -1..1 (see `sentimentScore`): of its English trailer transcript when it has one, else of its overview. */
  sentiment: number;
  /** `best`: highest cosine to a liked example. */
  like?: number;
  /** `best`: highest cosine to a disliked example (absent without dislikes). */
  dislike?: number;
  /** With `diversity`: highest similarity to a result listed above it. */
  redundancy?: number;
  /** With the prior or series on: the movie's popularity prior (0..1), and its series score (1 own series, 0.5 a weaker title match, negative for a disliked example's series). `score` is then the blend (`blend.ts`). */
  prior?: number;
  series?: number;
}

export interface SimilarResponse {
  /** The movie the list is about. */
  movie: MovieSummary;
  method: SimilarMethod;
  results: RecommendHit[];
}

export interface RecommendResponse {
  strategy: RecommendStrategy;
  like: MovieSummary[];
  dislike: MovieSummary[];
  /** Examples that match no movie, as given; the others were still used. */
  unknown: string[];
  results: RecommendHit[];
}
