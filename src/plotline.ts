import type { Movie } from "./catalog/movie.js";
import type { Embedder } from "./embed/embedder.js";
import { embedderForId, hybridAlphaFor } from "./embed/registry.js";
import { CapabilityError, CollectionError, InvalidArgumentError } from "./errors.js";
// Ingest, trailers and copy are imported when first used (below): with their readers, media
// tools and language detection they are a third of the modules, which every other command (a
// one-shot `plotline search` or `similar`) would otherwise load at start-up.
import type { CopyOptions, CopyResult } from "./copy.js";
import type { IngestInput, IngestOptions, IngestResult } from "./ingest.js";
import { RecommendContext } from "./recommend/context.js";
import { recommend } from "./recommend/examples.js";
import { resolveRef, unknownRefError, UnknownMovieError } from "./recommend/resolve.js";
import { similar } from "./recommend/similar.js";
import type { MovieRef, RecommendOptions, RecommendResponse, SimilarOptions, SimilarResponse } from "./recommend/types.js";
import { SearchEngine } from "./search/engine.js";
import { Transcripts } from "./search/transcripts.js";
import { DEFAULT_TITLES_K, MAX_QUERY_LENGTH, type SearchOptions, type SearchResponse, type TitleResponse } from "./search/types.js";
import { defaultDbPath, openStore } from "./store/open.js";
import { requireCapability, type CheckFinding, type Distribution, type IndexStatus, type Manifest, type PreparedIndex, type Store, type StoreStats } from "./store/store.js";
import type { TrailerCounts, TrailerInfo } from "./store/trailers.js";
import type { TrailersOptions, TrailersResult } from "./trailers.js";
import type { IndexConfig } from "./vector-index/select.js";

export interface OpenOptions {
  /** Collection location (default: `PLOTLINE_DB`, else `./plotline.db`). */
  db?: string;
  /** Create the collection when missing (default false: a missing collection is an error). */
  create?: boolean;
  /** Never write (default false). */
  readonly?: boolean;
  /**
   * Query with this embedder instead of loading the collection's (it must have the same id).
   * It stays the caller's: `close` leaves it open.
   */
  embedder?: Embedder;
  onNotice?: (message: string) => void;
  /** How a backend that shards and replicates lays out a collection it creates (see `Distribution`). */
  distribution?: Distribution;
}

export interface CollectionInfo {
  path: string;
  /** The backend keeping the collection (`sqlite`, ...). */
  backend: string;
  count: number;
  embedder: string | null;
  dims: number | null;
  /** Bytes the collection takes where it lives; null when the backend does not say. */
  sizeBytes: number | null;
  createdAt: string | null;
  updatedAt: string | null;
  /** The vector index (stores that build their own): configured type, effective kind, saved file, freshness. */
  index: IndexStatus | null;
  /** Trailer files kept (`plotline trailers`) and how many are attached to a movie; null when the backend keeps no trailers. */
  trailers: TrailerCounts | null;
  /** What the backend runs on and how it ranks (`StoreStats.details`: Postgres' server, extensions, keyword ranking, HNSW parameters); null when it says nothing. */
  details: StoreStats["details"] | null;
}

/**
 * The typed library API: one open collection, with ingest, search and lookups. The CLI and the
 * HTTP server are thin layers over this class, and it is a thin layer over a `Store` and the
 * engine (search, recommend).
 */
export class Plotline {
  private embedder: Embedder | null;
  /** Whether `embedder` was loaded here (and so is closed here). */
  private ownsEmbedder = false;
  private embedderLoad: Promise<Embedder> | null = null;
  /** Keyword, title and hybrid search state (catalog, title index, spelling), per collection state. */
  private engine: SearchEngine | null = null;
  /** `defaultAlpha` of the engine's collection state, set with `engine` (from the manifest it was created from). */
  private engineAlpha: number | undefined;
  /** Recommendation state (vectors, titles, sentiment, TF-IDF), per collection state. */
  private context: Promise<RecommendContext> | null = null;
  /** Trailer transcript vectors, per collection state. */
  private transcriptsLoad: Promise<Transcripts> | null = null;

  private constructor(
    readonly store: Store,
    private readonly options: OpenOptions,
  ) {
    this.embedder = options.embedder ?? null;
  }

