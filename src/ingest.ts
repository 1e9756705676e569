import { Cleaner, type IngestReport } from "./catalog/clean.js";
import { openCatalog, type CatalogSource, type OpenOptions } from "./catalog/formats.js";
import { mergeCatalogs, type MergeOptions, type MergeReport } from "./catalog/merge.js";
import { embedWithCache, textHash } from "./embed/cache.js";
import type { Embedder } from "./embed/embedder.js";
import { createEmbedder, DEFAULT_EMBEDDER, embedderForId } from "./embed/registry.js";
import { textFor } from "./embed/text.js";
import { PlotlineError } from "./errors.js";
import type { Store } from "./store/store.js";

export interface IngestInput extends OpenOptions {
  file: string;
}

export type IngestPhase = "read" | "embed" | "write";

export interface IngestProgress {
  phase: IngestPhase;
  done: number;
  /** Known for embed and write; unknown while streaming files. */
  total: number | null;
}

export interface IngestOptions {
  /** `auto` (default), `glove`, `minilm` or a model name; a collection keeps the one it was built with. */
  embedder?: string;
  /** Use this embedder instance instead of creating one (library use, tests). */
  embedderInstance?: Embedder;
  onProgress?: (p: IngestProgress) => void;
  onNotice?: (message: string) => void;
  /**
   * Merge the files instead of adding them side by side (default off): movies of the first
   * file's source are enriched with the others' summaries by normalised title + year (see
   * `mergeCatalogs`); films that match nothing are added as movies of their own.
   */
  merge?: boolean | MergeOptions;
  /** Refuse rows with a field over its cap (`FIELD_LIMITS`) instead of cutting the field (default off). */
  strict?: boolean;
}

export interface IngestResult {
  report: IngestReport;
  files: { file: string; format: string; source: string }[];
  embedderId: string;
  /** Movies embedded in this run (the rest came from the embedding cache). */
  embedded: number;
  cached: number;
  /** Movies in the collection after the ingest. */
  total: number;
  seconds: { read: number; embed: number; write: number; total: number };
  /** False when the files held no movies and nothing was written (the collection is unchanged). */
  written?: boolean;
  /** Matched, ambiguous and unmatched counts when `merge` was on. */
  merge?: MergeReport;
}

/**
 * Reads, cleans, embeds and stores catalog files. All files are opened and checked before any
 * work; the collection only changes in the final write batch, so a failure or a kill at any
 * point leaves it as it was (only the embedding cache keeps what was computed).
 */
export async function ingest(store: Store, inputs: IngestInput[], options: IngestOptions = {}): Promise<IngestResult> {
  const t0 = performance.now();
  if (inputs.length === 0) throw new PlotlineError("ingest: give at least one file");
  const sources: CatalogSource[] = [];
  for (const input of inputs) sources.push(await openCatalog(input.file, input));

  const cleaner = new Cleaner({ strict: options.strict });
  let read = 0;
  for (const src of sources) {
    for await (const record of src.records) {
      cleaner.add(src.file, src.source, record);
      if (++read % 2000 === 0) options.onProgress?.({ phase: "read", done: read, total: null });
    }
  }
  options.onProgress?.({ phase: "read", done: read, total: read });
  const cleaned = cleaner.finish();
  const report = cleaned.report;
  let movies = cleaned.movies;
  let merge: MergeReport | undefined;
  if (options.merge) {
    const primarySource = sources[0]!.source;
    if (sources.every((s) => s.source === primarySource)) throw new PlotlineError(`ingest --merge: every file is of source '${primarySource}'; give files from two catalogs (e.g. tmdb-movies.csv wikipedia-movies.json.gz)`);
    const merged = mergeCatalogs(
      movies.filter((m) => m.source === primarySource),
      movies.filter((m) => m.source !== primarySource),
      options.merge === true ? {} : options.merge,
    );
    movies = merged.movies;
    merge = merged.report;
  }
  const t1 = performance.now();
  if (movies.length === 0) {
    // Nothing to write: no batch, so the collection's freshness does not move and servers do
    // not reload (a header-only file used to mark the collection changed).
    options.onNotice?.(`no movies in ${sources.map((s) => s.file).join(", ")} (${report.read} rows read, ${report.dropped} dropped); the collection is unchanged`);
    return {
      report,
      files: sources.map((s) => ({ file: s.file, format: s.format, source: s.source })),
      embedderId: (await store.manifest())?.embedderId ?? "",
      embedded: 0,
      cached: 0,
      total: await store.count(),
      seconds: { read: (t1 - t0) / 1000, embed: 0, write: 0, total: (t1 - t0) / 1000 },
      written: false,
      ...(merge ? { merge } : {}),
    };
  }

  const embedder = options.embedderInstance ?? (await chooseEmbedder(store, options));
  const texts = movies.map(textFor(embedder.text));
  const { vectors, embedded } = await embedWithCache(embedder, texts, store.embeddingCache(), (done) =>
    options.onProgress?.({ phase: "embed", done, total: texts.length }),
  );
  const t2 = performance.now();

  const items = movies.map((movie, i) => ({ movie, textHash: textHash(texts[i]!), raw: vectors[i]! }));
  let warned = false;
  const { count: total } = await store.write({
    upsert: items,
    // Fitted post-processing (GloVe's common component) is refitted on the whole collection,
    // so that the stored state always matches the vectors it is applied to.
    // `finish` for stores that keep finished vectors (pgvector), which a first ingest cannot load from a manifest yet.
    manifest: { embedderId: embedder.id, dims: embedder.dims, fit: (raw) => embedder.fit(raw), finish: (raw, state) => embedder.finish(raw, state) },
    log: {
      files: sources.map((s) => s.file),
      report: { ...report, drops: report.drops.length, placeholders: report.placeholders.length, merged: report.merged.length },
    },
    onProgress: (done, all) => {
      // Said once the write is under way, so a batch refused before anything is sent stays one line.
      if (!warned && !store.capabilities.atomicWrites) options.onNotice?.(`the ${store.kind} store cannot write a batch all or nothing: an ingest interrupted part-way leaves part of it written until the same command is run again`);
      warned = true;
      options.onProgress?.({ phase: "write", done, total: all });
    },
  });
  const t3 = performance.now();
  if (!options.embedderInstance) await embedder.close();
  return {
    report,
    files: sources.map((s) => ({ file: s.file, format: s.format, source: s.source })),
    embedderId: embedder.id,
    embedded,
    cached: movies.length - embedded,
    total,
    seconds: { read: (t1 - t0) / 1000, embed: (t2 - t1) / 1000, write: (t3 - t2) / 1000, total: (t3 - t0) / 1000 },
    ...(merge ? { merge } : {}),
  };
}

/** The collection's own embedder when it has movies, else a new one (`auto` by default). */
export async function chooseEmbedder(store: Store, options: IngestOptions): Promise<Embedder> {
  const manifest = await store.manifest();
  const wanted = options.embedder ?? DEFAULT_EMBEDDER;
  if (manifest && (await store.count()) > 0) {
    const existing = await embedderForId(manifest.embedderId, { onNotice: options.onNotice });
    if (wanted !== DEFAULT_EMBEDDER && wanted !== existing.name) {
      await existing.close();
      throw new PlotlineError(`${store.location} was built with the ${existing.name} embedder (${manifest.embedderId}); ingest with --embedder ${existing.name} or use another --db`);
    }
    return existing;
  }
  return createEmbedder(wanted, { onNotice: options.onNotice });
}
