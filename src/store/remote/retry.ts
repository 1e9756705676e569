import { setTimeout as sleep } from "node:timers/promises";

/** How a request to a remote engine is retried when it fails for a reason that may pass. */
export interface RetryPolicy {
  /** Tries in all, the first included (default 6). */
  attempts?: number;
  /** Wait before the first retry, in ms; doubled each time (default 250). */
  baseMs?: number;
  /** Longest wait between two tries, in ms (default 8000). */
  maxMs?: number;
  /** Called before each retry, for a notice (`attempt` is the one that failed, from 1). */
  onRetry?: (error: unknown, attempt: number, waitMs: number) => void;
}

export const DEFAULT_RETRY: Required<Omit<RetryPolicy, "onRetry">> = { attempts: 6, baseMs: 250, maxMs: 8000 };

/** Node's and undici's codes for a connection that failed or broke: the server may be restarting. */
const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CLOSED",
]);

/** The network error code of an error or of its causes (fetch wraps them: `TypeError: fetch failed`). */
export function networkCode(error: unknown): string | null {
  for (let e = error, depth = 0; e && typeof e === "object" && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_CODES.has(code)) return code;
  }
  return null;
}

/** The HTTP status an error carries (the official clients' error classes all name it `status`), or null. */
export function httpStatus(error: unknown): number | null {
  const status = error && typeof error === "object" ? (error as { status?: unknown }).status : undefined;
  return typeof status === "number" ? status : null;
}

/**
 * Whether a failed request may succeed if sent again: a 5xx, 408 or 429 answer, a timeout, or a
 * connection refused, reset or timed out (a node restarting, a load balancer between
 * deployments). A 4xx other than those is the request's own fault and is never retried.
 */
export function isTransient(error: unknown): boolean {
  const status = httpStatus(error);
  if (status !== null) return status >= 500 || status === 408 || status === 429;
  if (networkCode(error)) return true;
  const name = error instanceof Error ? `${error.name} ${error.constructor.name}` : "";
  return /timeout|abort/i.test(name);
}

/** Seconds a 429 answer asks to wait (Qdrant's client gives `retry_after`), or null. */
function retryAfterMs(error: unknown): number | null {
  const s = error && typeof error === "object" ? (error as { retry_after?: unknown }).retry_after : undefined;
  const n = typeof s === "string" ? Number(s) : s;
  return typeof n === "number" && Number.isFinite(n) && n >= 0 ? n * 1000 : null;
}

/**
 * Runs `fn`, retrying transient failures (`isTransient`) with exponential backoff and full
 * jitter (a random wait up to base * 2^n, capped: clients that failed together do not retry
 * together), honouring a 429's Retry-After. The last error is thrown as it was. `fn` must be
 * safe to repeat: every write Plotline sends to a remote engine is an idempotent upsert or
 * delete by deterministic id.
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, policy: RetryPolicy = {}, transient: (e: unknown) => boolean = isTransient): Promise<T> {
  const attempts = policy.attempts ?? DEFAULT_RETRY.attempts;
  const base = policy.baseMs ?? DEFAULT_RETRY.baseMs;
  const max = policy.maxMs ?? DEFAULT_RETRY.maxMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= attempts || !transient(error)) throw error;
      const wait = retryAfterMs(error) ?? Math.random() * Math.min(max, base * 2 ** (attempt - 1));
      policy.onRetry?.(error, attempt, wait);
      await sleep(wait);
    }
  }
}
