import { createHash, randomBytes } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import type { Collection, FilterValue, WeaviateClient, WeaviateField } from "weaviate-client";
import type { Movie } from "../../catalog/movie.js";
import { sentimentScore } from "../../catalog/sentiment.js";
import type { EmbedderState } from "../../embed/embedder.js";
import { CollectionError, InvalidArgumentError } from "../../errors.js";
import { fieldMatchesFromText, vocabularyDocs } from "../field-matches.js";
import type { Filters } from "../filters.js";
import { sendInBatches } from "../remote/batches.js";
import { movieUuid } from "../remote/point-id.js";
import { isTransient, withRetry } from "../remote/retry.js";
import {
  lastOfEachId,
  NO_TRAILERS,
  requireNativeFusion,
  SCAN_BATCH,
  TEXT_FIELDS,
  type AllVectors,
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
  requireCapability,
} from "../store.js";
import { idFilter, weaviateFilter } from "./filters.js";
import { parseWeaviateUrl, type WeaviateTarget } from "./options.js";
import { loadWeaviateSdk, weaviateSdk } from "./sdk.js";
import {
  boostedProperties,
  BM25_B,
  BM25_K1,
  CONTENT_HASH,
  MOVIE_FIELDS,
  movieCollectionConfig,
  objectProperties,
  POPULARITY_ORDER,
  PROPERTY,
  queryTerm,
  RAW,
  rowFromProperties,
  SEQ,
  TERMS_PROPERTY,
  TEXT_HASH,
} from "./schema.js";

const CAPABILITIES: StoreCapabilities = Object.freeze({
  keyword: true,
  // Weaviate's BM25 has no phrase operator: a quoted phrase would silently become loose words.
  phrases: false,
  // Kept by Plotline in the generation's record (Weaviate cannot list its inverted index's terms).
  vocabulary: true,
  allVectors: true,
  // Weaviate's BM25 scores a movie as a whole; the pool's fields are read and matched by
  // Plotline (`fieldMatchesFromText`) against the vocabulary above.
  fieldMatches: true,
  facets: true,
  nativeHybrid: true,
  // Field weights are property boosts given with each query.
  queryWeights: true,
  nativeRecommend: false,
  nativeDiversity: false,
  // Every batch builds a new generation and swaps the alias to it (see `WeaviateStore`).
  atomicWrites: true,
  trailers: false,
  check: false,
});

/** Objects per gRPC insert request (Weaviate's own client batches 100-1000). */
export const UPLOAD_BATCH = 500;
/**
 * Weaviate's cap on offset + limit of any query (its `QUERY_MAXIMUM_RESULTS` setting, default
 * 10,000): longer lists are read by keyset (`scan`), never by offset.
 */
const QUERY_MAXIMUM_RESULTS = 10_000;
/** `hybridTop`'s alpha when the caller gives none: Weaviate's own default (0.75, vector-leaning). */
const DEFAULT_HYBRID_ALPHA = 0.75;
/** Insert requests in flight at once: the server indexes one while the next arrives. */
const UPLOAD_CONCURRENCY = 2;
/** Objects per read request of a scan (Weaviate caps offset + limit at QUERY_MAXIMUM_RESULTS, 10,000 by default). */
const READ_BATCH = 1000;
/** Most prefix completions searched for the last word, the most frequent first. */
const MAX_PREFIX_TERMS = 32;
/** Older generations kept after a commit: the one before, for readers still pinned to it. */
const KEEP_PREVIOUS = 1;
/** Seconds the client waits: for the first contact, a query, an insert. */
const TIMEOUT = { init: 10, query: 120, insert: 300 };

/** What the meta collection records about one generation (one physical collection). */
interface GenerationRecord {
  manifest: Manifest | null;
  count: number;
  maxSeq: number;
}

/** One committed state of the collection: a physical collection and what its record says. */
interface Generation extends GenerationRecord {
  physical: string;
  /** The keyword vocabulary (stem → movies), decoded on first use. */
  vocabulary?: Map<string, number>;
}

/** A write in progress, as the meta collection records it, so a re-run of the same write resumes it. */
interface PendingWrite {
  collection: string;
  base: string | null;
  fingerprint: string;
  startedAt: string;
}

/** An object as a write batch will leave it in the new generation. */
interface Planned {
  uuid: string;
  properties: Record<string, unknown>;
  vector: number[];
}

/** A movie object's properties, named at run time (`schema.ts`). */
type Props = Record<string, WeaviateField>;

const META_SUFFIX = "_Plotline";
const RETURN_KEYS = [PROPERTY.id, SEQ];

/**
 * The Weaviate backend, through the official client (gRPC for queries and inserts, REST for
 * the schema): one Weaviate collection per Plotline collection, its objects keyed by a UUIDv5 of
 * the movie id, with typed properties, Plotline's own (finished) vectors under a cosine HNSW
 * index, BM25 over the movies' pre-stemmed words with Plotline's k1, b and field weights as
 * property boosts, and Plotline's filters as Weaviate filters.
 *
 * Weaviate has no transactions, so a write batch is made atomic the way a blue-green deploy
 * is: the collection's name (`weaviate://host/Movies`) is a Weaviate *alias* to a physical
 * collection (`Movies_G7_3fa2c1`), one per committed state. A batch builds the next generation
 * beside the current one (copying what it does not change, in batches, with retries), records
 * its manifest and vocabulary in the meta collection (`Movies_Plotline`), and then points the
 * alias at it: readers see the old state until that one request, then the new one, never a
 * half-written batch. A failed or killed write leaves the alias where it was; its half-built
 * generation is recorded as pending, and running the same write again resumes it (objects
 * already there, by id and content hash, are not sent again), while any other write discards
 * it. The freshness token is the physical collection's name. The cost is that every batch
 * rewrites the whole collection, as an ingest with a refitted embedder state (GloVe's common
 * component) must anyway.
 *
 * A store reads one generation (pinned when first needed, moved by `freshness()` and its own
 * writes), so a scan sees one state. The previous generation is kept for readers pinned to it.
 * One writer at a time: a second concurrent writer finds the alias moved and fails.
 */
