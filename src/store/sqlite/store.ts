import { TimeSlice, yieldTurn } from "../../time-slice.js";
import { CollectionError, InvalidArgumentError } from "../../errors.js";
import type { Movie } from "../../catalog/movie.js";
import type { IndexConfig } from "../../vector-index/select.js";
import type { MutableVectorIndex } from "../../vector-index/vector-index.js";
import { hasFilters, type Filters } from "../filters.js";
import type { CheckFinding } from "../store.js";
import {
  FIELD_GROUPS,
  SCAN_BATCH,
  TEXT_FIELDS,
  type TextField,
  type AllVectors,
  type FacetCount,
  type FacetField,
  type HybridHit,
  type Finisher,
  type KeywordHit,
  type KeywordOptions,
  type KeywordQuery,
  type Manifest,
  type MovieField,
  type MovieRow,
  type NativeFusion,
  type PageOptions,
  type PreparedIndex,
  type Store,
  type StoreCapabilities,
  type StoreOpenOptions,
  type StoreStats,
  type UpsertItem,
  type VectorHit,
  type VectorIndexAdmin,
  type VectorOptions,
  type VectorQuery,
  type WriteBatch,
  type WriteResult,
  requireCapability,
} from "../store.js";
import type { MovieTranscripts, Trailer, TrailerInfo } from "../trailers.js";
import { Collection } from "./collection.js";
import type { FilterTable } from "./filters.js";
import type { KeywordIndex } from "./keyword.js";
import { finishedVectorsInSlices, indexStatus, openCollectionIndex, removeOtherSidecars, setIndexConfig } from "./saved-index.js";

const CAPABILITIES: StoreCapabilities = Object.freeze({
  keyword: true,
  queryWeights: true,
  phrases: true,
  vocabulary: true,
  fieldMatches: true,
  allVectors: true,
  facets: true,
  nativeHybrid: false,
  nativeRecommend: false,
  nativeDiversity: false,
  atomicWrites: true,
  trailers: true,
  check: true,
});

/** Field weights for an index asked only where words are (`keywordFieldMatches`). */
const UNIT_WEIGHTS = Object.fromEntries(TEXT_FIELDS.map((f) => [f, 1])) as Record<TextField, number>;

/** Most filters whose passing rowids are kept (a hybrid query asks both sides with the same filters). */
const FILTER_MEMO = 4;

/** Movies' ids by rowid and rowids by id: the store's internal keys never leave it. */
interface Keys {
  idOf: (string | undefined)[];
  rowidOf: Map<string, number>;
  /** Every rowid, ascending (natural order). */
  rowids: Int32Array;
}

/**
 * The embedded backend: one SQLite file (`Collection`) with what is derived from it in memory,
 * built on first use and dropped on every write batch: movie keys, the filter columns, the
 * BM25 keyword index over FTS5's postings (`KeywordIndex`), and the vector index over the
 * finished vectors (exact through the SIMD scan, HNSW or IVF-PQ, saved beside the file).
 *
 * Derived state follows this store's own writes at once; a write by another process is seen
 * by opening the store again when `freshness()` changes (the server checks once a second).
 */
export class SqliteStore implements Store {
  readonly kind = "sqlite";
  readonly capabilities = CAPABILITIES;
  readonly nativeFusions: readonly NativeFusion[] = [];
  readonly vectorIndex: VectorIndexAdmin;
  private keysCache: Keys | null = null;
  private filterCache: FilterTable | null = null;
  private readonly filterMemo = new Map<string, Set<number>>();
  private readonly keywordIndexes = new Map<string, KeywordIndex>();
  private byPopularity: Int32Array | null = null;
  private index: Promise<MutableVectorIndex> | null = null;
  private finish: Finisher | null = null;

  private constructor(
    readonly collection: Collection,
    private readonly options: StoreOpenOptions,
  ) {
    this.vectorIndex = {
      status: async () => indexStatus(this.collection, this.collection.manifest()),
      prepare: (config, opts) => this.prepareIndex(config, opts),
    };
  }

  /** Opens (with `create`, creates) the collection file at `path`. */
  static open(path: string, options: StoreOpenOptions = {}): SqliteStore {
    return new SqliteStore(Collection.open(path, { create: options.create, readonly: options.readonly }), options);
  }

  get location(): string {
    return this.collection.path;
  }

  get readonly(): boolean {
    return this.collection.readonly;
  }

  async manifest(): Promise<Manifest | null> {
    return this.collection.manifest();
  }

  async count(): Promise<number> {
    return this.collection.count();
  }

