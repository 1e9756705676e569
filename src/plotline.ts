import type { Embedder } from "./embed/embedder.js";
import { embedderForId } from "./embed/registry.js";
import { CollectionError, InvalidArgumentError } from "./errors.js";
import { indexStatus, openCollectionIndex, removeOtherSidecars, setIndexConfig, type IndexStatus, type OpenedIndex } from "./vector-index/persisted.js";
import type { IndexConfig } from "./vector-index/select.js";
import type { VectorIndex } from "./vector-index/vector-index.js";
import { ingest, type IngestInput, type IngestOptions, type IngestResult } from "./ingest.js";
import { SearchEngine } from "./search/engine.js";
import { DEFAULT_TITLES_K, MAX_QUERY_LENGTH, type SearchOptions, type SearchResponse, type TitleResponse } from "./search/types.js";
import { Collection, defaultDbPath, type StoredMovie } from "./store/collection.js";
import { contextFor, type RecommendContext } from "./recommend/context.js";
import { recommend } from "./recommend/examples.js";
import { similar } from "./recommend/similar.js";
import type { MovieRef, RecommendOptions, RecommendResponse, SimilarOptions, SimilarResponse } from "./recommend/types.js";

export interface OpenOptions {
  /** Collection file (default: `PLOTLINE_DB`, else `./plotline.db`). */
  db?: string;
  /** Create the file when missing (default false: a missing collection is an error). */
  create?: boolean;
  readonly?: boolean;
  /** Query with this embedder instead of loading the collection's (it must have the same id). */
  embedder?: Embedder;
  onNotice?: (message: string) => void;
}

export interface CollectionInfo {
  path: string;
  count: number;
  embedder: string | null;
  dims: number | null;
  sizeBytes: number;
  createdAt: string | null;
  updatedAt: string | null;
  /** The vector index: configured type, effective kind, saved file and whether it is fresh. */
  index: IndexStatus;
}

/**
 * The typed library API: one open collection, with ingest, search and lookups. The CLI and the
 * HTTP server are thin layers over this class.
 */
export class Plotline {
  private index: VectorIndex | null = null;
  private embedder: Embedder | null;
  /** Keyword, title and hybrid search state (FTS statements, title index), per collection state. */
  private engine: SearchEngine | null = null;
  /** Recommendation state (titles, sentiment, TF-IDF), per collection state. */
  private context: RecommendContext | null = null;
  /** The collection's `writeCount` the state above was built at. */
  private builtAt = 0;

  private constructor(
    readonly collection: Collection,
    private readonly options: OpenOptions,
  ) {
    this.embedder = options.embedder ?? null;
  }

  static open(options: OpenOptions = {}): Plotline {
    const path = options.db ?? defaultDbPath();
    return new Plotline(Collection.open(path, { create: options.create, readonly: options.readonly }), options);
  }

  info(): CollectionInfo {
    const m = this.collection.manifest();
    return {
      path: this.collection.path,
      count: this.collection.count(),
      embedder: m?.embedderId ?? null,
      dims: m?.dims ?? null,
      sizeBytes: this.collection.sizeOnDisk(),
      createdAt: m?.createdAt ?? null,
      updatedAt: m?.updatedAt ?? null,
      index: indexStatus(this.collection, m),
    };
  }

  async ingest(inputs: IngestInput[], options: IngestOptions = {}): Promise<IngestResult> {
    const result = await ingest(this.collection, inputs, { embedderInstance: this.embedder ?? undefined, onNotice: this.options.onNotice, ...options });
    this.dropState(); // vectors and fitted state changed
    return result;
  }

  remove(ids: string[]): { removed: string[]; missing: string[] } {
    const missing = this.collection.write(() => this.collection.remove(ids));
    this.dropState();
    return { removed: ids.filter((id) => !missing.includes(id)), missing };
  }

  private dropState(): void {
    this.index = null;
    this.engine = null;
    this.context = null;
    this.builtAt = this.collection.writeCount;
  }

  /** Drops built state after writes made straight to `collection` (ingest and remove drop it themselves). */
  private checkFresh(): void {
    if (this.collection.writeCount !== this.builtAt) this.dropState();
  }

  movie(id: string): StoredMovie | null {
    return this.collection.getById(id);
  }

  /** The embedder the collection was built with, loaded once. */
  async queryEmbedder(): Promise<Embedder> {
    if (this.embedder) return this.embedder;
    const manifest = this.requireManifest();
    this.embedder = await embedderForId(manifest.embedderId, { onNotice: this.options.onNotice });
    return this.embedder;
  }

  private requireManifest() {
    const manifest = this.collection.manifest();
    if (!manifest || this.collection.count() === 0) throw new CollectionError(`${this.collection.path}: the collection is empty; ingest a file first`);
    return manifest;
  }

