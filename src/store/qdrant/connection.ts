import type { QdrantClient } from "@qdrant/js-client-rest";
import { CollectionError, PlotlineError } from "../../errors.js";
import { httpStatus, isTransient, networkCode, withRetry, type RetryPolicy } from "../remote/retry.js";
import type { QdrantLocation } from "./location.js";

/** Oldest Qdrant this backend speaks to: collection metadata, `rrf` with `k`, `mmr` and phrase matching are 1.16's. */
export const MIN_SERVER = [1, 16] as const;

/** Keep-alive connections the client pools (enough for a hybrid query's batch and parallel lookups). */
const CONNECTIONS = 8;

/**
 * Headers on every request. `accept-encoding: identity` asks for uncompressed answers: Node's
 * fetch asks for gzip by default, and Qdrant 1.16's compressing middleware then sends a small
 * answer in two writes (the status line and headers, then the compressed body) on a socket
 * without TCP_NODELAY, so Nagle holds the second write until the client acknowledges the first,
 * which Linux's delayed ACK does after about 40 ms: most queries took 40-50 ms instead of 3-5
 * (BENCHMARKS.md, "Qdrant (issue 15)"). Large scrolls lose gzip's smaller transfer (a page of
 * 1,000 points with 100-d vectors is about 1.3 MB), which on loopback was faster uncompressed too.
 */
function requestHeaders(apiKey: string | undefined): Record<string, string> {
  return { "accept-encoding": "identity", ...(apiKey ? { "api-key": apiKey } : {}) };
}

/**
 * One Qdrant server as the backend talks to it: the official REST client (loaded on first use,
 * so commands on other backends never load it), every request retried on transient failures
 * (`withRetry`) and its errors turned into one line naming the collection and what to do.
 */
export class QdrantConnection {
  private clientLoad: Promise<QdrantClient> | null = null;
  /** The server's version, once checked. */
  version: string | null = null;

  constructor(
    readonly location: QdrantLocation,
    private readonly retry: RetryPolicy = {},
  ) {}

  private client(): Promise<QdrantClient> {
    this.clientLoad ??= (async () => {
      const { QdrantClient } = await import("@qdrant/js-client-rest");
      const l = this.location;
      // The version check is ours (`checkVersion`): the client's only prints to the console.
      // The key goes as a header rather than `apiKey`, with which the client prints a warning on
      // plain HTTP to the console (loopback and private networks are the usual place for that).
      const client = new QdrantClient({ url: l.url.replace(/\/+$/, ""), https: l.https, headers: requestHeaders(l.apiKey), timeout: l.timeoutMs, checkCompatibility: false, maxConnections: CONNECTIONS });
      await this.checkVersion(client);
      return client;
    })();
    this.clientLoad.catch(() => (this.clientLoad = null));
    return this.clientLoad;
  }

  /** Asks the server its version (few retries: an unreachable URL should fail fast), refusing servers older than `MIN_SERVER`. */
  private async checkVersion(client: QdrantClient): Promise<void> {
    let info;
    try {
      // Quietly: a server that is not there is one line, not a notice per try.
      info = await withRetry(() => client.versionInfo(), { ...this.retry, attempts: Math.min(this.retry.attempts ?? 3, 3), onRetry: undefined });
    } catch (err) {
      throw this.error(err, "connect");
    }
    this.version = info.version;
    const [major, minor] = info.version.split(".").map(Number) as [number, number];
    if (major < MIN_SERVER[0] || (major === MIN_SERVER[0] && minor < MIN_SERVER[1])) {
      throw new CollectionError(`${this.location.display}: Qdrant ${info.version} is too old; Plotline needs Qdrant ${MIN_SERVER.join(".")} or later`);
    }
  }

  /** Runs one request (`what` names it in errors), retried on transient failures. */
  async call<T>(what: string, fn: (client: QdrantClient) => Promise<T>, policy: RetryPolicy = this.retry): Promise<T> {
    const client = await this.client();
    try {
      return await withRetry(() => fn(client), policy);
    } catch (err) {
      throw this.error(err, what);
    }
  }

  /** One line for a failed request: unreachable, refused credentials, or what Qdrant said. */
  error(err: unknown, what: string): PlotlineError {
    if (err instanceof PlotlineError) return err;
    const at = this.location.display;
    const status = httpStatus(err);
    const code = networkCode(err);
    // fetch's own failures (refused, unknown host, a port fetch refuses to use) are a TypeError "fetch failed" with the reason as its cause.
    const fetchFailed = status === null && err instanceof TypeError && err.message === "fetch failed";
    if (status === null && (code || fetchFailed || isTransient(err))) {
      const reason = code ?? (fetchFailed ? ((err.cause as Error | undefined)?.message ?? err.message) : ((err as Error).message ?? "timeout"));
      return new CollectionError(`${at}: cannot reach Qdrant at ${this.location.url} (${reason}); is it running, and is the URL right?`, { cause: err });
    }
    const detail = qdrantMessage(err);
    if (status === 401 || status === 403) {
      return new CollectionError(`${at}: Qdrant refused the ${this.location.apiKey ? "API key" : "request without an API key"} (${status}${detail ? `: ${detail}` : ""}); set QDRANT_API_KEY to a key with ${what === "write" ? "write" : "read"} access`, { cause: err });
    }
    if (status !== null && status >= 500) return new PlotlineError(`${at}: Qdrant failed to ${what} (${status}${detail ? `: ${detail}` : ""})`, { cause: err, exitCode: 1 });
    if (status !== null) return new CollectionError(`${at}: Qdrant rejected ${what} (${status}${detail ? `: ${detail}` : ""})`, { cause: err });
    return new PlotlineError(`${at}: ${what} failed: ${(err as Error)?.message ?? String(err)}`, { cause: err, exitCode: 1 });
  }
}

/** The error text of a Qdrant error response (`{"status": {"error": "..."}}`), if any. */
export function qdrantMessage(err: unknown): string | null {
  const data = err && typeof err === "object" ? (err as { data?: unknown }).data : undefined;
  const e = data && typeof data === "object" ? (data as { status?: { error?: unknown } }).status?.error : undefined;
  return typeof e === "string" ? e : null;
}