  async freshness(): Promise<string> {
    return String(this.collection.generation());
  }

  async verify(options: { quick?: boolean } = {}): Promise<CheckFinding[]> {
    const manifest = this.collection.manifest();
    const findings = this.collection.check(options.quick ?? false, manifest?.dims ?? null);
    const status = indexStatus(this.collection, manifest);
    if (status.kind !== "exact") {
      findings.push(
        status.fresh
          ? { check: "saved index", ok: true, severity: "warning", detail: `${status.kind} ${status.file}: matches the vectors` }
          : { check: "saved index", ok: false, severity: "warning", detail: `${status.kind} ${status.file ? `${status.file} is stale` : "is not saved"}: searches build or catch it up in memory; run \`plotline index\` to save it` },
      );
    }
    return findings;
  }

  async stats(): Promise<StoreStats> {
    return { sizeBytes: this.collection.sizeOnDisk(), trailers: this.collection.trailerCounts() };
  }

  async interruptedWrite(): Promise<null> {
    return null; // every write batch is one transaction
  }

  async movie(id: string): Promise<Movie | null> {
    return this.collection.getById(id);
  }

  async movies<F extends MovieField>(ids: readonly string[], fields: readonly F[]): Promise<MovieRow<F>[]> {
    const { rowidOf } = this.keys();
    const rowids: number[] = [];
    for (const id of ids) {
      const r = rowidOf.get(id);
      if (r !== undefined) rowids.push(r);
    }
    return this.collection.rowsByRowid(rowids, fields);
  }

  async page<F extends MovieField>(options: PageOptions<F>): Promise<MovieRow<F>[]> {
    const { offset = 0, limit } = options;
    if (!Number.isInteger(limit) || limit < 0) throw new InvalidArgumentError("limit", `must be a non-negative integer, got ${String(limit)}`);
    if (!Number.isInteger(offset) || offset < 0) throw new InvalidArgumentError("offset", `must be a non-negative integer, got ${String(offset)}`);
    const allowed = this.allowed(options.filters);
    const order = options.orderBy === "popularity" ? (this.byPopularity ??= Int32Array.from(this.collection.rowidsByPopularity(), (r) => r[0])) : this.keys().rowids;
    const picked: number[] = [];
    let skipped = 0;
    for (let i = 0; i < order.length && picked.length < limit; i++) {
      const rowid = order[i]!;
      if (allowed && !allowed.has(rowid)) continue;
      if (skipped++ < offset) continue;
      picked.push(rowid);
    }
    return this.collection.rowsByRowid(picked, options.fields);
  }

  async *scan<F extends MovieField>(fields: readonly F[], options: { batchSize?: number } = {}): AsyncIterable<MovieRow<F>[]> {
    const size = options.batchSize ?? SCAN_BATCH;
    // One read of every row: a consistent state, and SQLite reads it faster than in pages. The
    // rows are decoded a batch at a time, with a turn of the event loop when a slice is used up
    // (a scan of every title and overview is ~100 ms of work: a reloading server keeps answering).
    const { raw, read } = this.collection.allRowsRaw(fields);
    await yieldTurn();
    const slice = new TimeSlice();
    for (let i = 0; i < raw.length; i += size) {
      await slice.pause();
      yield read(raw.slice(i, i + size)).map((r) => r.row);
    }
  }

  async *records(options: { batchSize?: number } = {}): AsyncIterable<UpsertItem[]> {
    const size = options.batchSize ?? SCAN_BATCH;
    if (!Number.isInteger(size) || size <= 0) throw new InvalidArgumentError("batchSize", `must be a positive integer, got ${String(size)}`);
    // One read, as for `scan`: every batch is of one state of the file.
    const items = this.collection.records();
    for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
  }

  async filterIds(filters: Filters): Promise<string[]> {
    const { idOf, rowids } = this.keys();
    const allowed = this.allowed(filters);
    const out: string[] = [];
    if (!allowed) for (const r of rowids) out.push(idOf[r]!);
    else for (const r of allowed) out.push(idOf[r]!);
    return out;
  }

  async sharedOverviews(): Promise<MovieRow<"overview" | "plot">[]> {
    const { idOf } = this.keys();
    return this.collection.sharedOverviews().map(([rowid, overview, plot]) => (plot ? { id: idOf[rowid]!, overview, plot } : { id: idOf[rowid]!, overview }));
  }

