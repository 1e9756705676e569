import type { Filters } from "./filters.js";
import { fold } from "./text.js";
import type { ExtractedPhrase } from "./types.js";

/**
 * Query understanding: plain phrases in a query become filters, shown back to the user (and
 * removable: `parse: false` / `--no-parse` turns this off). Rule-based, so it is predictable and
 * cheap; each rule is listed where it is defined. What the rules take out of the query is
 * searched as filters; what is left is searched as text.
 *
 * - years: decades (`90s`, `1990s`, `'80s`, `nineties`, `early/mid/late 90s`), `in|from 1995`,
 *   `after 2005` (from 2006), `since 2005`, `before 2000` (to 1999), `until 2000`,
 *   `between 1990 and 1995`, `from 1990 to 1995`, `1990-1995`; after/before a decade too;
 * - genres: words that name a TMDB genre (`sci-fi`, `comedies`, `horror`, `animated`,
 *   `rom-com`, ...). Words that are also ordinary words (`war`, `family`, `crime`, `action`)
 *   count only before `movie(s)`/`film(s)` or beside a genre word that is unambiguous
 *   ("war movies", "action comedies"), so "about the war" stays text. Several genres must all
 *   match, unless joined by "or";
 * - people: `starring|featuring|with NAME`, `directed by|by|director NAME`, `NAME movies`,
 *   where NAME is a cast member or director of the collection (longest known name wins);
 *   several joined by "and" are all required;
 * - ratings: `highly rated`, `top rated`, `acclaimed` (rating from 7), `rated above 8`;
 * - runtime: `under 90 minutes`, `less than 2 hours`, `over 2 hours`;
 * - more like this: `movies like Alien`, `something similar to The Matrix`, when the words
 *   after "like" name a title of the collection.
 *
 * Once something was taken out, filler left at either end ("movies about", "with", "a") is
 * dropped too: "90s sci-fi about time travel" searches "time travel".
 */

/** What the collection knows, for rules that need it. */
export interface UnderstandContext {
  /** A person by folded name (`jim carrey`): display name and film counts, or null. */
  person(key: string): { name: string; cast: number; directed: number } | null;
  /** The movie a phrase names (title match, typos allowed), or null. */
  title(phrase: string): { id: string; title: string; year: number | null } | null;
}

export interface Understood {
  text: string;
  filters: Filters;
  like?: { id: string; title: string; year: number | null };
  extracted: ExtractedPhrase[];
}

interface Token {
  text: string;
  /** Folded, for matching. */
  low: string;
  start: number;
  end: number;
}

/** Words with inner apostrophes and hyphens kept (`sci-fi`, `90's`, `1990-1995`). */
const TOKEN = /[\p{L}\p{N}\p{M}]+(?:['’\-.][\p{L}\p{N}\p{M}]+)*/gu;

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(TOKEN)) out.push({ text: m[0], low: fold(m[0]).replace(/’/g, "'"), start: m.index, end: m.index + m[0].length });
  return out;
}

/** Key of a person's name: folded words joined by spaces (`J.J. Abrams` → `j j abrams`). */
export function personKey(name: string): string {
  return (fold(name).match(/[\p{L}\p{N}]+/gu) ?? []).join(" ");
}

/** Longest title "movies like ..." looks for, in words (titles are short; this bounds the work). */
const MAX_TITLE_WORDS = 12;
/** Most "like"/"similar to" cues tried in one query. */
const MAX_LIKE_CUES = 3;

export const MOVIE_NOUNS = new Set(["movie", "movies", "film", "films", "flick", "flicks", "picture", "pictures", "cinema"]);

