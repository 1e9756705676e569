import { FILTER_KEYS, type Filters } from "../store/filters.js";
import type { OptionSpec, Range, Values } from "./option.js";

/** Longest value of a list filter entry (genre, cast member, director), in characters. */
export const FILTER_VALUE_LENGTH = 200;
/** Entries in one list filter. */
export const FILTER_VALUES = 20;

/** A filter option: which `Filters` field it sets (a range sets a pair). */
export interface FilterSpec extends OptionSpec {
  filter: keyof Filters | readonly [keyof Filters, keyof Filters];
}

const list = (key: string, name: string, filter: keyof Filters, help: string): FilterSpec => ({
  key,
  name,
  filter,
  type: { kind: "list", maxItems: FILTER_VALUES, itemMaxLength: FILTER_VALUE_LENGTH },
  arg: "NAME",
  help,
});

/**
 * The filters of every command that lists movies (search, similar, recommend), in one place:
 * each is a flag on the CLI and a parameter over HTTP with the same meaning, spelling and help.
 * The `Filters` value they make is the store's (`store/filters.ts`): a new filter is a field
 * there, its translation in each backend, and one entry here.
 */
export const FILTER_OPTIONS: readonly FilterSpec[] = [
  { key: "year", filter: ["yearMin", "yearMax"], type: { kind: "range" }, arg: "A..B", aliases: ["year-range"], help: "release years, inclusive: 1990..1999, 2006.., ..1979 or 1994" },
  list("genres", "genre", "genres", "genre (repeat for several; any of them unless genre mode is all), matched case-insensitively"),
  { key: "genreMode", filter: "genreMode", type: { kind: "enum", values: ["any", "all"] }, arg: "MODE", default: "any", help: "with several genres: a movie has any of them, or all" },
  list("excludeGenres", "excludeGenre", "excludeGenres", "genre a movie must not have (repeat for several), matched case-insensitively"),
  { key: "minRating", filter: "minRating", type: { kind: "number", min: 0, max: 10 }, arg: "R", help: "minimum average rating, 0..10" },
  { key: "minVotes", filter: "minVotes", type: { kind: "integer", min: 0, max: Number.MAX_SAFE_INTEGER }, arg: "N", help: "minimum number of votes" },
  { key: "runtime", filter: ["runtimeMin", "runtimeMax"], type: { kind: "range" }, arg: "A..B", help: "runtime in minutes, inclusive: 90..120, ..100" },
  list("cast", "cast", "cast", "cast member (repeat: a movie has all of them), matched case-insensitively"),
  list("directors", "director", "directors", "director (repeat: a movie has one of them), matched case-insensitively"),
  {
    key: "language",
    filter: "language",
    type: { kind: "string", pattern: "^[A-Za-z]{2}$", patternHelp: "a two-letter ISO 639-1 code" },
    arg: "CODE",
    help: "ISO 639-1 language, e.g. en: the movie's original language or one of its trailers' (movies whose language is unknown do not match)",
  },
];

/** Every `Filters` field is set by exactly one filter option (checked when the module loads). */
const covered = FILTER_OPTIONS.flatMap((s) => (typeof s.filter === "string" ? [s.filter] : [...s.filter])).sort();
const fields = [...FILTER_KEYS].sort();
if (covered.join() !== fields.join()) throw new Error(`FILTER_OPTIONS set ${covered.join(", ")}; Filters has ${fields.join(", ")}`);

/**
 * The library's `Filters` for parsed filter values (`parseCli` or `fromJson` of
 * `FILTER_OPTIONS`); undefined when none is given. The genre mode counts only with genres, and
 * a language is compared in lower case.
 */
export function filtersFrom(values: Values): Filters | undefined {
  const f: Record<string, unknown> = {};
  for (const spec of FILTER_OPTIONS) {
    const value = values[spec.key];
    if (value === undefined) continue;
    if (typeof spec.filter === "string") f[spec.filter] = value;
    else {
      const { min, max } = value as Range;
      if (min !== undefined) f[spec.filter[0]] = min;
      if (max !== undefined) f[spec.filter[1]] = max;
    }
  }
  if (!f.genres) delete f.genreMode;
  if (typeof f.language === "string") f.language = f.language.toLowerCase();
  return Object.keys(f).length ? (f as Filters) : undefined;
}

/**
 * The JSON schema of a `Filters` value, as responses report the filters applied
 * (`parsed.filters`), from the same definitions: a range is its two ends.
 */
export function filtersJsonSchema(): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const spec of FILTER_OPTIONS) {
    const t = spec.type;
    const description = spec.help.replace(/^./, (c) => c.toUpperCase());
    if (typeof spec.filter !== "string") {
      const [min, max] = spec.filter;
      properties[min] = { type: "integer", description: `${description} (the lower end).` };
      properties[max] = { type: "integer", description: `${description} (the upper end).` };
      continue;
    }
    const type =
      t.kind === "list"
        ? { type: "array", items: { type: "string" } }
        : t.kind === "enum"
          ? { type: "string", enum: [...t.values] }
          : t.kind === "integer" || t.kind === "number"
            ? { type: t.kind }
            : { type: "string" };
    properties[spec.filter] = { ...type, description: `${description}.` };
  }
  return { type: "object", additionalProperties: false, properties };
}