export class WeaviateStore implements Store {
  readonly kind = "weaviate";
  readonly capabilities = CAPABILITIES;
  readonly nativeFusions: readonly NativeFusion[] = ["rrf", "relative"];

  // Trailers are not kept by this backend (capability `trailers` is false).
  readonly trailer = NO_TRAILERS.trailer;
  readonly movieTrailers = NO_TRAILERS.movieTrailers;
  readonly transcripts = NO_TRAILERS.transcripts;
  readonly vectorIndex = null;
  readonly location: string;
  readonly readonly: boolean;
  readonly target: WeaviateTarget;
  private clientPromise: Promise<WeaviateClient> | null = null;
  private generation: Promise<Generation | null> | null = null;
  private finish: Finisher | null = null;
  private closed = false;

  private constructor(
    location: string,
    private readonly options: StoreOpenOptions,
  ) {
    this.target = parseWeaviateUrl(location);
    this.location = this.target.display;
    this.readonly = options.readonly ?? false;
  }

  /** Opens the collection at a `weaviate://` URL; nothing connects until the first call. */
  static open(location: string, options: StoreOpenOptions = {}): WeaviateStore {
    return new WeaviateStore(location, options);
  }

  private get metaName(): string {
    return `${this.target.name}${META_SUFFIX}`;
  }

  // ---- connecting ----

  private client(): Promise<WeaviateClient> {
    if (this.closed) return Promise.reject(new CollectionError(`${this.location}: the collection is closed`));
    this.clientPromise ??= (async () => {
      const t = this.target;
      try {
        const weaviate = (await loadWeaviateSdk()).default;
        return await weaviate.connectToCustom({
          httpHost: t.httpHost,
          httpPort: t.httpPort,
          httpSecure: t.secure,
          grpcHost: t.httpHost,
          grpcPort: t.grpcPort,
          grpcSecure: t.secure,
          authCredentials: t.apiKey ? new weaviate.ApiKey(t.apiKey) : undefined,
          timeout: TIMEOUT,
        });
      } catch (err) {
        throw this.translate(err);
      }
    })();
    this.clientPromise.catch(() => (this.clientPromise = null));
    return this.clientPromise;
  }

  /**
   * A client failure as one line naming the collection: unreachable, refused credentials or a
   * server error. Plotline's own errors pass through.
   */
  private translate(err: unknown): Error {
    if (err instanceof CollectionError || err instanceof InvalidArgumentError) return err;
    const e = err as { name?: string; message?: string; code?: number } | null;
    const message = (e?.message ?? String(err)).replace(/\s+/g, " ").trim();
    const where = `${this.target.secure ? "https" : "http"}://${this.target.httpHost}:${this.target.httpPort} (gRPC ${this.target.grpcPort})`;
    if (e?.name === "WeaviateUnauthenticatedError" || /\b401\b|unauthori[sz]ed|anonymous access not enabled|invalid api key/i.test(message)) {
      return new CollectionError(`${this.location}: Weaviate refused the credentials (${this.target.apiKey ? "check WEAVIATE_API_KEY" : "it needs an API key: set WEAVIATE_API_KEY"})`, { cause: err });
    }
    if (e?.name === "WeaviateInsufficientPermissionsError" || /\b403\b|forbidden|permission/i.test(message)) {
      return new CollectionError(`${this.location}: the API key may not do this (${shorten(message)})`, { cause: err });
    }
    if (e?.name === "WeaviateStartUpError" || /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|fetch failed|UNAVAILABLE|ECONNRESET|timed? ?out/i.test(message)) {
      return new CollectionError(`${this.location}: cannot reach Weaviate at ${where}: ${shorten(message)}`, { cause: err });
    }
    return new CollectionError(`${this.location}: Weaviate answered: ${shorten(message)}`, { cause: err });
  }

  /**
   * Sends a request again after a failure a second try may cure (`transient`), with backoff.
   * Every request the store repeats is safe to repeat: reads, and writes by deterministic id
   * (objects, records, the alias).
   */
  private retry<T>(fn: () => Promise<T>): Promise<T> {
    return withRetry(fn, { onRetry: (err, attempt, waitMs) => this.options.onNotice?.(`Weaviate request failed (${shorten(String((err as Error)?.message ?? err))}); try ${attempt + 1} in ${Math.round(waitMs)} ms`) }, transient);
  }

  /** Runs a request (retried, see `retry`), translating its failure; a generation dropped under a pinned reader is re-resolved once. */
  private async call<T>(fn: (client: WeaviateClient, gen: Generation) => Promise<T>): Promise<T> {
    const client = await this.client();
    const gen = await this.requireGeneration();
    try {
      return await this.retry(() => fn(client, gen));
    } catch (err) {
      if (!/could not find class|class .* not found|no such class|collection .* not found/i.test(String((err as Error)?.message))) throw this.translate(err);
      this.generation = null;
      const fresh = await this.requireGeneration();
      if (fresh.physical === gen.physical) throw this.translate(err);
      try {
        return await this.retry(() => fn(client, fresh));
      } catch (again) {
        throw this.translate(again);
      }
    }
  }

  // ---- generations ----

  /** The pinned generation, resolved on first use; null when the collection has no committed state yet. */
  private currentGeneration(): Promise<Generation | null> {
    this.generation ??= this.resolve();
    this.generation.catch(() => (this.generation = null));
    return this.generation;
  }

  private async requireGeneration(): Promise<Generation> {
    const gen = await this.currentGeneration();
    if (!gen) throw new CollectionError(`${this.location}: the collection is empty; ingest a file first`);
    return gen;
  }

