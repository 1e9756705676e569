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
 *   keyword, prior weight 0.7: MRR 0.276, Success@3 0.310, Recall@10 0.378 | by votes MRR 0.422, Success@3 0.467, Recall@10 0.555
 *   semantic, prior off: MRR 0.202, Success@3 0.232, Recall@10 0.295 | by votes MRR 0.189, Success@3 0.217, Recall@10 0.280
 *   semantic, prior weight 0.82: MRR 0.170, Success@3 0.194, Recall@10 0.250 | by votes MRR 0.262, Success@3 0.303, Recall@10 0.380
 *   convex, prior off: MRR 0.350, Success@3 0.392, Recall@10 0.461 | by votes MRR 0.357, Success@3 0.410, Recall@10 0.487
 *   convex, prior weight 0.66: MRR 0.261, Success@3 0.288, Recall@10 0.358 | by votes MRR 0.427, Success@3 0.471, Recall@10 0.565
 *   rrf, prior off: MRR 0.284, Success@3 0.317, Recall@10 0.430 | by votes MRR 0.271, Success@3 0.316, Recall@10 0.447
 *   rrf, prior weight 0.64: MRR 0.217, Success@3 0.252, Recall@10 0.330 | by votes MRR 0.367, Success@3 0.432, Recall@10 0.549
 *   learned: MRR 0.315, Success@3 0.349, Recall@10 0.419 | by votes MRR 0.444, Success@3 0.484, Recall@10 0.587
 *   learned, prior off: MRR 0.368, Success@3 0.408, Recall@10 0.468 | by votes MRR 0.369, Success@3 0.426, Recall@10 0.492
 *   learned MRR by kind, of the queries whose answer is in the pool, each once: lead 0.682, plot 0.476, gist 0.279, short 0.224, title 0.855
 */
import type { RankWeights } from "./rank-model.js";

/** The ranking model's weights (`RANK_FEATURES`), learned. */
export const RANK_WEIGHTS: RankWeights = {
  keyword: 2.3365,
  semantic: -0.2944,
  keywordTop: 1.0221,
  semanticTop: 1.5058,
  prior: 6.7156,
  priorShort: 3.1582,
  priorVague: 3.1777,
  titleMatch: 2.3865,
  titleExact: 4.0027,
  titleQuery: 0.0308,
  fieldTitle: -0.0797,
  fieldKeywords: -0.6024,
  fieldPeople: 1.4347,
  fieldText: 3.0091,
  genreMatch: 0.8493,
  seriesFirst: 0.4923,
  seriesSequel: 0.5831,
};

/** How the prior mixes its parts (`prior.ts`), learned with the model. */
export const PRIOR_MIX = { votes: 0.71, votesLog: 0, popularity: 0.191, popularityLog: 0, rating: 0.099 } as const;

/** The prior's weight `w` in `(1 - w) * relevance + w * prior` for the modes without the model, learned on the training queries. */
export const PRIOR_WEIGHTS = { keyword: 0.7, semantic: 0.82, convex: 0.66, rrf: 0.64 } as const;
