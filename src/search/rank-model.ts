/**
 * The learned ranking model of hybrid search (`fusion: "learned"`, the default): a linear score
 * over the signals the engine has for a candidate, with weights learned from data
 * (`scripts/train-ranker.ts`, weights in `rank-weights.ts`), not set by hand. Every feature is
 * in [0, 1] and normalised per query (scores by min-max over each side's top `HYBRID_POOL`,
 * ranks by position), so the same weights serve any collection, and the semantic feature is on
 * one scale whichever embedder made the vectors.
 */

/**
 * - `keyword`, `semantic`: each side's score min-max normalised over its top `HYBRID_POOL`
 *   (what convex fusion combines), 0 outside it;
 * - `keywordTop`, `semanticTop`: each side's rank r as `10 / (9 + r)` (1 for the first, 0.5 for
 *   the 11th), 0 outside the pool: how close to the top of that list the movie is;
 * - `prior`: the popularity prior (`prior.ts`); `priorShort`: the prior again, times
 *   `min(1, 3 / words)` for a query of that many content words, so the model can let the prior
 *   count more when a short query fits many films equally ("a heist in Las Vegas");
 *   `priorVague`: the prior times how alike the top of both lists is (`vagueness`: the tenth
 *   result's normalised score), for the same reason measured on the results;
 * - `titleMatch`: the share of the title's words the query has times the share of the query's
 *   words in the title (typos and dropped letters allowed), near 1 only when the query is the
 *   title ("jurasic prk"); `titleExact`: 1 when every word of each is matched by the other;
 *   `titleQuery`: the share of the query's words in the title alone;
 * - `fieldTitle`, `fieldKeywords`, `fieldPeople`, `fieldText`: the share of the query's words,
 *   weighted by BM25's IDF, found in the title, the keywords, the cast and directors, and the
 *   tagline, overview and plot: per-field matches beside BM25's single sum;
 * - `coverage`: the share of the query's words, weighted by IDF, found in any of those four
 *   fields (a word in two counts once): a film covering every informative word ("heist" and
 *   "Las Vegas") above one covering only the frequent ones, whichever field says them;
 *   `coverageShort`: the same times `min(1, 3 / words)`, and `fieldKeywordsShort` the keyword
 *   share so, because a short everyday query names a topic the way keywords do where a long
 *   description reads like an overview;
 * - `seriesCoverage`: for a movie whose series (below) has other movies in the pool, the best
 *   `coverage` among them: the series' evidence pooled, so the film of a series that a query's
 *   words fit (a sequel's keywords name the series' premise) lifts its siblings too;
 * - `genreMatch`: the share of the genres the query's genre and mood words name ("funny",
 *   "scary", "war", "romantic" left as text) that the movie has; 0 when it names none;
 * - `feedback`: the movie's cosine to the mean vector of the pool's five best by reciprocal rank
 *   fusion, min-max scaled over the pool (pseudo-relevance feedback, `feedbackScores`): like
 *   the films both lists agree on, whether or not the query's words are in it;
 * - `seriesFirst`, `seriesSequel`: 1 when the pool holds other movies of the movie's series
 *   (the same title main part, `franchise.ts`) and this one is the earliest, or a later one:
 *   a premise shared by a whole series ("toys that come alive") may mean its first film.
 */
export const RANK_FEATURES = [
  "keyword",
  "semantic",
  "keywordTop",
  "semanticTop",
  "prior",
  "priorShort",
  "priorVague",
  "titleMatch",
  "titleExact",
  "titleQuery",
  "fieldTitle",
  "fieldKeywords",
  "fieldPeople",
  "fieldText",
  "coverage",
  "coverageShort",
  "fieldKeywordsShort",
  "seriesCoverage",
  "genreMatch",
  "feedback",
  "seriesFirst",
  "seriesSequel",
] as const;
export type RankFeature = (typeof RANK_FEATURES)[number];
export const FEATURE_COUNT = RANK_FEATURES.length;
export const FEATURE_INDEX = Object.fromEntries(RANK_FEATURES.map((f, i) => [f, i])) as Record<RankFeature, number>;

export type RankWeights = Readonly<Record<RankFeature, number>>;

/** `10 / (9 + rank)`: 1 at rank 1, 0.5 at rank 11; 0 for no rank. */
export function rankFeature(rank: number | null): number {
  return rank === null ? 0 : 10 / (9 + rank);
}

/** The features made of the prior: the `prior` option scales their weights. */
export const PRIOR_FEATURES: ReadonlySet<RankFeature> = new Set(["prior", "priorShort", "priorVague"]);

/** A feature's weight with the `prior` option applied. */
export function featureWeight(weights: RankWeights, feature: RankFeature, priorScale: number): number {
  return PRIOR_FEATURES.has(feature) ? weights[feature] * priorScale : weights[feature];
}

/** The weights as a vector in `RANK_FEATURES` order, with the `prior` option applied: what `modelScore` multiplies. */
export function weightVector(weights: RankWeights, priorScale = 1): Float64Array {
  return Float64Array.from(RANK_FEATURES, (name) => featureWeight(weights, name, priorScale));
}

/** The model's score of a feature vector, with the weights of `weightVector`. */
export function modelScore(w: Float64Array, f: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < FEATURE_COUNT; i++) s += w[i]! * f[i]!;
  return s;
}
