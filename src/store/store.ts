import type { Movie } from "../catalog/movie.js";
import type { EmbeddingCache } from "../embed/cache.js";
import type { EmbedderState } from "../embed/embedder.js";
import { CapabilityError, InvalidArgumentError } from "../errors.js";
import type { IndexConfig } from "../vector-index/select.js";
import type { IndexKind } from "../vector-index/vector-index.js";
import type { Filters } from "./filters.js";
import type { MovieTranscripts, Trailer, TrailerCounts, TrailerInfo } from "./trailers.js";

/**
 * The storage seam: everything the engine (search, recommend) and the surfaces (library, CLI,
 * HTTP server) may ask of a collection, whatever engine keeps it. SQLite (`store/sqlite/`) is
 * the embedded default; a remote engine that shards and replicates (Postgres + pgvector, Qdrant,
 * Weaviate) implements the same interface with its official client.
 *
 * The division of work, so that every backend gives the same answers in the same shape:
 *
 * - the store keeps movies, their vectors and a manifest, and answers retrieval questions:
 *   movies by id and by page, a field scan, keyword top k (BM25 with field weights), vector top
 *   k by cosine, ids passing a filter, facet counts; it applies `Filters` itself, in its own
 *   terms, before the limit;
 * - the engine does the rest: query understanding, spelling, fusion of keyword and vector lists,
 *   explanations and matched words, title search as you type, re-ranking, diversity (MMR),
 *   recommendations. What it keeps in memory (title index, TF-IDF, people) it builds from a
 *   field scan, once per `freshness()` token.
 *
 * Ids are the movies' own (`Movie.id`, e.g. `tt0114709`); a backend maps them to its internal
 * keys (SQLite rowids, Qdrant point ids, Weaviate UUIDs) and never shows those. Where a method
 * lists movies without another order, it lists them in the store's *natural order*: stable
 * while the collection does not change, new movies after old ones (SQLite: rowid order). Ties in
 * every ranked list go to the movie earlier in the natural order.
 *
 * Every method that may go over the network returns a promise, as does everything that may
 * load a structure on first use. A method a backend cannot serve is declared in `capabilities`;
 * calling it anyway throws `CapabilityError` (see `requireCapability`), never a silently
 * different answer.
 *
 * Optional methods (marked `?`) are faster paths to an answer the engine can also work out from
 * `scan`: a backend that can ask its engine directly (an SQL `GROUP BY`) implements one, and
 * one that cannot leaves it out. The engine never calls them itself but through the function
 * of the same name below (`sharedOverviews(store)`), which falls back to the scan, so both
 * paths give the same answer (the conformance suite checks one against the other).
 *
 * Modelled on LanceDB's `Connection`/`Table` (one abstract surface, a local and a remote
 * implementation, every option documented where it is defined) and Orama's components (small
 * interfaces behind which an implementation is swapped, errors from one table of codes).
 */
export interface Store {
  /** Which implementation this is (`sqlite`, `postgres`, `qdrant`, `weaviate`), for messages. */
  readonly kind: string;
  /** Where the collection lives: a file path, or a URL without credentials. For messages. */
  readonly location: string;
  /** Opened read-only: `write` (and everything that writes) throws. */
  readonly readonly: boolean;
  /** What this backend can do; see `StoreCapabilities`. */
  readonly capabilities: StoreCapabilities;

  /**
   * Verifies the stored collection (capability `check`): `quick` only what is cheap enough for
   * every open, else everything (a full pass over the file, the text index and the vectors).
   */
  verify?(options?: { quick?: boolean }): Promise<CheckFinding[]>;

  /** What the collection records about itself; null before the first write batch. */
  manifest(): Promise<Manifest | null>;
  /** Movies in the collection. */
  count(): Promise<number>;
  /**
   * One opaque token for the collection's state: it changes whenever a write batch commits,
   * from this process or another, and only then (an embedding-cache write does not change it).
   * Whoever keeps state derived from the collection records the token it built from and
   * rebuilds when the token differs. The store's own derived state (SQLite: postings, filter
   * columns, the vector index) follows its own writes by itself.
   */
  freshness(): Promise<string>;
  /** Sizes and backend details for `plotline info`; see `StoreStats`. */
  stats(): Promise<StoreStats>;
  /**
   * A write batch that was interrupted part-way (backends without `atomicWrites`), which
   * sending the same batch again finishes; null when there is none (always, for backends whose
   * writes are all or nothing).
   */
  interruptedWrite(): Promise<InterruptedWrite | null>;