  /** Where the alias points now, or null when there is no alias yet. */
  private async aliasTarget(client: WeaviateClient): Promise<string | null> {
    try {
      const aliases = await this.retry(() => client.alias.listAll());
      const found = (aliases ?? []).find((a) => a.alias === this.target.name);
      return found ? found.collection : null;
    } catch (err) {
      throw this.translate(err);
    }
  }

  /** Reads where the alias points and that generation's record; checks the name is Plotline's. */
  private async resolve(): Promise<Generation | null> {
    const client = await this.client();
    const physical = await this.aliasTarget(client);
    if (physical === null) {
      // A collection (not an alias) of that name was made by something else: never touched.
      if (await this.exists(client, this.target.name)) {
        throw new CollectionError(`${this.location}: a Weaviate collection named '${this.target.name}' exists and is not a Plotline collection (no alias, no ${this.metaName}); name another collection`);
      }
      if (!this.options.create) throw new CollectionError(`${this.location}: no collection here; create one with: plotline ingest <file> --db ${this.location}`);
      return null;
    }
    const record = await this.readRecord(client, physical);
    if (!record) throw new CollectionError(`${this.location}: alias '${this.target.name}' points to '${physical}', which Plotline did not record (${this.metaName} has no entry for it); name another collection`);
    return { physical, ...record };
  }

  private async exists(client: WeaviateClient, name: string): Promise<boolean> {
    try {
      return await this.retry(() => client.collections.exists(name));
    } catch (err) {
      throw this.translate(err);
    }
  }

  private metaUuid(kind: string, key: string): string {
    return weaviateSdk().generateUuid5(`${kind}:${key}`, this.target.name);
  }

  private async readMeta(client: WeaviateClient, kind: string, key: string): Promise<{ value: unknown; data: string | null } | null> {
    if (!(await this.exists(client, this.metaName))) return null;
    const o = await this.retry(() => client.collections.get(this.metaName).query.fetchObjectById(this.metaUuid(kind, key), { returnProperties: ["value", "data"] }));
    if (!o) return null;
    const p = o.properties as { value?: string; data?: string };
    return { value: p.value ? JSON.parse(p.value) : null, data: p.data ?? null };
  }

  private async writeMeta(client: WeaviateClient, kind: string, key: string, value: unknown, data?: Buffer): Promise<void> {
    await this.ensureMeta(client);
    const properties: Record<string, unknown> = { kind, key, value: JSON.stringify(value) };
    if (data) properties.data = data.toString("base64");
    const meta = client.collections.get(this.metaName);
    const id = this.metaUuid(kind, key);
    await this.retry(async () => {
      // `replace` needs the object to exist; the first write of a key inserts it.
      if (await meta.data.exists(id)) await meta.data.replace({ id, properties: properties as Record<string, WeaviateField> });
      else await meta.data.insert({ id, properties: properties as Record<string, WeaviateField> });
    });
  }

  private async deleteMeta(client: WeaviateClient, kind: string, key: string): Promise<void> {
    if (!(await this.exists(client, this.metaName))) return;
    await this.retry(() => client.collections.get(this.metaName).data.deleteById(this.metaUuid(kind, key)));
  }

  /** The meta collection: a few objects (generation records, the pending write, the ingest log), no vectors searched. */
  private async ensureMeta(client: WeaviateClient): Promise<void> {
    if (await this.exists(client, this.metaName)) return;
    try {
      await client.collections.create({
        name: this.metaName,
        description: `Plotline's records for the collection ${this.target.name} (manifests, vocabulary, pending writes, ingest log)`,
        vectorizers: weaviateSdk().configure.vectors.selfProvided({ vectorIndexConfig: weaviateSdk().configure.vectorIndex.flat() }),
        properties: [
          { name: "kind", dataType: "text", tokenization: "field", indexSearchable: false },
          { name: "key", dataType: "text", tokenization: "field", indexSearchable: false },
          { name: "value", dataType: "text", indexFilterable: false, indexSearchable: false },
          { name: "data", dataType: "blob" },
        ],
      });
    } catch (err) {
      // Another writer made it first.
      if (!(await this.exists(client, this.metaName))) throw err;
    }
  }

  private async readRecord(client: WeaviateClient, physical: string): Promise<GenerationRecord | null> {
    const m = await this.readMeta(client, "generation", physical);
    return m ? (m.value as GenerationRecord) : null;
  }

  private collection(client: WeaviateClient, gen: Generation): Collection<Props> {
    return client.collections.get<Props>(gen.physical);
  }

  // ---- reading ----

  async manifest(): Promise<Manifest | null> {
    return (await this.currentGeneration())?.manifest ?? null;
  }

  async count(): Promise<number> {
    return (await this.currentGeneration())?.count ?? 0;
  }

  async freshness(): Promise<string> {
    const client = await this.client();
    const physical = await this.aliasTarget(client);
    const pinned = this.generation ? await this.generation.catch(() => null) : null;
    if ((pinned?.physical ?? null) !== physical) this.generation = null;
    return physical ?? "empty";
  }

  async interruptedWrite(): Promise<InterruptedWrite | null> {
    const client = await this.client();
    const pending = (await this.readMeta(client, "pending", "write"))?.value as PendingWrite | null | undefined;
    // Weaviate's batches carry no checkpoint: a re-run rewrites the pending generation's objects by uuid.
    return pending ? { startedAt: pending.startedAt, owner: null, done: null, total: null } : null;
  }

  async recommendTop(): Promise<VectorHit[]> {
    requireCapability(this, "nativeRecommend", "a native recommendation query");
    return [];
  }

  async stats(): Promise<StoreStats> {
    const client = await this.client();
    const gen = await this.currentGeneration();
    const meta = await client.getMeta().catch((err: unknown) => {
      throw this.translate(err);
    });
    return { sizeBytes: null, details: { server: `Weaviate ${meta.version}`, alias: this.target.name, collection: gen?.physical ?? null, records: this.metaName } };
  }

