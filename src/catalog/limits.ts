import type { ListField } from "./movie.js";

/**
 * How large one ingested field may be. A single hostile or broken row must not be able to make
 * every later search return megabytes, nor hold a gigabyte during ingest: a field over its cap
 * is cut at a word boundary and counted in the report (or, with `--strict`, the row is
 * refused). The caps sit far above real catalogues: TMDB's longest overview is 1,000
 * characters and its longest title 104; the Wikipedia dump's longest extract 1,519 and title 364.
 * Lengths are in UTF-16 code units (JavaScript string length), never splitting a surrogate pair.
 */
export const FIELD_LIMITS = {
  /** Ids (imdb id, source id, or `<source>:<id>`), in characters (default 200). */
  id: 200,
  sourceId: 200,
  /** Titles, in characters (default 500). */
  title: 500,
  /** The plot summary, in characters (default 20,000, about 3,500 words: a long plot section). */
  overview: 20_000,
  /** Taglines, in characters (default 1,000). */
  tagline: 1_000,
  /** Poster URLs, in characters (default 2,000, a common URL limit). */
  posterUrl: 2_000,
  /** Language codes or names, in characters (default 35, the longest BCP 47 tag in use). */
  language: 35,
} as const satisfies Record<string, number>;

/** One entry of a list field (a genre, a cast member...), in characters (default 200). */
export const LIST_ITEM_LIMIT = 200;
/** Entries kept per list field (default 500); the rest are dropped and counted. */
export const LIST_ITEMS_LIMIT = 500;

/** Rows one file may hold (default 5,000,000; TMDB has 10,866, the Wikipedia dump 36,273). */
export const MAX_ROWS_PER_FILE = 5_000_000;

/** Longest record a CSV reader accepts, in characters (default 1 MiB): caps memory per row. */
export const MAX_RECORD_CHARS = 1024 * 1024;

export type CappedField = keyof typeof FIELD_LIMITS | ListField;

/**
 * `text` cut to at most `limit` code units at the last whitespace, when that keeps at least
 * 80% of the limit (else at the limit itself), never inside a surrogate pair; trailing
 * whitespace removed.
 */
export function truncateAtWord(text: string, limit: number): string {
  if (text.length <= limit) return text;
  let end = limit;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--; // a high surrogate whose pair lies past the cut
  const space = text.slice(0, end + 1).search(/\s\S*$/);
  if (space >= limit * 0.8) end = space;
  return text.slice(0, end).trimEnd();
}
