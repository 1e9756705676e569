import type { PropertyConfigCreate } from "weaviate-client";
import type { Movie } from "../../catalog/movie.js";
import { porterStem } from "../../search/porter.js";
import { fold, words } from "../../search/text.js";
import { TEXT_FIELDS, type FieldWeights, type MovieField, type StoredMovie, type TextField } from "../store.js";
import { weaviateSdk } from "./sdk.js";

/** BM25's parameters, set in each collection's inverted-index settings (Plotline's, as SQLite's FTS5 uses). */
export const BM25_K1 = 1.2;
export const BM25_B = 0.75;

/**
 * The searchable property of each text field: the field's words as Plotline's keyword index
 * sees them (folded, Porter-stemmed, as SQLite's FTS5 `porter unicode61 remove_diacritics 2`
 * stores them), separated by spaces, under Weaviate's `whitespace` tokenization. Weaviate has no
 * stemmer, so without this "sharks" would not find "shark" and "Amélie" not "amelie"; with it a
 * keyword query means the same on every backend, and only the BM25 arithmetic is Weaviate's.
 */
export const TERMS_PROPERTY: Record<TextField, string> = {
  title: "title_terms",
  keywords: "keywords_terms",
  cast: "cast_terms",
  directors: "directors_terms",
  genres: "genres_terms",
  tagline: "tagline_terms",
  overview: "overview_terms",
  plot: "plot_terms",
  // Capability `trailers` is false here: always empty, kept so field weights mean the same.
  transcript: "transcript_terms",
};

/** Each `Movie` field's property (Weaviate's GraphQL names want snake or camel case; ours are camel). */
export const PROPERTY: Record<MovieField, string> = {
  id: "movie_id",
  source: "source",
  sourceId: "source_id",
  title: "title",
  year: "year",
  overview: "overview",
  plot: "plot",
  tagline: "tagline",
  genres: "genres",
  keywords: "keywords",
  cast: "cast",
  directors: "directors",
  companies: "companies",
  runtime: "runtime",
  rating: "rating",
  votes: "votes",
  popularity: "popularity",
  budget: "budget",
  revenue: "revenue",
  posterUrl: "poster_url",
  language: "language",
  sentiment: "sentiment",
  // No trailers on Weaviate (capability `trailers` is false): always null.
  transcript: "transcript",
};

/** Lower-cased copies that filters compare against (Plotline matches names and codes case-insensitively). */
export const FILTER_PROPERTY = { genres: "genres_key", cast: "cast_key", directors: "directors_key", language: "language_key" } as const;

/** Natural order: a number given to each movie when it first enters the collection. */
export const SEQ = "seq";
/** Popularity with unknown as 0: what "most popular first" sorts by (the shown `popularity` keeps null). */
export const POPULARITY_ORDER = "popularity_order";
/** Hex SHA-1 of the text the vector was embedded from (`UpsertItem.textHash`). */
export const TEXT_HASH = "text_hash";
/** The embedder's raw vector, little-endian float32, base64 (what a refit and `records` read). */
export const RAW = "raw";
/** Hash of everything written for a movie, so a resumed upload skips what is already there. */
export const CONTENT_HASH = "content_hash";

const stored = { indexFilterable: false, indexSearchable: false } as const;
const filterable = { indexFilterable: true, indexSearchable: false } as const;

/**
 * The typed properties of a movie collection. Shown fields are stored as they are (not
 * searchable: keyword search reads `TERMS_PROPERTY`); numbers that filters or the popularity
 * order test get filterable and range indexes; list fields keep exact values (`field`
 * tokenization) for facet counts.
 */
export function movieProperties(): PropertyConfigCreate<undefined>[] {
  const text = (name: string, flags: object = stored, tokenization: "field" | "whitespace" | "word" = "word") => ({ name, dataType: "text" as const, tokenization, ...flags });
  const list = (name: string, flags: object = stored) => ({ name, dataType: "text[]" as const, tokenization: "field" as const, ...flags });
  const num = (name: string, dataType: "int" | "number", range = false) => ({ name, dataType, ...(range ? { indexFilterable: true, indexRangeFilters: true } : { indexFilterable: false }) });
  return [
    text(PROPERTY.id, filterable, "field"),
    num(SEQ, "int", true),
    text(PROPERTY.source),
    text(PROPERTY.sourceId),
    text(PROPERTY.title),
    num(PROPERTY.year, "int", true),
    text(PROPERTY.overview),
    text(PROPERTY.plot),
    text(PROPERTY.tagline),
    list(PROPERTY.genres, filterable),
    list(PROPERTY.keywords, filterable),
    list(PROPERTY.cast, filterable),
    list(PROPERTY.directors, filterable),
    list(PROPERTY.companies, filterable),
    num(PROPERTY.runtime, "int", true),
    num(PROPERTY.rating, "number", true),
    num(PROPERTY.votes, "int", true),
    num(PROPERTY.popularity, "number"),
    num(POPULARITY_ORDER, "number", true),
    num(PROPERTY.budget, "number"),
    num(PROPERTY.revenue, "number"),
    text(PROPERTY.posterUrl),
    text(PROPERTY.language),
    num(PROPERTY.sentiment, "number"),
    text(PROPERTY.transcript),
    list(FILTER_PROPERTY.genres, filterable),
    list(FILTER_PROPERTY.cast, filterable),
    list(FILTER_PROPERTY.directors, filterable),
    text(FILTER_PROPERTY.language, filterable, "field"),
    ...TEXT_FIELDS.map((f) => text(TERMS_PROPERTY[f], { indexFilterable: false, indexSearchable: true }, "whitespace")),
    text(TEXT_HASH),
    { name: RAW, dataType: "blob" as const },
    text(CONTENT_HASH),
  ];
}

