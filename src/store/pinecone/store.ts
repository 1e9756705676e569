import { createHash } from "node:crypto";
import type { Index, Pinecone, PineconeRecord, RecordMetadata } from "@pinecone-database/pinecone";
import type { Movie } from "../../catalog/movie.js";
import { sentimentScore } from "../../catalog/sentiment.js";
import type { EmbedderState } from "../../embed/embedder.js";
import { CapabilityError, CollectionError, InvalidArgumentError } from "../../errors.js";
import type { Filters } from "../filters.js";
import { sendInBatches } from "../remote/batches.js";
import {
  lastOfEachId,
  NO_TRAILERS,
  requireCapability,
  SCAN_BATCH,
  type AllVectors,
  type FacetCount,
  type FacetField,
  type HybridHit,
  type InterruptedWrite,
  type Finisher,
  type KeywordHit,
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
import { FILTER_KEYS, pineconeFilter } from "./filters.js";
import { parsePineconeUrl, type PineconeTarget } from "./options.js";

/**
 * Pinecone is a vector index: it answers nearest neighbours with metadata filters, and lists
 * and fetches records. Keyword search, phrases, its vocabulary and facet counts it has not
 * (its sparse vectors would need an index created for them, and it counts nothing), so keyword
 * and hybrid search and `/api/genres` fail with one message. What the engine builds in memory
 * (titles, TF-IDF, people) and every vector at once come from listing and fetching the records.
 */
const CAPABILITIES: StoreCapabilities = Object.freeze({
  keyword: false,
  phrases: false,
  vocabulary: false,
  allVectors: true,
  // No keyword index: hybrid search is unavailable, so the ranking model never asks.
  fieldMatches: false,
  facets: false,
  nativeHybrid: false,
  queryWeights: false,
  nativeRecommend: false,
  nativeDiversity: false,
  // Pinecone writes record by record; a batch interrupted part-way is resumed, not undone.
  atomicWrites: false,
  trailers: false,
  check: false,
});

/** Records per upsert request: Pinecone takes at most 1,000 and 2 MB; a movie's metadata is 1-40 KB. */
export const UPSERT_BATCH = 100;
/** Ids per fetch (a GET with the ids in its query string) and per delete. */
export const FETCH_BATCH = 100;
/** Records per list page (Pinecone's maximum). */
const LIST_PAGE = 100;
/** Largest `topK` Pinecone answers with metadata. */
const MAX_TOP_K = 1000;
/** Pinecone's metadata limit per record is 40 KB; a long merged plot is cut to stay under it. */
const METADATA_BUDGET = 38_000;
/** Tries after the first for every request (the client's own retry, on 5xx and connection failures). */
export const MAX_RETRIES = 4;
/** Id of the record that holds the manifest, in the meta namespace. */
const MANIFEST_ID = "plotline-manifest";

/** What the manifest record says: the collection's manifest, its write generation and where an unfinished write stopped. */
interface MetaRecord {
  manifest: Manifest | null;
  generation: number;
  count: number;
  maxSeq: number;
  /** An upload in progress: the batches of the write with this fingerprint already sent. */
  checkpoint: { fingerprint: string; done: number } | null;
}

const LIST = ["genres", "keywords", "cast", "directors", "companies"] as const;
const NUMBERS = ["year", "runtime", "rating", "votes", "popularity", "budget", "revenue"] as const;
const STRINGS = ["source", "sourceId", "title", "overview", "plot", "tagline", "posterUrl", "language"] as const;

/** A movie as Pinecone metadata (no nulls: Pinecone has none, absent means unknown). */
export function movieMetadata(m: Movie, extra: { seq: number; added: number; sentiment: number; textHash: string; raw: Float32Array }): RecordMetadata {
  const md: RecordMetadata = { movie_id: m.id, seq: extra.seq, added: extra.added, sentiment: extra.sentiment, text_hash: extra.textHash, raw: Buffer.from(extra.raw.buffer, extra.raw.byteOffset, extra.raw.byteLength).toString("base64") };
  for (const f of STRINGS) {
    const v = m[f];
    if (typeof v === "string" && (v || f === "overview")) md[f] = v;
  }
  for (const f of NUMBERS) if (typeof m[f] === "number") md[f] = m[f] as number;
  for (const f of LIST) md[f] = m[f];
  md[FILTER_KEYS.genres] = [...new Set(m.genres.map((g) => g.toLowerCase()))];
  md[FILTER_KEYS.cast] = [...new Set(m.cast.map((g) => g.toLowerCase()))];
  md[FILTER_KEYS.directors] = [...new Set(m.directors.map((g) => g.toLowerCase()))];
  if (m.language) md[FILTER_KEYS.language] = m.language.toLowerCase();
  const size = Buffer.byteLength(JSON.stringify(md));
  if (size > METADATA_BUDGET && typeof md.plot === "string") {
    const keep = Math.max(0, md.plot.length - (size - METADATA_BUDGET) - 64);
    md.plot = md.plot.slice(0, keep);
    md.plot_truncated = true;
  }
  return md;
}

/** Metadata back as a movie row with the fields asked for. */
function rowFromMetadata(md: RecordMetadata, fields: readonly MovieField[]): Record<string, unknown> {
  const row: Record<string, unknown> = { id: md.movie_id };
  for (const f of fields) {
    if (f === "id") continue;
    const v = md[f];
    if (f === "plot") {
      if (typeof v === "string" && v) row.plot = v;
    } else if ((LIST as readonly string[]).includes(f)) row[f] = Array.isArray(v) ? v : [];
    else if (f === "sentiment") row[f] = typeof v === "number" ? v : 0;
    else if (f === "overview" || f === "title" || f === "source" || f === "sourceId") row[f] = typeof v === "string" ? v : "";
    else row[f] = v ?? null;
  }
  return row;
}

const MOVIE_FIELDS: (keyof Movie)[] = ["id", ...STRINGS, ...NUMBERS, ...LIST] as (keyof Movie)[];

function decodeVector(b64: string): Float32Array {
  const buf = Buffer.from(b64, "base64");
  const out = new Float32Array(buf.byteLength / 4);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

/** Every record of the namespace in natural order, loaded once per generation. */
interface Snapshot {
  generation: number;
  records: { id: string; metadata: RecordMetadata; values: number[] }[];
}

/**
 * Pinecone as a Plotline store, through the official client: one namespace of a serverless
 * index (created by you, with the embedder's dimension and the cosine metric) holds a record
 * per movie, its id the movie's id (so a second upload replaces, never duplicates), its values
 * the finished vector, its metadata the movie (filters match lower-cased copies). A record in
 * the companion namespace `<namespace>__plotline` holds the manifest, the write generation
 * (the freshness token) and the checkpoint of an upload in progress: a re-run of the same
 * upload skips the batches already sent.
 *
 * Serves semantic search and every "more like this" method (kNN by `query` with filters);
 * keyword and hybrid search and facets are declared missing.
 */
export class PineconeStore implements Store {
  readonly kind = "pinecone";
  readonly capabilities = CAPABILITIES;
  readonly nativeFusions: readonly NativeFusion[] = [];

  // Trailers are not kept by this backend (capability `trailers` is false).
  readonly trailer = NO_TRAILERS.trailer;
  readonly movieTrailers = NO_TRAILERS.movieTrailers;
  readonly transcripts = NO_TRAILERS.transcripts;
  readonly vectorIndex = null;
  readonly location: string;
  readonly readonly: boolean;
  readonly target: PineconeTarget;
  private clientPromise: Promise<Pinecone> | null = null;
  private indexInfo: Promise<{ dimension: number; metric: string }> | null = null;
  private meta: Promise<MetaRecord | null> | null = null;
  private snapshotLoad: Promise<Snapshot> | null = null;
  private finish: Finisher | null = null;

  private constructor(
    location: string,
    private readonly options: StoreOpenOptions,
  ) {
    this.target = parsePineconeUrl(location);
    this.location = this.target.display;
    this.readonly = options.readonly ?? false;
  }

  /**
   * The client, its module imported on first use: importing it took 1.7 s of every one-shot CLI
   * command on the loaded 2-core machine (SQLite ones too) when the store registry imported it
   * at start.
   */
  private client(): Promise<Pinecone> {
    this.clientPromise ??= import("@pinecone-database/pinecone").then(
      // The client retries 5xx answers and dropped connections itself, with exponential backoff
      // and jitter (from 200 ms); Plotline's batching adds no second layer.
      ({ Pinecone }) => new Pinecone({ apiKey: this.target.apiKey, ...(this.target.controllerHostUrl ? { controllerHostUrl: this.target.controllerHostUrl } : {}), maxRetries: MAX_RETRIES }),
    );
    return this.clientPromise;
  }

  static open(location: string, options: StoreOpenOptions = {}): PineconeStore {
    return new PineconeStore(location, options);
  }

  private get metaNamespace(): string {
    return `${this.target.namespace || "default"}__plotline`;
  }

  private async index(namespace = this.target.namespace): Promise<Index> {
    return (await this.client()).index({ name: this.target.index, namespace });
  }

  /** A client failure as one line naming the index. */
  private translate(err: unknown): Error {
    if (err instanceof CollectionError || err instanceof InvalidArgumentError || err instanceof CapabilityError) return err;
    const e = err as { name?: string; message?: string } | null;
    const message = (e?.message ?? String(err)).replace(/\s+/g, " ").trim().slice(0, 300);
    if (e?.name === "PineconeMaxRetriesExceededError") return new CollectionError(`${this.location}: Pinecone kept failing (server errors or dropped connections, ${MAX_RETRIES + 1} tries); run the same command again to resume`, { cause: err });
    if (e?.name === "PineconeAuthorizationError" || /\b401\b|unauthori[sz]ed|invalid api key/i.test(message)) return new CollectionError(`${this.location}: Pinecone refused the API key (check PINECONE_API_KEY)`, { cause: err });
    if (e?.name === "PineconeNotFoundError" || /\b404\b|not found/i.test(message)) return new CollectionError(`${this.location}: Pinecone has no index '${this.target.index}' for this API key; create a serverless index with the cosine metric first`, { cause: err });
    if (e?.name === "PineconeConnectionError" || /fetch failed|ECONNREFUSED|ENOTFOUND|timed? ?out/i.test(message)) return new CollectionError(`${this.location}: cannot reach Pinecone: ${message}`, { cause: err });
    return new CollectionError(`${this.location}: Pinecone answered: ${message}`, { cause: err });
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.translate(err);
    }
  }

  /** The index's dimension and metric (it must be cosine: Plotline's scores are cosines). */
  private describe(): Promise<{ dimension: number; metric: string }> {
    this.indexInfo ??= this.guard(async () => {
      const d = await (await this.client()).describeIndex(this.target.index);
      if (d.metric !== "cosine") throw new CollectionError(`${this.location}: the index uses the ${d.metric} metric; Plotline needs cosine`);
      return { dimension: d.dimension ?? 0, metric: d.metric };
    });
    this.indexInfo.catch(() => (this.indexInfo = null));
    return this.indexInfo;
  }

  private readMeta(): Promise<MetaRecord | null> {
    this.meta ??= this.guard(async () => {
      await this.describe();
      const r = await (await this.index(this.metaNamespace)).fetch({ ids: [MANIFEST_ID] });
      const md = r.records[MANIFEST_ID]?.metadata;
      if (!md || typeof md.record !== "string") {
        if (!this.options.create) throw new CollectionError(`${this.location}: no Plotline collection here; create one with: plotline copy --to ${this.location}`);
        return null;
      }
      return JSON.parse(md.record) as MetaRecord;
    });
    this.meta.catch(() => (this.meta = null));
    return this.meta;
  }

  private async writeMeta(record: MetaRecord): Promise<void> {
    const { dimension } = await this.describe();
    // Pinecone keeps no record without a vector; this one's is a unit axis, never searched (its own namespace).
    const values = new Array<number>(dimension).fill(0);
    values[0] = 1;
    await (await this.index(this.metaNamespace)).upsert({ records: [{ id: MANIFEST_ID, values, metadata: { record: JSON.stringify(record) } }] });
    this.meta = Promise.resolve(record);
  }

  private async requireMeta(): Promise<MetaRecord> {
    const m = await this.readMeta();
    if (!m || m.count === 0) throw new CollectionError(`${this.location}: the collection is empty; copy a collection into it first`);
    return m;
  }

  async manifest(): Promise<Manifest | null> {
    return (await this.readMeta())?.manifest ?? null;
  }

  async count(): Promise<number> {
    return (await this.readMeta())?.count ?? 0;
  }

  async freshness(): Promise<string> {
    this.meta = null;
    const m = await this.readMeta();
    return m ? `g${m.generation}` : "empty";
  }

  async stats(): Promise<StoreStats> {
    const d = await this.describe();
    const meta = await this.readMeta();
    return { sizeBytes: null, details: { index: this.target.index, namespace: this.target.namespace || "(default)", dimension: d.dimension, metric: d.metric, generation: meta?.generation ?? 0 } };
  }

  // ---- reading ----

  /** Every record (metadata and values), in natural order, once per generation: what scans, pages and all vectors read. */
  private snapshot(): Promise<Snapshot> {
    const load = async (): Promise<Snapshot> => {
      const meta = await this.requireMeta();
      const ids: string[] = [];
      let token: string | undefined;
      do {
        const page = await this.guard(async () => (await this.index()).listPaginated({ limit: LIST_PAGE, ...(token ? { paginationToken: token } : {}) }));
        for (const v of page.vectors ?? []) if (v.id) ids.push(v.id);
        token = page.pagination?.next;
      } while (token);
      const records: Snapshot["records"] = [];
      for (let i = 0; i < ids.length; i += FETCH_BATCH) {
        const r = await this.guard(async () => (await this.index()).fetch({ ids: ids.slice(i, i + FETCH_BATCH) }));
        for (const rec of Object.values(r.records)) records.push({ id: rec.id, metadata: rec.metadata ?? {}, values: rec.values ?? [] });
      }
      records.sort((a, b) => Number(a.metadata.seq) - Number(b.metadata.seq));
      return { generation: meta.generation, records };
    };
    this.snapshotLoad ??= load();
    this.snapshotLoad.catch(() => (this.snapshotLoad = null));
    return this.snapshotLoad;
  }

  async movie(id: string): Promise<Movie | null> {
    const [row] = await this.movies([id], MOVIE_FIELDS);
    return (row as Movie | undefined) ?? null;
  }

  async movies<F extends MovieField>(ids: readonly string[], fields: readonly F[]): Promise<MovieRow<F>[]> {
    const unique = [...new Set(ids)];
    const found = new Map<string, MovieRow<F>>();
    for (let i = 0; i < unique.length; i += FETCH_BATCH) {
      const r = await this.guard(async () => (await this.index()).fetch({ ids: unique.slice(i, i + FETCH_BATCH) }));
      for (const rec of Object.values(r.records)) found.set(rec.id, rowFromMetadata(rec.metadata ?? {}, fields) as MovieRow<F>);
    }
    return ids.flatMap((id) => (found.has(id) ? [found.get(id)!] : []));
  }

  async page<F extends MovieField>(options: PageOptions<F>): Promise<MovieRow<F>[]> {
    const { offset = 0, limit } = options;
    if (!Number.isInteger(limit) || limit < 0) throw new InvalidArgumentError("limit", `must be a non-negative integer, got ${String(limit)}`);
    if (!Number.isInteger(offset) || offset < 0) throw new InvalidArgumentError("offset", `must be a non-negative integer, got ${String(offset)}`);
    const allowed = options.filters ? new Set(await this.filterIds(options.filters)) : null;
    const snap = await this.snapshot();
    let recs = snap.records.filter((r) => !allowed || allowed.has(r.id));
    if (options.orderBy === "popularity") recs = [...recs].sort((a, b) => Number(b.metadata.popularity ?? 0) - Number(a.metadata.popularity ?? 0) || Number(a.metadata.seq) - Number(b.metadata.seq));
    return recs.slice(offset, offset + limit).map((r) => rowFromMetadata(r.metadata, options.fields) as MovieRow<F>);
  }

  async *scan<F extends MovieField>(fields: readonly F[], options: { batchSize?: number } = {}): AsyncIterable<MovieRow<F>[]> {
    if ((await this.count()) === 0) return;
    const size = options.batchSize ?? SCAN_BATCH;
    const { records } = await this.snapshot();
    for (let i = 0; i < records.length; i += size) yield records.slice(i, i + size).map((r) => rowFromMetadata(r.metadata, fields) as MovieRow<F>);
  }

  async *records(options: { batchSize?: number } = {}): AsyncIterable<UpsertItem[]> {
    if ((await this.count()) === 0) return;
    const size = options.batchSize ?? SCAN_BATCH;
    const { records } = await this.snapshot();
    for (let i = 0; i < records.length; i += size) {
      yield records.slice(i, i + size).map((r) => ({
        movie: rowFromMetadata(r.metadata, MOVIE_FIELDS) as unknown as Movie,
        textHash: Buffer.from(String(r.metadata.text_hash ?? ""), "hex"),
        raw: decodeVector(String(r.metadata.raw ?? "")),
      }));
    }
  }

  /** Ids passing the filters, in natural order: Pinecone's fetch by metadata pages through them server-side. */
  async filterIds(filters: Filters): Promise<string[]> {
    const filter = pineconeFilter(filters);
    if (!filter) return (await this.snapshot()).records.map((r) => r.id);
    const found: { id: string; seq: number }[] = [];
    let token: string | undefined;
    do {
      const r = await this.guard(async () => (await this.index()).fetchByMetadata({ filter, limit: LIST_PAGE, ...(token ? { paginationToken: token } : {}) }));
      for (const rec of Object.values(r.records)) found.push({ id: rec.id, seq: Number(rec.metadata?.seq ?? 0) });
      token = r.pagination?.next;
    } while (token);
    return found.sort((a, b) => a.seq - b.seq).map((f) => f.id);
  }

  async keywordTop(): Promise<KeywordHit[]> {
    requireCapability(this, "keyword", "keyword search", "Pinecone serves semantic search and similar");
    return [];
  }

  async keywordVocabulary(): Promise<ReadonlyMap<string, number>> {
    requireCapability(this, "vocabulary", "spelling correction");
    return new Map();
  }

  async keywordFieldMatches(): Promise<Float64Array | null> {
    requireCapability(this, "fieldMatches", "the ranking model's per-field matches");
    return null;
  }

  async vectorTop(query: VectorQuery, options: VectorOptions): Promise<VectorHit[]> {
    const meta = await this.requireMeta();
    const k = Math.min(options.k, MAX_TOP_K);
    if (k <= 0) return [];
    if ("vector" in query && meta.manifest && query.vector.length !== meta.manifest.dims) {
      throw new InvalidArgumentError("vector", `has ${query.vector.length} dimensions; the collection's have ${meta.manifest.dims}`);
    }
    const exclude = [...new Set(options.exclude ?? [])];
    const filter = pineconeFilter(options.filters, exclude.length ? [{ movie_id: { $nin: exclude } }] : []);
    const r = await this.guard(async () => {
      if ("vector" in query) return (await this.index()).query({ vector: Array.from(query.vector), topK: k, includeMetadata: true, ...(filter ? { filter } : {}) });
      // Querying by an unknown id is an error in Pinecone; an unknown movie has no neighbours.
      const known = await (await this.index()).fetch({ ids: [query.id] });
      if (!known.records[query.id]) return { matches: [] };
      return (await this.index()).query({ id: query.id, topK: k, includeMetadata: true, ...(filter ? { filter } : {}) });
    });
    const hits = (r.matches ?? []).map((m) => ({ id: m.id, score: m.score ?? 0, ordinal: Number(m.metadata?.seq ?? 0) }));
    return hits.sort((a, b) => b.score - a.score || a.ordinal - b.ordinal);
  }

  async vectors(ids: readonly string[]): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += FETCH_BATCH) {
      const r = await this.guard(async () => (await this.index()).fetch({ ids: unique.slice(i, i + FETCH_BATCH) }));
      for (const rec of Object.values(r.records)) if (rec.values?.length) out.set(rec.id, Float32Array.from(rec.values));
    }
    return out;
  }

  async allVectors(): Promise<AllVectors> {
    const meta = await this.requireMeta();
    const dims = meta.manifest?.dims ?? 0;
    const { records } = await this.snapshot();
    const withVectors = records.filter((r) => r.values.length === dims);
    const matrix = new Float32Array(withVectors.length * dims);
    withVectors.forEach((r, i) => matrix.set(r.values, i * dims));
    return { dims, ids: withVectors.map((r) => r.id), matrix };
  }

  async keywordRanking(): Promise<string> {
    return "none (Pinecone serves vector search only)";
  }

  async hybridTop(): Promise<HybridHit[]> {
    requireCapability(this, "nativeHybrid", "a native hybrid fusion", "Pinecone serves semantic search and similar");
    return [];
  }

  async recommendTop(): Promise<VectorHit[]> {
    requireCapability(this, "nativeRecommend", "a native recommendation query", "Pinecone serves semantic search and similar");
    return [];
  }

  async interruptedWrite(): Promise<InterruptedWrite | null> {
    const checkpoint = (await this.readMeta())?.checkpoint;
    return checkpoint ? { startedAt: null, owner: null, done: checkpoint.done, total: null } : null;
  }

  async facets(field: FacetField): Promise<FacetCount[]> {
    requireCapability(this, "facets", `counting movies by ${field} (/api/genres)`);
    return [];
  }

  embeddingCache() {
    return null;
  }

  // ---- writing ----

  private async finisher(batch: WriteBatch): Promise<Finisher> {
    if (batch.manifest?.finish) return batch.manifest.finish;
    if (this.finish) return this.finish;
    if (!this.options.finisher) throw new Error("PineconeStore: writing vectors needs the embedder's finish step (WriteBatch.manifest.finish or StoreOpenOptions.finisher)");
    return (this.finish = await this.options.finisher());
  }

  /**
   * Removals, then upserts in batches (each retried on transient failures), then the manifest
   * record. Not atomic: an interrupted write leaves the batches it sent, and the checkpoint in
   * the manifest record; running the same write again sends only the batches after it.
   */
  async write(batch: WriteBatch): Promise<WriteResult> {
    if (this.readonly) throw new CollectionError(`${this.location}: opened read-only; cannot write`);
    const { dimension } = await this.describe();
    this.meta = null;
    const prev = await this.readMeta();
    const upserts = lastOfEachId(batch.upsert ?? []);
    const dims = batch.manifest?.dims ?? prev?.manifest?.dims;
    if (dims !== undefined && dims !== dimension) throw new CollectionError(`${this.location}: the index has dimension ${dimension}; these vectors have ${dims} (${batch.manifest?.embedderId ?? prev?.manifest?.embedderId})`);
    if (prev?.manifest && batch.manifest && prev.count > 0 && batch.manifest.embedderId !== prev.manifest.embedderId) {
      throw new CollectionError(`${this.location} was built with ${prev.manifest.embedderId}; cannot add vectors of ${batch.manifest.embedderId}`);
    }
    if (upserts.length && dims === undefined) throw new InvalidArgumentError("manifest", "the first write batch with movies must give the embedder and its dimensions");
    upserts.forEach((u, i) => {
      if (u.raw.length !== dims) throw new InvalidArgumentError(`upsert[${i}]`, `vector of ${u.movie.id} has ${u.raw.length} dimensions, expected ${dims}`);
    });
    try {
      // What is there now: the removed and upserted ids' records (for missing ids and kept seq numbers).
      const touched = [...new Set([...(batch.remove ?? []), ...upserts.map((u) => u.movie.id)])];
      const before = new Map<string, RecordMetadata>();
      for (let i = 0; i < touched.length; i += FETCH_BATCH) {
        const r = await (await this.index()).fetch({ ids: touched.slice(i, i + FETCH_BATCH) });
        for (const rec of Object.values(r.records)) before.set(rec.id, rec.metadata ?? {});
      }
      // A record belongs to the committed state when the write that added it committed (`added`
      // is at most the current generation); one added by an interrupted run of this write does not.
      const generation = prev?.generation ?? 0;
      const committed = (id: string) => {
        const md = before.get(id);
        return md !== undefined && Number(md.added ?? 0) <= generation;
      };
      const removeSet = new Set(batch.remove ?? []);
      const missing: string[] = [];
      const seen = new Set<string>();
      for (const id of batch.remove ?? []) {
        if (!committed(id) || seen.has(id)) missing.push(id);
        seen.add(id);
      }
      let count = prev?.count ?? 0;
      for (const id of removeSet) if (committed(id)) count--;

      // The fitted state: refitted on every raw vector the namespace will hold.
      let state: EmbedderState | null = prev?.manifest?.embedderState ?? null;
      const others: { id: string; metadata: RecordMetadata }[] = [];
      if (batch.manifest?.fit) {
        const upIds = new Set(upserts.map((u) => u.movie.id));
        if (count > 0) for (const r of (await this.snapshotFresh()).records) if (!removeSet.has(r.id) && !upIds.has(r.id)) others.push(r);
        state = batch.manifest.fit([...others.map((r) => decodeVector(String(r.metadata.raw ?? ""))), ...upserts.map((u) => u.raw)]);
      }
      const stateChanged = JSON.stringify(state) !== JSON.stringify(prev?.manifest?.embedderState ?? null);
      const finish = upserts.length || (stateChanged && others.length) ? await this.finisher(batch) : null;

      let maxSeq = prev?.maxSeq ?? -1;
      const records: PineconeRecord[] = upserts.map((u) => {
        const kept = committed(u.movie.id) && !removeSet.has(u.movie.id);
        const was = before.get(u.movie.id);
        const seq = kept ? Number(was!.seq) : ++maxSeq;
        const added = kept ? Number(was!.added ?? 0) : generation + 1;
        if (!kept) count++;
        const metadata = movieMetadata(u.movie, { seq, added, sentiment: sentimentScore(u.movie.overview), textHash: u.textHash.toString("hex"), raw: u.raw });
        return { id: u.movie.id, values: Array.from(finish!(u.raw, state)), metadata };
      });
      // A refitted state changes every finished vector, not only those of the movies written.
      if (stateChanged) for (const r of others) records.push({ id: r.id, values: Array.from(finish!(decodeVector(String(r.metadata.raw ?? "")), state)), metadata: r.metadata });

      const fingerprint = createHash("sha1")
        .update(JSON.stringify([generation, [...removeSet], batch.manifest?.embedderId ?? null]))
        .update(records.map((r) => `${r.id}:${JSON.stringify(r.metadata)}:${Buffer.from(Float32Array.from(r.values!).buffer).toString("base64")}`).join("\n"))
        .digest("hex");
      const resumeFrom = prev?.checkpoint?.fingerprint === fingerprint ? prev.checkpoint.done : 0;
      if (resumeFrom > 0) this.options.onNotice?.(`resuming the interrupted upload to ${this.location} after ${resumeFrom} of ${Math.ceil(records.length / UPSERT_BATCH)} batches`);

      const upserted = new Set(upserts.map((u) => u.movie.id));
      const removeList = [...removeSet].filter((id) => before.has(id) && !upserted.has(id));
      for (let i = 0; i < removeList.length; i += FETCH_BATCH) await (await this.index()).deleteMany({ ids: removeList.slice(i, i + FETCH_BATCH) });

      const base: MetaRecord = prev ?? { manifest: null, generation: 0, count: 0, maxSeq: -1, checkpoint: null };
      const batches = Math.ceil(records.length / UPSERT_BATCH);
      batch.onProgress?.(Math.min(records.length, resumeFrom * UPSERT_BATCH), records.length);
      // One batch at a time, in order, each followed by its checkpoint: what a re-run skips.
      await sendInBatches(
        records.slice(resumeFrom * UPSERT_BATCH),
        async (recs, b) => {
          await (await this.index()).upsert({ records: recs });
          const done = resumeFrom + b + 1;
          if (done < batches) await this.writeMeta({ ...base, checkpoint: { fingerprint, done } });
        },
        { batchSize: UPSERT_BATCH, attempts: 1, onProgress: (done) => batch.onProgress?.(resumeFrom * UPSERT_BATCH + done, records.length) },
      );

      const now = new Date().toISOString();
      const manifest: Manifest | null = batch.manifest
        ? { embedderId: batch.manifest.embedderId, dims: batch.manifest.dims, embedderState: state, createdAt: prev?.manifest?.createdAt || now, updatedAt: now }
        : prev?.manifest
          ? { ...prev.manifest, embedderState: state }
          : null;
      await this.writeMeta({ manifest, generation: base.generation + 1, count, maxSeq, checkpoint: null });
      this.snapshotLoad = null;
      batch.onProgress?.(records.length, records.length);
      return { missing, count };
    } catch (err) {
      this.meta = null;
      throw this.translate(err);
    }
  }

  /** The records as they are now (a write reads them past any snapshot this store holds). */
  private snapshotFresh(): Promise<Snapshot> {
    this.snapshotLoad = null;
    return this.snapshot();
  }

  async close(): Promise<void> {
    this.snapshotLoad = null;
  }
}
