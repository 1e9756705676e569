import type { Filters } from "../search/filters.js";
import { HttpError } from "./errors.js";
import { LIMITS } from "./limits.js";

/** A range written `1990..1999`, `1990..`, `..1999` or `1994` (a single value is both ends). */
export const RANGE_PATTERN = "^(\\d{1,4}(\\.\\.(\\d{1,4})?)?|\\.\\.\\d{1,4})$";

/** Parses a range parameter; the schema has already checked its shape. */
export function parseRange(parameter: string, value: string | undefined): { min?: number; max?: number } {
  if (value === undefined) return {};
  const [a, b] = value.includes("..") ? value.split("..") : [value, value];
  const min = a ? Number(a) : undefined;
  const max = b ? Number(b) : undefined;
  if (min !== undefined && max !== undefined && min > max) throw new HttpError(400, "invalid_parameter", `${parameter}: range ${value} is empty (${min} > ${max})`, parameter);
  return { min, max };
}

/** The filter parameters every listing route takes, as they arrive after schema validation. */
export interface FilterQuery {
  year?: string;
  genre?: string[];
  genre_mode?: "any" | "all";
  exclude_genre?: string[];
  min_rating?: number;
  min_votes?: number;
  runtime?: string;
  cast?: string[];
  director?: string[];
  language?: string;
}

const listItem = { type: "string", minLength: 1, maxLength: LIMITS.filterValueLength } as const;
const list = (description: string) => ({ type: "array", items: listItem, maxItems: LIMITS.filterValues, description }) as const;

/** JSON-schema properties of the filter parameters (querystring or body). */
export const FILTER_PROPERTIES = {
  year: { type: "string", pattern: RANGE_PATTERN, description: "Release years, inclusive: `1990..1999`, `2006..`, `..1979` or `1994`." },
  genre: list("Genres (repeat the parameter for several), matched case-insensitively."),
  genre_mode: { type: "string", enum: ["any", "all"], default: "any", description: "`any`: a movie has at least one of the genres; `all`: every one." },
  exclude_genre: list("Genres a movie must not have (repeat the parameter for several)."),
  min_rating: { type: "number", minimum: 0, maximum: 10, description: "Minimum average rating, 0..10." },
  min_votes: { type: "integer", minimum: 0, description: "Minimum number of votes." },
  runtime: { type: "string", pattern: RANGE_PATTERN, description: "Runtime in minutes, inclusive: `90..120`, `..100`." },
  cast: list("Cast members; a movie must have all of them."),
  director: list("Directors; a movie must have one of them."),
  language: { type: "string", pattern: "^[A-Za-z]{2}$", description: "ISO 639-1 original language, e.g. `en`." },
} as const;

/** The library's `Filters` for the filter parameters; undefined when none is given. */
export function filtersFrom(q: FilterQuery): Filters | undefined {
  const year = parseRange("year", q.year);
  const runtime = parseRange("runtime", q.runtime);
  const f: Filters = {};
  if (year.min !== undefined) f.yearMin = year.min;
  if (year.max !== undefined) f.yearMax = year.max;
  if (runtime.min !== undefined) f.runtimeMin = runtime.min;
  if (runtime.max !== undefined) f.runtimeMax = runtime.max;
  if (q.genre?.length) f.genres = q.genre;
  if (q.genre?.length && q.genre_mode) f.genreMode = q.genre_mode;
  if (q.exclude_genre?.length) f.excludeGenres = q.exclude_genre;
  if (q.min_rating !== undefined) f.minRating = q.min_rating;
  if (q.min_votes !== undefined) f.minVotes = q.min_votes;
  if (q.cast?.length) f.cast = q.cast;
  if (q.director?.length) f.directors = q.director;
  if (q.language) f.language = q.language.toLowerCase();
  return Object.keys(f).length ? f : undefined;
}
