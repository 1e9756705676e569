/**
 * Batching and retries for backends reached over the network (Weaviate; the Qdrant backend
 * needs the same; Pinecone's client retries by itself): a write is cut into batches, each sent with retries and exponential
 * backoff on the failures that a second try can cure (timeouts, refused or reset connections,
 * 429 and 5xx), and progress is reported per batch. Written here rather than taken from a
 * package because the retry decision is each client's own error shape, passed in as `retryable`.
 */

export interface RetryOptions {
  /** Tries after the first (default 4). */
  retries?: number;
  /** Wait before the first retry, doubled for each further one, with ±25% jitter (default 250 ms). */
  baseDelayMs?: number;
  /** Longest wait between two tries (default 8 s). */
  maxDelayMs?: number;
  /** Whether a failure is worth another try (default: `isTransient`). */
  retryable?: (err: unknown) => boolean;
  /** Told before each retry (for a notice). */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Node's network error codes that a retry may cure. */
const TRANSIENT_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT"]);

/** A status code or network error a second try may cure: 408, 429, 5xx, timeouts, dropped connections. */
export function isTransient(err: unknown): boolean {
  const e = err as { code?: unknown; status?: unknown; cause?: unknown; message?: unknown; name?: unknown } | null;
  if (!e || typeof e !== "object") return false;
  if (typeof e.status === "number") return e.status === 408 || e.status === 429 || e.status >= 500;
  if (typeof e.code === "string" && TRANSIENT_CODES.has(e.code)) return true;
  if (e.name === "AbortError" || e.name === "TimeoutError") return true;
  const m = typeof e.message === "string" ? e.message : "";
  if (/\b(429|50[0-9])\b|timed? ?out|ECONNRESET|socket hang up|UNAVAILABLE|DEADLINE_EXCEEDED/i.test(m)) return true;
  return e.cause !== undefined && e.cause !== err ? isTransient(e.cause) : false;
}

/** Runs `fn`, trying again after a transient failure; the last failure is thrown as it was. */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const { retries = 4, baseDelayMs = 250, maxDelayMs = 8000, retryable = isTransient } = options;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= retries || !retryable(err)) throw err;
      const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** attempt) * (0.75 + Math.random() * 0.5);
      options.onRetry?.(err, attempt + 1, delay);
      await sleep(delay);
    }
  }
}

export interface BatchOptions extends RetryOptions {
  /** Items per batch. */
  batchSize: number;
  /** Batches sent at once (default 1). */
  concurrency?: number;
  /** Called after each batch: items done of all. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Sends `items` in batches of `batchSize`, `concurrency` at a time, each with `withRetry`;
 * resolves when all are sent, rejects with the first batch that failed after its retries (the
 * batches already sent stay sent: the caller's ids make a re-run idempotent).
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
        await withRetry(() => send(batch, b), options);
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
