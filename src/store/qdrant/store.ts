import type { Schemas } from "@qdrant/js-client-rest";
import type { Movie } from "../../catalog/movie.js";
import type { EmbeddingCache } from "../../embed/cache.js";
import { CapabilityError, CollectionError, InvalidArgumentError } from "../../errors.js";
import { fieldMatchesFromText, vocabularyDocs } from "../field-matches.js";
import { validateFilters, type Filters } from "../filters.js";
import { movieUuid } from "../remote/point-id.js";
import { chunks } from "../remote/resumable.js";
import {
  DEFAULT_FIELD_WEIGHTS,
  NO_TRAILERS,
  requireNativeFusion,
  SCAN_BATCH,
  type AllVectors,
  type ExampleQuery,
  type FacetCount,
  type FacetField,
  type Finisher,
  type HybridHit,
  type HybridOptions,
  type HybridQuery,
  type InterruptedWrite,
  type KeywordHit,
  type KeywordOptions,
  type KeywordQuery,
  type Manifest,
  type MovieField,
  type MovieRow,
  type NativeFusion,
  type PageOptions,
  type Store,
  type StoreCapabilities,
  type StoreOpenOptions,
  type StoreStats,
  type UpsertItem,
  type VectorHit,
  type VectorOptions,
  type VectorQuery,
  type WriteBatch,
  type WriteResult,
} from "../store.js";
import { QdrantConnection, qdrantMessage } from "./connection.js";
import { allOf, qdrantFilter } from "./filters.js";
import { parseQdrantLocation, type QdrantLocation } from "./location.js";
import { DERIVED_KEYS, movieOf, payloadKeys, recordOf, rowOf, type Payload } from "./payload.js";
import { hybridRequests, keywordRequest, recommendRequest, vectorRequest, type QueryRequest, type SearchTuning } from "./queries.js";
import { createCollectionBody, DENSE, FORMAT, initialMeta, META_KEY, PAYLOAD_INDEXES, type PlotlineMeta } from "./schema.js";
import { B, K1 } from "./sparse.js";
import { writeBatch } from "./write.js";

const CAPABILITIES: StoreCapabilities = Object.freeze({
  keyword: true,
  // The weights are in the sparse vectors, fixed at write time.
  queryWeights: false,
  // Phrases through full-text indexes with phrase matching (see `phraseCondition`).
  phrases: true,
  // The vocabulary is a facet over every movie's distinct terms.
  vocabulary: true,
  // Every vector by scrolling the collection in natural order.
  allVectors: true,
  // The sparse vectors hold one weighted bag of words per movie; the pool's fields are read and
  // matched by Plotline (`fieldMatchesFromText`) against the vocabulary facet.
  fieldMatches: true,
  facets: true,
  nativeHybrid: true,
  nativeRecommend: true,
  nativeDiversity: true,
  // No transactions across points: a write is resumable instead (`writeBatch`).
  atomicWrites: false,
  // Trailers are kept by the SQLite backend only so far: `trailer`, `movieTrailers` and
  // `transcripts` throw the CapabilityError, and every movie's `transcript` is null.
  trailers: false,
  check: false,
});

/** Ids per retrieve request. */
const RETRIEVE_BATCH = 1000;
/** Values a facet may list: more than any catalogue's distinct genres, cast or vocabulary. */
const FACET_LIMIT = 10_000_000;

/** The collection as last read: its metadata and dense vector size. */
interface Snapshot {
  meta: PlotlineMeta;
  dims: number;
}

/** Ranked hits, best first, ties in natural order (Qdrant breaks ties by point id). */
function byScoreThenSeq<T extends { score: number; ordinal?: number }>(hits: T[]): T[] {
  return hits.sort((a, b) => b.score - a.score || (a.ordinal ?? 0) - (b.ordinal ?? 0));
}

function hitOf(p: Schemas["ScoredPoint"]): VectorHit {
  return { id: p.payload!.id as string, score: p.score, ordinal: p.payload!.seq as number };
}

