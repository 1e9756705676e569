import { isTransient, withRetry, type RetryPolicy } from "./retry.js";

export interface BatchOptions extends RetryPolicy {
  /** Items per batch. */
  batchSize: number;
  /** Batches in flight at once (default 1: in order, as a checkpoint after each batch needs). */
  concurrency?: number;
  /** Called after each batch: items done of all (and once at the start). */
  onProgress?: (done: number, total: number) => void;
  /** Which failures are retried (default `isTransient`). */
  transient?: (err: unknown) => boolean;
}

/**
 * Sends `items` in batches of `batchSize`, `concurrency` at a time, each with `withRetry`
 * (`attempts: 1` when the client retries by itself, as Pinecone's does); resolves when all are
 * sent, rejects with the first batch that failed after its retries. Batches already sent stay
 * sent: the callers' deterministic ids make a re-run idempotent. Several batches in flight keep
 * a server's indexing busy while the next batch travels (Weaviate's own batcher does the same).
 */
export async function sendInBatches<T>(items: readonly T[], send: (batch: T[], index: number) => Promise<void>, options: BatchOptions): Promise<void> {
  const { batchSize, concurrency = 1 } = options;
  if (!(batchSize >= 1)) throw new Error(`sendInBatches: batchSize must be at least 1, got ${batchSize}`);
  const total = items.length;
  const batches = Math.ceil(total / batchSize);
  let next = 0;
  let done = 0;
  let failed: unknown = null;
  options.onProgress?.(0, total);
  const worker = async () => {
    while (failed === null && next < batches) {
      const b = next++;
      const batch = items.slice(b * batchSize, Math.min(total, (b + 1) * batchSize));
      try {
        await withRetry(() => send(batch, b), options, options.transient ?? isTransient);
      } catch (err) {
        failed ??= err;
        return;
      }
      done += batch.length;
      options.onProgress?.(done, total);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, batches)) }, worker));
  if (failed !== null) throw failed;
}
