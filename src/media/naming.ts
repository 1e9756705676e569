import { basename, extname } from "node:path";
import { normalizeTitle } from "../catalog/merge.js";

/**
 * Words that say a file is a trailer ("The Martian Official Trailer 2"), in the languages
 * trailers are most often named in. The title ends at the first of them: what follows
 * describes the video, so "Toy Story Trailer 2" is Toy Story's second trailer while the "2" of
 * "Toy Story 2 Trailer" is part of the title.
 */
export const TRAILER_WORDS: ReadonlySet<string> = new Set(["trailer", "trailers", "teaser", "tráiler", "tráilers", "bande-annonce", "bandeannonce", "featurette"]);

/**
 * Words that describe a video rather than a film when they come right before a trailer word or
 * at the end of a name ("Official", "HD", "Final", "International", "1080p"). Only there: a
 * title may start with them ("Final Destination", "The International").
 */
export const VIDEO_WORDS: ReadonlySet<string> = new Set([
  "official", "oficial", "officiel", "officielle", "offiziell", "offizieller", "ufficiale",
  "hd", "uhd", "hq", "4k", "8k", "2160p", "1080p", "720p", "480p", "360p",
  "final", "new", "international", "exclusive", "theatrical", "extended", "tv", "spot", "clip", "promo",
  "red", "band", "subtitled", "dubbed", "español", "espanol", "castellano", "latino", "subtitulado", "doblado",
  "vostfr", "vf", "deutsch", "german", "english", "\u0000",
]);

/** A release year in a file name: four digits from 1880 to a few years from now (later ones are titles: "Blade Runner 2049"). */
function isYear(token: string): boolean {
  return /^\d{4}$/.test(token) && Number(token) >= 1880 && Number(token) <= new Date().getFullYear() + 3;
}

/** What a trailer's file name says about its film. */
export interface ParsedName {
  /** The file name without folder and extension. */
  name: string;
  /** The title part, as written (separators turned into spaces). */
  title: string;
  /** A release year the name gives, in parentheses or brackets or as a separate number after the title. */
  year: number | null;
  /**
   * Titles to look up, most likely first, each normalised as catalog titles are
   * (`normalizeTitle`): the title without the year, then with a trailing number read as part of
   * the title ("Blade Runner 2049", "2012").
   */
  candidates: { title: string; year: number | null }[];
}

/**
 * Reads a trailer's file name: `The Martian (2015) Official Trailer HD.mp4`,
 * `Star Wars_ The Last Jedi Trailer (Official).mp4`, `jaws.1975.trailer.mkv`,
 * `Toy Story 2 - Trailer 3.mp4`. Underscores and dots between words are separators (files
 * named by downloaders replace ":" with "_"); bracketed trailer words are dropped; the title
 * ends at the first trailer word.
 */
export function parseTrailerName(file: string): ParsedName {
  const name = basename(file, extname(file));
  let text = name.normalize("NFC");
  // Dots as word separators ("jaws.1975.trailer"), but not initials ("E.T.") or decimals.
  if (!/\s/.test(text) && (text.match(/\./g)?.length ?? 0) >= 2 && /[^.]{2,}\.[^.]{2,}/.test(text)) text = text.replace(/\.(?=[^.]{2,})/g, " ");
  text = text.replace(/_+/g, " ");
  let year: number | null = null;
  // A year in brackets anywhere is the release year; other bracketed parts are dropped if they are trailer words.
  text = text.replace(/[([{]\s*([^)\]}]*)\s*[)\]}]/g, (_m, inner: string) => {
    const t = inner.trim();
    if (isYear(t)) {
      year ??= Number(t);
      return " \u0000 ";
    }
    const words = t.split(/[\s\-–—]+/).filter(Boolean);
    return words.length && words.every((w) => TRAILER_WORDS.has(w.toLowerCase()) || VIDEO_WORDS.has(w.toLowerCase()) || /^\d+$/.test(w)) ? " \u0000 " : ` ${t} `;
  });
  const tokens = text.split(/\s+/).filter(Boolean);
  const word = (tok: string) => tok.toLowerCase().replace(/^[-–—:,.!]+|[-–—:,.!]+$/g, "");
  const isText = (tok: string) => /[\p{L}\p{N}]/u.test(tok) && tok !== "\u0000";
  // The title is what comes before the first trailer word; a name that starts with one
  // ("Trailer - Jaws") has its title after it.
  const at = tokens.findIndex((t) => TRAILER_WORDS.has(word(t)));
  let title = at === -1 ? tokens : tokens.slice(0, at);
  if (!title.some((t) => isText(t) && !VIDEO_WORDS.has(word(t)))) {
    // Nothing but video words before the trailer word ("Official Trailer - Jaws"): the title follows.
    const rest = tokens.slice(at + 1);
    const from = rest.findIndex((t) => isText(t) && !VIDEO_WORDS.has(word(t)) && !TRAILER_WORDS.has(word(t)) && !/^\d+$/.test(t));
    title = from === -1 ? [] : rest.slice(from);
    const end = title.findIndex((t) => TRAILER_WORDS.has(word(t)));
    if (end !== -1) title = title.slice(0, end);
  }
  const unstripped = title.filter((t) => t !== "\u0000" && isText(t));
  // Video words and separators at the end ("The Martian Official", "Jaws -").
  // Never down to a lone article: "The International Trailer" is the film "The International".
  const strippable = (t: string[]) => !isText(t[t.length - 1]!) || (VIDEO_WORDS.has(word(t[t.length - 1]!)) && !(t.filter(isText).length === 2 && /^(the|a|an)$/i.test(t.find(isText)!)));
  while (title.length && strippable(title)) title = title.slice(0, -1);
  title = title.filter((t) => t !== "\u0000");
  const candidates: { title: string; year: number | null }[] = [];
  const last = title[title.length - 1];
  let shown = title.join(" ");
  if (year === null && last && isYear(last) && title.length > 1) {
    // "Jaws 1975 Trailer": a year, or part of the title ("Blade Runner 2049").
    year = Number(last);
    shown = title.slice(0, -1).join(" ");
    candidates.push({ title: normalizeTitle(shown), year });
    candidates.push({ title: normalizeTitle(title.join(" ")), year: null });
  } else candidates.push({ title: normalizeTitle(title.join(" ")), year });
  // A title that ends in a video word ("The International"), tried after the shorter reading.
  if (unstripped.length > title.length) candidates.push({ title: normalizeTitle(unstripped.join(" ")), year });
  const seen = new Set<string>();
  return {
    name,
    title: shown,
    year,
    candidates: candidates.filter((c) => {
      const key = `${c.title}|${c.year}`;
      if (!c.title || seen.has(key)) return false;
      seen.add(key);
      return true;
    }),
  };
}

