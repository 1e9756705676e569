import type { Schemas } from "@qdrant/js-client-rest";
import { validateFilters, type Filters } from "../filters.js";

export type QdrantFilter = Schemas["Filter"];
export type QdrantCondition = Schemas["Condition"];

/**
 * `Filters` in Qdrant's filter language, over the payload indexes the backend creates (numbers
 * as range conditions, lists and language as keyword matches on their lower-case copies under
 * `lc`): the same movies pass as in SQLite. A movie without a year, rating, runtime, vote count
 * or language fails a condition on it, since a range or match on a missing key fails, as
 * SQL's NULL does. Null when nothing restricts.
 */
export function qdrantFilter(f: Filters | undefined): QdrantFilter | null {
  if (!f) return null;
  validateFilters(f);
  const must: QdrantCondition[] = [];
  const range = (key: string, gte?: number, lte?: number) => {
    if (gte === undefined && lte === undefined) return;
    must.push({ key, range: { ...(gte !== undefined ? { gte } : {}), ...(lte !== undefined ? { lte } : {}) } });
  };
  range("year", f.yearMin, f.yearMax);
  range("runtime", f.runtimeMin, f.runtimeMax);
  range("rating", f.minRating);
  range("votes", f.minVotes);
  const lower = (xs: string[] | undefined) => [...new Set((xs ?? []).map((x) => x.toLowerCase()))];
  const genres = lower(f.genres);
  if (genres.length) {
    if (f.genreMode === "all") for (const g of genres) must.push({ key: "lc.genres", match: { value: g } });
    else must.push({ key: "lc.genres", match: { any: genres } });
  }
  for (const c of lower(f.cast)) must.push({ key: "lc.cast", match: { value: c } });
  const directors = lower(f.directors);
  if (directors.length) must.push({ key: "lc.directors", match: { any: directors } });
  if (f.language) must.push({ key: "lc.language", match: { value: f.language.toLowerCase() } });
  // A movie holding any of the left-out genres fails (match `any` under must_not; `except` would
  // pass a movie with one other genre besides).
  const excluded = lower(f.excludeGenres);
  const mustNot: QdrantCondition[] = excluded.length ? [{ key: "lc.genres", match: { any: excluded } }] : [];
  if (!must.length && !mustNot.length) return null;
  return { ...(must.length ? { must } : {}), ...(mustNot.length ? { must_not: mustNot } : {}) };
}

/** Payload keys holding each field's text with a phrase-matching full-text index, in keyword-index field order. */
export const PHRASE_KEYS = ["title", "ph.keywords", "ph.cast", "ph.directors", "ph.genres", "tagline", "overview", "plot"] as const;

/**
 * A quoted phrase as a condition: the words, in order, in one field (any of them), as FTS5
 * matches a phrase within one column. Qdrant's full-text index folds, lower-cases and stems
 * both sides itself (Snowball English), so "stranded astronauts" finds "stranded astronaut".
 */
export function phraseCondition(words: readonly string[]): QdrantCondition {
  const phrase = words.join(" ");
  return { should: PHRASE_KEYS.map((key) => ({ key, match: { phrase } })) };
}

/** Several filters (null ones skipped) as one, all of them required. */
export function allOf(...filters: (QdrantFilter | QdrantCondition | null | undefined)[]): QdrantFilter | null {
  const must: QdrantCondition[] = [];
  for (const f of filters) {
    if (!f) continue;
    if ("must" in f && Object.keys(f).length === 1 && Array.isArray(f.must)) must.push(...(f.must as QdrantCondition[]));
    else must.push(f as QdrantCondition);
  }
  return must.length ? { must } : null;
}

/** A filter excluding points by id, or null. */
export function excludeIds(pointIds: readonly string[]): QdrantFilter | null {
  return pointIds.length ? { must_not: [{ has_id: [...pointIds] }] } : null;
}
