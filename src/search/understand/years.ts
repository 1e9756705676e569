import type { QueryState } from "./query.js";
import { GENRE_WORDS, MOVIE_NOUNS } from "./vocabulary.js";

const DECADE_WORDS: Record<string, number> = { sixties: 1960, seventies: 1970, eighties: 1980, nineties: 1990 };

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

function setYears(q: QueryState, min: number | undefined, max: number | undefined): void {
  if (min !== undefined) q.filters.yearMin = min;
  if (max !== undefined) q.filters.yearMax = max;
}

function yearLabel(min?: number, max?: number): string {
  return min !== undefined && max !== undefined ? (min === max ? `year ${min}` : `year ${min}..${max}`) : min !== undefined ? `year from ${min}` : `year to ${max}`;
}

/** A word about films: a film noun, a genre word, or one that says "release". */
function filmWord(x: string | undefined): boolean {
  return x !== undefined && (MOVIE_NOUNS.has(x) || GENRE_WORDS.has(x) || ["released", "made", "sci-fi", "scifi", "fiction"].includes(x));
}

/**
 * Years and decades: decades (`90s`, `1990s`, `'80s`, `nineties`, `early/mid/late 90s`),
 * `in|from 1995`, `after 2005` (from 2006), `since 2005`, `before 2000` (to 1999),
 * `until 2000`, `between 1990 and 1995`, `from 1990 to 1995`, `1990-1995`; after/before a
 * decade too. A bare decade or "in 1995" names the release only beside words about films
 * ("90s sci-fi", "movies in 1995", at the start of the query); elsewhere it is the story's time
 * ("goes back to the 1950s", "set in 1944") and stays in the text.
 */
export function yearsRule(q: QueryState): void {
  const { tokens, low } = q;
  const releaseBefore = (i: number) => i === 0 || filmWord(low[i - 1]) || (i === 1 && ["some", "good", "great", "best", "classic", "top"].includes(low[0]!));
  for (let i = 0; i < tokens.length; i++) {
    if (q.used[i]) continue;
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
    if (decade !== null && aboutRelease && q.free(i, d + 1)) {
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
      setYears(q, lo, hi);
      q.take(i, d + 1, yearLabel(lo, hi));
      i = d;
      continue;
    }
    const range = /^(\d{4})-(\d{4})$/.exec(w);
    if (range && yearValue(range[1]) && yearValue(range[2])) {
      const [a, b] = [Number(range[1]), Number(range[2])].sort((x, y) => x - y) as [number, number];
      setYears(q, a, b);
      q.take(i, i + 1, yearLabel(a, b));
      continue;
    }
    const y1 = yearValue(next);
    if (w === "between" && y1 && low[i + 2] === "and" && yearValue(low[i + 3]) && q.free(i, i + 4)) {
      const [a, b] = [y1, yearValue(low[i + 3])!].sort((x, y) => x - y) as [number, number];
      setYears(q, a, b);
      q.take(i, i + 4, yearLabel(a, b));
      i += 3;
      continue;
    }
    if ((w === "from" || yearValue(w)) && q.free(i, i + 1)) {
      // "from 1990 to 1995", "1990 to 1995"
      const s = w === "from" ? i + 1 : i;
      const a = yearValue(low[s]);
      if (a && ["to", "until", "through", "till"].includes(low[s + 1] ?? "") && yearValue(low[s + 2]) && q.free(i, s + 3)) {
        const b = yearValue(low[s + 2])!;
        setYears(q, Math.min(a, b), Math.max(a, b));
        q.take(i, s + 3, yearLabel(Math.min(a, b), Math.max(a, b)));
        i = s + 2;
        continue;
      }
    }
    if (y1 && q.free(i, i + 2)) {
      let min: number | undefined;
      let max: number | undefined;
      if (w === "after") min = y1 + 1;
      else if (w === "since") min = y1;
      else if (w === "before") max = y1 - 1;
      else if (w === "until" || w === "till") max = y1;
      else if (w === "from" || ((w === "in" || w === "of") && (releaseBefore(i) || filmWord(low[i + 2])))) [min, max] = [y1, y1];
      else continue;
      // "released in 1995", "made before 1980": the verb goes too.
      const start = i > 0 && ["released", "made", "filmed", "produced", "out"].includes(low[i - 1]!) && q.free(i - 1, i) ? i - 1 : i;
      setYears(q, min, max);
      q.take(start, i + 2, yearLabel(min, max));
      i++;
    }
  }
}
