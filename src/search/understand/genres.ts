import type { QueryState } from "./query.js";
import { GENRE_WORDS, MOVIE_NOUNS } from "./vocabulary.js";

/**
 * Genres: runs of words that name a TMDB genre (`sci-fi`, `science fiction`, `comedies`,
 * `horror`, `animated`, `rom-com`, "action comedies", "war movies"). Words that are also ordinary
 * words (`war`, `family`, `crime`, `action`) count only before `movie(s)`/`film(s)` or beside a
 * genre word that is unambiguous, so "about the war" stays text. Several genres must all match,
 * unless joined by "or".
 */
export function genresRule(q: QueryState): void {
  const { tokens, low, used } = q;
  const genres: string[] = [];
  let anyGenre = false;
  for (let i = 0; i < tokens.length; i++) {
    const run: { start: number; end: number; genres: string[]; strong: boolean }[] = [];
    let j = i;
    let joinedByOr = false;
    while (j < tokens.length && !used[j]) {
      if (low[j] === "science" && low[j + 1] === "fiction" && q.free(j, j + 2)) {
        run.push({ start: j, end: j + 2, genres: ["Science Fiction"], strong: true });
        j += 2;
      } else if (low[j] === "sci" && low[j + 1] === "fi" && q.free(j, j + 2)) {
        run.push({ start: j, end: j + 2, genres: ["Science Fiction"], strong: true });
        j += 2;
      } else if (GENRE_WORDS.has(low[j]!)) {
        const g = GENRE_WORDS.get(low[j]!)!;
        run.push({ start: j, end: j + 1, ...g });
        j++;
      } else if (run.length && ["and", "or"].includes(low[j]!) && (GENRE_WORDS.has(low[j + 1] ?? "") || low[j + 1] === "science" || low[j + 1] === "sci")) {
        if (low[j] === "or") joinedByOr = true;
        j++;
      } else break;
    }
    if (!run.length) continue;
    const beforeNoun = MOVIE_NOUNS.has(low[j] ?? "");
    if (run.some((r) => r.strong) || beforeNoun) {
      for (const r of run) for (const g of r.genres) if (!genres.includes(g)) genres.push(g);
      anyGenre ||= joinedByOr;
      q.take(run[0]!.start, run[run.length - 1]!.end, `genre ${run.flatMap((r) => r.genres).filter((g, x, a) => a.indexOf(g) === x).join(joinedByOr ? " or " : " + ")}`);
    }
    i = j;
  }
  if (genres.length) {
    // Genres an earlier rule set (a mood in "like Alien but funny") are required too.
    const earlier = q.filters.genres ?? [];
    q.filters.genres = [...earlier, ...genres.filter((g) => !earlier.includes(g))];
    if (q.filters.genres.length > 1) q.filters.genreMode = anyGenre && !earlier.length ? "any" : "all";
  }
}
