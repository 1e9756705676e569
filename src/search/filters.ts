import { InvalidArgumentError } from "../errors.js";
import type Database from "better-sqlite3";
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
  /** Genre names a movie must not have ("like The Thing without the horror"), matched case-insensitively. */
  excludeGenres?: string[];
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
  const add = (sql: string, value?: string | number) => {
    parts.push(sql);
    if (value !== undefined) params.push(value);
  };
  const range = (column: string, name: string, min?: number, max?: number) => {
    finite(`${name}Min`, min);
    finite(`${name}Max`, max);
    if (min !== undefined && max !== undefined && min > max) throw new InvalidArgumentError(name, `range ${min}..${max} is empty`);
    if (min !== undefined) add(`${column} >= ?`, min);
    if (max !== undefined) add(`${column} <= ?`, max);
  };
  range("year", "year", f.yearMin, f.yearMax);
  range("runtime", "runtime", f.runtimeMin, f.runtimeMax);
  finite("minRating", f.minRating);
  finite("minVotes", f.minVotes);
  if (f.minRating !== undefined) add("rating >= ?", f.minRating);
  if (f.minVotes !== undefined) add("votes >= ?", f.minVotes);
  const listMatch = (column: string, value: string) => {
    params.push(value);
    return `EXISTS (SELECT 1 FROM json_each(movies.${column}) WHERE lower(json_each.value) = lower(?))`;
  };
  if (f.genres?.length) {
    const each = f.genres.map((g) => listMatch("genres", g));
    parts.push(`(${each.join(f.genreMode === "all" ? " AND " : " OR ")})`);
  }
  if (f.excludeGenres?.length) parts.push(`NOT (${f.excludeGenres.map((g) => listMatch("genres", g)).join(" OR ")})`);
  if (f.cast?.length) parts.push(`(${f.cast.map((c) => listMatch("cast_members", c)).join(" AND ")})`);
  if (f.directors?.length) parts.push(`(${f.directors.map((d) => listMatch("directors", d)).join(" OR ")})`);
  if (f.language) add("lower(language) = lower(?)", f.language);
  return { where: parts.length ? parts.join(" AND ") : "1", params };
}

/**
 * The filterable columns of every movie, in memory. A filter in SQL reads every movie row (the
 * rows carry overviews), about 9 ms for a year range and 20-30 ms for a genre or cast test over
 * 10k movies; the same test over these arrays takes well under a millisecond. Loaded once per
 * collection state (see `filterTable`).
 */
export class FilterTable {
  private constructor(
    readonly rowids: Int32Array,
    private readonly year: Float64Array,
    private readonly runtime: Float64Array,
    private readonly rating: Float64Array,
    private readonly votes: Float64Array,
    private readonly language: (string | null)[],
    private readonly genres: string[][],
    private readonly cast: string[][],
    private readonly directors: string[][],
  ) {}

  static load(collection: Collection): FilterTable {
    const rows = collection.db
      .prepare("SELECT rowid, year, runtime, rating, votes, language, genres, cast_members, directors FROM movies ORDER BY rowid")
      .raw()
      .all() as [number, number | null, number | null, number | null, number | null, string | null, string, string, string][];
    const num = (i: number) => Float64Array.from(rows, (r) => (r[i] === null ? NaN : (r[i] as number)));
    const list = (i: number) => rows.map((r) => (JSON.parse(r[i] as string) as string[]).map((v) => v.toLowerCase()));
    return new FilterTable(
      Int32Array.from(rows, (r) => r[0]),
      num(1),
      num(2),
      num(3),
      num(4),
      rows.map((r) => (r[5] === null ? null : r[5].toLowerCase())),
      list(6),
      list(7),
      list(8),
    );
  }

  /** Rowids passing the filters (validated as `filterSql` does: bad values are errors). */
  select(f: Filters): Set<number> {
    filterSql(f);
    const tests: ((i: number) => boolean)[] = [];
    // NaN (unknown) fails every comparison, as NULL does in SQL.
    const range = (col: Float64Array, min?: number, max?: number) => {
      if (min !== undefined) tests.push((i) => col[i]! >= min);
      if (max !== undefined) tests.push((i) => col[i]! <= max);
    };
    range(this.year, f.yearMin, f.yearMax);
    range(this.runtime, f.runtimeMin, f.runtimeMax);
    range(this.rating, f.minRating);
    range(this.votes, f.minVotes);
    const lower = (xs: string[] | undefined) => (xs ?? []).map((x) => x.toLowerCase());
    const genres = lower(f.genres);
    if (genres.length) {
      tests.push(f.genreMode === "all" ? (i) => genres.every((g) => this.genres[i]!.includes(g)) : (i) => genres.some((g) => this.genres[i]!.includes(g)));
    }
    const excluded = lower(f.excludeGenres);
    if (excluded.length) tests.push((i) => !excluded.some((g) => this.genres[i]!.includes(g)));
    const cast = lower(f.cast);
    if (cast.length) tests.push((i) => cast.every((c) => this.cast[i]!.includes(c)));
    const directors = lower(f.directors);
    if (directors.length) tests.push((i) => directors.some((d) => this.directors[i]!.includes(d)));
    if (f.language) {
      const language = f.language.toLowerCase();
      tests.push((i) => this.language[i] === language);
    }
    const out = new Set<number>();
    outer: for (let i = 0; i < this.rowids.length; i++) {
      for (const t of tests) if (!t(i)) continue outer;
      out.add(this.rowids[i]!);
    }
    return out;
  }
}

const tables = new WeakMap<Collection, { version: string; table: FilterTable | null; changes: Database.Statement }>();

/**
 * The collection's filter table, reloaded when the collection changed: `data_version` moves
 * when another connection commits, `total_changes()` when this one writes.
 */
export function filterTable(collection: Collection): FilterTable {
  let entry = tables.get(collection);
  if (!entry) tables.set(collection, (entry = { version: "", table: null, changes: collection.db.prepare("SELECT total_changes()").raw() }));
  const version = `${collection.db.pragma("data_version", { simple: true })}:${(entry.changes.get() as [number])[0]}`;
  if (!entry.table || entry.version !== version) {
    entry.table = FilterTable.load(collection);
    entry.version = version;
  }
  return entry.table;
}

/** The rowids that pass the filters, or null when there are no filters (everything passes). */
export function filterRowids(collection: Collection, f: Filters | undefined): Set<number> | null {
  if (!f || !hasFilters(f)) return null;
  return filterTable(collection).select(f);
}
