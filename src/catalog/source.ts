import { createReadStream, promises as fs } from "node:fs";
import { createGunzip } from "node:zlib";
import type { Readable } from "node:stream";
import { SourceError } from "../errors.js";

const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * Opens a data file as a byte stream, gunzipping when the content is gzip (detected by its
 * magic bytes, not its name). A `.gz` name over content that is not gzip is an error, since it
 * almost always means a truncated or mislabelled download.
 */
export async function openBytes(file: string): Promise<{ stream: Readable; gzip: boolean }> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, "r");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "file not found" : code === "EISDIR" ? "is a directory" : code === "EACCES" ? "permission denied" : `cannot open (${code ?? String(err)})`;
    throw new SourceError(file, why);
  }
  const head = Buffer.alloc(2);
  try {
    await handle.read(head, 0, 2, 0);
  } finally {
    await handle.close();
  }
  const gzip = head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  if (!gzip && /\.gz$/i.test(file)) throw new SourceError(file, "named .gz but is not gzip data");
  const raw = createReadStream(file);
  if (!gzip) return { stream: raw, gzip };
  const gunzip = createGunzip();
  raw.on("error", (err) => gunzip.destroy(err));
  gunzip.on("error", () => raw.destroy());
  return { stream: raw.pipe(gunzip), gzip };
}

/** Reads up to `bytes` bytes of the (decompressed) content, for format detection. */
export async function peek(file: string, bytes = 65536): Promise<string> {
  const { stream } = await openBytes(file);
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      length += (chunk as Buffer).length;
      if (length >= bytes) break;
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const gzipBroken = e.code === "Z_DATA_ERROR" || e.code === "Z_BUF_ERROR" || /incorrect header check|unexpected end of file/i.test(e.message);
    throw new SourceError(file, gzipBroken ? "corrupt or truncated gzip data" : `cannot read: ${e.message}`);
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, bytes).toString("utf8");
}