  static open(options: OpenOptions = {}): Plotline {
    const path = options.db ?? defaultDbPath();
    let plotline: Plotline | undefined;
    const store = openStore(path, {
      create: options.create,
      readonly: options.readonly,
      onNotice: options.onNotice,
      ...(options.distribution ? { distribution: options.distribution } : {}),
      finisher: async () => {
        const embedder = await plotline!.queryEmbedder();
        return (raw, state) => embedder.finish(raw, state);
      },
    });
    return (plotline = new Plotline(store, options));
  }

  /**
   * Copies the collection at `from` into `to` (any two backends: SQLite files, `qdrant://`
   * URLs, ...), with its vectors and fitted state, without embedding again; see
   * `copyCollection`. The target is created when missing (with `distribution`, for a backend
   * that shards and replicates).
   */
  static async copy(from: string, to: string, options: Omit<CopyOptions, "finish"> & { distribution?: Distribution; onNotice?: (message: string) => void } = {}): Promise<CopyResult> {
    if (from === to) throw new InvalidArgumentError("--to", `is the collection copied from (${from})`);
    const source = openStore(from, { readonly: true, onNotice: options.onNotice });
    let embedder: Embedder | null = null;
    const finisher = async () => {
      const m = await source.manifest();
      if (!m) throw new CollectionError(`${source.location}: the collection is empty; nothing to copy`);
      embedder ??= await embedderForId(m.embedderId, { onNotice: options.onNotice });
      const e = embedder;
      return (raw: Float32Array, state: Manifest["embedderState"]) => e.finish(raw, state);
    };
    const target = openStore(to, { create: true, onNotice: options.onNotice, finisher, ...(options.distribution ? { distribution: options.distribution } : {}) });
    try {
      const { copyCollection } = await import("./copy.js");
      return await copyCollection(source, target, { ...options, finish: await finisher() });
    } finally {
      await Promise.all([source.close(), target.close()]);
      await (embedder as Embedder | null)?.close();
    }
  }

  async info(): Promise<CollectionInfo> {
    const m = await this.store.manifest();
    const stats = await this.store.stats();
    return {
      path: this.store.location,
      backend: this.store.kind,
      count: await this.store.count(),
      embedder: m?.embedderId ?? null,
      dims: m?.dims ?? null,
      sizeBytes: stats.sizeBytes,
      createdAt: m?.createdAt ?? null,
      updatedAt: m?.updatedAt ?? null,
      index: this.store.vectorIndex ? await this.store.vectorIndex.status() : null,
      trailers: stats.trailers ?? null,
      details: stats.details ?? null,
    };
  }

  /**
   * Verifies the stored collection (`plotline check`; capability `check`): every finding, ok or
   * not. `quick` runs what is cheap enough for `info` (SQLite's quick_check instead of a full
   * integrity check).
   */
  async check(options: { quick?: boolean } = {}): Promise<CheckFinding[]> {
    requireCapability(this.store, "check", "plotline check", "use the backend's own tools");
    return this.store.verify!(options);
  }

  async ingest(inputs: IngestInput[], options: IngestOptions = {}): Promise<IngestResult> {
    const { ingest } = await import("./ingest.js");
    const result = await ingest(this.store, inputs, { embedderInstance: this.embedder ?? undefined, onNotice: this.options.onNotice, ...options });
    this.dropState(); // vectors and fitted state changed
    return result;
  }

  /**
   * Transcribes trailers (files, or folders walked for videos) and attaches each to the movie
   * its file name names; see `processTrailers`. Search and recommendations see them at once.
   */
  async trailers(inputs: readonly string[], options: TrailersOptions = {}): Promise<TrailersResult> {
    try {
      const { processTrailers } = await import("./trailers.js");
      return await processTrailers(this.store, inputs, { embedderInstance: this.embedder ?? undefined, onNotice: this.options.onNotice, ...options });
    } finally {
      this.dropState(); // transcripts, languages and maybe movies changed
    }
  }

  /** The trailers attached to a movie (by id): transcript, language and where it came from; none without capability `trailers`. */
  async movieTrailers(id: string): Promise<TrailerInfo[]> {
    return this.store.capabilities.trailers ? this.store.movieTrailers(id) : [];
  }