  async movie(id: string): Promise<Movie | null> {
    const [row] = await this.movies([id], MOVIE_FIELDS);
    return (row as Movie | undefined) ?? null;
  }

  async movies<F extends MovieField>(ids: readonly string[], fields: readonly F[]): Promise<MovieRow<F>[]> {
    if (ids.length === 0) return [];
    const wanted = [...new Set<MovieField>(fields)];
    const found = new Map<string, MovieRow<F>>();
    const unique = [...new Set(ids)];
    await this.call(async (client, gen) => {
      for (let i = 0; i < unique.length; i += READ_BATCH) {
        const chunk = unique.slice(i, i + READ_BATCH);
        const r = await this.collection(client, gen).query.fetchObjects({
          filters: idFilter().containsAny(chunk.map((id) => this.uuid(id))),
          limit: chunk.length,
          returnProperties: propertiesFor(wanted),
        });
        for (const o of r.objects) {
          const row = rowFromProperties(o.properties, wanted) as MovieRow<F>;
          found.set(row.id, row);
        }
      }
    });
    const out: MovieRow<F>[] = [];
    for (const id of ids) {
      const row = found.get(id);
      if (row) out.push(row);
    }
    return out;
  }

  async page<F extends MovieField>(options: PageOptions<F>): Promise<MovieRow<F>[]> {
    const { offset = 0, limit } = options;
    if (!Number.isInteger(limit) || limit < 0) throw new InvalidArgumentError("limit", `must be a non-negative integer, got ${String(limit)}`);
    if (!Number.isInteger(offset) || offset < 0) throw new InvalidArgumentError("offset", `must be a non-negative integer, got ${String(offset)}`);
    if (limit === 0) return [];
    const wanted = [...new Set<MovieField>(options.fields)];
    if (options.orderBy !== "popularity") {
      // Natural order by keyset (seq), which no offset cap limits.
      const out: MovieRow<F>[] = [];
      let skipped = 0;
      for await (const batch of this.keyset(wanted, options.filters, READ_BATCH)) {
        for (const o of batch) {
          if (skipped < offset) {
            skipped++;
            continue;
          }
          out.push(rowFromProperties(o.properties, wanted) as MovieRow<F>);
          if (out.length === limit) return out;
        }
      }
      return out;
    }
    return this.call(async (client, gen) => {
      if (offset + limit > QUERY_MAXIMUM_RESULTS) throw new InvalidArgumentError("offset", `Weaviate lists at most 10,000 movies by popularity (QUERY_MAXIMUM_RESULTS); offset + limit is ${offset + limit}`);
      const c = this.collection(client, gen);
      const r = await c.query.fetchObjects({
        filters: weaviateFilter(options.filters),
        // Unknown popularity counts as 0 (written so), ties in natural order.
        sort: c.sort.byProperty(POPULARITY_ORDER, false).byProperty(SEQ, true),
        offset,
        limit,
        returnProperties: propertiesFor(wanted),
      });
      return r.objects.map((o) => rowFromProperties(o.properties, wanted) as MovieRow<F>);
    });
  }

  /**
   * Every object passing the filters in natural order, `size` at a time: each request asks for
   * the next objects after the last `seq` seen (a keyset), so no offset cap applies and, the
   * generation being immutable, the batches see one state.
   */
  private async *keyset(fields: readonly MovieField[], filters: Filters | undefined, size: number, extra: { vectors?: boolean; raw?: boolean } = {}) {
    let last = -1;
    const returnProperties = [...propertiesFor(fields), ...(extra.raw ? [RAW, TEXT_HASH] : [])];
    const { filter } = (await loadWeaviateSdk()).default;
    for (;;) {
      const after = filter.byProperty(SEQ).greaterThan(last);
      const r = await this.call((client, gen) =>
        this.collection(client, gen).query.fetchObjects({
          filters: weaviateFilter(filters, [after]),
          sort: this.collection(client, gen).sort.byProperty(SEQ, true),
          limit: size,
          returnProperties,
          includeVector: extra.vectors ?? false,
        }),
      );
      if (r.objects.length === 0) return;
      yield r.objects;
      last = r.objects[r.objects.length - 1]!.properties[SEQ] as number;
      if (r.objects.length < size) return;
    }
  }

  async *scan<F extends MovieField>(fields: readonly F[], options: { batchSize?: number } = {}): AsyncIterable<MovieRow<F>[]> {
    const size = Math.min(options.batchSize ?? SCAN_BATCH, QUERY_MAXIMUM_RESULTS);
    const wanted = [...new Set<MovieField>(fields)];
    if ((await this.count()) === 0) return;
    for await (const batch of this.keyset(wanted, undefined, size)) yield batch.map((o) => rowFromProperties(o.properties, wanted) as MovieRow<F>);
  }

  async *records(options: { batchSize?: number } = {}): AsyncIterable<UpsertItem[]> {
    const size = Math.min(options.batchSize ?? SCAN_BATCH, QUERY_MAXIMUM_RESULTS);
    if ((await this.count()) === 0) return;
    for await (const batch of this.keyset(MOVIE_FIELDS, undefined, size, { raw: true })) {
      yield batch.map((o) => {
        const movie = rowFromProperties(o.properties, MOVIE_FIELDS) as unknown as Movie;
        return { movie, textHash: Buffer.from(String(o.properties[TEXT_HASH] ?? ""), "hex"), raw: decodeVector(String(o.properties[RAW] ?? "")) };
      });
    }
  }

  async filterIds(filters: Filters): Promise<string[]> {
    const out: string[] = [];
    if ((await this.count()) === 0) return out;
    for await (const batch of this.keyset(["id"], filters, QUERY_MAXIMUM_RESULTS)) for (const o of batch) out.push(o.properties[PROPERTY.id] as string);
    return out;
  }

