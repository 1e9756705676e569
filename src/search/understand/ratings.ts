import type { QueryState } from "./query.js";

/** What "highly rated", "top rated" and "acclaimed" mean: an average rating from 7. */
export const ACCLAIMED_MIN_RATING = 7;

/** Ratings: `highly rated`, `top rated`, `acclaimed` (rating from 7), `rated above 8`. */
export function ratingsRule(q: QueryState): void {
  const { tokens, low } = q;
  for (let i = 0; i < tokens.length; i++) {
    if (q.used[i]) continue;
    const w = low[i]!;
    if ((["highly", "top", "well", "best", "critically"].includes(w) && ["rated", "reviewed", "acclaimed"].includes(low[i + 1] ?? "")) || w === "top-rated" || w === "highly-rated") {
      const end = w.includes("-") ? i + 1 : i + 2;
      if (!q.free(i, end)) continue;
      q.filters.minRating = ACCLAIMED_MIN_RATING;
      q.take(i, end, `rating from ${ACCLAIMED_MIN_RATING}`);
      continue;
    }
    if (w === "rated" || w === "rating") {
      let j = i + 1;
      if (["above", "over", "of"].includes(low[j] ?? "")) j++;
      if (low[j] === "at" && low[j + 1] === "least") j += 2;
      const m = /^(\d(?:\.\d)?)$/.exec(low[j] ?? "");
      if (m && q.free(i, j + 1)) {
        const v = Number(m[1]);
        q.filters.minRating = v;
        q.take(i, j + 1, `rating from ${v}`);
      }
    }
  }
}