  /**
   * The collection's vector index (exact, HNSW or IVF-PQ: see `prepareIndex`), over the
   * finished vectors, opened on first use: a saved index is loaded and caught up with changes.
   */
  async vectorIndex(): Promise<VectorIndex> {
    this.checkFresh();
    if (this.index) return this.index;
    const manifest = this.requireManifest();
    const embedder = await this.queryEmbedder();
    this.index = openCollectionIndex(this.collection, embedder, manifest, { readonly: this.options.readonly, onNotice: this.options.onNotice }).index;
    return this.index;
  }

  /**
   * Chooses the vector index (when `config` is given, recorded in the collection), then builds,
   * loads or catches it up and saves it beside the collection (`<db>.hnsw.usearch`,
   * `<db>.ivfpq.bin`). Files of another index type are removed.
   */
  async prepareIndex(config?: IndexConfig, options: { rebuild?: boolean; onProgress?: (done: number, total: number) => void } = {}): Promise<OpenedIndex> {
    const manifest = this.requireManifest();
    if (config) {
      this.collection.write(() => setIndexConfig(this.collection, config));
      this.dropState();
    }
    const embedder = await this.queryEmbedder();
    const opened = openCollectionIndex(this.collection, embedder, manifest, { readonly: this.options.readonly, onNotice: this.options.onNotice, ...options });
    removeOtherSidecars(this.collection.path, opened.kind);
    this.index = opened.index;
    return opened;
  }

  /** The search engine over the current collection state, created on first use. */
  searchEngine(): SearchEngine {
    this.checkFresh();
    if (this.engine) return this.engine;
    // Checked once per collection state (the engine is dropped when the collection changes).
    const manifest = this.requireManifest();
    return (this.engine = new SearchEngine({
      collection: this.collection,
      vectorIndex: () => this.vectorIndex(),
      embedQuery: async (text) => {
        const embedder = await this.queryEmbedder();
        return embedder.finish(await embedder.embedQuery(text), manifest.embedderState);
      },
      similar: async (id, k, filters, prior) => (await this.similar({ id }, { k, filters, prior })).results,
      recommend: async (like, dislike, k, filters, prior) => (await this.recommend({ like: like.map((id) => ({ id })), dislike: dislike.map((id) => ({ id })), k, filters, prior })).results,
    }));
  }

  /**
   * Searches the collection: `hybrid` (default: BM25 and semantic, fused), `keyword`,
   * `semantic` or `title`, with filters, pagination and query understanding. Every result
   * carries its scores and matched words. See `SearchOptions` for each option and its default.
   */
  async search(query: string, options: SearchOptions = {}): Promise<SearchResponse> {
    const q = validateQuery(query);
    return this.searchEngine().search(q, options);
  }

  /**
   * Title suggestions as the user types (`k` default 10): typo tolerant (1 typo from 5 letters,
   * 2 from 9), the last word matched as a prefix; exact beats prefix beats typo, then
   * popularity. Synchronous and in memory after the first call.
   */
  titles(prefix: string, k: number = DEFAULT_TITLES_K): TitleResponse {
    return this.searchEngine().titles(prefix, k);
  }

  /**
   * More like this: the movies most like one movie (given by id or title), 40 by default, by
   * `knn` (default), `svm` or `tfidf`. See `SimilarOptions` for every option and its default.
   */
  async similar(movie: MovieRef, options: SimilarOptions = {}): Promise<SimilarResponse> {
    return similar(await this.recommendContext(), movie, options);
  }

  /** Recommendations from liked and disliked movies; see `RecommendOptions`. */
  async recommend(options: RecommendOptions): Promise<RecommendResponse> {
    return recommend(await this.recommendContext(), options);
  }

  /** What recommendations need from the collection (vectors, titles, sentiment, TF-IDF), built once per collection state. */
  async recommendContext(): Promise<RecommendContext> {
    this.checkFresh();
    if (this.context) return this.context;
    this.requireManifest();
    const index = await this.vectorIndex();
    return (this.context = contextFor(this.collection, index));
  }

  async close(): Promise<void> {
    await this.embedder?.close();
    this.collection.close();
  }
}

function validateQuery(query: string): string {
  if (typeof query !== "string") throw new InvalidArgumentError("query", "must be a string");
  const q = query.trim();
  if (!q) throw new InvalidArgumentError("query", "is empty");
  if (q.length > MAX_QUERY_LENGTH) throw new InvalidArgumentError("query", `is ${q.length} characters; the limit is ${MAX_QUERY_LENGTH}`);
  return q;
}

export function validateInt(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new InvalidArgumentError(name, `must be an integer from ${min} to ${max}, got ${value}`);
  return value;
}