  /**
   * The BM25 query text: the stems of the terms and corrections, and, when the last word is not
   * a word of the collection yet (still being typed), the vocabulary's completions of it.
   * FTS5's `word*` scores a prefix as one term (the union of its completions), which Weaviate's
   * BM25 cannot; each completion here is a term of its own, with its own (high, for rare words)
   * idf, so completing a word that is already whole would let rare longer words outrank it
   * (`love` finding "Lovelace" above the films about love).
   */
  private async keywordText(query: KeywordQuery): Promise<string> {
    const terms = new Set<string>();
    for (const t of query.terms) terms.add(queryTerm(t));
    for (const list of Object.values(query.corrections ?? {})) for (const t of list) terms.add(queryTerm(t));
    if (query.prefix && !(await this.keywordVocabulary()).has(queryTerm(query.prefix))) for (const t of await this.completions(query.prefix)) terms.add(t);
    terms.delete("");
    return [...terms].join(" ");
  }

  /** Stems of the vocabulary that start with a (folded) prefix, most frequent first: FTS5's `word*`. */
  private async completions(prefix: string): Promise<string[]> {
    const vocabulary = await this.keywordVocabulary();
    const hits: [string, number][] = [];
    for (const [stem, n] of vocabulary) if (stem.length > prefix.length && stem.startsWith(prefix)) hits.push([stem, n]);
    hits.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    return hits.slice(0, MAX_PREFIX_TERMS).map((h) => h[0]);
  }

  async keywordRanking(): Promise<string> {
    return `BM25F (Weaviate, k1 ${BM25_K1}, b ${BM25_B}, field weights as property boosts), over Plotline's stems`;
  }

  async keywordTop(query: KeywordQuery, options: KeywordOptions): Promise<KeywordHit[]> {
    if (query.phrases.length) requireCapability(this, "phrases", "a query with a quoted phrase", "search without the quotes");
    const text = await this.keywordText(query);
    if (!text || options.k <= 0) return [];
    const r = await this.call((client, gen) =>
      this.collection(client, gen).query.bm25(text, {
        queryProperties: boostedProperties(options.weights),
        filters: weaviateFilter(options.filters),
        limit: Math.min(options.k, QUERY_MAXIMUM_RESULTS),
        returnMetadata: ["score"],
        returnProperties: RETURN_KEYS,
      }),
    );
    return ranked(r.objects.map((o) => ({ id: o.properties[PROPERTY.id] as string, score: o.metadata?.score ?? 0, ordinal: o.properties[SEQ] as number })));
  }

  async keywordVocabulary(): Promise<ReadonlyMap<string, number>> {
    const gen = await this.currentGeneration();
    if (!gen) return new Map();
    if (!gen.vocabulary) {
      const client = await this.client();
      const m = await this.readMeta(client, "vocabulary", gen.physical).catch((err: unknown) => {
        throw this.translate(err);
      });
      gen.vocabulary = new Map(m?.data ? (JSON.parse(gunzipSync(Buffer.from(m.data, "base64")).toString("utf8")) as [string, number][]) : []);
    }
    return gen.vocabulary;
  }

  async keywordFieldMatches(query: KeywordQuery, ids: readonly string[]): Promise<Float64Array | null> {
    return fieldMatchesFromText(query, ids, {
      movies: (wanted, fields) => this.movies(wanted, fields),
      count: () => this.count(),
      docs: async (terms) => vocabularyDocs(await this.keywordVocabulary(), terms),
    });
  }

  async vectorTop(query: VectorQuery, options: VectorOptions): Promise<VectorHit[]> {
    const gen = await this.requireGeneration();
    const k = Math.min(options.k, QUERY_MAXIMUM_RESULTS);
    if (k <= 0) return [];
    if ("vector" in query) {
      const dims = gen.manifest?.dims;
      if (dims !== undefined && query.vector.length !== dims) throw new InvalidArgumentError("vector", `has ${query.vector.length} dimensions; the collection's have ${dims}`);
    }
    const exclude = [...new Set(options.exclude ?? [])];
    const extra: FilterValue[] = exclude.length ? [weaviateSdk().Filters.not(idFilter().containsAny(exclude.map((id) => this.uuid(id))))] : [];
    const opts = { limit: k, filters: weaviateFilter(options.filters, extra), returnMetadata: ["distance" as const], returnProperties: RETURN_KEYS };
    const r = await this.call(async (client, g) => {
      const c = this.collection(client, g);
      if ("vector" in query) return c.query.nearVector(Array.from(query.vector), opts);
      const uuid = this.uuid(query.id);
      // nearObject fails on an unknown id; an unknown movie has no neighbours.
      if (!(await c.data.exists(uuid))) return { objects: [] };
      return c.query.nearObject(uuid, opts);
    });
    return ranked(r.objects.map((o) => ({ id: o.properties[PROPERTY.id] as string, score: 1 - (o.metadata?.distance ?? 1), ordinal: o.properties[SEQ] as number })));
  }

  /**
   * Weaviate's own hybrid query: BM25 over the boosted properties and the query vector, fused
   * by the server (`relative`: `RelativeScore`, min-max scaled like the engine's convex fusion;
   * `rrf`: `Ranked`, reciprocal ranks with Weaviate's own constant, 60), weighted by `alpha`
   * (1 = vector only), filters applied first. Weaviate reports only the fused score, so each
   * side's score and rank are left null (the engine fills in the cosine).
   */
  async hybridTop(query: HybridQuery, options: HybridOptions): Promise<HybridHit[]> {
    requireNativeFusion(this, query.fusion);
    if (query.keyword.phrases.length) requireCapability(this, "phrases", "a query with a quoted phrase", "search without the quotes");
    if (options.k <= 0) return [];
    const text = await this.keywordText(query.keyword);
    const r = await this.call((client, gen) =>
      this.collection(client, gen).query.hybrid(text, {
        alpha: options.alpha ?? DEFAULT_HYBRID_ALPHA,
        ...(query.vector ? { vector: Array.from(query.vector) } : {}),
        fusionType: query.fusion === "rrf" ? "Ranked" : "RelativeScore",
        queryProperties: boostedProperties(options.weights),
        filters: weaviateFilter(options.filters),
        limit: Math.min(options.k, QUERY_MAXIMUM_RESULTS),
        returnMetadata: ["score"],
        returnProperties: RETURN_KEYS,
      }),
    );
    return ranked(r.objects.map((o) => ({ id: o.properties[PROPERTY.id] as string, score: o.metadata?.score ?? 0, ordinal: o.properties[SEQ] as number }))).map((h) => ({
      id: h.id,
      score: h.score,
      keyword: null,
      semantic: null,
      keywordRank: null,
      semanticRank: null,
    }));
  }