  /** One movie with every field, or null. */
  movie(id: string): Promise<Movie | null>;
  /**
   * The given fields (and `id`) of the movies with these ids, in the order asked; ids not in
   * the collection are skipped, a repeated id is returned once per time it is asked.
   */
  movies<F extends MovieField>(ids: readonly string[], fields: readonly F[]): Promise<MovieRow<F>[]>;
  /** One page of movies in a stated order, filters applied before the page is cut. */
  page<F extends MovieField>(options: PageOptions<F>): Promise<MovieRow<F>[]>;
  /**
   * Every movie's given fields (and `id`), in natural order, in batches (`batchSize`, default
   * `SCAN_BATCH`): what the engine's in-memory structures are built from. Remote backends page
   * through with a cursor; the batches of one scan see one state of the collection.
   */
  scan<F extends MovieField>(fields: readonly F[], options?: { batchSize?: number }): AsyncIterable<MovieRow<F>[]>;
  /**
   * Every movie with what ingest computed for it (the hash of its embedded text, the embedder's
   * raw vector), in natural order, in batches (`batchSize`, default `SCAN_BATCH`), seeing one
   * state of the collection: what `plotline copy` moves to another store, so nothing is
   * embedded again.
   */
  records(options?: { batchSize?: number }): AsyncIterable<UpsertItem[]>;
  /** Ids of the movies passing the filters, in natural order (every movie when none restricts). */
  filterIds(filters: Filters): Promise<string[]>;
  /**
   * Optional. The movies whose non-empty overview at least one other movie has too, with their
   * overview and plot, in natural order: where recommendations look for copies of one plot
   * under another title. A few dozen of 10,852 TMDB movies, so a backend that can group
   * overviews itself saves reading every overview. Call it through `sharedOverviews(store)`.
   */
  sharedOverviews?(): Promise<MovieRow<"overview" | "plot">[]>;

  /**
   * The best `k` movies for a keyword query by BM25 (`k1` 1.2, `b` 0.75, each field's term
   * frequency weighted by `weights`), best first, filters applied before the limit. Movies that
   * match no word are never listed. Capability `keyword`; quoted phrases need `phrases`.
   */
  keywordTop(query: KeywordQuery, options: KeywordOptions): Promise<KeywordHit[]>;
  /**
   * The terms of the keyword index as the index stores them (Porter stems of folded words) with
   * how many movies hold each: what spelling correction checks a word against. Capability
   * `vocabulary`.
   */
  keywordVocabulary(): Promise<ReadonlyMap<string, number>>;
  /**
   * Where a keyword query's words are in each of these movies, for the ranking model: per movie
   * (in the order asked), `FIELD_GROUPS.length` numbers, each the share of the query's words
   * found in that group of fields, every word weighted by BM25's IDF (a word's corrections
   * count as the word; a prefix as any word it starts). A movie not in the collection reads
   * zeros. Null for a query the backend cannot answer this for (quoted phrases): the model then
   * reads zeros. Capability `fieldMatches`.
   */
  keywordFieldMatches(query: KeywordQuery, ids: readonly string[]): Promise<Float64Array | null>;
  /**
   * `keywordFieldMatches` for the movies whose hits carry these ordinals (`VectorHit.ordinal`),
   * ascending: the same numbers in the same order, without the engine mapping its candidates
   * back to ids and the store mapping ids to its keys (the ranking model asks this for ~200
   * movies on every query). Optional: a backend whose ordinals are not its own keys omits it,
   * and the engine asks by id.
   */
  keywordFieldMatchesByOrdinal?(query: KeywordQuery, ordinals: Int32Array): Promise<Float64Array | null>;
  /**
   * How `keywordTop` ranks with these weights, in words (`BM25 (pg_textsearch ...)`,
   * `ts_rank_cd (...)`), for `--explain` and `plotline info`: backends may rank differently
   * from one another, and a user comparing answers must be able to see which ran.
   */
  keywordRanking(weights: Readonly<FieldWeights>): Promise<string>;

