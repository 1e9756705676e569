import { validateFilters, type Filters } from "../filters.js";

/** Parameters of one statement: `add` returns the placeholder (`$1`, `$2`, ...) of a value. */
export class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

const lower = (xs: readonly string[]) => xs.map((x) => x.toLowerCase());

/**
 * The SQL condition over movies `m` for the filters, every value a parameter (never text in
 * the query), or `TRUE` when nothing restricts. Lists match through the lower-cased `*_key`
 * columns, lower-cased here by the same `toLowerCase` as at write time, with the GIN operators
 * `&&` (any) and `@>` (all). A NULL (unknown) column fails every comparison, as `Filters` says.
 */
export function filterSql(f: Filters | undefined, params: Params, m = "m"): string {
  if (!f) return "TRUE";
  validateFilters(f);
  const parts: string[] = [];
  const range = (column: string, min?: number, max?: number) => {
    if (min !== undefined) parts.push(`${m}.${column} >= ${params.add(min)}`);
    if (max !== undefined) parts.push(`${m}.${column} <= ${params.add(max)}`);
  };
  range("year", f.yearMin, f.yearMax);
  range("runtime", f.runtimeMin, f.runtimeMax);
  range("rating", f.minRating);
  range("votes", f.minVotes);
  if (f.genres?.length) parts.push(`${m}.genres_key ${f.genreMode === "all" ? "@>" : "&&"} ${params.add(lower(f.genres))}::text[]`);
  if (f.excludeGenres?.length) parts.push(`NOT (${m}.genres_key && ${params.add(lower(f.excludeGenres))}::text[])`);
  if (f.cast?.length) parts.push(`${m}.cast_key @> ${params.add(lower(f.cast))}::text[]`);
  if (f.directors?.length) parts.push(`${m}.directors_key && ${params.add(lower(f.directors))}::text[]`);
  if (f.language) parts.push(`${m}.language_key = ${params.add(f.language.toLowerCase())}`);
  return parts.length ? parts.join(" AND ") : "TRUE";
}
