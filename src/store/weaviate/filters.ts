import type { FilterValue } from "weaviate-client";
import { hasFilters, validateFilters, type Filters } from "../filters.js";
import { FILTER_PROPERTY, PROPERTY } from "./schema.js";
import { weaviateSdk } from "./sdk.js";

/** Property tests through the client's own filter builder (no hand-written filter JSON). */
const propertyFilter = (name: string) => weaviateSdk().default.filter.byProperty(name);
/** The object-id test (`exclude`). */
export const idFilter = () => weaviateSdk().default.filter.byId();

/**
 * `Filters` as a Weaviate filter, or undefined when nothing restricts. Weaviate's comparisons
 * never match an object without the property (a movie of unknown year fails `year >= 1990`),
 * as Plotline's filters require. Names and codes are compared with the lower-cased copies
 * written beside the shown values (`FILTER_PROPERTY`).
 */
export function weaviateFilter(f: Filters | undefined, extra: FilterValue[] = []): FilterValue | undefined {
  const parts: FilterValue[] = [...extra];
  if (f && hasFilters(f)) {
    validateFilters(f);
    const p = (name: string) => propertyFilter(name);
    if (f.yearMin !== undefined) parts.push(p(PROPERTY.year).greaterOrEqual(f.yearMin));
    if (f.yearMax !== undefined) parts.push(p(PROPERTY.year).lessOrEqual(f.yearMax));
    if (f.runtimeMin !== undefined) parts.push(p(PROPERTY.runtime).greaterOrEqual(f.runtimeMin));
    if (f.runtimeMax !== undefined) parts.push(p(PROPERTY.runtime).lessOrEqual(f.runtimeMax));
    if (f.minRating !== undefined) parts.push(p(PROPERTY.rating).greaterOrEqual(f.minRating));
    if (f.minVotes !== undefined) parts.push(p(PROPERTY.votes).greaterOrEqual(f.minVotes));
    const lower = (xs: string[] | undefined) => [...new Set((xs ?? []).map((x) => x.toLowerCase()))];
    const genres = lower(f.genres);
    if (genres.length) parts.push(f.genreMode === "all" ? p(FILTER_PROPERTY.genres).containsAll(genres) : p(FILTER_PROPERTY.genres).containsAny(genres));
    const excluded = lower(f.excludeGenres);
    if (excluded.length) parts.push(p(FILTER_PROPERTY.genres).containsNone(excluded));
    const cast = lower(f.cast);
    if (cast.length) parts.push(p(FILTER_PROPERTY.cast).containsAll(cast));
    const directors = lower(f.directors);
    if (directors.length) parts.push(p(FILTER_PROPERTY.directors).containsAny(directors));
    if (f.language) parts.push(p(FILTER_PROPERTY.language).equal(f.language.toLowerCase()));
  }
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : weaviateSdk().Filters.and(...parts);
}