/** A movie a trailer may belong to. */
export interface TitleEntry {
  key: number;
  id: string;
  title: string;
  year: number | null;
}

export type TrailerMatch =
  | { kind: "matched"; movie: TitleEntry; how: string }
  | { kind: "ambiguous"; candidates: TitleEntry[] }
  | { kind: "unmatched" };

/** Roman numerals of sequels, read as the digits catalogs mostly use ("Rocky II" is "Rocky 2"). */
const ROMAN: Record<string, string> = { ii: "2", iii: "3", iv: "4", v: "5", vi: "6", vii: "7", viii: "8", ix: "9", x: "10" };

/** A normalised title in looser forms: spaces dropped ("Wall-E" meets "WALL·E"), a final Roman numeral as digits, a leading article dropped. */
function looseKeys(normalized: string): string[] {
  const words = normalized.split(" ");
  const lastWord = words[words.length - 1]!;
  if (words.length > 1 && ROMAN[lastWord]) words[words.length - 1] = ROMAN[lastWord]!;
  const joined = words.join("");
  const noArticle = /^(the|a|an)$/.test(words[0]!) && words.length > 1 ? words.slice(1).join("") : joined;
  return [joined, noArticle];
}

/**
 * Matches trailers to a catalog by title and year: the exact normalised title first, then the
 * looser forms of `looseKeys`; at each level the year, when the name gives one, must be the
 * film's (or one off: festival and release dates differ). One film matches; several are
 * ambiguous (listed, never guessed); none is unmatched.
 */
export class TitleMatcher {
  private readonly exact = new Map<string, TitleEntry[]>();
  private readonly loose = new Map<string, TitleEntry[]>();
  private readonly bare = new Map<string, TitleEntry[]>();

  constructor(entries: Iterable<TitleEntry>) {
    for (const e of entries) {
      const n = normalizeTitle(e.title);
      if (!n) continue;
      const [joined, noArticle] = looseKeys(n);
      push(this.exact, n, e);
      push(this.loose, joined!, e);
      push(this.bare, noArticle!, e);
    }
  }

  match(parsed: ParsedName): TrailerMatch {
    for (const [level, lookup] of [
      ["title", (t: string) => this.exact.get(t)],
      ["title without spaces or punctuation", (t: string) => this.loose.get(looseKeys(t)[0]!)],
      ["title without its article", (t: string) => this.bare.get(looseKeys(t)[1]!)],
    ] as const) {
      for (const c of parsed.candidates) {
        const found = lookup(c.title) ?? [];
        if (found.length === 0) continue;
        let pick = found;
        let how: string = level;
        if (c.year !== null) {
          const same = found.filter((e) => e.year === c.year);
          const near = found.filter((e) => e.year !== null && Math.abs(e.year - c.year!) === 1);
          pick = same.length ? same : near;
          how = `${level} and ${same.length ? "year" : "year ±1"}`;
          if (pick.length === 0) continue;
        }
        if (pick.length === 1) return { kind: "matched", movie: pick[0]!, how };
        return { kind: "ambiguous", candidates: pick };
      }
    }
    return { kind: "unmatched" };
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