/** How a movie collection is created: Plotline's own vectors under a cosine HNSW index, BM25 with Plotline's k1 and b. */
export function movieCollectionConfig(name: string, description: string) {
  const { configure } = weaviateSdk();
  return {
    name,
    description,
    vectorizers: configure.vectors.selfProvided({ vectorIndexConfig: configure.vectorIndex.hnsw({ distanceMetric: "cosine" }) }),
    // Stop words are Plotline's to drop (from queries only, as for SQLite): Weaviate's preset
    // would drop them from the index as well, and BM25's document lengths would then differ.
    invertedIndex: configure.invertedIndex({ bm25b: BM25_B, bm25k1: BM25_K1, stopwordsPreset: "none", indexNullState: true }),
    properties: movieProperties(),
  };
}

/** The stems of a text, space-separated, in order (repeats kept: BM25 counts them). */
export function termsText(text: string | null | undefined, cache: Map<string, string>): string {
  if (!text) return "";
  const out: string[] = [];
  for (const w of words(text)) {
    let stem = cache.get(w);
    if (stem === undefined) cache.set(w, (stem = porterStem(fold(w))));
    out.push(stem);
  }
  return out.join(" ");
}

/** A query word as the index stores it. */
export function queryTerm(word: string): string {
  return porterStem(fold(word));
}

/**
 * `title_terms^3` and the rest: the BM25 properties with Plotline's field weights as Weaviate
 * boosts. The transcript is left out: this backend keeps no trailers, so it is always empty.
 */
export function boostedProperties(weights: Readonly<FieldWeights>): string[] {
  return TEXT_FIELDS.filter((f) => f !== "transcript" && weights[f] > 0).map((f) => (weights[f] === 1 ? TERMS_PROPERTY[f] : `${TERMS_PROPERTY[f]}^${weights[f]}`));
}

/** A movie as a Weaviate object's properties (without the bookkeeping ones). */
export function objectProperties(m: Movie, sentiment: number, cache: Map<string, string>): Record<string, unknown> {
  const lower = (xs: string[]) => [...new Set(xs.map((x) => x.toLowerCase()))];
  const p: Record<string, unknown> = {
    [PROPERTY.id]: m.id,
    [PROPERTY.source]: m.source,
    [PROPERTY.sourceId]: m.sourceId,
    [PROPERTY.title]: m.title,
    [PROPERTY.year]: m.year,
    [PROPERTY.overview]: m.overview,
    [PROPERTY.plot]: m.plot ?? null,
    [PROPERTY.tagline]: m.tagline,
    [PROPERTY.genres]: m.genres,
    [PROPERTY.keywords]: m.keywords,
    [PROPERTY.cast]: m.cast,
    [PROPERTY.directors]: m.directors,
    [PROPERTY.companies]: m.companies,
    [PROPERTY.runtime]: m.runtime,
    [PROPERTY.rating]: m.rating,
    [PROPERTY.votes]: m.votes,
    [PROPERTY.popularity]: m.popularity,
    [PROPERTY.budget]: m.budget,
    [PROPERTY.revenue]: m.revenue,
    [PROPERTY.posterUrl]: m.posterUrl,
    [PROPERTY.language]: m.language,
    [PROPERTY.sentiment]: sentiment,
    [POPULARITY_ORDER]: m.popularity ?? 0,
    [FILTER_PROPERTY.genres]: lower(m.genres),
    [FILTER_PROPERTY.cast]: lower(m.cast),
    [FILTER_PROPERTY.directors]: lower(m.directors),
    [FILTER_PROPERTY.language]: m.language === null ? null : m.language.toLowerCase(),
    [TERMS_PROPERTY.title]: termsText(m.title, cache),
    [TERMS_PROPERTY.keywords]: termsText(m.keywords.join(" "), cache),
    [TERMS_PROPERTY.cast]: termsText(m.cast.join(" "), cache),
    [TERMS_PROPERTY.directors]: termsText(m.directors.join(" "), cache),
    [TERMS_PROPERTY.genres]: termsText(m.genres.join(" "), cache),
    [TERMS_PROPERTY.tagline]: termsText(m.tagline, cache),
    [TERMS_PROPERTY.overview]: termsText(m.overview, cache),
    [TERMS_PROPERTY.plot]: termsText(m.plot, cache),
  };
  // Weaviate rejects null for a typed property in some paths; absent means null.
  for (const k of Object.keys(p)) if (p[k] === null) delete p[k];
  return p;
}

/** Reads an object's properties back as the movie fields asked for. */
export function rowFromProperties(props: Record<string, unknown>, fields: readonly MovieField[]): Record<string, unknown> {
  const row: Record<string, unknown> = { id: props[PROPERTY.id] };
  for (const f of fields) {
    if (f === "id") continue;
    const v = props[PROPERTY[f]];
    if (f === "plot") {
      if (typeof v === "string" && v) row.plot = v;
      continue;
    }
    row[f] = v === undefined ? defaultOf(f) : v;
  }
  return row;
}

const LIST = new Set<MovieField>(["genres", "keywords", "cast", "directors", "companies"]);
/** What an absent property reads as: empty lists, empty overview, null otherwise. */
function defaultOf(f: MovieField): unknown {
  if (LIST.has(f)) return [];
  if (f === "overview" || f === "title" || f === "source" || f === "sourceId") return "";
  if (f === "sentiment") return 0;
  return null;
}

/** Every `Movie` field, for reading a whole movie. */
export const MOVIE_FIELDS = (Object.keys(PROPERTY) as MovieField[]).filter((f) => f !== "sentiment") as (keyof Movie)[];

export type { StoredMovie };