  /**
   * The best `k` movies by cosine to a query vector, or to a stored movie's vector, best first,
   * filters applied before the limit, `exclude` never listed (and, for a stored movie, the movie
   * itself is listed unless excluded). A page is full whenever `k` movies pass. Scores are the
   * cosine of unit vectors (finished by the collection's embedder, see `StoreOpenOptions`).
   */
  vectorTop(query: VectorQuery, options: VectorOptions): Promise<VectorHit[]>;
  /**
   * The engine's own hybrid query (capability `nativeHybrid`): keyword and vector candidates
   * fused by the backend (Qdrant: `prefetch` + `rrf` or `dbsf`; Weaviate: `hybrid` with
   * `rankedFusion` or `relativeScoreFusion`), best first, filters applied before the limit,
   * with each side's score and rank for explanations where the backend tells them. Plotline's
   * fusion (`convex`, `rrf`) runs in the engine over `keywordTop` and `vectorTop` instead; this
   * exists so the two can be compared. A fusion not in `nativeFusions` is an
   * `InvalidArgumentError` naming the ones there are (`requireNativeFusion`).
   */
  hybridTop(query: HybridQuery, options: HybridOptions): Promise<HybridHit[]>;
  /** The fusions `hybridTop` offers (empty without capability `nativeHybrid`). */
  readonly nativeFusions: readonly NativeFusion[];
  /** The unit vectors of these movies (those without one are absent). */
  vectors(ids: readonly string[]): Promise<Map<string, Float32Array>>;
  /**
   * The unit vectors of the movies whose hits carry these ordinals, in the order asked (null:
   * no such movie, or no vector): `vectors` without ids, for the same reason as
   * `keywordFieldMatchesByOrdinal`. Optional.
   */
  vectorsByOrdinal?(ordinals: Int32Array): Promise<(Float32Array | null)[]>;
  /**
   * Movies like the positive examples and unlike the negative ones, ranked by the backend's own
   * recommendation query with `strategy` (capability `nativeRecommend`; Qdrant's Query API
   * `recommend`), best first, filters applied before the limit; examples and `exclude` never
   * listed. Scores are the strategy's (see `ExampleStrategy`).
   */
  recommendTop(query: ExampleQuery, options: VectorOptions): Promise<VectorHit[]>;
  /**
   * Every stored unit vector at once, in natural order: what the exemplar SVM trains on and
   * what recommendations scan. Capability `allVectors`.
   */
  allVectors(): Promise<AllVectors>;

  /**
   * How many movies (filters applied) hold each value of a list field, most first, then by
   * value (code-unit order). Capability `facets`.
   */
  facets(field: FacetField, options?: { filters?: Filters; limit?: number }): Promise<FacetCount[]>;

  /**
   * Applies one batch of changes all or nothing (capability `atomicWrites`): after a failure,
   * or a process killed half-way, the collection is as it was. Within a batch: removals first,
   * then upserts (by id; an upsert of a known id replaces every field and its vector; its
   * trailers stay attached), then trailers, then the manifest, then the ingest log. The
   * freshness token changes once per committed batch.
   */
  write(batch: WriteBatch): Promise<WriteResult>;
  /**
   * The embedding cache kept with the collection (raw vectors by embedder and text hash,
   * written outside write batches, never part of the freshness token), or null when the backend
   * keeps none: ingest then embeds every movie.
   */
  embeddingCache(): EmbeddingCache | null;

  /**
   * The vector index the store builds itself from its vectors, when Plotline chooses it (SQLite:
   * exact, HNSW or IVF-PQ, saved beside the file); null for engines that keep their own (a
   * pgvector or Qdrant HNSW index is configured on the server).
   */
  readonly vectorIndex: VectorIndexAdmin | null;

  /**
   * The trailer stored under a content hash (lower-case hex SHA-1 of the file), or null.
   * Capability `trailers`, as are the two methods below; trailers are written by `write`.
   */
  trailer(hash: string): Promise<Trailer | null>;
  /** The trailers attached to a movie, in file order (path, then hash); none for an unknown id. */
  movieTrailers(id: string): Promise<TrailerInfo[]>;
  /**
   * Every movie with at least one trailer attached, in natural order: its joined transcript, its
   * trailers' languages and files, and their raw transcript vectors made with `embedderId`
   * (vectors of another embedder are left out; the next `plotline trailers` run re-embeds them).
   * Trailers are few next to a catalog: the engine keeps these in memory.
   */
  transcripts(embedderId: string): Promise<MovieTranscripts[]>;