  async remove(ids: string[]): Promise<{ removed: string[]; missing: string[] }> {
    const { missing } = await this.store.write({ remove: ids });
    this.dropState();
    return { removed: ids.filter((id) => !missing.includes(id)), missing };
  }

  private dropState(): void {
    this.engine = null;
    this.context = null;
    this.transcriptsLoad = null;
  }

  async movie(id: string): Promise<Movie | null> {
    return this.store.movie(id);
  }

  /** The embedder the collection was built with, loaded once (and closed by `close`). */
  async queryEmbedder(): Promise<Embedder> {
    if (this.embedder) return this.embedder;
    this.embedderLoad ??= (async () => {
      const manifest = await this.requireManifest();
      const embedder = await embedderForId(manifest.embedderId, { onNotice: this.options.onNotice });
      this.embedder = embedder;
      this.ownsEmbedder = true;
      return embedder;
    })();
    this.embedderLoad.catch(() => (this.embedderLoad = null));
    return this.embedderLoad;
  }

  private async requireManifest(): Promise<Manifest> {
    const manifest = await this.store.manifest();
    if (!manifest || (await this.store.count()) === 0) throw new CollectionError(`${this.store.location}: the collection is empty; ingest a file first`);
    return manifest;
  }

  /**
   * Chooses the vector index (when `config` is given, recorded in the collection), then builds,
   * loads or catches it up and saves it beside the collection (`<db>.hnsw.usearch`,
   * `<db>.ivfpq.bin`). Files of another index type are removed. Only for stores that build
   * their own vector index (SQLite).
   */
  async prepareIndex(config?: IndexConfig, options: { rebuild?: boolean; onProgress?: (done: number, total: number) => void } = {}): Promise<PreparedIndex> {
    await this.requireManifest();
    const admin = this.store.vectorIndex;
    if (!admin) throw new CapabilityError("vectorIndex", `the ${this.store.kind} store configures its vector index itself; plotline index applies to SQLite collections`);
    const prepared = await admin.prepare(config, options);
    if (config) this.dropState();
    return prepared;
  }

  /** The search engine over the current collection state, created on first use. */
  async searchEngine(): Promise<SearchEngine> {
    if (this.engine) return this.engine;
    // Checked once per collection state (the engine is dropped when the collection changes).
    const manifest = await this.requireManifest();
    if (!this.engine) this.engineAlpha = hybridAlphaFor(manifest.embedderId);
    this.engine ??= new SearchEngine({
      store: this.store,
      embedQuery: async (text) => {
        const embedder = await this.queryEmbedder();
        return embedder.finish(await embedder.embedQuery(text), manifest.embedderState);
      },
      similar: async (id, k, filters, prior) => (await this.similar({ id }, { k, filters, prior })).results,
      recommend: async (like, dislike, k, filters, prior) => (await this.recommend({ like: like.map((id) => ({ id })), dislike: dislike.map((id) => ({ id })), k, filters, prior })).results,
      transcripts: () => this.transcripts(),
    });
    return this.engine;
  }

  /**
   * Searches the collection: `hybrid` (default: BM25 and semantic, fused), `keyword`,
   * `semantic` or `title`, with filters, pagination and query understanding. Every result
   * carries its scores and matched words. See `SearchOptions` for each option and its default.
   */
  async search(query: string, options: SearchOptions = {}): Promise<SearchResponse> {
    const q = validateQuery(query);
    const engine = await this.searchEngine();
    return engine.search(q, { ...options, alpha: options.alpha ?? this.engineAlpha });
  }

  /**
   * Hybrid (convex) alpha when none is given: the collection's embedder's (`hybridAlphaFor`), else
   * the engine's DEFAULT_ALPHA. Kept with the search engine, per collection state: asking the
   * store's freshness token on every search instead cost a read transaction per query (about 4%
   * of a hybrid search's server CPU in a profile under wrk).
   */
  async defaultAlpha(): Promise<number | undefined> {
    await this.searchEngine();
    return this.engineAlpha;
  }

  /**
   * Title suggestions as the user types (`k` default 10): typo tolerant (1 typo from 5 letters,
   * 2 from 9), the last word matched as a prefix; exact beats prefix beats typo, then
   * popularity. In memory after the first call.
   */
  async titles(prefix: string, k: number = DEFAULT_TITLES_K): Promise<TitleResponse> {
    return (this.engine ?? (await this.searchEngine())).titles(prefix, k);
  }

