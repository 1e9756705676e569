/**
 * Learned by `npm run train-ranker` (scripts/train-ranker.ts); do not edit by hand, run it again.
 *
 * Data: 6018 films of tmdb-movies.csv that wikipedia-movies.json.gz also describes,
 * 4211 train / 868 validation / 939 held-out films (eval/description-pairs.json);
 * 14631 training and 3049 validation queries (lead, plot, gist, short, title), searched on
 * the glove TMDB collection with query understanding on; pools are each side's top 100
 * (the right answer was outside the pool for 6199 and 1210 of them).
 * Model: softmax loss with L2, lambda 0.001 (chosen by validation MRR from 0.0001, 0.001, 0.01, 0.1),
 * each query weighted by its film's TMDB vote count over the mean (people ask for a film as often as they know it).
 * Validation (answers outside the pool count as misses; each query once | weighted by votes):
 *   keyword, prior off: MRR 0.352, Success@3 0.392, Recall@10 0.463 | by votes MRR 0.358, Success@3 0.411, Recall@10 0.499
 *   keyword, prior weight 0.7: MRR 0.276, Success@3 0.310, Recall@10 0.379 | by votes MRR 0.423, Success@3 0.468, Recall@10 0.557
 *   semantic, prior off: MRR 0.202, Success@3 0.232, Recall@10 0.295 | by votes MRR 0.189, Success@3 0.217, Recall@10 0.280
 *   semantic, prior weight 0.82: MRR 0.170, Success@3 0.194, Recall@10 0.250 | by votes MRR 0.262, Success@3 0.303, Recall@10 0.380
 *   convex, prior off: MRR 0.350, Success@3 0.392, Recall@10 0.461 | by votes MRR 0.357, Success@3 0.410, Recall@10 0.488
 *   convex, prior weight 0.66: MRR 0.261, Success@3 0.288, Recall@10 0.358 | by votes MRR 0.427, Success@3 0.471, Recall@10 0.566
 *   rrf, prior off: MRR 0.284, Success@3 0.317, Recall@10 0.430 | by votes MRR 0.271, Success@3 0.316, Recall@10 0.447
 *   rrf, prior weight 0.6: MRR 0.223, Success@3 0.258, Recall@10 0.344 | by votes MRR 0.367, Success@3 0.431, Recall@10 0.547
 *   learned: MRR 0.314, Success@3 0.345, Recall@10 0.415 | by votes MRR 0.442, Success@3 0.479, Recall@10 0.578
 *   learned, prior off: MRR 0.366, Success@3 0.407, Recall@10 0.470 | by votes MRR 0.364, Success@3 0.423, Recall@10 0.493
 *   learned MRR by kind, of the queries whose answer is in the pool, each once: lead 0.683, plot 0.465, gist 0.272, short 0.220, title 0.860
 */
import type { RankWeights } from "./rank-model.js";

/** The ranking model's weights (`RANK_FEATURES`), learned. */
export const RANK_WEIGHTS: RankWeights = {
  keyword: 2.2875,
  semantic: -0.302,
  keywordTop: 1.2495,
  semanticTop: 1.8437,
  prior: 6.7733,
  priorShort: 3.164,
  priorVague: 3.2688,
  titleMatch: 2.4254,
  titleExact: 3.9428,
  titleQuery: 0.1505,
  fieldTitle: -0.0303,
  fieldKeywords: -0.5192,
  fieldPeople: 1.3758,
  fieldText: 3.0605,
  genreMatch: 0.848,
};

/** How the prior mixes its parts (`prior.ts`), learned with the model. */
export const PRIOR_MIX = { votes: 0.709, popularity: 0.194, rating: 0.097 } as const;

/** The prior's weight `w` in `(1 - w) * relevance + w * prior` for the modes without the model, learned on the training queries. */
export const PRIOR_WEIGHTS = { keyword: 0.7, semantic: 0.82, convex: 0.66, rrf: 0.6 } as const;