  /** Releases connections and files; further calls fail. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * What a backend can do. The engine checks a capability before asking for it and, when it is
 * missing, fails with one message naming the backend, what it lacks and what needs it
 * (`requireCapability`); it never silently answers something else.
 */
export interface StoreCapabilities {
  /** `keywordTop`: BM25 with per-field weights. Without it keyword and hybrid search are unavailable. */
  keyword: boolean;
  /**
   * `KeywordOptions.weights` chosen per query. Without it the field weights are fixed when the
   * collection is written (Qdrant keeps each movie's weighted term frequencies as a sparse
   * vector), and a query with other weights fails; the engine always asks the defaults
   * (`DEFAULT_FIELD_WEIGHTS`), which every backend writes with.
   */
  queryWeights: boolean;
  /** Quoted phrases in keyword queries (the index keeps positions). Without it a query with a phrase fails. */
  phrases: boolean;
  /** `keywordVocabulary`. Without it misspelt words are searched as typed (no corrections). */
  vocabulary: boolean;
  /**
   * `allVectors`: every vector at once. The exemplar SVM (`similar --method svm`) and
   * recommendations from dislikes alone need it; kNN, `average` and `best` with likes work
   * through `vectorTop` and `vectors` without it.
   */
  allVectors: boolean;
  /**
   * `keywordFieldMatches`. Without it the ranking model (`fusion: "learned"`) reads zeros for
   * its per-field features, and ranks by the rest.
   */
  fieldMatches: boolean;
  /** `facets`. Without it `/api/genres` fails. */
  facets: boolean;
  /**
   * `hybridTop`: the engine has a hybrid query of its own (Qdrant's Query API fusion, Weaviate
   * `hybrid`). Plotline fuses the keyword and vector lists itself by default, so that every
   * backend ranks alike; `--fusion native-rrf|native-relative|native-dbsf` asks the backend's
   * instead (those in `Store.nativeFusions`).
   */
  nativeHybrid: boolean;
  /**
   * `recommendTop`: the engine ranks by examples itself (Qdrant's `recommend` with
   * `average_vector`, `best_score`, `sum_scores`). Without it the engine computes each strategy
   * from `vectorTop` and the vectors.
   */
  nativeRecommend: boolean;
  /**
   * `VectorOptions.diversity`: the engine re-ranks vector candidates by maximal marginal
   * relevance itself (Qdrant's `mmr`). Without it MMR runs in the engine over the candidates.
   */
  nativeDiversity: boolean;
  /** `write` is all or nothing. A backend that cannot promise it says false, and ingest warns. */
  atomicWrites: boolean;
  /**
   * Trailers (`plotline trailers`): `trailer`, `movieTrailers`, `transcripts`, `WriteBatch.trailers`,
   * the derived field `transcript` and trailer languages in `Filters.language`. Without it
   * `plotline trailers` fails, and movies have no transcript.
   */
  trailers: boolean;
  /**
   * `verify` (`plotline check`): the backend verifies its own storage (file integrity, text index, vectors against
   * rows, a saved index against the vectors) for `plotline check`. Without it `check` says the
   * backend's own tools do this.
   */
  check: boolean;
}

/** One finding of `Store.check`: what was checked, and whether it holds. */
export interface CheckFinding {
  /** Short name of the check (`integrity`, `fts`, `vectors`, ...). */
  check: string;
  ok: boolean;
  /** `error`: the collection is damaged; `warning`: stale or odd, still correct to serve. */
  severity: "error" | "warning";
  detail: string;
}

/** A capability a backend may lack. */
export type Capability = keyof StoreCapabilities;

/** What a collection records about itself. */
export interface Manifest {
  /** The embedder its vectors were made with (`Embedder.id`): queries must use the same one. */
  embedderId: string;
  /** Vector dimensions. */
  dims: number;
  /** What the embedder fitted on the whole collection (GloVe's common component), applied to every raw vector. */
  embedderState: EmbedderState | null;
  /** ISO 8601 time of the first write batch. */
  createdAt: string;
  /** ISO 8601 time of the last write batch that set the manifest. */
  updatedAt: string;
}

/** See `Store.interruptedWrite`. */
export interface InterruptedWrite {
  /** ISO 8601 time the write started, and `host:pid` of the process that ran it (null: the backend does not record it). */
  startedAt: string | null;
  owner: string | null;
  /** Upload batches done, of all (null: not recorded). */
  done: number | null;
  total: number | null;
}

/** Sizes and backend details for `plotline info`. */
export interface StoreStats {
  /** Bytes the collection takes where it lives (SQLite: the file and its WAL); null when the backend does not say. */
  sizeBytes: number | null;
  /** Trailers kept (capability `trailers`; absent without it). */
  trailers?: TrailerCounts;
  /**
   * What the backend runs on and how it ranks, by name, for `plotline info` (Postgres: server
   * and extension versions, keyword ranking, HNSW parameters, index sizes; Qdrant: server
   * version, points, shards and replicas and their states, how vectors are searched).
   */
  details?: Record<string, string | number | boolean | null | Record<string, number>>;
}

/**
 * Fields a store returns: every `Movie` field, and two derived ones: `sentiment`, derived by
 * every backend when a movie is written (`sentimentScore` of its overview, -1..1:
 * `catalog/sentiment.ts`), and `transcript`, what the movie's trailers say (their transcripts
 * in file order, joined by a blank line; null when it has none, and always without capability
 * `trailers`).
 */
export type MovieField = keyof Movie | "sentiment" | "transcript";
/** Every field of `Movie`, in the order of its definition: what `movie()` and `records()` return. */
export const MOVIE_FIELDS = [
  "id",
  "source",
  "sourceId",
  "title",
  "year",
  "overview",
  "plot",
  "tagline",
  "genres",
  "keywords",
  "cast",
  "directors",
  "companies",
  "runtime",
  "rating",
  "votes",
  "popularity",
  "budget",
  "revenue",
  "posterUrl",
  "language",
] as const satisfies readonly (keyof Movie)[];
const movieFieldsCoverMovie: [keyof Movie] extends [(typeof MOVIE_FIELDS)[number]] ? true : never = true;
void movieFieldsCoverMovie;
/** A stored movie with its derived fields. */
export type StoredMovie = Movie & { sentiment: number; transcript: string | null };
/** The requested fields of a movie, and its id. `plot` is absent when the movie has none. */
export type MovieRow<F extends MovieField> = Pick<StoredMovie, F | "id">;

/** Movies a scan batch holds by default. */
export const SCAN_BATCH = 5000;

/** One page of movies: `page()`. */
export interface PageOptions<F extends MovieField> {
  /** Fields to return besides `id`. */
  fields: readonly F[];
  /**
   * `popularity`: most popular first (unknown popularity counts as 0), ties in natural order;
   * `natural` (the default): natural order.
   */
  orderBy?: "popularity" | "natural";
  /** Restrictions applied before the page is cut (default none). */
  filters?: Filters;
  /** Movies to skip (default 0). */
  offset?: number;
  /** Movies to return, at most. */
  limit: number;
}

/**
 * Fields keyword search indexes and weighs, in this order (the order of a result's matched
 * words, too). `cast` and `directors` are names, `plot` a longer plot merged from another
 * catalog (`ingest --merge`), `transcript` what the movie's trailers say (capability `trailers`).
 */
export const TEXT_FIELDS = ["title", "keywords", "cast", "directors", "genres", "tagline", "overview", "plot", "transcript"] as const;
export type TextField = (typeof TEXT_FIELDS)[number];
/**
 * The groups of fields `keywordFieldMatches` reports, in this order: a word in the title, in
 * the keywords, in the cast or directors, in the tagline, overview or plot (genres are not a
 * group: the ranking model reads genre words through query understanding; nor is the
 * transcript, see below), and last `any`: a word in any of those four, so a word found in two
 * groups counts once (how much of the query the movie covers, whichever field says it).
 */
export const FIELD_GROUPS = ["title", "keywords", "people", "text", "any"] as const;
export type FieldGroup = (typeof FIELD_GROUPS)[number];
/** The group of each field (`any` is the union of the others, no field's own group). */
export const FIELD_GROUP_OF: Readonly<Record<TextField, Exclude<FieldGroup, "any"> | null>> = {
  title: "title",
  keywords: "keywords",
  cast: "people",
  directors: "people",
  genres: null,
  tagline: "text",
  overview: "text",
  plot: "text",
  // Not a group: the model was learned on what catalogues write about a film, and a trailer's
  // words are another kind of text (and most collections have none).
  transcript: null,
};

/** Relative BM25 weight of each indexed field: a field's term frequency counts this many times. */
export type FieldWeights = Record<TextField, number>;

/**
 * Default field weights: a word in the title counts 3x one in the overview, a keyword 2x, a
 * cast or director name 1.5x (the weights of the Weaviate remake of Karpathy's movie search,
 * seed 004, where `title^3` and names sit beside the description and plot). A plot merged from
 * another catalog (`ingest --merge`) counts as the overview does. A trailer's transcript
 * (`plotline trailers`) counts half: recognised speech carries recognition errors (pocketsphinx
 * missed about one content word in four of clear synthetic speech in test/trailers.test.ts),
 * and trailer dialogue talks around the story where a plot summary states it. What the engine
 * searches with (`search/keyword.ts` re-exports it), and what backends that bake weights into
 * their index (Qdrant's sparse vectors) write with.
 */
export const DEFAULT_FIELD_WEIGHTS: Readonly<FieldWeights> = Object.freeze({
  title: 3,
  keywords: 2,
  cast: 1.5,
  directors: 1.5,
  genres: 1,
  tagline: 1,
  overview: 1,
  plot: 1,
  transcript: 0.5,
});

/**
 * A user query reduced to what a keyword index is asked: never the raw text, so no query text
 * is ever read as a backend's query syntax. Built by `parseKeywordQuery` and spelling correction.
 */
export interface KeywordQuery {
  /** Free words, folded (lower case, no accents), stop words removed, deduplicated, in query order; ORed. */
  terms: string[];
  /** Quoted phrases, each a list of folded words (stop words kept), every one required. Capability `phrases`. */
  phrases: string[][];
  /** The last free word, also matched as a prefix of longer words (`interst` finds "interstellar"); null when none. */
  prefix: string | null;
  /** Words searched as well as a misspelt free word (see `Spelling`), by that word; each counts as a term of its own. */
  corrections?: Record<string, string[]>;
}

/** Options of `keywordTop`. */
export interface KeywordOptions {
  /** Movies to return, at most. */
  k: number;
  /** Weight of each field; every field must be given (the engine's defaults: `DEFAULT_FIELD_WEIGHTS`). */
  weights: Readonly<FieldWeights>;
  /** Restrictions applied before the limit (default none). */
  filters?: Filters;
}

/** A keyword hit: BM25 (higher is better). */
export interface KeywordHit {
  id: string;
  score: number;
  /** See `VectorHit.ordinal`. */
  ordinal?: number;
  /** Each field's share of the score, when the backend reports it (explanations); absent otherwise. */
  fields?: Partial<Record<TextField, number>>;
}

/** Fusions a backend's own hybrid query may offer (`hybridTop`). */
export const NATIVE_FUSIONS = ["rrf", "relative", "dbsf"] as const;
/**
 * - `rrf`: reciprocal rank fusion over the two candidate lists (Qdrant: 0-based ranks,
 *   `1 / (k + rank)`; Weaviate's `rankedFusion`, each side's `1 / (60 + rank)` weighted by
 *   `alpha` and `1 - alpha`);
 * - `relative`: each side's scores min-max scaled to 0..1, then `(1 - alpha) * keyword +
 *   alpha * vector` (Weaviate's `relativeScoreFusion`, the engine's `convex` computed by the
 *   server);
 * - `dbsf`: distribution-based score fusion (Qdrant: each side's scores normalised by their mean
 *   and three standard deviations, then summed).
 */
export type NativeFusion = (typeof NATIVE_FUSIONS)[number];

/** What `hybridTop` fuses: a keyword query and a query vector (unit length, the collection's dims). */
export interface HybridQuery {
  keyword: KeywordQuery;
  /** Null when the text has no vector (GloVe knows none of its words): keyword candidates only. */
  vector: Float32Array | null;
  fusion: NativeFusion;
}

export interface HybridOptions {
  /** Fused movies to return, at most. */
  k: number;
  /** Candidates taken from each side before fusing (the engine's `HYBRID_POOL`, or `k` when larger). */
  pool: number;
  /** Keyword field weights; see `KeywordOptions.weights`. */
  weights: Readonly<FieldWeights>;
  /** Weight of the vector side, 0 (keyword only) to 1 (vector only), for fusions that weigh the sides (the engine's `alpha`; Qdrant's `rrf` and `dbsf` weigh none). */
  alpha?: number;
  /** `rrf`'s constant (the engine passes its `RRF_K`, 60; the backend's default otherwise). */
  rrfK?: number;
  /** Restrictions applied to both sides before their limits (default none). */
  filters?: Filters;
}

/** A fused hit: the backend's fused score, and each side's score and 1-based rank (null: not among its candidates, or not told). */
export interface HybridHit {
  id: string;
  score: number;
  keyword: number | null;
  semantic: number | null;
  keywordRank: number | null;
  semanticRank: number | null;
}

/** What `vectorTop` ranks against: a query vector (unit length, the collection's dims) or a stored movie's vector. */
export type VectorQuery = { vector: Float32Array } | { id: string };

/** Options of `vectorTop`. */
export interface VectorOptions {
  /** Movies to return, at most. */
  k: number;
  /** Restrictions applied before the limit (default none). */
  filters?: Filters;
  /** Movies never listed (default none). */
  exclude?: readonly string[];
  /**
   * 0..1 (default 0, off): re-rank the `candidates` nearest by maximal marginal relevance with
   * `lambda = 1 - diversity` before keeping `k` (capability `nativeDiversity`; the list then
   * comes in selection order, scores still the cosine to the query).
   */
  diversity?: number;
  /** Candidates MMR chooses from (default `k`, never fewer). */
  candidates?: number;
}

/** How `recommendTop` combines examples (Qdrant's recommendation strategies). */
export const EXAMPLE_STRATEGIES = ["average", "best", "sum"] as const;
/**
 * - `average` (`average_vector`): nearest by cosine to `2 * mean(positive) - mean(negative)`
 *   (`mean(positive)` without negatives);
 * - `best` (`best_score`): each movie scores `sigmoid(best positive cosine)` when a positive is
 *   closer than every negative, else `-sigmoid(best negative cosine)`;
 * - `sum` (`sum_scores`): the sum of cosines to the positives minus the sum to the negatives.
 */
export type ExampleStrategy = (typeof EXAMPLE_STRATEGIES)[number];

/** Examples by movie id; at least one, and a movie is never both. */
export interface ExampleQuery {
  positive: readonly string[];
  negative: readonly string[];
  strategy: ExampleStrategy;
}

/** A vector hit: cosine similarity to the query, -1..1. */
export interface VectorHit {
  id: string;
  score: number;
  /**
   * The movie's place in the natural order as a number (any number that grows with it, the
   * same in every list of one collection state; SQLite gives its rowid), when the backend has
   * one at hand: the engine then breaks fusion ties without looking the id up. Optional.
   */
  ordinal?: number;
}

/** Every unit vector: `ids[i]`'s vector is `matrix[i * dims .. (i + 1) * dims)`. */
export interface AllVectors {
  dims: number;
  ids: string[];
  matrix: Float32Array;
  /**
   * `ordinals[i]` is `ids[i]`'s `VectorHit.ordinal`, when the backend's hits carry one: the
   * recommendation context then maps each hit to its position by that number instead of
   * looking its id up in a string map (a few cache misses per hit, measurable on every kNN
   * call). Optional.
   */
  ordinals?: number[];
}

/** List fields `facets` counts. */
export const FACET_FIELDS = ["genres", "keywords", "cast", "directors", "companies"] as const;
export type FacetField = (typeof FACET_FIELDS)[number];
export interface FacetCount {
  value: string;
  count: number;
}

/** A movie to insert or replace, with what ingest computed for it. */
export interface UpsertItem {
  movie: Movie;
  /** Hash of the text its vector was embedded from (`textHash(embeddingText(movie))`). */
  textHash: Buffer;
  /** The embedder's raw vector (before the collection-level finish step). */
  raw: Float32Array;
}

/**
 * A batch's upserts with each id once: the last version of a movie, at the place of its first
 * (as consecutive upserts leave them in SQLite, which keeps the first rowid). A Map keeps a
 * key's first position when its value is replaced.
 */
export function lastOfEachId(items: readonly UpsertItem[]): UpsertItem[] {
  return [...new Map(items.map((u) => [u.movie.id, u])).values()];
}

/**
 * One atomic change to the collection (`write`). Every part is optional; an empty batch still
 * commits (and changes the freshness token).
 */
export interface WriteBatch {
  /** Ids to delete; ids not in the collection are reported in `WriteResult.missing`. Applied first. */
  remove?: readonly string[];
  /** Movies to insert or replace, by id. A new movie goes after every existing one in natural order. */
  upsert?: readonly UpsertItem[];
  /**
   * The embedder the vectors come from, and how to refit its collection-level state: `fit` is
   * called inside the batch with every raw vector stored once removals and upserts are applied,
   * in natural order, and its result becomes `Manifest.embedderState` (so the state always
   * matches the vectors it is applied to). Without `fit` the state is left as it was.
   */
  manifest?: {
    embedderId: string;
    dims: number;
    fit?: (raw: Float32Array[]) => EmbedderState | null;
    /**
     * The embedder's finish step, for stores that keep the finished vectors themselves (a
     * pgvector column, a Qdrant dense vector): the first batch comes before any manifest from
     * which the store's own finisher could load the embedder. Without it the store uses
     * `StoreOpenOptions.finisher`.
     */
    finish?: Finisher;
  };
  /** An entry for the ingest history: the files read and the ingest report. */
  log?: { files: string[]; report: unknown };
  /**
   * Trailers to insert or replace, by hash (capability `trailers`), applied after the upserts,
   * so a trailer may name a movie of the same batch; a trailer naming a movie not in the
   * collection is an error. The movies they leave and join get their `transcript` anew.
   */
  trailers?: readonly Trailer[];
  /** Called inside the batch after each stage, for progress (`done` of `total` upserts). */
  onProgress?: (done: number, total: number) => void;
}

export interface WriteResult {
  /** Of `remove`, the ids that were not in the collection. */
  missing: string[];
  /** Movies in the collection after the batch. */
  count: number;
}

/** Vector index choice for stores that build their own (SQLite). */
export interface VectorIndexAdmin {
  /** The configured index, its effective kind and whether a saved copy is fresh, without loading it. */
  status(): Promise<IndexStatus>;
  /**
   * Records `config` (when given) in the collection, then builds, loads or catches up the index
   * and saves it; files of other index types are removed.
   */
  prepare(config: IndexConfig | undefined, options?: { rebuild?: boolean; onProgress?: (done: number, total: number) => void }): Promise<PreparedIndex>;
}

/** The vector index a collection is configured with (`plotline index`, `plotline info`). */
export interface IndexStatus {
  /** The recorded choice (default `{ type: "auto" }`). */
  config: IndexConfig;
  /** What `config` means for the collection's size. */
  kind: IndexKind;
  /** The saved index file, when the kind saves one and it exists. */
  file: string | null;
  bytes: number | null;
  /** Whether the saved file reflects the collection as it is (null for exact, which saves nothing). */
  fresh: boolean | null;
}

/** What `VectorIndexAdmin.prepare` did. */
export interface PreparedIndex {
  kind: IndexKind;
  /**
   * `exact`: nothing to load (the vectors are the index); `loaded`: read as saved; `synced`:
   * read, then caught up with `changes` movies; `built`: built from the vectors.
   */
  status: "exact" | "loaded" | "synced" | "built";
  /** Vectors in the index. */
  size: number;
  changes: number;
  seconds: number;
  /** The data file written, when one was. */
  saved: string | null;
}

/** What every store's `open` takes besides where the collection is. */
export interface StoreOpenOptions {
  /** Create the collection when missing (default false: a missing collection is an error). */
  create?: boolean;
  /** Never write (default false). */
  readonly?: boolean;
  /**
   * The collection-level finish step of its embedder (`Embedder.finish`), loaded when first
   * needed: a store searches finished (unit) vectors, `finish(raw, manifest.embedderState)`.
   */
  finisher?: () => Promise<Finisher>;
  /** One-line notices (an index built in memory, a stale saved index). */
  onNotice?: (message: string) => void;
  /**
   * How a backend that shards and replicates lays out a collection it creates (Qdrant:
   * `shard_number`, `replication_factor`, `write_consistency_factor`); each unset value is the
   * server's default. Ignored by single-node backends and for collections that exist.
   */
  distribution?: Distribution;
}

export interface Distribution {
  /** Shards the collection is cut into. */
  shards?: number;
  /** Copies of each shard, on distinct nodes. */
  replicas?: number;
  /** Replicas that must acknowledge a write before it succeeds (at most `replicas`). */
  writeConsistency?: number;
}

/** Turns a stored raw vector into the unit vector searched, under the collection's fitted state. */
export type Finisher = (raw: Float32Array, state: EmbedderState | null) => Float32Array;

/** `Store.sharedOverviews` when the backend has it, else the same answer from a field scan. */
export function sharedOverviews(store: Store): Promise<MovieRow<"overview" | "plot">[]> {
  return store.sharedOverviews ? store.sharedOverviews() : scanSharedOverviews(store);
}

/** The fallback of `sharedOverviews`: every overview and plot read, grouped here. */
export async function scanSharedOverviews(store: Store): Promise<MovieRow<"overview" | "plot">[]> {
  const rows: MovieRow<"overview" | "plot">[] = [];
  const seen = new Map<string, number>();
  for await (const batch of store.scan(["overview", "plot"])) {
    for (const row of batch) {
      if (row.overview === "") continue;
      rows.push(row);
      seen.set(row.overview, (seen.get(row.overview) ?? 0) + 1);
    }
  }
  return rows.filter((r) => seen.get(r.overview)! > 1);
}

/** What each capability lets a backend do, for `CapabilityError` messages. */
const CAPABILITY_TEXT: Record<Capability, string> = {
  keyword: "run keyword (BM25) queries",
  queryWeights: "weigh fields differently per keyword query",
  phrases: "match quoted phrases",
  vocabulary: "list the words of its keyword index",
  fieldMatches: "say which fields of a movie hold a keyword query's words",
  allVectors: "give every vector at once",
  facets: "count facets",
  atomicWrites: "apply a write batch all or nothing",
  nativeHybrid: "fuse keyword and vector candidates itself",
  nativeRecommend: "rank by examples itself",
  nativeDiversity: "re-rank by maximal marginal relevance itself",
  trailers: "keep trailers and their transcripts",
  check: "check its own storage",
};

/**
 * Throws the one clear error for a missing capability: which backend, what it cannot do, and
 * what asked for it (`needed`, e.g. "similar --method svm"), with `hint` for what to do instead.
 */
export function requireCapability(store: Pick<Store, "kind" | "capabilities">, capability: Capability, needed: string, hint?: string): void {
  if (store.capabilities[capability]) return;
  throw new CapabilityError(capability, `the ${store.kind} store cannot ${CAPABILITY_TEXT[capability]}, which ${needed} needs${hint ? `; ${hint}` : ""}`);
}

/**
 * Throws the one clear error for a native fusion this backend's `hybridTop` lacks (after
 * `nativeHybrid` itself), naming the ones it has.
 */
export function requireNativeFusion(store: Pick<Store, "kind" | "capabilities" | "nativeFusions">, fusion: NativeFusion): void {
  requireCapability(store, "nativeHybrid", `--fusion native-${fusion}`, "use --fusion learned, convex or rrf (Plotline's own)");
  if (store.nativeFusions.includes(fusion)) return;
  const offered = store.nativeFusions.map((f) => `native-${f}`).join(", ");
  throw new InvalidArgumentError("fusion", `the ${store.kind} store's own hybrid query offers ${offered}, not native-${fusion}; or use learned, convex or rrf (Plotline's own)`);
}

/**
 * The trailer reads of a backend that keeps no trailers (capability `trailers` false), each
 * failing with the one CapabilityError; such a backend takes them as they are
 * (`readonly trailer = NO_TRAILERS.trailer`).
 */
export const NO_TRAILERS = {
  async trailer(this: Store, _hash: string): Promise<Trailer | null> {
    requireCapability(this, "trailers", "reading a trailer");
    return null;
  },
  async movieTrailers(this: Store, _id: string): Promise<TrailerInfo[]> {
    requireCapability(this, "trailers", "a movie's trailers");
    return [];
  },
  async transcripts(this: Store, _embedderId: string): Promise<MovieTranscripts[]> {
    requireCapability(this, "trailers", "trailer transcripts");
    return [];
  },
};