  async vectors(ids: readonly string[]): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    const unique = [...new Set(ids)];
    if (unique.length === 0) return out;
    await this.call(async (client, gen) => {
      for (let i = 0; i < unique.length; i += READ_BATCH) {
        const chunk = unique.slice(i, i + READ_BATCH);
        const r = await this.collection(client, gen).query.fetchObjects({
          filters: idFilter().containsAny(chunk.map((id) => this.uuid(id))),
          limit: chunk.length,
          returnProperties: [PROPERTY.id],
          includeVector: true,
        });
        for (const o of r.objects) {
          const v = (o.vectors as Record<string, number[]>).default;
          if (v) out.set(o.properties[PROPERTY.id] as string, Float32Array.from(v));
        }
      }
    });
    return out;
  }

  async allVectors(): Promise<AllVectors> {
    const gen = await this.requireGeneration();
    const dims = gen.manifest?.dims ?? 0;
    const ids: string[] = [];
    const matrix = new Float32Array(gen.count * dims);
    for await (const batch of this.keyset(["id"], undefined, READ_BATCH, { vectors: true })) {
      for (const o of batch) {
        const v = (o.vectors as Record<string, number[]>).default;
        if (!v || ids.length >= gen.count) continue;
        matrix.set(v, ids.length * dims);
        ids.push(o.properties[PROPERTY.id] as string);
      }
    }
    return { dims, ids, matrix: ids.length * dims === matrix.length ? matrix : matrix.slice(0, ids.length * dims) };
  }

  async facets(field: FacetField, options: { filters?: Filters; limit?: number } = {}): Promise<FacetCount[]> {
    if (!PROPERTY[field]) throw new InvalidArgumentError("field", `cannot count '${String(field)}'`);
    if ((await this.count()) === 0) return [];
    const property = PROPERTY[field];
    const r = await this.call((client, gen) => {
      const c = this.collection(client, gen);
      return c.aggregate.overAll({
        filters: weaviateFilter(options.filters),
        // Every value: the order asked for (count, then value in code-unit order) is applied here.
        returnMetrics: c.metrics.aggregate(property).text(["topOccurrencesOccurs", "topOccurrencesValue"], 1_000_000),
      });
    });
    const metric = (r.properties as Record<string, { topOccurrences?: { occurs: number; value: string }[] }>)[property];
    const rows = (metric?.topOccurrences ?? []).map((t) => ({ value: t.value, count: t.occurs }));
    rows.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    return options.limit === undefined ? rows : rows.slice(0, options.limit);
  }

  embeddingCache() {
    // Not kept: ingest into Weaviate embeds every movie (`plotline copy` from a collection
    // that has them moves vectors without embedding).
    return null;
  }

  // ---- writing ----

  /** A movie's object id: the same UUIDv5 of its Plotline id as on every remote backend, so a re-upload replaces it. */
  private uuid(id: string): string {
    return movieUuid(id);
  }

  private async finisher(batch: WriteBatch): Promise<Finisher> {
    if (batch.manifest?.finish) return batch.manifest.finish;
    if (this.finish) return this.finish;
    if (!this.options.finisher) throw new Error("WeaviateStore: writing vectors needs the embedder's finish step (WriteBatch.manifest.finish or StoreOpenOptions.finisher)");
    return (this.finish = await this.options.finisher());
  }

  async write(batch: WriteBatch): Promise<WriteResult> {
    if (this.readonly) throw new CollectionError(`${this.location}: opened read-only; cannot write`);
    const client = await this.client();
    // A write starts from the collection as it is now, not as this store last pinned it.
    this.generation = null;
    const base = await this.currentGeneration();
    const prev = base?.manifest ?? null;
    const upserts = lastOfEachId(batch.upsert ?? []);
    const dims = batch.manifest?.dims ?? prev?.dims;
    if (prev && batch.manifest && batch.manifest.dims !== prev.dims && (base?.count ?? 0) > 0) {
      throw new CollectionError(`${this.location}: the collection's vectors have ${prev.dims} dimensions (${prev.embedderId}); cannot store ${batch.manifest.dims}-dimensional ones`);
    }
    if (upserts.length && dims === undefined) throw new InvalidArgumentError("manifest", "the first write batch with movies must give the embedder and its dimensions");
    upserts.forEach((item, i) => {
      if (item.raw.length !== dims) throw new InvalidArgumentError(`upsert[${i}]`, `vector of ${item.movie.id} has ${item.raw.length} dimensions, expected ${dims}`);
    });

    try {
      // 1. The collection as it is (natural order), what the batch removes and replaces.
      const existing: { properties: Record<string, unknown>; vector: number[] | null }[] = [];
      if (base && base.count > 0) {
        for await (const objs of this.keyset([...MOVIE_FIELDS, "sentiment"], undefined, READ_BATCH, { vectors: !batch.manifest?.fit, raw: true })) {
          for (const o of objs) existing.push({ properties: o.properties as Record<string, unknown>, vector: (o.vectors as Record<string, number[]>).default ?? null });
        }
      }
      const removing = new Set(batch.remove ?? []);
      const present = new Set(existing.map((e) => e.properties[PROPERTY.id] as string));
      const missing: string[] = [];
      const seenRemove = new Set<string>();
      for (const id of batch.remove ?? []) {
        if (!present.has(id) || seenRemove.has(id)) missing.push(id);
        seenRemove.add(id);
      }
      const upIndex = new Map(upserts.map((u, i) => [u.movie.id, i]));
      const kept = existing.filter((e) => !removing.has(e.properties[PROPERTY.id] as string));

      // 2. The embedder's state, refitted on every raw vector the collection will hold.
      let state: EmbedderState | null = prev?.embedderState ?? null;
      const keptIds = new Set(kept.map((e) => e.properties[PROPERTY.id] as string));
      const added = upserts.filter((u) => !keptIds.has(u.movie.id));
      if (batch.manifest?.fit) {
        const raws: Float32Array[] = kept.map((e) => {
          const i = upIndex.get(e.properties[PROPERTY.id] as string);
          return i === undefined ? decodeVector(String(e.properties[RAW] ?? "")) : upserts[i]!.raw;
        });
        for (const u of added) raws.push(u.raw);
        state = batch.manifest.fit(raws);
      }
      const stateChanged = JSON.stringify(state) !== JSON.stringify(prev?.embedderState ?? null);
      const needFinish = upserts.length > 0 || (stateChanged && kept.length > 0);
      const finish = needFinish ? await this.finisher(batch) : null;

      // 3. Every object of the new generation, in natural order.
      const stems = new Map<string, string>();
      const planned: Planned[] = [];
      let maxSeq = base?.maxSeq ?? -1;
      const plan = (item: UpsertItem, seq: number): Planned => {
        const properties = objectProperties(item.movie, sentimentScore(item.movie.overview), stems);
        properties[SEQ] = seq;
        properties[TEXT_HASH] = item.textHash.toString("hex");
        properties[RAW] = encodeVector(item.raw);
        return { uuid: this.uuid(item.movie.id), properties, vector: Array.from(finish!(item.raw, state)) };
      };
      for (const e of kept) {
        const id = e.properties[PROPERTY.id] as string;
        const seq = e.properties[SEQ] as number;
        const i = upIndex.get(id);
        if (i !== undefined) {
          planned.push(plan(upserts[i]!, seq));
          continue;
        }
        // Unchanged: its properties rebuilt from what was stored, its vector kept unless the state changed.
        const movie = rowFromProperties(e.properties, MOVIE_FIELDS) as unknown as Movie;
        const raw = String(e.properties[RAW] ?? "");
        const properties = objectProperties(movie, Number(e.properties[PROPERTY.sentiment] ?? 0), stems);
        properties[SEQ] = seq;
        properties[TEXT_HASH] = e.properties[TEXT_HASH];
        properties[RAW] = raw;
        const vector = stateChanged || !e.vector ? Array.from(finish!(decodeVector(raw), state)) : e.vector;
        planned.push({ uuid: this.uuid(id), properties, vector });
      }
      for (const u of added) planned.push(plan(u, ++maxSeq));
      for (const p of planned) p.properties[CONTENT_HASH] = contentHash(p);

      // 4. The manifest and vocabulary the new generation will have.
      const now = new Date().toISOString();
      const manifest: Manifest | null = batch.manifest
        ? { embedderId: batch.manifest.embedderId, dims: batch.manifest.dims, embedderState: state, createdAt: prev?.createdAt || now, updatedAt: now }
        : prev
          ? { ...prev, embedderState: state }
          : null;
      const vocabulary = countStems(planned);
      const fingerprint = createHash("sha1")
        .update(JSON.stringify([base?.physical ?? null, manifest && { ...manifest, createdAt: null, updatedAt: null }, planned.length]))
        .update(planned.map((p) => p.properties[CONTENT_HASH]).join(","))
        .digest("hex");

      // 5. Build (or resume building) the new generation beside the current one.
      const target = await this.startGeneration(client, base, fingerprint);
      const there = await this.contentHashes(client, target);
      const toSend = planned.filter((p) => there.get(p.uuid) !== p.properties[CONTENT_HASH]);
      const stale = [...there.keys()].filter((uuid) => !planned.some((p) => p.uuid === uuid));
      const total = planned.length;
      batch.onProgress?.(total - toSend.length, total);
      const physical = client.collections.get(target);
      if (stale.length) await this.retry(() => physical.data.deleteMany(idFilter().containsAny(stale)));
      await sendInBatches(
        toSend,
        async (objs) => {
          const r = await physical.data.insertMany(objs.map((p) => ({ id: p.uuid, properties: p.properties as Record<string, WeaviateField>, vectors: p.vector })));
          if (r.hasErrors) {
            const first = Object.values(r.errors)[0]!;
            throw new CollectionError(`${this.location}: Weaviate rejected ${Object.keys(r.errors).length} of ${objs.length} movies: ${first.message}`);
          }
        },
        { batchSize: UPLOAD_BATCH, concurrency: UPLOAD_CONCURRENCY, transient, onProgress: (done) => batch.onProgress?.(total - toSend.length + done, total) },
      );
      const stored = (await this.retry(() => physical.aggregate.overAll())).totalCount;
      if (stored !== total) throw new CollectionError(`${this.location}: the new generation holds ${stored} movies, expected ${total}; run the same command again to resume`);

      // 6. Its records, then the one request that commits: the alias moves to it.
      await this.writeMeta(client, "generation", target, { manifest, count: total, maxSeq } satisfies GenerationRecord);
      await this.writeMeta(client, "vocabulary", target, null, gzipSync(JSON.stringify([...vocabulary])));
      if (batch.log) await this.writeMeta(client, "log", `${now} ${randomBytes(4).toString("hex")}`, { files: batch.log.files, report: batch.log.report ?? null, at: now, collection: target });
      const current = await this.aliasTarget(client);
      if (current !== (base?.physical ?? null)) {
        throw new CollectionError(`${this.location}: another writer changed the collection during this write (now at ${current}); run the command again`);
      }
      if (current === null) await this.retry(() => client.alias.create({ alias: this.target.name, collection: target }));
      else await this.retry(() => client.alias.update({ alias: this.target.name, newTargetCollection: target }));
      await this.deleteMeta(client, "pending", "write");
      await this.dropOldGenerations(client, target, base?.physical ?? null);
      this.generation = Promise.resolve({ physical: target, manifest, count: total, maxSeq, vocabulary });
      batch.onProgress?.(total, total);
      return { missing, count: total };
    } catch (err) {
      this.generation = null;
      throw this.translate(err);
    }
  }

  /**
   * The physical collection a write builds into: the pending one when this same write (same
   * base, same fingerprint) was interrupted, else a new one (a stale pending one is deleted).
   */
  private async startGeneration(client: WeaviateClient, base: Generation | null, fingerprint: string): Promise<string> {
    const pending = (await this.readMeta(client, "pending", "write"))?.value as PendingWrite | null | undefined;
    if (pending && pending.base === (base?.physical ?? null) && pending.fingerprint === fingerprint && (await this.exists(client, pending.collection))) {
      this.options.onNotice?.(`resuming the interrupted write into ${pending.collection}`);
      return pending.collection;
    }
    if (pending && pending.collection !== base?.physical && (await this.exists(client, pending.collection))) await this.retry(() => client.collections.delete(pending.collection));
    const n = base ? generationNumber(base.physical) + 1 : 1;
    const name = `${this.target.name}_G${n}_${randomBytes(3).toString("hex")}`;
    await this.writeMeta(client, "pending", "write", { collection: name, base: base?.physical ?? null, fingerprint, startedAt: new Date().toISOString() } satisfies PendingWrite);
    await this.retry(() => client.collections.create(movieCollectionConfig(name, `Plotline collection ${this.target.name}, generation ${n} (query it through the alias ${this.target.name})`)));
    return name;
  }

  /** Content hashes of the objects already in a collection being built, by uuid. */
  private async contentHashes(client: WeaviateClient, name: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const c = client.collections.get(name);
    if ((await this.retry(() => c.aggregate.overAll())).totalCount === 0) return out;
    // Read again from the start when the listing breaks: it only collects hashes.
    await this.retry(async () => {
      out.clear();
      for await (const o of c.iterator({ returnProperties: [CONTENT_HASH] })) out.set(o.uuid, String(o.properties[CONTENT_HASH] ?? ""));
    });
    return out;
  }

  /** Deletes generations older than the previous one, and their records. */
  private async dropOldGenerations(client: WeaviateClient, current: string, previous: string | null): Promise<void> {
    const all = await this.retry(() => client.collections.listAll());
    const prefix = `${this.target.name}_G`;
    const ours = all.map((c) => c.name).filter((n) => n.startsWith(prefix) && /^\d+_[0-9a-f]{6}$/.test(n.slice(prefix.length)) && n !== current);
    ours.sort((a, b) => generationNumber(b) - generationNumber(a));
    const keep = new Set(previous && KEEP_PREVIOUS > 0 ? [previous] : []);
    for (const name of ours) {
      if (keep.has(name)) continue;
      await this.retry(() => client.collections.delete(name));
      await this.deleteMeta(client, "generation", name);
      await this.deleteMeta(client, "vocabulary", name);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const client = this.clientPromise ? await this.clientPromise.catch(() => null) : null;
    this.clientPromise = null;
    await client?.close();
  }
}