  async keywordTop(query: KeywordQuery, options: KeywordOptions): Promise<KeywordHit[]> {
    const allowed = this.allowed(options.filters);
    if (allowed && allowed.size === 0) return [];
    const { idOf } = this.keys();
    return this.keywordIndex(options.weights)
      .top(query, options.k, allowed)
      .map((h) => ({ id: idOf[h.id]!, score: h.score, ordinal: h.id }));
  }

  async keywordFieldMatches(query: KeywordQuery, ids: readonly string[]): Promise<Float64Array | null> {
    const shares = this.fieldSharesFor(query);
    if (!shares) return null;
    const { rowidOf } = this.keys();
    const rowids = new Int32Array(ids.length);
    // The engine asks for its pool in natural (rowid) order, distinct: then the pool is merged
    // with the posting lists as asked, and the answer is in the order asked.
    let sorted = true;
    for (let i = 0; i < ids.length; i++) {
      const r = rowidOf.get(ids[i]!);
      rowids[i] = r ?? -1;
      if (r === undefined || (i > 0 && r <= rowids[i - 1]!)) sorted = false;
    }
    return this.fieldSharesOf(shares, rowids, sorted);
  }

  /** Hits carry the rowid as their ordinal (`keywordTop`, `vectorTop`). */
  async keywordFieldMatchesByOrdinal(query: KeywordQuery, ordinals: Int32Array): Promise<Float64Array | null> {
    const shares = this.fieldSharesFor(query);
    if (!shares) return null;
    const { idOf } = this.keys();
    let sorted = true;
    for (let i = 0; i < ordinals.length; i++) {
      const r = ordinals[i]!;
      if (idOf[r] === undefined || (i > 0 && r <= ordinals[i - 1]!)) sorted = false;
    }
    return this.fieldSharesOf(shares, sorted ? ordinals : Int32Array.from(ordinals, (r) => (idOf[r] === undefined ? -1 : r)), sorted);
  }

  /** The query's per-field shares over a pool of rowids, or null for a query without words. */
  private fieldSharesFor(query: KeywordQuery): ((pool: Int32Array) => Float64Array) | null {
    // Which words a movie holds, and their IDF, do not depend on field weights: any index will do.
    const index = this.keywordIndexes.values().next().value ?? this.keywordIndex(UNIT_WEIGHTS);
    return index.fieldShares(query);
  }

  /** `shares` of these rowids (-1: not a movie) in the order asked; `sorted`: ascending, distinct and all known. */
  private fieldSharesOf(shares: (pool: Int32Array) => Float64Array, rowids: Int32Array, sorted: boolean): Float64Array {
    const G = FIELD_GROUPS.length;
    if (sorted) return shares(rowids);
    // Otherwise the distinct known rowids, sorted, and the answer put back in the order asked.
    const known = [...new Set(Array.from(rowids).filter((r) => r >= 0))].sort((a, b) => a - b);
    const byRowid = shares(Int32Array.from(known));
    const at = new Map<number, number>();
    known.forEach((r, i) => at.set(r, i));
    const out = new Float64Array(rowids.length * G);
    rowids.forEach((r, i) => {
      const j = r < 0 ? undefined : at.get(r);
      if (j !== undefined) for (let g = 0; g < G; g++) out[i * G + g] = byRowid[j * G + g]!;
    });
    return out;
  }

  async keywordVocabulary(): Promise<ReadonlyMap<string, number>> {
    return this.collection.keywordVocabulary();
  }

  async keywordRanking(): Promise<string> {
    return "BM25 (k1 1.2, b 0.75, field weights), in memory over FTS5's postings";
  }

  /** The BM25 index with these weights: one per set of weights, each with its own term scores. */
  keywordIndex(weights: KeywordOptions["weights"]): KeywordIndex {
    const key = JSON.stringify(weights);
    let ki = this.keywordIndexes.get(key);
    if (!ki) this.keywordIndexes.set(key, (ki = this.collection.keywordIndex(weights)));
    return ki;
  }

