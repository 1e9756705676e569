import { CollectionError } from "./errors.js";
import type { Finisher, Store, UpsertItem } from "./store/store.js";

export interface CopyOptions {
  /**
   * Replace the movies the target already holds (default false: a target with movies is an
   * error, so nothing is overwritten by a mistyped URL). The removal is part of the one write.
   */
  replace?: boolean;
  /**
   * The collection's embedder's finish step, for targets that keep finished vectors (Postgres,
   * Qdrant); the CLI loads the embedder the source names. Without it the target's own finisher
   * is used.
   */
  finish?: Finisher;
  /** `read` counts movies read from the source (total known), `write` the target's write batch. */
  onProgress?: (p: { phase: "read" | "write"; done: number; total: number }) => void;
}

export interface CopyResult {
  from: string;
  to: string;
  /** Movies in the target after the copy. */
  copied: number;
  /** Movies the target held before and no longer does (`replace`). */
  replaced: number;
  embedderId: string;
  /** Upload batches an interrupted earlier copy had done, which this one did not send again. */
  resumed: boolean;
  seconds: number;
}

/** Movies read from the source per batch. */
const READ_BATCH = 2000;

/**
 * Copies a collection from one store to another (SQLite, Postgres, Qdrant, Weaviate and
 * Pinecone, in any direction): every movie with its raw vector and the hash of its embedded text, in natural
 * order, and the embedder's fitted state, so that nothing is embedded again and the target
 * searches the same vectors. The target changes in one write batch, so the movies are held in
 * memory until it commits (about 4 KB a movie at 384 dimensions): all or nothing where the
 * backend can; resumable where the backend records an interrupted write (`Store.interruptedWrite`:
 * Qdrant, Weaviate, Pinecone): a copy interrupted part-way is finished by running it again,
 * which is allowed without `replace` since the target holds only the copy's movies.
 * Its embedding cache receives the raw vectors too, so later ingests into it reuse them.
 *
 * Trailers (`plotline trailers`, capability `trailers`) are not copied: the `Store` interface
 * reads them per hash or per movie, not as a whole, and only the SQLite backend keeps them. The
 * target's movies have no `transcript` until `plotline trailers` runs on it (a SQLite target).
 */
export async function copyCollection(from: Store, to: Store, options: CopyOptions = {}): Promise<CopyResult> {
  const t0 = performance.now();
  const manifest = await from.manifest();
  const total = await from.count();
  if (!manifest || total === 0) throw new CollectionError(`${from.location}: the collection is empty; nothing to copy`);
  const existing = await to.manifest();
  const held = await to.count();
  const interrupted = await to.interruptedWrite();
  if (held > 0 && !options.replace && !interrupted) {
    throw new CollectionError(`${to.location}: already holds ${held} movies; copy into an empty collection, or give --replace to replace them`);
  }
  if (existing && held > 0 && existing.embedderId !== manifest.embedderId) {
    throw new CollectionError(`${to.location} was built with ${existing.embedderId}, ${from.location} with ${manifest.embedderId}; copy into another collection (nothing was changed)`);
  }
  if (existing && existing.dims !== manifest.dims) {
    // Checked before anything is read, held movies or not: a store types its vectors by the first write (pgvector's vector(dims), a Qdrant collection's vector size).
    throw new CollectionError(`${to.location}: its vectors have ${existing.dims} dimensions (${existing.embedderId}), ${from.location}'s ${manifest.dims} (${manifest.embedderId}); copy into a new collection (nothing was changed)`);
  }
  const items: UpsertItem[] = [];
  options.onProgress?.({ phase: "read", done: 0, total });
  for await (const batch of from.records({ batchSize: READ_BATCH })) {
    items.push(...batch);
    options.onProgress?.({ phase: "read", done: items.length, total });
  }
  const cache = to.embeddingCache();
  if (cache) {
    for (let i = 0; i < items.length; i += READ_BATCH) {
      await cache.putMany(manifest.embedderId, items.slice(i, i + READ_BATCH).map((it) => ({ hash: it.textHash, vector: it.raw })));
    }
  }
  const kept = new Set(items.map((it) => it.movie.id));
  const remove = held > 0 ? (await to.filterIds({})).filter((id) => !kept.has(id)) : [];
  const result = await to.write({
    remove,
    upsert: items,
    // The source's fitted state as it is: the raw vectors are the same, so is the fit.
    manifest: { embedderId: manifest.embedderId, dims: manifest.dims, fit: () => manifest.embedderState, ...(options.finish ? { finish: options.finish } : {}) },
    log: { files: [from.location], report: { copiedFrom: from.location, movies: items.length } },
    onProgress: (done, all) => options.onProgress?.({ phase: "write", done, total: all }),
  });
  return {
    from: from.location,
    to: to.location,
    copied: result.count,
    replaced: remove.length,
    embedderId: manifest.embedderId,
    resumed: interrupted !== null,
    seconds: (performance.now() - t0) / 1000,
  };
}