/** The properties to read for these fields. */
function propertiesFor(fields: readonly MovieField[]): string[] {
  return [...new Set([PROPERTY.id, SEQ, ...fields.map((f) => PROPERTY[f])])];
}

/** Best first; ties in natural order (`ordinal` is the seq), as every store lists them. */
function ranked<T extends { score: number; ordinal: number }>(hits: T[]): T[] {
  return hits.sort((a, b) => b.score - a.score || a.ordinal - b.ordinal);
}

function encodeVector(v: Float32Array): string {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64");
}

function decodeVector(b64: string): Float32Array {
  const buf = Buffer.from(b64, "base64");
  const out = new Float32Array(buf.byteLength / 4);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

/** What identifies an object's written content: its properties (in a fixed key order) and its vector. */
function contentHash(p: Planned): string {
  const h = createHash("sha1");
  for (const k of Object.keys(p.properties).sort()) if (k !== CONTENT_HASH) h.update(k).update("\0").update(JSON.stringify(p.properties[k])).update("\0");
  h.update(Buffer.from(Float32Array.from(p.vector).buffer));
  return h.digest("hex");
}

/** Movies holding each stem, from the pre-stemmed search properties. */
function countStems(planned: readonly Planned[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const p of planned) {
    const seen = new Set<string>();
    for (const f of TEXT_FIELDS) {
      const text = p.properties[TERMS_PROPERTY[f]];
      if (typeof text !== "string" || !text) continue;
      for (const s of text.split(" ")) seen.add(s);
    }
    for (const s of seen) counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  return counts;
}

function generationNumber(physical: string): number {
  const m = /_G(\d+)_[0-9a-f]{6}$/.exec(physical);
  return m ? Number(m[1]) : 0;
}

function shorten(message: string): string {
  return message.length > 300 ? `${message.slice(0, 297)}...` : message;
}

/**
 * A Weaviate failure a second try may cure: what `isTransient` says for REST (5xx, 429, a
 * connection refused, reset or closed under a reused keep-alive socket), and gRPC's UNAVAILABLE
 * and DEADLINE_EXCEEDED, which the client reports only in its message.
 */
function transient(err: unknown): boolean {
  if (isTransient(err)) return true;
  for (let e = err, depth = 0; e && typeof e === "object" && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (/\b(UNAVAILABLE|DEADLINE_EXCEEDED)\b|other side closed|socket hang up/.test(String((e as { message?: unknown }).message ?? ""))) return true;
  }
  return false;
}
