import { tokenize, type QueryState } from "./query.js";
import { MOVIE_NOUNS } from "./vocabulary.js";

/** Words dropped at either end of what is left, once something was understood. */
const EDGE_FILLER: ReadonlySet<string> = new Set([
  "a", "an", "the", "some", "any", "about", "with", "where", "in", "which", "that", "who", "whose", "from", "of", "set", "and", "or",
  "show", "me", "find", "i", "want", "to", "watch", "good", "great", "please", "for", "on", "by", "made", "released", "starring",
  "is", "are", "one", "ones", "something", "anything", "stuff", "like", "but", ...MOVIE_NOUNS,
]);

/**
 * The text left to search once the rules took their phrases: the query as typed with the taken
 * phrases cut out (quotes survive), and filler at either end ("movies about", "with", "a")
 * dropped: "90s sci-fi about time travel" searches "time travel". The whole query when nothing
 * was taken.
 */
export function leftoverText(q: QueryState): string {
  const { query, tokens, used } = q;
  if (q.extracted.length === 0) return query;
  let text = "";
  let from = 0;
  tokens.forEach((t, i) => {
    if (!used[i]) return;
    text += query.slice(from, t.start);
    text += " ";
    from = t.end;
  });
  text += query.slice(from);
  const rest = tokenize(text);
  let a = 0;
  let b = rest.length;
  while (a < b && EDGE_FILLER.has(rest[a]!.low)) a++;
  while (b > a && EDGE_FILLER.has(rest[b - 1]!.low)) b--;
  if (a >= b) return "";
  // Keep quotes around the ends, so a quoted phrase stays a phrase.
  let start = rest[a]!.start;
  let end = rest[b - 1]!.end;
  if (start > 0 && /["“”]/.test(text[start - 1]!)) start--;
  if (end < text.length && /["“”]/.test(text[end]!)) end++;
  return text.slice(start, end).replace(/\s+/g, " ").trim();
}
