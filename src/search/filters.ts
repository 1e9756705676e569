import { InvalidArgumentError } from "../errors.js";
import type { Collection } from "../store/collection.js";

/** Restrictions every search and recommendation mode applies before top-k. */
export interface Filters {
  /** Inclusive release-year range. */
  yearMin?: number;
  yearMax?: number;
  /** Genre names, matched case-insensitively. */
  genres?: string[];
  /** `any` (default): at least one of `genres`; `all`: every one. */
  genreMode?: "any" | "all";
  /** Minimum average rating (0..10). */
  minRating?: number;
  minVotes?: number;
  /** Inclusive runtime range in minutes. */
  runtimeMin?: number;
  runtimeMax?: number;
  /** Cast members, matched case-insensitively; a movie must have all of them. */
  cast?: string[];
  /** Directors, matched case-insensitively; a movie must have one of them. */
  directors?: string[];
  /** ISO 639-1 code; movies whose language is unknown do not match. */
  language?: string;
}

export function hasFilters(f: Filters | undefined): boolean {
  if (!f) return false;
  return Object.values(f).some((v) => v !== undefined && !(Array.isArray(v) && v.length === 0) && v !== "any");
}

function finite(name: string, v: number | undefined): void {
  if (v !== undefined && !Number.isFinite(v)) throw new InvalidArgumentError(name, `must be a number, got ${v}`);
}

/** SQL condition over `movies` for the filters, with its parameters. */
export function filterSql(f: Filters): { where: string; params: (string | number)[] } {
  const parts: string[] = [];
  const params: (string | number)[] = [];
  const range = (column: string, name: string, min?: number, max?: number) => {
    finite(`${name}Min`, min);
    finite(`${name}Max`, max);
    if (min !== undefined && max !== undefined && min > max) throw new InvalidArgumentError(name, `range ${min}..${max} is empty`);
    if (min !== undefined) (parts.push(`${column} >= ?`), params.push(min));
    if (max !== undefined) (parts.push(`${column} <= ?`), params.push(max));
  };
  range("year", "year", f.yearMin, f.yearMax);
  range("runtime", "runtime", f.runtimeMin, f.runtimeMax);
  finite("minRating", f.minRating);
  finite("minVotes", f.minVotes);
  if (f.minRating !== undefined) (parts.push("rating >= ?"), params.push(f.minRating));
  if (f.minVotes !== undefined) (parts.push("votes >= ?"), params.push(f.minVotes));
  const listMatch = (column: string, value: string) => {
    params.push(value);
    return `EXISTS (SELECT 1 FROM json_each(movies.${column}) WHERE lower(json_each.value) = lower(?))`;
  };
  if (f.genres?.length) {
    const each = f.genres.map((g) => listMatch("genres", g));
    parts.push(`(${each.join(f.genreMode === "all" ? " AND " : " OR ")})`);
  }
  if (f.cast?.length) parts.push(`(${f.cast.map((c) => listMatch("cast_members", c)).join(" AND ")})`);
  if (f.directors?.length) parts.push(`(${f.directors.map((d) => listMatch("directors", d)).join(" OR ")})`);
  if (f.language) (parts.push("lower(language) = lower(?)"), params.push(f.language));
  return { where: parts.length ? parts.join(" AND ") : "1", params };
}

/** The rowids that pass the filters, or null when there are no filters (everything passes). */
export function filterRowids(collection: Collection, f: Filters | undefined): Set<number> | null {
  if (!f || !hasFilters(f)) return null;
  const { where, params } = filterSql(f);
  const rows = collection.db.prepare(`SELECT rowid FROM movies WHERE ${where}`).raw().all(...params) as [number][];
  return new Set(rows.map((r) => r[0]));
}
