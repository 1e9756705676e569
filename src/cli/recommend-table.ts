import type { RecommendHit, RecommendOptions, SimilarMethod, SimilarOptions, RecommendStrategy } from "../recommend/types.js";
import { DEFAULT_SENTIMENT_WEIGHT } from "../recommend/types.js";
import { table } from "./table.js";

/**
 * Recommendation results as a table: rank, score, title, year, id; with `explain` also the
 * score's parts (similarity, sentiment, the popularity prior and series score when they are
 * blended in, and for `best` the closest like and dislike; redundancy with diversity).
 */
export function recommendTable(results: RecommendHit[], explain = false): string {
  const has = (key: keyof RecommendHit) => results.some((r) => r[key] !== undefined);
  const parts: [string, (r: RecommendHit) => number | undefined][] = [];
  if (explain) {
    parts.push(["similarity", (r) => r.similarity], ["sentiment", (r) => r.sentiment]);
    if (has("prior")) parts.push(["prior", (r) => r.prior]);
    if (has("series")) parts.push(["series", (r) => r.series]);
    if (has("like")) parts.push(["like", (r) => r.like]);
    if (has("dislike")) parts.push(["dislike", (r) => r.dislike]);
    if (has("redundancy")) parts.push(["redundancy", (r) => r.redundancy]);
  }
  return table(
    ["#", "score", ...parts.map(([name]) => name), "title", "year", "id"],
    results.map((r, i) => [i + 1, r.score.toFixed(4), ...parts.map(([, get]) => fixed(get(r))), r.title, r.year, r.id]),
  );
}

function fixed(v: number | undefined): string {
  return v === undefined ? "" : v.toFixed(4);
}

const SIMILARITY: Record<SimilarMethod | RecommendStrategy, string> = {
  knn: "cosine similarity of the plot embeddings (-1..1, higher is more alike)",
  tfidf: "cosine similarity of the plots' TF-IDF vectors (0..1)",
  svm: "the exemplar SVM's margin (decision value: about -1 for an ordinary movie, higher is more alike; negative values are normal)",
  average: "cosine similarity to 2 x mean(likes) - mean(dislikes) (-1..1)",
  best: "best_score: cosine to the closest like (0..1), or -1..0 when a dislike is closer",
  sum: "the sum of the cosines to the likes minus the sum of the cosines to the dislikes (unbounded; higher is better)",
};

/** One line saying what the score column means for these options. */
export function scoreLegend(by: SimilarMethod | RecommendStrategy, options: SimilarOptions | RecommendOptions, explain: boolean): string {
  const lines: string[] = [];
  if (options.rerank === "sentiment") {
    const w = options.sentimentWeight ?? DEFAULT_SENTIMENT_WEIGHT;
    lines.push(`score: ${1 - w} x similarity + ${w} x sentiment (-1..1); similarity is ${SIMILARITY[by]}`);
  } else lines.push(`score: ${SIMILARITY[by]}`);
  // The blend (src/recommend/blend.ts) changes what the score is: say so instead of a bare similarity.
  if (options.prior !== 0 || options.series !== false) lines.push("blended with the popularity prior and the examples' series (--prior 0 --no-series: similarity alone)");
  if (options.diversity) lines.push(`order: maximal marginal relevance (diversity ${options.diversity}), not the score`);
  if (!explain) lines.push("--explain adds the score's parts");
  return lines.join("; ");
}