/**
 * A Plotline collection in Qdrant (`--db qdrant://host:6333/collection`), through the official
 * REST client: one Qdrant collection per Plotline collection, each movie a point (id: UUIDv5
 * of the movie id) with a named dense vector (`dense`: the embedder's finished unit vector,
 * cosine) and a named sparse vector (`text`: BM25 from Plotline's tokenizer and field
 * weights, IDF by Qdrant's `idf` modifier), the movie and what is derived from it as payload
 * (`payload.ts`) with an index for every filter, order and facet (`PAYLOAD_INDEXES`), and
 * Plotline's manifest, freshness token and write checkpoint in the collection's metadata
 * (`PlotlineMeta`), shared by every Plotline process and replicated by the cluster.
 *
 * Search goes through the Query API: keyword (sparse), semantic (dense, HNSW or `?exact=1`),
 * Qdrant's own hybrid fusion (`hybridTop`: prefetches fused by `rrf` or `dbsf`), recommendation
 * by examples (`recommendTop`: `average_vector`, `best_score`, `sum_scores`) and MMR diversity;
 * filters are Qdrant filters (`filters.ts`), so they apply inside the engine before its limit.
 * Plotline's own fusion, explanations, sentiment re-ranking and titles run in the engine over
 * the same answers. Created with `--shards`, `--replicas` and `--write-consistency`, a
 * collection is sharded and replicated by the Qdrant cluster.
 *
 * The metadata is read once and kept; `freshness()` reads it again (the server polls it), and
 * the caches derived from the collection (vocabulary) follow this store's own writes.
 */
export class QdrantStore implements Store {
  readonly kind = "qdrant";
  readonly capabilities = CAPABILITIES;
  readonly nativeFusions: readonly NativeFusion[] = ["rrf", "dbsf"];
  // Trailers are not kept by this backend (capability `trailers` is false).
  readonly trailer = NO_TRAILERS.trailer;
  readonly movieTrailers = NO_TRAILERS.movieTrailers;
  readonly transcripts = NO_TRAILERS.transcripts;
  readonly vectorIndex = null;
  readonly location: string;
  private readonly loc: QdrantLocation;
  private readonly conn: QdrantConnection;
  private snapshot: Promise<Snapshot | null> | null = null;
  private vocabularyLoad: Promise<ReadonlyMap<string, number>> | null = null;
  private finish: Finisher | null = null;
  private closed = false;

  private constructor(
    location: QdrantLocation,
    private readonly options: StoreOpenOptions,
  ) {
    this.loc = location;
    this.location = location.display;
    this.conn = new QdrantConnection(location, {
      onRetry: (err, attempt, wait) => options.onNotice?.(`${location.display}: ${qdrantMessage(err) ?? (err as Error)?.message ?? "request failed"}; retry ${attempt} in ${(wait / 1000).toFixed(1)} s`),
    });
  }

  /** Opens `qdrant://host:port/collection` (no request is sent before the first use). */
  static open(location: string, options: StoreOpenOptions = {}): QdrantStore {
    const d = options.distribution;
    for (const [name, v] of [["--shards", d?.shards], ["--replicas", d?.replicas], ["--write-consistency", d?.writeConsistency]] as const) {
      if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new InvalidArgumentError(name, `must be a positive integer, got ${v}`);
    }
    if (d?.writeConsistency !== undefined && d.replicas !== undefined && d.writeConsistency > d.replicas) {
      throw new InvalidArgumentError("--write-consistency", `${d.writeConsistency} is more than the ${d.replicas} replicas`);
    }
    return new QdrantStore(parseQdrantLocation(location), options);
  }

  get readonly(): boolean {
    return this.options.readonly ?? false;
  }

  private get tuning(): SearchTuning {
    return { exact: this.loc.exact, ef: this.loc.ef };
  }

  private get name(): string {
    return this.loc.collection;
  }

  private check(): void {
    if (this.closed) throw new CollectionError(`${this.location}: the store is closed`);
  }

