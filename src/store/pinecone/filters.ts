import { hasFilters, validateFilters, type Filters } from "../filters.js";

/** Lower-cased copies of the list and code fields that filters compare (Plotline matches them case-insensitively). */
export const FILTER_KEYS = { genres: "genres_key", cast: "cast_key", directors: "directors_key", language: "language_key" } as const;

/** A Pinecone metadata filter (its MongoDB-like language: `$and`, `$in`, `$gte`, ...). */
export type PineconeFilter = Record<string, unknown>;

/**
 * `Filters` as a Pinecone metadata filter, or undefined when nothing restricts. Pinecone never
 * matches a record without the field against a comparison (unknown year fails `year >= 1990`),
 * as Plotline's filters require; `$in` on a list field means "holds one of".
 */
export function pineconeFilter(f: Filters | undefined, extra: PineconeFilter[] = []): PineconeFilter | undefined {
  const parts: PineconeFilter[] = [...extra];
  if (f && hasFilters(f)) {
    validateFilters(f);
    const range = (field: string, min: number | undefined, max: number | undefined) => {
      if (min !== undefined) parts.push({ [field]: { $gte: min } });
      if (max !== undefined) parts.push({ [field]: { $lte: max } });
    };
    range("year", f.yearMin, f.yearMax);
    range("runtime", f.runtimeMin, f.runtimeMax);
    if (f.minRating !== undefined) parts.push({ rating: { $gte: f.minRating } });
    if (f.minVotes !== undefined) parts.push({ votes: { $gte: f.minVotes } });
    const lower = (xs: string[] | undefined) => [...new Set((xs ?? []).map((x) => x.toLowerCase()))];
    const genres = lower(f.genres);
    if (genres.length) {
      if (f.genreMode === "all") for (const g of genres) parts.push({ [FILTER_KEYS.genres]: { $in: [g] } });
      else parts.push({ [FILTER_KEYS.genres]: { $in: genres } });
    }
    // On a list field `$nin` passes a record none of whose values is listed.
    const excluded = lower(f.excludeGenres);
    if (excluded.length) parts.push({ [FILTER_KEYS.genres]: { $nin: excluded } });
    for (const c of lower(f.cast)) parts.push({ [FILTER_KEYS.cast]: { $in: [c] } });
    const directors = lower(f.directors);
    if (directors.length) parts.push({ [FILTER_KEYS.directors]: { $in: directors } });
    if (f.language) parts.push({ [FILTER_KEYS.language]: { $eq: f.language.toLowerCase() } });
  }
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : { $and: parts };
}
