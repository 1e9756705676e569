import { MOOD_WORDS } from "../moods.js";
import type { NamedMovie, QueryState } from "./query.js";
import { GENRE_WORDS } from "./vocabulary.js";

/**
 * Intent around named films, after `likeRule` found "like X": the films as examples, what the
 * query changes about them as genre filters, and the rest as text.
 *
 * - more examples: `like Alien and Predator`, `like Alien or Predator`, `Alien meets Toy Story`
 *   (also `meet`, `crossed with`, `mixed with`, `combined with`), with or without "like" before:
 *   every film named is a liked example;
 * - an example at the start without "like", when "but" or "without" follows it:
 *   `Home Alone but in New York`, `The Thing without the gore`;
 * - `but` and mood or genre words: `but funny`, `but scarier`, `but animated`, `but more
 *   romantic`: the genres they name (`moods.ts`, genre words of `vocabulary.ts`) become a genre
 *   filter the results must match; mood words anywhere else in a query with examples count too
 *   ("funny movies like Alien");
 * - `without`, `minus`, `no`, `but not`, `but less`, `less`, then mood or genre words:
 *   `without the horror`, `but less scary`: those genres are excluded (`excludeGenres`); a film
 *   named there (`like Alien without Aliens`) is a disliked example instead.
 * Everything else is left as text ("like Die Hard but on a bus" searches "bus" near Die Hard).
 * Phrases are resolved to titles by `UnderstandContext.title`, so typos are allowed and an
 * unknown title is left as text.
 */

/** Longest title looked for, in words. */
const MAX_TITLE_WORDS = 12;
/** Words that join two examples, by length in tokens. */
const MEETS: readonly string[][] = [["meets"], ["meet"], ["crossed", "with"], ["mixed", "with"], ["combined", "with"], ["mashed", "up", "with"]];
const AND = new Set(["and", "or", "plus"]);
/** Words that start an exclusion (`without the horror`). */
const WITHOUT = new Set(["without", "minus", "no", "except"]);
/** Words that may stand between a cue and its mood words ("but a bit more funny"). */
const MOOD_FILLER = new Set(["more", "a", "bit", "lot", "little", "very", "really", "much", "even", "way", "the", "any", "all", "with", "and", "or", "kind", "of", "too", "for"]);
/** Words a query may start with before a film named without "like" ("a Home Alone but ..."). */
const LEADING = new Set(["a", "an", "some", "something", "film", "movie", "films", "movies"]);

/** The genres a mood or genre word names (folded), or null. */
function genresOf(word: string): string[] | null {
  if (word === "sci-fi" || word === "scifi") return ["Science Fiction"];
  return MOOD_WORDS.get(word) ?? GENRE_WORDS.get(word)?.genres ?? null;
}

/** Length of the joining words at token i ("meets", "crossed with"), 0 when none. */
function meetsAt(low: readonly string[], i: number): number {
  for (const m of MEETS) if (m.every((w, k) => low[i + k] === w)) return m.length;
  return 0;
}