  /** Reads the collection's metadata and vector size; null when it does not exist. */
  private async read(): Promise<Snapshot | null> {
    this.check();
    let info: Schemas["CollectionInfo"];
    try {
      info = await this.conn.call("read the collection", (c) => c.getCollection(this.name), {});
    } catch (err) {
      if (/doesn't exist|not found/i.test((err as Error).message) && (err as { cause?: { status?: number } }).cause?.status === 404) return null;
      throw err;
    }
    const meta = (info.config.metadata as Record<string, unknown> | null | undefined)?.[META_KEY] as PlotlineMeta | undefined;
    if (!meta || typeof meta !== "object") {
      throw new CollectionError(`${this.location}: the Qdrant collection '${this.name}' exists but was not made by Plotline; use another collection name (nothing was changed)`);
    }
    if (meta.format > FORMAT) throw new CollectionError(`${this.location} was written by a newer Plotline (layout ${meta.format}; this one reads ${FORMAT}); upgrade Plotline`);
    const vectors = info.config.params.vectors as Record<string, { size?: number }> | undefined;
    const dims = vectors?.[DENSE]?.size;
    if (typeof dims !== "number") throw new CollectionError(`${this.location}: the collection has no '${DENSE}' vector; it was not made by this Plotline`);
    const d = this.options.distribution;
    if (d && (d.shards !== undefined || d.replicas !== undefined || d.writeConsistency !== undefined)) {
      const p = info.config.params;
      this.options.onNotice?.(`${this.location} exists: --shards/--replicas/--write-consistency apply at creation only (it has ${p.shard_number ?? 1} shards, ${p.replication_factor ?? 1} replicas, write consistency ${p.write_consistency_factor ?? 1})`);
    }
    return { meta, dims };
  }

  /** The collection as last read (read on first use); null when it does not exist and may be created. */
  private async current(): Promise<Snapshot | null> {
    this.snapshot ??= this.read();
    const s = await this.snapshot.catch((err) => {
      this.snapshot = null;
      throw err;
    });
    if (!s && !this.options.create) throw new CollectionError(`${this.location}: no collection '${this.name}' on the Qdrant server; ingest or copy into it first`);
    return s;
  }

  /** The collection, which must exist. */
  private async existing(): Promise<Snapshot> {
    const s = await this.current();
    if (!s) throw new CollectionError(`${this.location}: the collection is empty; ingest a file first`);
    return s;
  }

  private dropDerived(): void {
    this.vocabularyLoad = null;
  }

  async manifest(): Promise<Manifest | null> {
    return (await this.current())?.meta.manifest ?? null;
  }

  async count(): Promise<number> {
    if (!(await this.current())) return 0;
    return (await this.conn.call("count movies", (c) => c.count(this.name, { exact: true }))).count;
  }

  async freshness(): Promise<string> {
    const before = this.snapshot ? await this.snapshot.catch(() => null) : null;
    this.snapshot = this.read();
    const now = await this.current();
    if (before?.meta.generation !== now?.meta.generation) this.dropDerived();
    return String(now?.meta.generation ?? 0);
  }

  async stats(): Promise<StoreStats> {
    const s = await this.current();
    if (!s) return { sizeBytes: null, details: { server: this.conn.version } };
    const info = await this.conn.call("read the collection", (c) => c.getCollection(this.name));
    const p = info.config.params;
    const details: NonNullable<StoreStats["details"]> = {
      server: this.conn.version,
      status: info.status,
      points: info.points_count ?? null,
      indexedVectors: info.indexed_vectors_count ?? null,
      segments: info.segments_count,
      shards: p.shard_number ?? 1,
      replicas: p.replication_factor ?? 1,
      writeConsistency: p.write_consistency_factor ?? 1,
      search: this.loc.exact ? "exact" : this.loc.ef !== undefined ? `hnsw ef ${this.loc.ef}` : "hnsw",
      keyword: "sparse BM25 (Plotline's terms, Qdrant's idf)",
    };
    const cluster = await this.conn.call("read the cluster", (c) => c.collectionClusterInfo(this.name)).catch(() => null);
    if (cluster) {
      const states: Record<string, number> = {};
      for (const shard of [...cluster.local_shards, ...cluster.remote_shards]) states[shard.state] = (states[shard.state] ?? 0) + 1;
      details.shardReplicas = states;
    }
    const pending = s.meta.pending;
    if (pending) details.interruptedWrite = `started ${pending.startedAt} by ${pending.owner}, ${pending.done} of ${pending.total} batches done; run the same command again to finish it`;
    return { sizeBytes: null, details };
  }

  async interruptedWrite(): Promise<InterruptedWrite | null> {
    const pending = (await this.current())?.meta.pending;
    return pending ? { startedAt: pending.startedAt, owner: pending.owner, done: pending.done, total: pending.total } : null;
  }

  async movie(id: string): Promise<Movie | null> {
    if (!(await this.current())) return null;
    const [p] = await this.conn.call("read a movie", (c) => c.retrieve(this.name, { ids: [movieUuid(id)], with_payload: { exclude: [...DERIVED_KEYS, "sentiment"] }, with_vector: false }));
    return p?.payload ? movieOf(p.payload) : null;
  }

  async movies<F extends MovieField>(ids: readonly string[], fields: readonly F[]): Promise<MovieRow<F>[]> {
    if (ids.length === 0 || !(await this.current())) return [];
    const keys = payloadKeys(fields);
    const found = new Map<string, MovieRow<F>>();
    const unique = [...new Set(ids)];
    for (const part of chunks(unique, RETRIEVE_BATCH)) {
      const points = await this.conn.call("read movies", (c) => c.retrieve(this.name, { ids: part.map(movieUuid), with_payload: keys, with_vector: false }));
      for (const p of points) found.set(p.payload!.id as string, rowOf(p.payload!, fields));
    }
    const out: MovieRow<F>[] = [];
    for (const id of ids) {
      const r = found.get(id);
      if (r) out.push(r);
    }
    return out;
  }

  async page<F extends MovieField>(options: PageOptions<F>): Promise<MovieRow<F>[]> {
    const { offset = 0, limit } = options;
    if (!Number.isInteger(limit) || limit < 0) throw new InvalidArgumentError("limit", `must be a non-negative integer, got ${String(limit)}`);
    if (!Number.isInteger(offset) || offset < 0) throw new InvalidArgumentError("offset", `must be a non-negative integer, got ${String(offset)}`);
    if (options.filters) validateFilters(options.filters);
    if (limit === 0 || !(await this.current())) return [];
    const keys = [...payloadKeys(options.fields), "seq", "pop"];
    const filter = qdrantFilter(options.filters);
    const ordered = (key: string, direction: "asc" | "desc", n: number, extra?: Schemas["Filter"]) =>
      this.conn.call("read a page", (c) =>
        c.query(this.name, { query: { order_by: { key, direction } }, limit: n, ...(allOf(filter, extra) ? { filter: allOf(filter, extra)! } : {}), with_payload: keys }),
      );
    if (options.orderBy !== "popularity") {
      const r = await this.conn.call("read a page", (c) => c.query(this.name, { query: { order_by: { key: "seq", direction: "asc" } }, offset, limit, ...(filter ? { filter } : {}), with_payload: keys }));
      return r.points.map((p) => rowOf(p.payload!, options.fields));
    }
    // Most popular first, ties in natural order: Qdrant orders ties by point id, so the movies
    // tied at the page's last popularity are read again in natural order.
    const top = (await ordered("pop", "desc", offset + limit)).points;
    if (top.length === 0) return [];
    const last = top.at(-1)!.payload!.pop as number;
    const above = top.filter((p) => (p.payload!.pop as number) > last);
    const tied = (await ordered("seq", "asc", offset + limit - above.length, { must: [{ key: "pop", range: { gte: last, lte: last } }] })).points;
    const all = [...above.sort((a, b) => (b.payload!.pop as number) - (a.payload!.pop as number) || (a.payload!.seq as number) - (b.payload!.seq as number)), ...tied];
    return all.slice(offset, offset + limit).map((p) => rowOf(p.payload!, options.fields));
  }

  /**
   * Points in natural order (ascending `seq`), in pages, with these payload keys (and vector):
   * scrolled by `seq`, each page starting after the last one's, so a movie written meanwhile
   * is seen at most once.
   */
  async *points(keys: readonly string[], options: { filter?: Schemas["Filter"] | null; batchSize?: number; vector?: boolean } = {}): AsyncIterable<Schemas["Record"][]> {
    if (!(await this.current())) return;
    const size = options.batchSize ?? SCAN_BATCH;
    const withKeys = [...new Set([...keys, "seq"])];
    let after: number | null = null;
    for (;;) {
      const filter = allOf(options.filter, after === null ? null : { key: "seq", range: { gt: after } });
      const r = await this.conn.call("scan the collection", (c) =>
        c.scroll(this.name, { limit: size, order_by: { key: "seq", direction: "asc" }, with_payload: withKeys, with_vector: options.vector ? [DENSE] : false, ...(filter ? { filter } : {}) }),
      );
      if (r.points.length) yield r.points;
      if (r.points.length < size) return;
      after = r.points.at(-1)!.payload!.seq as number;
    }
  }

  async *scan<F extends MovieField>(fields: readonly F[], options: { batchSize?: number } = {}): AsyncIterable<MovieRow<F>[]> {
    const keys = payloadKeys(fields);
    for await (const page of this.points(keys, options)) yield page.map((p) => rowOf(p.payload!, fields));
  }

  async *records(options: { batchSize?: number } = {}): AsyncIterable<UpsertItem[]> {
    const keys = ["id", "source", "sourceId", "title", "year", "overview", "plot", "tagline", "genres", "keywords", "cast", "directors", "companies", "runtime", "rating", "votes", "popularity", "budget", "revenue", "posterUrl", "language", "hash", "raw"];
    for await (const page of this.points(keys, options)) yield page.map((p) => recordOf(p.payload!));
  }

  async filterIds(filters: Filters): Promise<string[]> {
    validateFilters(filters);
    const out: string[] = [];
    for await (const page of this.points(["id"], { filter: qdrantFilter(filters), batchSize: 10_000 })) for (const p of page) out.push(p.payload!.id as string);
    return out;
  }

  /** Checks that keyword queries use the weights the sparse vectors were made with. */
  private checkWeights(snapshot: Snapshot, weights: KeywordOptions["weights"]): void {
    const stored = snapshot.meta.keyword.weights;
    for (const [field, w] of Object.entries(weights)) {
      if (stored[field as keyof typeof stored] !== w) {
        throw new CapabilityError("queryWeights", `the qdrant store ${this.location}: the collection's keyword vectors were made with field weights ${JSON.stringify(stored)}; a query with other weights (${field} ${w}) needs the collection written again`);
      }
    }
  }

  async keywordTop(query: KeywordQuery, options: KeywordOptions): Promise<KeywordHit[]> {
    if (options.filters) validateFilters(options.filters);
    const s = await this.current();
    if (!s || options.k <= 0) return [];
    this.checkWeights(s, options.weights);
    const vocabulary = query.prefix ? await this.keywordVocabulary() : null;
    const request = keywordRequest(query, vocabulary, options);
    if (!request) return [];
    const r = await this.conn.call("run a keyword query", (c) => c.query(this.name, request));
    return byScoreThenSeq(r.points.map(hitOf));
  }

  async keywordRanking(): Promise<string> {
    // The weights are the collection's (capability queryWeights off): other weights fail in keywordTop.
    const m = (await this.current())?.meta.keyword;
    return `BM25 as Qdrant sparse vectors (k1 ${m?.k1 ?? K1}, b ${m?.b ?? B}, field weights fixed at write time, Qdrant's idf)`;
  }

  keywordVocabulary(): Promise<ReadonlyMap<string, number>> {
    this.vocabularyLoad ??= (async () => {
      if (!(await this.current())) return new Map<string, number>();
      const r = await this.conn.call("read the vocabulary", (c) => c.facet(this.name, { key: "stems", limit: FACET_LIMIT, exact: true }));
      return new Map(r.hits.map((h) => [String(h.value), h.count]));
    })();
    this.vocabularyLoad.catch(() => (this.vocabularyLoad = null));
    return this.vocabularyLoad;
  }

  async keywordFieldMatches(query: KeywordQuery, ids: readonly string[]): Promise<Float64Array | null> {
    return fieldMatchesFromText(query, ids, {
      movies: (wanted, fields) => this.movies(wanted, fields),
      count: () => this.count(),
      docs: async (terms) => vocabularyDocs(await this.keywordVocabulary(), terms),
    });
  }

  async vectorTop(query: VectorQuery, options: VectorOptions): Promise<VectorHit[]> {
    if (options.filters) validateFilters(options.filters);
    const s = await this.current();
    if (!s || options.k <= 0) return [];
    let q: { vector: Float32Array } | { id: string } = query;
    if ("vector" in query) {
      if (query.vector.length !== s.dims) throw new InvalidArgumentError("vector", `has ${query.vector.length} dimensions; the collection's have ${s.dims}`);
    } else if (!options.exclude?.includes(query.id)) {
      // Qdrant leaves the movie a query names out; the contract lists it unless excluded.
      const v = (await this.vectors([query.id])).get(query.id);
      if (!v) return [];
      q = { vector: v };
    }
    const request = vectorRequest(q, { ...options, tuning: this.tuning });
    const r = await this.query("run a vector query", request);
    const hits = r.map(hitOf);
    return options.diversity ? hits : byScoreThenSeq(hits);
  }

  /** A query; a query naming a movie that is not there (404 on a point id) finds nothing. */
  private async query(what: string, request: QueryRequest): Promise<Schemas["ScoredPoint"][]> {
    try {
      return (await this.conn.call(what, (c) => c.query(this.name, request))).points;
    } catch (err) {
      if (/No point with id/i.test((err as Error).message)) return [];
      throw err;
    }
  }

  async vectors(ids: readonly string[]): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    if (ids.length === 0 || !(await this.current())) return out;
    for (const part of chunks([...new Set(ids)], RETRIEVE_BATCH)) {
      const points = await this.conn.call("read vectors", (c) => c.retrieve(this.name, { ids: part.map(movieUuid), with_payload: ["id"], with_vector: [DENSE] }));
      for (const p of points) {
        const v = (p.vector as Record<string, number[]> | undefined)?.[DENSE];
        if (v) out.set(p.payload!.id as string, Float32Array.from(v));
      }
    }
    return out;
  }

