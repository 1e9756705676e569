import type { Embedder } from "./embed/embedder.js";
import { embedderForId } from "./embed/registry.js";
import { CollectionError, InvalidArgumentError } from "./errors.js";
import { ExactIndex } from "./index/exact.js";
import { ingest, type IngestInput, type IngestOptions, type IngestResult } from "./ingest.js";
import { semanticSearch } from "./search/semantic.js";
import { DEFAULT_K, MAX_K, MAX_QUERY_LENGTH, SEARCH_MODES, type SearchOptions, type SearchResponse } from "./search/types.js";
import { Collection, defaultDbPath, type StoredMovie } from "./store/collection.js";

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
}

/**
 * The typed library API: one open collection, with ingest, search and lookups. The CLI and the
 * HTTP server are thin layers over this class.
 */
export class Plotline {
  private index: ExactIndex | null = null;
  private embedder: Embedder | null;

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
    };
  }

  async ingest(inputs: IngestInput[], options: IngestOptions = {}): Promise<IngestResult> {
    const result = await ingest(this.collection, inputs, { embedderInstance: this.embedder ?? undefined, onNotice: this.options.onNotice, ...options });
    this.index = null; // vectors and fitted state changed
    return result;
  }

  remove(ids: string[]): { removed: string[]; missing: string[] } {
    const missing = this.collection.write(() => this.collection.remove(ids));
    this.index = null;
    return { removed: ids.filter((id) => !missing.includes(id)), missing };
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

  /** The exact vector index over the finished (stored-state) vectors, built on first use. */
  async vectorIndex(): Promise<ExactIndex> {
    if (this.index) return this.index;
    const manifest = this.requireManifest();
    const embedder = await this.queryEmbedder();
    const { dims, rowids, raw } = this.collection.vectors();
    const finished = new Float32Array(raw.length);
    for (let i = 0; i < rowids.length; i++) {
      finished.set(embedder.finish(raw.subarray(i * dims, (i + 1) * dims), manifest.embedderState), i * dims);
    }
    this.index = new ExactIndex(dims, rowids, finished);
    return this.index;
  }

  async search(query: string, options: SearchOptions = {}): Promise<SearchResponse> {
    const q = validateQuery(query);
    const mode = options.mode ?? "semantic";
    if (!(SEARCH_MODES as readonly string[]).includes(mode)) throw new InvalidArgumentError("mode", `unknown mode '${mode}' (modes: ${SEARCH_MODES.join(", ")})`);
    const k = validateInt("k", options.k ?? DEFAULT_K, 1, MAX_K);
    const offset = validateInt("offset", options.offset ?? 0, 0, 100_000);
    const manifest = this.requireManifest();
    const embedder = await this.queryEmbedder();
    const index = await this.vectorIndex();
    const qv = embedder.finish(await embedder.embedQuery(q), manifest.embedderState);
    const hits = semanticSearch(index, qv, k, offset);
    const movies = this.collection.getByRowids(hits.map((h) => h.id));
    return {
      query: q,
      results: hits.map((h, i) => ({ id: movies[i]!.id, title: movies[i]!.title, year: movies[i]!.year, score: h.score })),
    };
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