  async vectorTop(query: VectorQuery, options: VectorOptions): Promise<VectorHit[]> {
    const { k } = options;
    const index = await this.vectorSearchIndex();
    const { idOf, rowidOf } = this.keys();
    let v: Float32Array | null;
    if ("vector" in query) {
      v = query.vector;
      if (v.length !== index.dims) throw new InvalidArgumentError("vector", `has ${v.length} dimensions; the collection's have ${index.dims}`);
    } else {
      const rowid = rowidOf.get(query.id);
      v = rowid === undefined ? null : index.vector(rowid);
    }
    if (!v || k <= 0) return [];
    const allowed = this.allowed(options.filters);
    if (allowed && allowed.size === 0) return [];
    // Excluded rowids: a list, as callers exclude a movie and its few duplicates.
    const excluded: number[] = [];
    for (const id of options.exclude ?? []) {
      const r = rowidOf.get(id);
      if (r !== undefined) excluded.push(r);
    }
    // Excluded movies are dropped after the search: ask for more than needed and widen until
    // k survive or the collection is exhausted.
    let want = excluded.length === 0 ? k : Math.min(index.size, k + excluded.length + 8);
    for (;;) {
      const hits = index.search(v, want, allowed ?? undefined);
      const out: VectorHit[] = [];
      for (const h of hits) {
        if (excluded.length > 0 && excluded.includes(h.id)) continue;
        out.push({ id: idOf[h.id]!, score: h.score, ordinal: h.id });
        if (out.length === k) return out;
      }
      if (hits.length < want || want >= index.size) return out;
      want = Math.min(index.size, want * 4);
    }
  }

  async vectors(ids: readonly string[]): Promise<Map<string, Float32Array>> {
    const index = await this.vectorSearchIndex();
    const { rowidOf } = this.keys();
    const out = new Map<string, Float32Array>();
    for (const id of ids) {
      const r = rowidOf.get(id);
      const v = r === undefined ? null : index.vector(r);
      if (v) out.set(id, v);
    }
    return out;
  }

  /** Hits carry the rowid as their ordinal (`keywordTop`, `vectorTop`). */
  async vectorsByOrdinal(ordinals: Int32Array): Promise<(Float32Array | null)[]> {
    const index = await this.vectorSearchIndex();
    const { idOf } = this.keys();
    return Array.from(ordinals, (r) => (idOf[r] === undefined ? null : index.vector(r)));
  }

  async allVectors(): Promise<AllVectors> {
    const index = await this.vectorSearchIndex();
    const { idOf, rowids } = this.keys();
    const dims = index.dims;
    const ids: string[] = [];
    const ordinals: number[] = [];
    const matrix = new Float32Array(rowids.length * dims);
    for (const r of rowids) {
      const v = index.vector(r);
      if (!v) continue; // a movie without a vector cannot be compared
      matrix.set(v, ids.length * dims);
      ids.push(idOf[r]!);
      ordinals.push(r); // vectorTop's hits carry the rowid as their ordinal
    }
    return { dims, ids, ordinals, matrix: ids.length === rowids.length ? matrix : matrix.slice(0, ids.length * dims) };
  }

  async hybridTop(): Promise<HybridHit[]> {
    requireCapability(this, "nativeHybrid", "a native hybrid fusion", "use --fusion convex or rrf (Plotline's own)");
    return [];
  }

  async recommendTop(): Promise<VectorHit[]> {
    requireCapability(this, "nativeRecommend", "a native recommendation query");
    return [];
  }

  async facets(field: FacetField, options: { filters?: Filters; limit?: number } = {}): Promise<FacetCount[]> {
    const allowed = this.allowed(options.filters);
    return this.collection.facets(field, allowed ? [...allowed] : null, options.limit ?? null);
  }

  async write(batch: WriteBatch): Promise<WriteResult> {
    if (this.readonly) throw new CollectionError(`${this.location}: opened read-only; cannot write`);
    const c = this.collection;
    const upserts = batch.upsert ?? [];
    const dims = batch.manifest?.dims ?? c.manifest()?.dims;
    upserts.forEach((item, i) => {
      if (dims !== undefined && item.raw.length !== dims) throw new InvalidArgumentError(`upsert[${i}]`, `vector of ${item.movie.id} has ${item.raw.length} dimensions, expected ${dims}`);
    });
    let result: WriteResult = { missing: [], count: 0 };
    c.transaction(() => {
      const missing = batch.remove?.length ? c.remove(batch.remove) : [];
      if (upserts.length) {
        batch.onProgress?.(0, upserts.length);
        c.upsert(upserts);
        c.refreshSentiment();
      }
      if (batch.trailers?.length) c.saveTrailers(batch.trailers);
      const m = batch.manifest;
      if (m) {
        let state = c.manifest()?.embedderState ?? null;
        if (m.fit) {
          const all = c.vectors(m.dims);
          const rows: Float32Array[] = [];
          for (let i = 0; i < all.rowids.length; i++) rows.push(all.raw.subarray(i * all.dims, (i + 1) * all.dims));
          state = m.fit(rows);
        }
        c.setManifest({ embedderId: m.embedderId, dims: m.dims, embedderState: state });
      }
      if (batch.log) c.logIngest(batch.log.files, batch.log.report);
      c.bumpGeneration();
      result = { missing, count: c.count() };
      if (upserts.length) batch.onProgress?.(upserts.length, upserts.length);
    });
    this.dropDerived();
    return result;
  }