  /**
   * More like this: the movies most like one movie (given by id or title), 40 by default, by
   * `knn` (default), `svm` or `tfidf`. See `SimilarOptions` for every option and its default.
   */
  async similar(movie: MovieRef, options: SimilarOptions = {}): Promise<SimilarResponse> {
    try {
      return await similar(await this.recommendContext(), movie, options);
    } catch (err) {
      throw await this.withDidYouMean(err);
    }
  }

  /**
   * An unknown movie's error with "did you mean" titles from the typo-tolerant title search
   * (`The Martain` → The Martian), when the error lists no suggestions of its own.
   */
  private async withDidYouMean(err: unknown): Promise<unknown> {
    if (!(err instanceof UnknownMovieError) || err.suggested) return err;
    const text = err.text.replace(/\s*\(\d{4}\)$/, "");
    // An id (`tt0411951`, `wikipedia:...`) that is not there has no title to be near.
    if (!text || text.length > 200 || /^(tt\d+|[\w-]+:\S+)$/i.test(text)) return err;
    const near = (await this.titles(text, 3)).results;
    if (!near.length) return err;
    const list = near.map((m) => `${m.title} (${m.year ?? "no year"}) ${m.id}`).join(", ");
    return new UnknownMovieError(err.parameter, `no movie has the id or title '${err.text}'; did you mean ${list}?`, err.text, true);
  }

  /**
   * The ids of movies given by id, title or `Title (1999)` (as `similar` takes them); a title that
   * matches several movies is an error listing them, one that matches nothing is `missing`.
   */
  async resolveMovies(refs: string[]): Promise<{ ids: string[]; missing: string[]; suggestions: Record<string, string> }> {
    const ctx = await this.recommendContext();
    const ids: string[] = [];
    const missing: string[] = [];
    const suggestions: Record<string, string> = {};
    for (const ref of refs) {
      const p = resolveRef(ctx, ref, "movie");
      if (p !== null) {
        ids.push(ctx.ids[p]!);
        continue;
      }
      missing.push(ref);
      const unknown = unknownRefError(ctx, ref, "movie");
      const e = await this.withDidYouMean(unknown);
      const suggested = e instanceof UnknownMovieError && (e !== unknown || unknown.suggested);
      if (suggested) suggestions[ref] = `${ref}: not in the collection; ${e.message.replace(/^movie: no movie has the id or title '.*?'; /s, "")}`;
    }
    return { ids, missing, suggestions };
  }

  /** Recommendations from liked and disliked movies; see `RecommendOptions`. */
  async recommend(options: RecommendOptions): Promise<RecommendResponse> {
    return recommend(await this.recommendContext(), options);
  }

  /** What recommendations need from the collection (vectors, titles, sentiment, TF-IDF), built once per collection state. */
  recommendContext(): Promise<RecommendContext> {
    this.context ??= (async () => {
      await this.requireManifest();
      return RecommendContext.build(this.store, await this.transcripts());
    })();
    const built = this.context;
    built.catch(() => {
      if (this.context === built) this.context = null;
    });
    return built;
  }

  /**
   * The finished transcript vectors of the movies with trailers (empty without any), loaded on
   * first use per collection state; search and recommendations share them.
   */
  transcripts(): Promise<Transcripts> {
    this.transcriptsLoad ??= (async () => {
      const manifest = await this.requireManifest();
      if (!this.store.capabilities.trailers) return Transcripts.empty(manifest.dims);
      return Transcripts.load(this.store, manifest, async () => {
        const embedder = await this.queryEmbedder();
        return (raw, state) => embedder.finish(raw, state);
      });
    })();
    const load = this.transcriptsLoad;
    load.catch(() => {
      if (this.transcriptsLoad === load) this.transcriptsLoad = null;
    });
    return load;
  }

  /** Closes the collection, and the embedder if this Plotline loaded it (one given in `OpenOptions` stays open). */
  async close(): Promise<void> {
    // A load still under way would otherwise finish after close and leave its model open.
    await this.embedderLoad?.catch(() => undefined);
    if (this.ownsEmbedder) await this.embedder?.close();
    await this.store.close();
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