  async allVectors(): Promise<AllVectors> {
    const s = await this.existing();
    const ids: string[] = [];
    const rows: number[][] = [];
    for await (const page of this.points(["id"], { vector: true })) {
      for (const p of page) {
        const v = (p.vector as Record<string, number[]> | undefined)?.[DENSE];
        if (!v) continue;
        ids.push(p.payload!.id as string);
        rows.push(v);
      }
    }
    const matrix = new Float32Array(ids.length * s.dims);
    rows.forEach((v, i) => matrix.set(v, i * s.dims));
    return { dims: s.dims, ids, matrix };
  }

  async hybridTop(query: HybridQuery, options: HybridOptions): Promise<HybridHit[]> {
    requireNativeFusion(this, query.fusion);
    if (options.filters) validateFilters(options.filters);
    const s = await this.current();
    if (!s || options.k <= 0) return [];
    this.checkWeights(s, options.weights);
    if (query.vector && query.vector.length !== s.dims) throw new InvalidArgumentError("vector", `has ${query.vector.length} dimensions; the collection's have ${s.dims}`);
    const vocabulary = query.keyword.prefix ? await this.keywordVocabulary() : null;
    const [fused, kw, sem] = hybridRequests(query.keyword, query.vector, vocabulary, query.fusion === "rrf" ? "rrf" : "dbsf", { ...options, tuning: this.tuning });
    if (!kw && !sem) return [];
    const searches = [fused, ...(kw ? [kw] : []), ...(sem ? [sem] : [])];
    const answers = await this.conn.call("run a hybrid query", (c) => c.queryBatch(this.name, { searches }));
    const [f, ...lists] = answers.map((a) => a.points);
    const kwList = kw ? lists.shift()! : [];
    const semList = sem ? lists.shift()! : [];
    const rank = (list: Schemas["ScoredPoint"][]) => new Map(list.map((p, i) => [p.payload!.id as string, { score: p.score, rank: i + 1 }]));
    const kwRank = rank(kwList);
    const semRank = rank(semList);
    return f!.map((p) => {
      const id = p.payload!.id as string;
      const k = kwRank.get(id);
      const v = semRank.get(id);
      return { id, score: p.score, keyword: k?.score ?? null, semantic: v?.score ?? null, keywordRank: k?.rank ?? null, semanticRank: v?.rank ?? null };
    });
  }