  async trailer(hash: string): Promise<Trailer | null> {
    return this.collection.trailer(hash);
  }

  async movieTrailers(id: string): Promise<TrailerInfo[]> {
    return this.collection.movieTrailers(id);
  }

  async transcripts(embedderId: string): Promise<MovieTranscripts[]> {
    return this.collection.transcripts(embedderId);
  }

  embeddingCache() {
    return this.readonly ? null : this.collection.embeddingCache();
  }

  async close(): Promise<void> {
    this.collection.close();
  }

  /** Rowids passing the filters, or null when nothing restricts; validates them either way. */
  private allowed(filters: Filters | undefined): Set<number> | null {
    if (!filters || !hasFilters(filters)) return null;
    const key = JSON.stringify(filters);
    let set = this.filterMemo.get(key);
    if (!set) {
      set = (this.filterCache ??= this.collection.filterTable()).select(filters);
      if (this.filterMemo.size >= FILTER_MEMO) this.filterMemo.delete(this.filterMemo.keys().next().value!);
      this.filterMemo.set(key, set);
    }
    return set;
  }

  private keys(): Keys {
    if (this.keysCache) return this.keysCache;
    const pairs = this.collection.rowidsAndIds();
    const idOf: (string | undefined)[] = [];
    const rowidOf = new Map<string, number>();
    const rowids = new Int32Array(pairs.length);
    pairs.forEach(([rowid, id], i) => {
      idOf[rowid] = id;
      rowidOf.set(id, rowid);
      rowids[i] = rowid;
    });
    return (this.keysCache = { idOf, rowidOf, rowids });
  }

  private async finisher(): Promise<Finisher> {
    if (this.finish) return this.finish;
    if (!this.options.finisher) throw new Error("SqliteStore: vector search needs the collection's finisher (StoreOpenOptions.finisher)");
    return (this.finish = await this.options.finisher());
  }

  private requireManifest(): Manifest {
    const manifest = this.collection.manifest();
    if (!manifest || this.collection.count() === 0) throw new CollectionError(`${this.location}: the collection is empty; ingest a file first`);
    return manifest;
  }

  /**
   * The vector index (exact, HNSW or IVF-PQ, per the collection's choice), over the finished
   * vectors by rowid, opened on first use: a saved index is loaded and caught up with changes.
   * Public for the SQLite backend's tests and benchmarks; everything else asks `vectorTop`.
   */
  vectorSearchIndex(): Promise<MutableVectorIndex> {
    if (!this.index) {
      this.index = (async () => {
        const manifest = this.requireManifest();
        const finish = await this.finisher();
        // Read-only (a server's generation): in slices, so its event loop keeps answering. A
        // writer reads them in one go, so no write of its own lands between the read and the index.
        const flat = this.readonly ? await finishedVectorsInSlices(this.collection, finish, manifest) : undefined;
        return openCollectionIndex(this.collection, finish, manifest, { readonly: this.readonly, onNotice: this.options.onNotice, flat }).index;
      })();
      // A failed open is not kept: the next call tries again.
      this.index.catch(() => (this.index = null));
    }
    return this.index;
  }

  private async prepareIndex(config: IndexConfig | undefined, options: { rebuild?: boolean; onProgress?: (done: number, total: number) => void } = {}): Promise<PreparedIndex> {
    const manifest = this.requireManifest();
    if (config) {
      if (this.readonly) throw new CollectionError(`${this.location}: opened read-only; cannot change the index`);
      this.collection.transaction(() => {
        setIndexConfig(this.collection, config);
        this.collection.bumpGeneration();
      });
      this.dropDerived();
    }
    const finish = await this.finisher();
    const opened = openCollectionIndex(this.collection, finish, manifest, { readonly: this.readonly, onNotice: this.options.onNotice, ...options });
    removeOtherSidecars(this.collection.path, opened.kind);
    this.index = Promise.resolve(opened.index);
    const { index, ...rest } = opened;
    return { ...rest, size: index.size };
  }

  private dropDerived(): void {
    this.keysCache = null;
    this.filterCache = null;
    this.filterMemo.clear();
    this.keywordIndexes.clear();
    this.byPopularity = null;
    this.index = null;
  }
}