/** Genre words: the TMDB genres each names, and whether the word alone is enough. */
export const GENRE_WORDS: ReadonlyMap<string, { genres: string[]; strong: boolean }> = new Map(
  (
    [
      [["sci-fi", "scifi"], ["Science Fiction"], true],
      [["comedy", "comedies"], ["Comedy"], true],
      [["horror", "horrors", "slasher", "slashers"], ["Horror"], true],
      [["animated", "animation", "cartoon", "cartoons", "anime"], ["Animation"], true],
      [["documentary", "documentaries", "docs"], ["Documentary"], true],
      [["thriller", "thrillers"], ["Thriller"], true],
      [["western", "westerns"], ["Western"], true],
      [["rom-com", "rom-coms", "romcom", "romcoms"], ["Romance", "Comedy"], true],
      [["musical", "musicals"], ["Music"], true],
      [["dramas"], ["Drama"], true],
      [["mysteries", "whodunit", "whodunnit"], ["Mystery"], true],
      [["romances"], ["Romance"], true],
      [["adventures"], ["Adventure"], true],
      [["action"], ["Action"], false],
      [["adventure"], ["Adventure"], false],
      [["crime"], ["Crime"], false],
      [["drama"], ["Drama"], false],
      [["family", "kids", "children's"], ["Family"], false],
      [["fantasy"], ["Fantasy"], false],
      [["history", "historical"], ["History"], false],
      [["music"], ["Music"], false],
      [["mystery"], ["Mystery"], false],
      [["romance", "romantic", "love"], ["Romance"], false],
      [["war"], ["War"], false],
      [["foreign"], ["Foreign"], false],
    ] as [string[], string[], boolean][]
  ).flatMap(([ws, genres, strong]) => ws.map((w) => [w, { genres, strong }] as const)),
);

const DECADE_WORDS: Record<string, number> = { sixties: 1960, seventies: 1970, eighties: 1980, nineties: 1990 };

/** Words dropped at either end of what is left, once something was understood. */
const EDGE_FILLER = new Set([
  "a", "an", "the", "some", "any", "about", "with", "where", "in", "which", "that", "who", "whose", "from", "of", "set", "and", "or",
  "show", "me", "find", "i", "want", "to", "watch", "good", "great", "please", "for", "on", "by", "made", "released", "starring",
  "is", "are", "one", "ones", "something", "anything", "stuff", "like", "but", ...MOVIE_NOUNS,
]);

const RUNTIME_UNITS: Record<string, number> = { minute: 1, minutes: 1, min: 1, mins: 1, hour: 60, hours: 60, hr: 60, hrs: 60, h: 60 };

function yearValue(s: string | undefined): number | null {
  if (!s || !/^\d{4}$/.test(s)) return null;
  const y = Number(s);
  return y >= 1870 && y <= 2100 ? y : null;
}

/** `90s`, `1990s`, `90's`, `nineties` → 1990; null otherwise. Two-digit 00s-20s are this century. */
function decadeValue(s: string | undefined): number | null {
  if (!s) return null;
  if (DECADE_WORDS[s] !== undefined) return DECADE_WORDS[s]!;
  const m = /^(1[89]|20)?(\d)0'?s$/.exec(s);
  if (!m) return null;
  if (m[1]) return Number(`${m[1]}${m[2]}0`);
  const d = Number(m[2]);
  return d <= 2 ? 2000 + d * 10 : 1900 + d * 10;
}

