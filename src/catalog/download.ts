import { createHash } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync, promises as fs, readFileSync } from "node:fs";
import { join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { InvalidArgumentError, SourceError } from "../errors.js";

/** Largest download `plotline ingest <url>` accepts unless told otherwise: 2 GiB (the datasets it reads are tens of MB). */
export const DEFAULT_MAX_DOWNLOAD_BYTES = 2 * 1024 ** 3;
/** How long a server may stay silent (connecting, or between chunks) before the download fails. */
export const DOWNLOAD_IDLE_TIMEOUT_MS = 30_000;

export interface DownloadOptions {
  /** The folder downloads are cached in, one sub-folder per URL (the CLI's: `downloads/` in Plotline's cache folder). */
  cacheDir: string;
  /** Expected sha256 of the bytes as served (hex); a mismatch is an error and nothing is cached. */
  sha256?: string;
  /** Upper bound on the bytes read (default `DEFAULT_MAX_DOWNLOAD_BYTES`). */
  maxBytes?: number;
  /** Download again even when the cache holds the URL. */
  refresh?: boolean;
  /** Bytes read so far and the total when the server says (Content-Length). */
  onProgress?: (done: number, total: number | null) => void;
  onNotice?: (message: string) => void;
}

export interface Downloaded {
  /** The local copy, named as the URL's last path segment (so `.gz` and `.csv` still tell the format). */
  file: string;
  bytes: number;
  sha256: string;
  /** True when the cache already held it and nothing was fetched. */
  cached: boolean;
}

/** `http://` and `https://` locations are downloaded; anything else is a file path. */
export function isUrl(input: string): boolean {
  return /^https?:\/\//i.test(input);
}

const SHA256 = /^[0-9a-f]{64}$/;

/** Checks a `--sha256` value, naming the flag. */
export function checkSha256(value: string): string {
  const hex = value.trim().toLowerCase();
  if (!SHA256.test(hex)) throw new InvalidArgumentError("--sha256", `expected 64 hex digits, got '${value}'`);
  return hex;
}


interface CacheRecord {
  url: string;
  sha256: string;
  bytes: number;
  fetchedAt: string;
}

function fileName(url: URL): string {
  const last = decodeURIComponent(url.pathname.split("/").filter(Boolean).pop() ?? "");
  const safe = last.replace(/[^\w.+-]/g, "_");
  return safe && safe !== "." && safe !== ".." ? safe : "download";
}

/**
 * Downloads `url` into the downloads cache, checking size and (when given) sha256 while the
 * bytes stream, and returns the local file. The bytes go to a temporary file renamed into place
 * only when complete and checked, so a truncated, oversized or mismatched download never
 * reaches the cache. A cached URL is reused without asking the server (its sha256 checked
 * again when one is given); `refresh` fetches it again.
 *
 * Written on Node's own `fetch`: what is needed beyond it (a byte limit, a hash and a length
 * check on the stream, an atomic rename) is a few lines, not a library.
 */
export async function download(input: string, options: DownloadOptions): Promise<Downloaded> {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new SourceError(input, "not a valid URL");
  }
  const shown = `${url.origin}${url.pathname}`;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_DOWNLOAD_BYTES;
  const expected = options.sha256 ? checkSha256(options.sha256) : undefined;
  const key = createHash("sha256").update(url.href).digest("hex").slice(0, 16);
  const dir = join(options.cacheDir, key);
  const file = join(dir, fileName(url));
  const recordFile = join(dir, "download.json");

  if (!options.refresh && existsSync(file) && existsSync(recordFile)) {
    const record = JSON.parse(readFileSync(recordFile, "utf8")) as CacheRecord;
    if (!expected || record.sha256 === expected) {
      options.onNotice?.(`${shown}: using the copy downloaded ${record.fetchedAt} (${file}); --refresh downloads it again`);
      return { file, bytes: record.bytes, sha256: record.sha256, cached: true };
    }
  }

  const controller = new AbortController();
  let idle: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(idle);
    idle = setTimeout(() => controller.abort(new Error(`no data for ${DOWNLOAD_IDLE_TIMEOUT_MS / 1000} s`)), DOWNLOAD_IDLE_TIMEOUT_MS);
  };
  arm();
  let response: Response;
  try {
    response = await fetch(url, { signal: controller.signal, redirect: "follow" });
  } catch (err) {
    clearTimeout(idle);
    throw new SourceError(shown, `download failed: ${reason(err)}`, { cause: err });
  }
  if (!response.ok || !response.body) {
    clearTimeout(idle);
    await response.body?.cancel().catch(() => {});
    throw new SourceError(shown, `download failed: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`);
  }
  const lengthHeader = response.headers.get("content-length");
  // A compressed transfer's Content-Length counts the compressed bytes, not the ones read here.
  const encoded = Boolean(response.headers.get("content-encoding")) && response.headers.get("content-encoding") !== "identity";
  const total = lengthHeader !== null && !encoded && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : null;
  if (total !== null && total > maxBytes) {
    clearTimeout(idle);
    await response.body.cancel().catch(() => {});
    throw new SourceError(shown, `download is ${total} bytes, over the limit of ${maxBytes} (--max-bytes)`);
  }

  mkdirSync(dir, { recursive: true });
  const partial = `${file}.${process.pid}.part`;
  const hash = createHash("sha256");
  let done = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      arm();
      done += chunk.length;
      if (done > maxBytes) return callback(new SourceError(shown, `download exceeds the limit of ${maxBytes} bytes (--max-bytes)`));
      hash.update(chunk);
      options.onProgress?.(done, total);
      callback(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(response.body as import("node:stream/web").ReadableStream<Uint8Array>), meter, createWriteStream(partial));
    if (total !== null && done !== total) throw new SourceError(shown, `download truncated: got ${done} of ${total} bytes`);
    const sha256 = hash.digest("hex");
    if (expected && sha256 !== expected) throw new SourceError(shown, `sha256 mismatch: expected ${expected}, got ${sha256} (${done} bytes); nothing was ingested`);
    await fs.rename(partial, file);
    const record: CacheRecord = { url: url.href, sha256, bytes: done, fetchedAt: new Date().toISOString() };
    await fs.writeFile(recordFile, JSON.stringify(record, null, 2));
    return { file, bytes: done, sha256, cached: false };
  } catch (err) {
    await fs.rm(partial, { force: true });
    if (err instanceof SourceError) throw err;
    const truncated = total !== null && done < total;
    throw new SourceError(shown, truncated ? `download truncated: got ${done} of ${total} bytes (${reason(err)})` : `download failed: ${reason(err)}`, { cause: err });
  } finally {
    clearTimeout(idle);
  }
}

/** The innermost message of a fetch error (undici wraps the socket's reason in `cause`). */
function reason(err: unknown): string {
  let e = err as { message?: string; cause?: unknown; code?: string } | undefined;
  while (e?.cause && typeof e.cause === "object") e = e.cause as typeof e;
  return e?.code && e.message && !e.message.includes(e.code) ? `${e.message} (${e.code})` : (e?.message ?? String(err));
}