  async recommendTop(query: ExampleQuery, options: VectorOptions): Promise<VectorHit[]> {
    if (options.filters) validateFilters(options.filters);
    if (query.positive.length + query.negative.length === 0) throw new InvalidArgumentError("like", "give at least one example");
    if (query.strategy === "average" && query.positive.length === 0) throw new InvalidArgumentError("like", "the average strategy needs at least one positive example");
    if (!(await this.current()) || options.k <= 0) return [];
    const r = await this.query("run a recommendation query", recommendRequest(query, { ...options, tuning: this.tuning }));
    return byScoreThenSeq(r.map(hitOf));
  }

  async facets(field: FacetField, options: { filters?: Filters; limit?: number } = {}): Promise<FacetCount[]> {
    if (options.filters) validateFilters(options.filters);
    if (!(await this.current())) return [];
    const filter = qdrantFilter(options.filters);
    const r = await this.conn.call("count facets", (c) => c.facet(this.name, { key: field, limit: FACET_LIMIT, exact: true, ...(filter ? { filter } : {}) }));
    const counts = r.hits.map((h) => ({ value: String(h.value), count: h.count })).sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    return options.limit === undefined ? counts : counts.slice(0, options.limit);
  }

  async write(batch: WriteBatch): Promise<WriteResult> {
    this.check();
    if (this.readonly) throw new CollectionError(`${this.location}: opened read-only; cannot write`);
    try {
      const { missing, count } = await writeBatch(
        {
          conn: this.conn,
          collection: this.name,
          location: this.location,
          load: async () => {
            this.snapshot = this.read();
            return this.snapshot;
          },
          create: (dims) => this.create(dims),
          saveMeta: (meta) => this.saveMeta(meta),
          scan: (keys, o = {}) => this.pages(keys, o),
          finisher: () => this.finisher(),
          onNotice: this.options.onNotice,
        },
        batch,
      );
      return { missing, count };
    } finally {
      this.snapshot = null;
      this.dropDerived();
    }
  }

