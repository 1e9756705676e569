import type { RecommendHit } from "../recommend/types.js";
import { table } from "./table.js";

/**
 * Recommendation results as a table: rank, score and its parts (similarity, sentiment, the
 * popularity prior and series score when they are blended in, and for `best` the closest like
 * and dislike; redundancy with diversity), title, year, id.
 */
export function recommendTable(results: RecommendHit[]): string {
  const has = (key: keyof RecommendHit) => results.some((r) => r[key] !== undefined);
  const parts: [string, (r: RecommendHit) => number | undefined][] = [
    ["similarity", (r) => r.similarity],
    ["sentiment", (r) => r.sentiment],
  ];
  if (has("prior")) parts.push(["prior", (r) => r.prior]);
  if (has("series")) parts.push(["series", (r) => r.series]);
  if (has("like")) parts.push(["like", (r) => r.like]);
  if (has("dislike")) parts.push(["dislike", (r) => r.dislike]);
  if (has("redundancy")) parts.push(["redundancy", (r) => r.redundancy]);
  return table(
    ["#", "score", ...parts.map(([name]) => name), "title", "year", "id"],
    results.map((r, i) => [i + 1, r.score.toFixed(4), ...parts.map(([, get]) => fixed(get(r))), r.title, r.year, r.id]),
  );
}

function fixed(v: number | undefined): string {
  return v === undefined ? "" : v.toFixed(4);
}
