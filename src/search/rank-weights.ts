/**
 * Learned by `npm run train-ranker` (scripts/train-ranker.ts); do not edit by hand, run it again.
 *
 * Data: 6018 films of tmdb-movies.csv that wikipedia-movies.json.gz also describes,
 * 4211 train / 868 validation / 939 held-out films (eval/description-pairs.json);
 * 14631 training and 3049 validation queries (lead, plot, gist, short, title), searched on
 * the glove TMDB collection with query understanding on; pools are each side's top 100
 * (the right answer was outside the pool for 6199 and 1212 of them).
 * Model: softmax loss with L2, lambda 0.001 (chosen by validation MRR from 0.0001, 0.001, 0.01, 0.1),
 * each query weighted by its film's TMDB vote count over the mean (people ask for a film as often as they know it).
 * Validation (answers outside the pool count as misses; each query once | weighted by votes):
 *   keyword, prior off: MRR 0.351, Success@3 0.391, Recall@10 0.462 | by votes MRR 0.358, Success@3 0.411, Recall@10 0.499
 *   keyword, prior weight 0.66: MRR 0.299, Success@3 0.336, Recall@10 0.422 | by votes MRR 0.426, Success@3 0.467, Recall@10 0.560
 *   semantic, prior off: MRR 0.202, Success@3 0.232, Recall@10 0.295 | by votes MRR 0.189, Success@3 0.217, Recall@10 0.280
 *   semantic, prior weight 0.72: MRR 0.179, Success@3 0.206, Recall@10 0.269 | by votes MRR 0.259, Success@3 0.312, Recall@10 0.388
 *   convex, prior off: MRR 0.350, Success@3 0.392, Recall@10 0.461 | by votes MRR 0.357, Success@3 0.410, Recall@10 0.487
 *   convex, prior weight 0.6: MRR 0.288, Success@3 0.322, Recall@10 0.399 | by votes MRR 0.428, Success@3 0.471, Recall@10 0.570
 *   rrf, prior off: MRR 0.284, Success@3 0.317, Recall@10 0.430 | by votes MRR 0.271, Success@3 0.316, Recall@10 0.447
 *   rrf, prior weight 0.6: MRR 0.223, Success@3 0.256, Recall@10 0.353 | by votes MRR 0.369, Success@3 0.425, Recall@10 0.549
 *   learned: MRR 0.332, Success@3 0.363, Recall@10 0.435 | by votes MRR 0.451, Success@3 0.497, Recall@10 0.579
 *   learned, prior off: MRR 0.367, Success@3 0.401, Recall@10 0.471 | by votes MRR 0.381, Success@3 0.424, Recall@10 0.497
 *   learned MRR by kind, of the queries whose answer is in the pool, each once: lead 0.698, plot 0.506, gist 0.310, short 0.233, title 0.933
 */
import type { RankWeights } from "./rank-model.js";

/** The ranking model's weights (`RANK_FEATURES`), learned. */
export const RANK_WEIGHTS: RankWeights = {
  keyword: 1.8488,
  semantic: -0.4846,
  keywordTop: 0.9616,
  semanticTop: 1.6987,
  prior: 6.7304,
  priorShort: 3.0935,
  priorVague: 3.1312,
  titleMatch: 2.3251,
  titleExact: 3.4956,
  titleQuery: 0.1779,
  fieldTitle: -0.0962,
  fieldKeywords: -0.2628,
  fieldPeople: 1.1007,
  fieldText: 1.9309,
  coverage: 4.196,
  coverageShort: -2.3601,
  fieldKeywordsShort: -1.0091,
  seriesCoverage: 1.2473,
  genreMatch: 0.8847,
  feedback: 0.7551,
  seriesFirst: 0.0462,
  seriesSequel: 0.0578,
};

/** How the prior mixes its parts (`prior.ts`), learned with the model. */
export const PRIOR_MIX = { votes: 0.2655, votesLog: 0.3137, popularity: 0.1562, popularityLog: 0.1685, rating: 0.0961 } as const;

/** The prior's weight `w` in `(1 - w) * relevance + w * prior` for the modes without the model, learned on the training queries. */
export const PRIOR_WEIGHTS = { keyword: 0.66, semantic: 0.72, convex: 0.6, rrf: 0.6 } as const;