/** Applies the rules to a query; see the module comment for the rules. */
export function understand(query: string, ctx: UnderstandContext): Understood {
  const tokens = tokenize(query);
  const low = tokens.map((t) => t.low);
  const keyParts = tokens.map((t) => personKey(t.text));
  const used = new Array<boolean>(tokens.length).fill(false);
  const filters: Filters = {};
  const extracted: ExtractedPhrase[] = [];
  const starts = new Map<ExtractedPhrase, number>();
  let like: Understood["like"];
  const free = (i: number, j: number) => i >= 0 && j <= tokens.length && used.slice(i, j).every((u) => !u);
  const take = (i: number, j: number, as: string) => {
    for (let x = i; x < j; x++) used[x] = true;
    extracted.push({ phrase: query.slice(tokens[i]!.start, tokens[j - 1]!.end), as });
    starts.set(extracted[extracted.length - 1]!, tokens[i]!.start);
  };
  const setYears = (min: number | undefined, max: number | undefined) => {
    if (min !== undefined) filters.yearMin = min;
    if (max !== undefined) filters.yearMax = max;
  };
  const yearLabel = (min?: number, max?: number) => (min !== undefined && max !== undefined ? (min === max ? `year ${min}` : `year ${min}..${max}`) : min !== undefined ? `year from ${min}` : `year to ${max}`);

  // More like this, first: a title may hold words the other rules would take ("2001: A Space Odyssey").
  let cues = 0;
  for (let i = 0; i < tokens.length && !like && cues < MAX_LIKE_CUES; i++) {
    const len = low[i] === "like" ? 1 : low[i] === "similar" && low[i + 1] === "to" ? 2 : 0;
    if (!len) continue;
    cues++;
    const before = low[i - 1];
    if (i > 0 && !(before && (MOVIE_NOUNS.has(before) || GENRE_WORDS.has(before) || ["something", "anything", "stuff", "ones", "more", "just"].includes(before)))) continue;
    for (let j = Math.min(tokens.length, i + len + MAX_TITLE_WORDS); j > i + len; j--) {
      const phrase = query.slice(tokens[i + len]!.start, tokens[j - 1]!.end);
      const movie = ctx.title(phrase);
      if (movie) {
        like = movie;
        take(i, j, `like ${movie.title}${movie.year ? ` (${movie.year})` : ""}`);
        break;
      }
    }
  }

  // People. The longest known name (up to 4 words) after a cue; "and" chains another name.
  const nameAt = (i: number): { end: number; person: NonNullable<ReturnType<UnderstandContext["person"]>> } | null => {
    for (let j = Math.min(tokens.length, i + 4); j > i; j--) {
      if (!free(i, j)) continue;
      const person = ctx.person(keyParts.slice(i, j).filter(Boolean).join(" "));
      if (person) return { end: j, person };
    }
    return null;
  };
  const people = (start: number, cueLen: number, role: "cast" | "director") => {
    const names: string[] = [];
    let end = start + cueLen;
    for (;;) {
      const found = nameAt(end);
      if (!found || (role === "cast" ? found.person.cast : found.person.directed) === 0) break;
      names.push(found.person.name);
      end = found.end;
      if (low[end] === "and" && nameAt(end + 1)) end++;
      else break;
    }
    if (!names.length) return;
    if (role === "cast") filters.cast = [...(filters.cast ?? []), ...names];
    else filters.directors = [...(filters.directors ?? []), ...names];
    take(start, end, `${role} ${names.join(", ")}`);
  };
  for (let i = 0; i < tokens.length; i++) {
    if (used[i]) continue;
    const w = low[i]!;
    if (["starring", "featuring", "with", "stars"].includes(w)) people(i, 1, "cast");
    else if (w === "directed" && low[i + 1] === "by") people(i, 2, "director");
    else if ((w === "by" || w === "director") && free(i, i + 1)) people(i, low[i + 1] === "director" ? 2 : 1, "director");
  }
  // "Tom Hanks movies", "Christopher Nolan films": a known name right before a movie noun.
  for (let i = 0; i < tokens.length; i++) {
    if (!low.slice(i + 2, i + 5).some((x) => MOVIE_NOUNS.has(x))) continue;
    const found = nameAt(i);
    if (!found || found.end - i < 2 || !MOVIE_NOUNS.has(low[found.end] ?? "")) continue;
    const { person } = found;
    if (person.cast >= person.directed) filters.cast = [...(filters.cast ?? []), person.name];
    else filters.directors = [...(filters.directors ?? []), person.name];
    take(i, found.end, `${person.cast >= person.directed ? "cast" : "director"} ${person.name}`);
  }

  // Years and decades. A bare decade or "in 1995" names the release only beside words about
  // films ("90s sci-fi", "movies in 1995", at the start of the query); elsewhere it is the
  // story's time ("goes back to the 1950s", "set in 1944") and stays in the text.
  const filmWord = (x: string | undefined) => x !== undefined && (MOVIE_NOUNS.has(x) || GENRE_WORDS.has(x) || ["released", "made", "sci-fi", "scifi", "fiction"].includes(x));
  const releaseBefore = (i: number) => i === 0 || filmWord(low[i - 1]) || (i === 1 && ["some", "good", "great", "best", "classic", "top"].includes(low[0]!));
  for (let i = 0; i < tokens.length; i++) {
    if (used[i]) continue;
    const w = low[i]!;
    const next = low[i + 1];
    // A decade, possibly "early/mid/late", possibly after "the", possibly after "after/before/since/from/in".
    let d = i;
    const cue = ["after", "before", "since", "from", "in"].includes(w) ? w : null;
    if (cue) d++;
    if (low[d] === "the") d++;
    const part = ["early", "mid", "late"].includes(low[d] ?? "") ? low[d++] : null;
    const decade = decadeValue(low[d]);
    const aboutRelease = (cue !== null && cue !== "in") || releaseBefore(i) || filmWord(low[d + 1]);
    if (decade !== null && aboutRelease && free(i, d + 1)) {
      let min = decade;
      let max = decade + 9;
      if (part === "early") max = decade + 3;
      if (part === "mid") [min, max] = [decade + 3, decade + 6];
      if (part === "late") min = decade + 7;
      if (cue === "after") [min, max] = [max + 1, Infinity];
      else if (cue === "since") max = Infinity;
      else if (cue === "before") [min, max] = [-Infinity, min - 1];
      const lo = Number.isFinite(min) ? min : undefined;
      const hi = Number.isFinite(max) ? max : undefined;
      setYears(lo, hi);
      take(i, d + 1, yearLabel(lo, hi));
      i = d;
      continue;
    }
    const range = /^(\d{4})-(\d{4})$/.exec(w);
    if (range && yearValue(range[1]) && yearValue(range[2])) {
      const [a, b] = [Number(range[1]), Number(range[2])].sort((x, y) => x - y) as [number, number];
      setYears(a, b);
      take(i, i + 1, yearLabel(a, b));
      continue;
    }
    const y1 = yearValue(next);
    if (w === "between" && y1 && low[i + 2] === "and" && yearValue(low[i + 3]) && free(i, i + 4)) {
      const [a, b] = [y1, yearValue(low[i + 3])!].sort((x, y) => x - y) as [number, number];
      setYears(a, b);
      take(i, i + 4, yearLabel(a, b));
      i += 3;
      continue;
    }
    if ((w === "from" || yearValue(w)) && free(i, i + 1)) {
      // "from 1990 to 1995", "1990 to 1995"
      const s = w === "from" ? i + 1 : i;
      const a = yearValue(low[s]);
      if (a && ["to", "until", "through", "till"].includes(low[s + 1] ?? "") && yearValue(low[s + 2]) && free(i, s + 3)) {
        const b = yearValue(low[s + 2])!;
        setYears(Math.min(a, b), Math.max(a, b));
        take(i, s + 3, yearLabel(Math.min(a, b), Math.max(a, b)));
        i = s + 2;
        continue;
      }
    }
    if (y1 && free(i, i + 2)) {
      let min: number | undefined;
      let max: number | undefined;
      if (w === "after") min = y1 + 1;
      else if (w === "since") min = y1;
      else if (w === "before") max = y1 - 1;
      else if (w === "until" || w === "till") max = y1;
      else if (w === "from" || ((w === "in" || w === "of") && (releaseBefore(i) || filmWord(low[i + 2])))) [min, max] = [y1, y1];
      else continue;
      // "released in 1995", "made before 1980": the verb goes too.
      const start = i > 0 && ["released", "made", "filmed", "produced", "out"].includes(low[i - 1]!) && free(i - 1, i) ? i - 1 : i;
      setYears(min, max);
      take(start, i + 2, yearLabel(min, max));
      i++;
    }
  }

  // Ratings.
  for (let i = 0; i < tokens.length; i++) {
    if (used[i]) continue;
    const w = low[i]!;
    if ((["highly", "top", "well", "best", "critically"].includes(w) && ["rated", "reviewed", "acclaimed"].includes(low[i + 1] ?? "")) || w === "top-rated" || w === "highly-rated") {
      const end = w.includes("-") ? i + 1 : i + 2;
      if (!free(i, end)) continue;
      filters.minRating = 7;
      take(i, end, "rating from 7");
      continue;
    }
    if (w === "rated" || w === "rating") {
      let j = i + 1;
      if (["above", "over", "of"].includes(low[j] ?? "")) j++;
      if (low[j] === "at" && low[j + 1] === "least") j += 2;
      const m = /^(\d(?:\.\d)?)$/.exec(low[j] ?? "");
      if (m && free(i, j + 1)) {
        const v = Number(m[1]);
        filters.minRating = v;
        take(i, j + 1, `rating from ${v}`);
      }
    }
  }

  // Runtime.
  for (let i = 0; i < tokens.length; i++) {
    if (used[i]) continue;
    const w = low[i]!;
    let j = i + 1;
    let bound: "max" | "min" | null = null;
    if (["under", "shorter"].includes(w) || (w === "less" && low[j] === "than") || (w === "at" && low[j] === "most")) bound = "max";
    else if (["over", "longer"].includes(w) || (w === "more" && low[j] === "than") || (w === "at" && low[j] === "least")) bound = "min";
    if (!bound) continue;
    if (["than", "most", "least"].includes(low[j] ?? "")) j++;
    const n = Number(low[j]);
    const unit = RUNTIME_UNITS[low[j + 1] ?? ""];
    if (!Number.isFinite(n) || n <= 0 || !unit || !free(i, j + 2)) continue;
    const minutes = Math.round(n * unit);
    if (bound === "max") filters.runtimeMax = minutes;
    else filters.runtimeMin = minutes;
    take(i, j + 2, `runtime ${bound === "max" ? "to" : "from"} ${minutes} min`);
    i = j + 1;
  }

  // Genres: runs of genre words ("action comedies", "sci-fi", "science fiction", "war movies").
  const genres: string[] = [];
  let anyGenre = false;
  for (let i = 0; i < tokens.length; i++) {
    const run: { start: number; end: number; genres: string[]; strong: boolean }[] = [];
    let j = i;
    let joinedByOr = false;
    while (j < tokens.length && !used[j]) {
      if (low[j] === "science" && low[j + 1] === "fiction" && free(j, j + 2)) {
        run.push({ start: j, end: j + 2, genres: ["Science Fiction"], strong: true });
        j += 2;
      } else if (low[j] === "sci" && low[j + 1] === "fi" && free(j, j + 2)) {
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
      take(run[0]!.start, run[run.length - 1]!.end, `genre ${run.flatMap((r) => r.genres).filter((g, x, a) => a.indexOf(g) === x).join(joinedByOr ? " or " : " + ")}`);
    }
    i = j;
  }
  if (genres.length) {
    filters.genres = genres;
    if (genres.length > 1) filters.genreMode = anyGenre ? "any" : "all";
  }

  if (extracted.length === 0) return { text: query, filters, extracted };
  extracted.sort((a, b) => starts.get(a)! - starts.get(b)!);
  // What is left, with the taken phrases cut out of the query as typed (quotes survive).
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
  if (a >= b) return { text: "", filters, like, extracted };
  // Keep quotes around the ends, so a quoted phrase stays a phrase.
  let start = rest[a]!.start;
  let end = rest[b - 1]!.end;
  if (start > 0 && /["“”]/.test(text[start - 1]!)) start--;
  if (end < text.length && /["“”]/.test(text[end]!)) end++;
  text = text.slice(start, end).replace(/\s+/g, " ").trim();
  return { text, filters, like, extracted };
}
