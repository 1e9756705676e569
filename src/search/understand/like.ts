import type { QueryState } from "./query.js";
import { GENRE_WORDS, MOVIE_NOUNS } from "./vocabulary.js";

/** Longest title "movies like ..." looks for, in words (titles are short; this bounds the work). */
const MAX_TITLE_WORDS = 12;
/** Most "like"/"similar to" cues tried in one query. */
const MAX_LIKE_CUES = 3;
/** Words that may stand before the cue besides film nouns and genre words ("something like"). */
const LIKE_LEADS = ["something", "anything", "stuff", "ones", "more", "just"];

/**
 * More like this: `movies like Alien`, `something similar to The Matrix`, when the words after
 * "like" name a title of the collection (the longest such run wins). Runs first: a title may
 * hold words the other rules would take ("2001: A Space Odyssey").
 */
export function likeRule(q: QueryState): void {
  const { tokens, low, query } = q;
  let cues = 0;
  for (let i = 0; i < tokens.length && !q.like && cues < MAX_LIKE_CUES; i++) {
    const len = low[i] === "like" ? 1 : low[i] === "similar" && low[i + 1] === "to" ? 2 : 0;
    if (!len) continue;
    cues++;
    const before = low[i - 1];
    if (i > 0 && !(before && (MOVIE_NOUNS.has(before) || GENRE_WORDS.has(before) || LIKE_LEADS.includes(before)))) continue;
    for (let j = Math.min(tokens.length, i + len + MAX_TITLE_WORDS); j > i + len; j--) {
      const phrase = query.slice(tokens[i + len]!.start, tokens[j - 1]!.end);
      const movie = q.ctx.title(phrase);
      if (movie) {
        q.like = movie;
        q.take(i, j, `like ${movie.title}${movie.year ? ` (${movie.year})` : ""}`);
        break;
      }
    }
  }
}