  private async *pages(keys: readonly string[], o: { filter?: Schemas["Filter"]; batchSize?: number }): AsyncIterable<{ id: string; payload: Payload }[]> {
    for await (const page of this.points(keys, o)) yield page.map((p) => ({ id: String(p.id), payload: p.payload! }));
  }

  /** Creates the collection (dense vector of `dims`, sparse vector, metadata), then every payload index. */
  private async create(dims: number): Promise<PlotlineMeta> {
    if (!this.options.create) throw new CollectionError(`${this.location}: no collection '${this.name}' on the Qdrant server`);
    const meta = initialMeta(DEFAULT_FIELD_WEIGHTS);
    const body = createCollectionBody(dims, this.loc, this.options.distribution, meta);
    try {
      await this.conn.call("create the collection", (c) => c.api().createCollection({ collection_name: this.name, ...body }), { attempts: 1 });
    } catch (err) {
      // Created meanwhile by another process: use it if it is a Plotline collection of these dims.
      if (!/already exists/i.test((err as Error).message)) throw err;
      const s = await this.read();
      if (!s) throw err;
      if (s.dims !== dims) throw new CollectionError(`${this.location}: the collection's vectors have ${s.dims} dimensions, not ${dims}; write to another collection (nothing was changed)`);
      return s.meta;
    }
    for (const [field_name, field_schema] of PAYLOAD_INDEXES) {
      await this.conn.call("create a payload index", (c) => c.createPayloadIndex(this.name, { field_name, field_schema, wait: true }));
    }
    return meta;
  }

