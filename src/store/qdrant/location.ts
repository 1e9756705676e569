import { InvalidArgumentError } from "../../errors.js";

/** Qdrant's REST port when a URL names none. */
export const DEFAULT_PORT = 6333;
/** Seconds a request may take before it fails as a timeout (and is retried); `?timeout=` sets it. */
export const DEFAULT_TIMEOUT_S = 60;

/**
 * Where a Qdrant collection is and how to talk to it, from `--db`:
 * `qdrant://host[:port]/collection` (HTTP), `qdrants://…` or `?https=1` (HTTPS), an API key
 * from `QDRANT_API_KEY` (or the URL's password, never shown). Query parameters:
 *
 * - `exact=1`: every vector search is an exact scan instead of HNSW (for recall measurements);
 * - `ef=N`: HNSW `ef` at search time (default: Qdrant's, the collection's `ef_construct`);
 * - `timeout=S`: request timeout in seconds (default 60);
 * - at creation only: `m=N`, `ef_construct=N` (HNSW graph), `indexing_threshold=KB` (Qdrant
 *   keeps segments smaller than this unindexed and scans them exactly; default Qdrant's),
 *   `on_disk_payload=1` (payloads read from disk: less memory, slower hits; default 0, in
 *   memory, as every hit reads its movie's id from the payload);
 * - `prefix=/path`: a path prefix, when Qdrant sits behind a proxy.
 */
export interface QdrantLocation {
  /** The server's base URL, without credentials (`http://127.0.0.1:6333`). */
  url: string;
  https: boolean;
  host: string;
  port: number;
  prefix: string;
  collection: string;
  apiKey: string | undefined;
  exact: boolean;
  ef: number | undefined;
  timeoutMs: number;
  create: { m?: number; efConstruct?: number; indexingThresholdKb?: number; onDiskPayload?: boolean };
  /** The location as shown in messages: `qdrant://host:port/collection`, never a key. */
  display: string;
}

/** Collection names Qdrant accepts and that are safe in a URL path: letters, digits, `_`, `-`, `.`; at most 255. */
const COLLECTION_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$/;

function positiveInt(url: URL, key: string, min: number): number | undefined {
  const v = url.searchParams.get(key);
  if (v === null) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError("--db", `${key}=${v}: expected an integer of at least ${min}`);
  return n;
}

function flag(url: URL, key: string): boolean {
  const v = url.searchParams.get(key);
  if (v === null) return false;
  if (["1", "true", "yes", ""].includes(v.toLowerCase())) return true;
  if (["0", "false", "no"].includes(v.toLowerCase())) return false;
  throw new InvalidArgumentError("--db", `${key}=${v}: expected 1 or 0`);
}

const KNOWN_PARAMS = new Set(["https", "exact", "ef", "timeout", "m", "ef_construct", "indexing_threshold", "on_disk_payload", "prefix"]);

/** Parses a `qdrant://` or `qdrants://` location; every mistake names `--db` and the part at fault. */
export function parseQdrantLocation(location: string, env: NodeJS.ProcessEnv = process.env): QdrantLocation {
  let url: URL;
  try {
    // URL cannot parse custom schemes' hosts reliably everywhere: read it as http(s).
    url = new URL(location.replace(/^qdrants?:\/\//i, (m) => (m.toLowerCase() === "qdrants://" ? "https://" : "http://")));
  } catch {
    throw new InvalidArgumentError("--db", `'${location}' is not a URL; expected qdrant://host:6333/collection`);
  }
  for (const key of url.searchParams.keys()) {
    if (!KNOWN_PARAMS.has(key)) throw new InvalidArgumentError("--db", `unknown parameter '${key}' (known: ${[...KNOWN_PARAMS].join(", ")})`);
  }
  const https = location.toLowerCase().startsWith("qdrants://") || flag(url, "https");
  // IPv6 hosts keep their brackets (WHATWG `hostname`), as URLs need them.
  const host = url.hostname;
  if (!host) throw new InvalidArgumentError("--db", `'${location}' names no host; expected qdrant://host:6333/collection`);
  const port = url.port ? Number(url.port) : DEFAULT_PORT;
  const path = decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, "");
  if (!path) throw new InvalidArgumentError("--db", `'${location}' names no collection; expected qdrant://${host}:${port}/collection`);
  if (!COLLECTION_NAME.test(path)) throw new InvalidArgumentError("--db", `collection '${path}': use letters, digits, '_', '-' and '.' (and no '/')`);
  const prefixParam = url.searchParams.get("prefix") ?? "";
  const prefix = prefixParam && !prefixParam.startsWith("/") ? `/${prefixParam}` : prefixParam;
  const apiKey = env.QDRANT_API_KEY || (url.password ? decodeURIComponent(url.password) : undefined) || undefined;
  const timeout = positiveInt(url, "timeout", 1) ?? DEFAULT_TIMEOUT_S;
  const scheme = https ? "qdrants" : "qdrant";
  return {
    url: `${https ? "https" : "http"}://${host}:${port}${prefix}`,
    https,
    host,
    port,
    prefix,
    collection: path,
    apiKey,
    exact: flag(url, "exact"),
    ef: positiveInt(url, "ef", 1),
    timeoutMs: timeout * 1000,
    create: { m: positiveInt(url, "m", 0), efConstruct: positiveInt(url, "ef_construct", 4), indexingThresholdKb: positiveInt(url, "indexing_threshold", 0), onDiskPayload: flag(url, "on_disk_payload") },
    display: `${scheme}://${host}:${port}${prefix}/${path}`,
  };
}