export function examplesRule(q: QueryState): void {
  const { tokens, low } = q;
  const n = tokens.length;
  const likes: NamedMovie[] = q.like ? [q.like] : [];
  const dislikes: NamedMovie[] = [];
  const label = (m: NamedMovie) => `${m.title}${m.year ? ` (${m.year})` : ""}`;
  /** The title that tokens i..j-1 name, longest run first; the end index and the movie. */
  const titleFrom = (i: number, maxEnd = n): { end: number; movie: NamedMovie } | null => {
    for (let j = Math.min(maxEnd, i + MAX_TITLE_WORDS); j > i; j--) {
      if (!q.free(i, j)) continue;
      const movie = q.ctx.title(q.query.slice(tokens[i]!.start, tokens[j - 1]!.end));
      if (movie) return { end: j, movie };
    }
    return null;
  };
  const titleEndingAt = (end: number, minStart = 0): { start: number; movie: NamedMovie } | null => {
    for (let s = Math.max(minStart, end - MAX_TITLE_WORDS); s < end; s++) {
      if (!q.free(s, end)) continue;
      const movie = q.ctx.title(q.query.slice(tokens[s]!.start, tokens[end - 1]!.end));
      if (movie) return { start: s, movie };
    }
    return null;
  };
  const addLike = (m: NamedMovie) => {
    if (!likes.some((l) => l.id === m.id)) likes.push(m);
  };

  // "X meets Y": both sides must name films (the left one may be "like X", already taken).
  for (let i = 1; i < n; i++) {
    const len = meetsAt(low, i);
    if (!len || !q.free(i, i + len)) continue;
    const right = titleFrom(i + len);
    if (!right) continue;
    if (!(q.used[i - 1] && likes.length)) {
      const left = titleEndingAt(i);
      if (!left) continue;
      q.take(left.start, i, `like ${label(left.movie)}`);
      addLike(left.movie);
    }
    q.take(i, right.end, `like ${label(right.movie)}`);
    addLike(right.movie);
  }
  // A film at the start, without "like", when "but" or "without" follows it.
  if (likes.length === 0) {
    let s = 0;
    while (s < n && LEADING.has(low[s]!)) s++;
    for (let i = s + 1; i < n; i++) {
      if (low[i] !== "but" && !WITHOUT.has(low[i]!)) continue;
      const movie = q.free(s, i) ? q.ctx.title(q.query.slice(tokens[s]!.start, tokens[i - 1]!.end)) : null;
      if (movie) {
        q.take(s, i, `like ${label(movie)}`);
        addLike(movie);
      }
      break;
    }
  }
  if (likes.length === 0) return;
  // "like X and Y": further examples joined to a taken one.
  for (let i = 1; i < n; i++) {
    if (!AND.has(low[i]!) || !q.used[i - 1] || !q.free(i, i + 1)) continue;
    const next = titleFrom(i + 1);
    if (!next) continue;
    q.take(i, next.end, `like ${label(next.movie)}`);
    addLike(next.movie);
  }

  const include: string[] = [];
  const exclude: string[] = [];
  /** Takes mood and genre words from token i on (fillers between them), adding their genres to `into`; the end. */
  const moods = (i: number, into: string[]): number => {
    let j = i;
    let end = i;
    while (j < n && q.free(j, j + 1)) {
      const g = genresOf(low[j]!);
      if (g) {
        for (const x of g) if (!into.includes(x)) into.push(x);
        end = ++j;
      } else if (MOOD_FILLER.has(low[j]!)) j++;
      else break;
    }
    return end;
  };
  for (let i = 0; i < n; i++) {
    if (!q.free(i, i + 1)) continue;
    const w = low[i]!;
    let negative = WITHOUT.has(w) || w === "less";
    let from = i + 1;
    if (w === "but" && (low[i + 1] === "not" || low[i + 1] === "less" || WITHOUT.has(low[i + 1] ?? ""))) {
      negative = true;
      from = i + 2;
    } else if (w !== "but" && !negative) continue;
    if (negative) {
      let t = from;
      while (t < n && (low[t] === "the" || low[t] === "any")) t++;
      const disliked = titleFrom(t);
      if (disliked && !genresOf(low[t]!)) {
        q.take(i, disliked.end, `unlike ${label(disliked.movie)}`);
        if (!dislikes.some((d) => d.id === disliked.movie.id)) dislikes.push(disliked.movie);
        i = disliked.end - 1;
        continue;
      }
    }
    const before = (negative ? exclude : include).length;
    const found: string[] = [];
    const end = moods(from, found);
    if (end > from) {
      const target = negative ? exclude : include;
      for (const g of found) if (!target.includes(g)) target.push(g);
      if (target.length > before || found.length) q.take(i, end, `${negative ? "not genre" : "genre"} ${found.join(" + ")}`);
      i = end - 1;
    }
  }
  // Mood words elsewhere in a query about examples ("funny movies like Alien").
  for (let i = 0; i < n; i++) {
    if (!q.free(i, i + 1) || !MOOD_WORDS.has(low[i]!)) continue;
    const g = MOOD_WORDS.get(low[i]!)!;
    for (const x of g) if (!include.includes(x) && !exclude.includes(x)) include.push(x);
    q.take(i, i + 1, `genre ${g.join(" + ")}`);
  }

  q.like = likes[0];
  q.likes = likes;
  q.dislikes = dislikes;
  const kept = include.filter((g) => !exclude.includes(g));
  if (kept.length) {
    q.filters.genres = [...(q.filters.genres ?? []), ...kept.filter((g) => !q.filters.genres?.includes(g))];
    if (q.filters.genres.length > 1) q.filters.genreMode = "all";
  }
  if (exclude.length) q.filters.excludeGenres = [...(q.filters.excludeGenres ?? []), ...exclude];
}