  private async saveMeta(meta: PlotlineMeta): Promise<void> {
    await this.conn.call("write", (c) => c.updateCollection(this.name, { metadata: { [META_KEY]: meta as unknown as Record<string, unknown> } }));
  }

  private async finisher(): Promise<Finisher> {
    if (this.finish) return this.finish;
    if (!this.options.finisher) throw new Error("QdrantStore: writing vectors needs the collection's finisher (StoreOpenOptions.finisher or WriteBatch.manifest.finish)");
    return (this.finish = await this.options.finisher());
  }

  /**
   * The embedding cache is the collection itself: every point keeps its text hash and raw
   * vector, so an unchanged movie is not embedded again (nothing is kept for movies that were
   * embedded but never written).
   */
  embeddingCache(): EmbeddingCache | null {
    if (this.readonly) return null;
    return {
      getMany: async (embedderId, hashes) => {
        const out = new Map<string, Float32Array>();
        const s = await this.current();
        if (!s || s.meta.manifest?.embedderId !== embedderId || hashes.length === 0) return out;
        for (const part of chunks(hashes.map((h) => h.toString("hex")), RETRIEVE_BATCH)) {
          for await (const page of this.points(["hash", "raw"], { filter: { must: [{ key: "hash", match: { any: part } }] }, batchSize: RETRIEVE_BATCH })) {
            for (const p of page) out.set(p.payload!.hash as string, recordOf({ ...p.payload!, id: "" }).raw);
          }
        }
        return out;
      },
      putMany: () => undefined,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
