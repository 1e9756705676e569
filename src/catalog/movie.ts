/** One movie as Plotline keeps it, whatever source it came from. */
export interface Movie {
  /** Stable id: the IMDb id when the source has one, else `<source>:<source id>`. */
  id: string;
  /** Where the record came from: `tmdb`, `wikipedia`, or the name given to a mapped file. */
  source: string;
  /** The record's id in its source (TMDB id, Wikipedia slug, a mapped column). */
  sourceId: string;
  title: string;
  year: number | null;
  /**
   * The plot summary: what the semantic embedders read, with the title, tagline, keywords and
   * leading cast (`embeddingText`). Empty only for placeholder overviews.
   */
  overview: string;
  /**
   * A longer plot from another catalog merged in by title + year (`ingest --merge`, e.g. a
   * Wikipedia summary for a TMDB movie). Embedded after the overview; absent when none.
   */
  plot?: string;
  tagline: string | null;
  genres: string[];
  keywords: string[];
  cast: string[];
  directors: string[];
  companies: string[];
  /** Minutes; null when unknown (a 0 in the source means unknown). */
  runtime: number | null;
  /** Average user rating on a 0..10 scale; null when unknown. */
  rating: number | null;
  votes: number | null;
  popularity: number | null;
  /** US dollars; null when unknown (0 in the source). */
  budget: number | null;
  revenue: number | null;
  posterUrl: string | null;
  /** ISO 639-1 code when the source says. */
  language: string | null;
}

/**
 * A movie with only what is known of it: every list empty, every other field null. For movies
 * made without a catalogue row (a trailer that matches none) and for tests.
 */
export function sparseMovie(known: Pick<Movie, "id" | "source" | "sourceId" | "title"> & Partial<Movie>): Movie {
  return {
    year: null,
    overview: "",
    tagline: null,
    genres: [],
    keywords: [],
    cast: [],
    directors: [],
    companies: [],
    runtime: null,
    rating: null,
    votes: null,
    popularity: null,
    budget: null,
    revenue: null,
    posterUrl: null,
    language: null,
    ...known,
  };
}

export const LIST_FIELDS = ["genres", "keywords", "cast", "directors", "companies"] as const;
export type ListField = (typeof LIST_FIELDS)[number];

export const TEXT_FIELDS = ["id", "sourceId", "title", "overview", "tagline", "posterUrl", "language"] as const;
export const NUMBER_FIELDS = ["year", "runtime", "rating", "votes", "popularity", "budget", "revenue"] as const;
export type NumberField = (typeof NUMBER_FIELDS)[number];

/** Every field a mapping (`--map field=Column`) may target. */
export const MAPPABLE_FIELDS = [
  "id",
  "title",
  "year",
  "overview",
  "tagline",
  ...LIST_FIELDS,
  "runtime",
  "rating",
  "votes",
  "popularity",
  "budget",
  "revenue",
  "posterUrl",
  "language",
] as const;
export type MappableField = (typeof MAPPABLE_FIELDS)[number];

/**
 * A record as a reader found it, before cleaning: strings untrimmed, lists either arrays or
 * pipe-separated strings, numbers as strings or numbers. `row` is the 1-based data row (CSV
 * header excluded) or array index + 1, for error messages and the ingest report.
 */
export interface RawRecord {
  row: number;
  fields: Partial<Record<MappableField | "sourceId", string | number | string[] | null | undefined>>;
}
