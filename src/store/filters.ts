import { InvalidArgumentError } from "../errors.js";

/**
 * Restrictions every search and recommendation mode applies before top k: a plain value that
 * each backend translates into its own terms (SQL `WHERE`, Qdrant payload filters, Weaviate
 * `where`), so a filter reaches a remote engine as what it means rather than as a list of rows.
 * Every field is optional; a missing field restricts nothing. Fields combine with AND.
 *
 * Unknown values (a movie without a year, a rating, a language) never pass a test on that field,
 * as SQL's NULL does not.
 */
export interface Filters {
  /** Earliest release year, inclusive. */
  yearMin?: number;
  /** Latest release year, inclusive. */
  yearMax?: number;
  /** Genre names, matched case-insensitively; see `genreMode`. */
  genres?: string[];
  /** `any` (the default): a movie has at least one of `genres`; `all`: every one. */
  genreMode?: "any" | "all";
  /** Genre names a movie must not have ("like The Thing without the horror"), matched case-insensitively. */
  excludeGenres?: string[];
  /** Lowest average rating (0..10), inclusive. */
  minRating?: number;
  /** Fewest votes, inclusive. */
  minVotes?: number;
  /** Shortest runtime in minutes, inclusive. */
  runtimeMin?: number;
  /** Longest runtime in minutes, inclusive. */
  runtimeMax?: number;
  /** Cast members, matched case-insensitively; a movie must have all of them. */
  cast?: string[];
  /** Directors, matched case-insensitively; a movie must have one of them. */
  directors?: string[];
  /**
   * ISO 639-1 code, matched case-insensitively: the movie's original language, or the language
   * of one of its trailers (`plotline trailers`: stream tag, subtitles or transcript; capability
   * `trailers`), the trailer article's candidate generation.
   */
  language?: string;
}

/** Every key of `Filters`, for code that walks them (checked against the interface below). */
export const FILTER_KEYS = ["yearMin", "yearMax", "genres", "genreMode", "excludeGenres", "minRating", "minVotes", "runtimeMin", "runtimeMax", "cast", "directors", "language"] as const;
type Exhaustive<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const filterKeysCoverFilters: Exhaustive<(typeof FILTER_KEYS)[number], keyof Filters> = true;
void filterKeysCoverFilters;

/** Whether any filter restricts anything (`genreMode` alone does not). */
export function hasFilters(f: Filters | undefined): boolean {
  if (!f) return false;
  return Object.values(f).some((v) => v !== undefined && !(Array.isArray(v) && v.length === 0) && v !== "any");
}

function finite(name: string, v: unknown): void {
  if (v !== undefined && (typeof v !== "number" || !Number.isFinite(v))) throw new InvalidArgumentError(name, `must be a number, got ${String(v)}`);
}

function stringList(name: string, v: unknown): void {
  if (v !== undefined && (!Array.isArray(v) || v.some((x) => typeof x !== "string"))) throw new InvalidArgumentError(name, "must be a list of strings");
}

/**
 * Checks a `Filters` value, naming the field at fault: numbers must be finite, ranges non-empty,
 * lists lists of strings. Every backend calls it before translating, so bad filters fail alike
 * everywhere.
 */
export function validateFilters(f: Filters): void {
  for (const key of ["genres", "excludeGenres", "cast", "directors"] as const) stringList(key, f[key]);
  if (f.genreMode !== undefined && f.genreMode !== "any" && f.genreMode !== "all") throw new InvalidArgumentError("genreMode", `must be 'any' or 'all', got '${String(f.genreMode)}'`);
  if (f.language !== undefined && typeof f.language !== "string") throw new InvalidArgumentError("language", "must be a string");
  const range = (name: string, min: unknown, max: unknown) => {
    finite(`${name}Min`, min);
    finite(`${name}Max`, max);
    if (typeof min === "number" && typeof max === "number" && min > max) throw new InvalidArgumentError(name, `range ${min}..${max} is empty`);
  };
  range("year", f.yearMin, f.yearMax);
  range("runtime", f.runtimeMin, f.runtimeMax);
  finite("minRating", f.minRating);
  finite("minVotes", f.minVotes);
}
