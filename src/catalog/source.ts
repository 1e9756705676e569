import { isUtf8 } from "node:buffer";
import { StringDecoder } from "node:string_decoder";
import { createReadStream, promises as fs } from "node:fs";
import { createGunzip } from "node:zlib";
import { Transform, type Readable, type TransformCallback } from "node:stream";
import iconv from "iconv-lite";
import { InvalidArgumentError, SourceError } from "../errors.js";

/** The encoding files are read in unless `--encoding` says otherwise. */
export const DEFAULT_ENCODING = "utf-8";

const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * Opens a data file as a byte stream, gunzipping when the content is gzip (detected by its
 * magic bytes, not its name). A `.gz` name over content that is not gzip is an error, since it
 * almost always means a truncated or mislabelled download.
 */
export async function openBytes(file: string): Promise<{ stream: Readable; gzip: boolean }> {
  return openRaw(file);
}

/**
 * Opens a data file as UTF-8 text bytes, gunzipped when gzip: in `encoding` (default UTF-8),
 * checked or decoded as it streams (`TextDecoder`), so that every reader sees the same valid text.
 * Bytes that are not valid in the encoding are an error naming the line and byte offset (a
 * latin-1 file read as UTF-8 must not turn "Amélie" into "Am\uFFFDlie" silently), and so is a
 * NUL byte anywhere: it means binary data or UTF-16, never a CSV or JSON text.
 */
export async function openText(file: string, encoding: string = DEFAULT_ENCODING, options: TextOptions = {}): Promise<OpenedText> {
  const { decoder, failure } = textDecoder(file, encoding, Boolean(options.mark));
  const { stream, gzip } = await openRaw(file);
  stream.on("error", (err) => decoder.destroy(err));
  decoder.on("error", () => stream.destroy());
  return { stream: stream.pipe(decoder), gzip, failure };
}

export interface TextOptions {
  /**
   * Instead of failing at the first bad byte (a NUL, or one not in the encoding), record it
   * (`failure`), put one U+0000 in its place and go on. A reader that knows its records (CSV)
   * then finds the marker in a record and names that row and field; it must refuse the file
   * (the text after the marker is decoded leniently, for that one purpose). Default false.
   */
  mark?: boolean;
}

/** Where the first bad byte of a text stream was (`mark`). */
export interface TextFailure {
  line: number;
  offset: number;
  /** What and where, without the file: "not valid UTF-8 at line 3, byte offset 80 (bytes e9 20 50 61); if the file ..." */
  detail: string;
}

export interface OpenedText {
  stream: Readable;
  gzip: boolean;
  /** With `mark`: the first bad byte seen so far, or null. Without it, always null (the stream fails instead). */
  failure: () => TextFailure | null;
}

/** Whether `encoding` is one `--encoding` takes (any iconv-lite knows: latin1, windows-1252, ...). */
export function checkEncoding(encoding: string): void {
  if (!iconv.encodingExists(encoding)) throw new InvalidArgumentError("--encoding", `unknown encoding '${encoding}' (e.g. utf-8, latin1, windows-1252, iso-8859-15, macintosh)`);
}

const isUtf8Name = (encoding: string) => /^utf-?8$/i.test(encoding);

function textDecoder(file: string, encoding: string, mark: boolean): { decoder: Transform; failure: () => TextFailure | null } {
  checkEncoding(encoding);
  // Multi-byte encodings have NUL bytes in ordinary text.
  const nulIsBinary = !/utf-?16|utf-?32|ucs/i.test(encoding);
  const iconvDecoder = isUtf8Name(encoding) ? null : iconv.getDecoder(encoding);
  let offset = 0; // bytes of the file before `pending`
  let line = 1;
  let pending: Buffer = Buffer.alloc(0);
  let first = true;
  let failed: TextFailure | null = null;
  // After a marked failure the rest is only read to finish the marked record: decoded leniently.
  const lenient = new StringDecoder("utf8");
  const where = (at: number, buf: Buffer, why: string, hint = ""): TextFailure => {
    const atLine = line + count(buf.subarray(0, at), 0x0a);
    const detail = `${why} at line ${atLine}, byte offset ${offset + at} (bytes ${[...buf.subarray(at, at + 4)].map((b) => b.toString(16).padStart(2, "0")).join(" ")})${hint}`;
    return { line: atLine, offset: offset + at, detail };
  };
  const fail = (at: number, buf: Buffer, why: string, hint = "") => new SourceError(file, where(at, buf, why, hint).detail);
  /** In mark mode: records the failure at `at` and returns the text with one U+0000 for the bad byte. */
  const marked = (at: number, buf: Buffer, why: string, hint = ""): Buffer => {
    failed = where(at, buf, why, hint);
    const before = iconvDecoder ? Buffer.from(iconvDecoder.write(buf.subarray(0, at)), "utf8") : buf.subarray(0, at);
    return Buffer.concat([before, Buffer.from([0]), Buffer.from(lenient.write(buf.subarray(at + 1)), "utf8")]);
  };
  const NUL_WHY = "a NUL byte (binary data or UTF-16, not text; for UTF-16 give --encoding utf-16le)";
  const decoder = new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      if (failed) return done(null, Buffer.from(lenient.write(chunk), "utf8"));
      let buf = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      if (first && isUtf8Name(encoding) && buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
        buf = buf.subarray(3); // the BOM: not text
        offset += 3;
      }
      first = false;
      const nul = nulIsBinary ? buf.indexOf(0) : -1;
      if (mark && !iconvDecoder) {
        // The first bad byte of either kind is the one marked.
        const end = completeUtf8Prefix(buf);
        const bad = isUtf8(buf.subarray(0, end)) ? -1 : firstInvalidUtf8(buf.subarray(0, end));
        if (nul >= 0 && (bad < 0 || nul < bad)) return done(null, marked(nul, buf, NUL_WHY));
        if (bad >= 0) return done(null, marked(bad, buf, "not valid UTF-8", ENCODING_HINT));
      } else if (nul >= 0) {
        if (mark) return done(null, marked(nul, buf, NUL_WHY));
        return done(fail(nul, buf, NUL_WHY));
      }
      if (iconvDecoder) {
        line += count(buf, 0x0a);
        offset += buf.length;
        pending = Buffer.alloc(0);
        return done(null, Buffer.from(iconvDecoder.write(buf), "utf8"));
      }
      const end = completeUtf8Prefix(buf);
      const head = buf.subarray(0, end);
      if (!isUtf8(head)) return done(fail(firstInvalidUtf8(head), head, "not valid UTF-8", ENCODING_HINT));
      line += count(head, 0x0a);
      offset += end;
      pending = Buffer.from(buf.subarray(end));
      done(null, head);
    },
    flush(done: TransformCallback) {
      if (failed) {
        const rest = lenient.end();
        return done(null, rest ? Buffer.from(rest, "utf8") : undefined);
      }
      if (iconvDecoder) {
        const rest = iconvDecoder.end();
        return done(null, rest ? Buffer.from(rest, "utf8") : undefined);
      }
      if (pending.length) {
        const why = "not valid UTF-8 (the file ends inside a character)";
        return mark ? done(null, marked(0, pending, why, ENCODING_HINT)) : done(fail(0, pending, why, ENCODING_HINT));
      }
      done();
    },
  });
  return { decoder, failure: () => failed };
}

const ENCODING_HINT = "; if the file is in another encoding, give it, e.g. --encoding latin1 or --encoding windows-1252";

function count(buf: Buffer, byte: number): number {
  let n = 0;
  for (let i = buf.indexOf(byte); i >= 0; i = buf.indexOf(byte, i + 1)) n++;
  return n;
}

/** Length of `buf` without a trailing UTF-8 sequence that the next chunk completes. */
function completeUtf8Prefix(buf: Buffer): number {
  const n = buf.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const b = buf[n - back]!;
    if ((b & 0xc0) !== 0x80) {
      // A lead byte: is its sequence complete?
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
      return need > back ? n - back : n;
    }
  }
  return n;
}

/**
 * Offset of the first byte that breaks UTF-8 in `buf` (which `isUtf8` rejected). Node reports
 * only yes or no, and the error must say where; this walks the sequences as RFC 3629 defines them.
 */
function firstInvalidUtf8(buf: Buffer): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    const len = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (len === 0 || i + len > buf.length) return i;
    const second = buf[i + 1]!;
    const lo = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    const hi = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
    if (second < lo || second > hi) return i;
    for (let k = 2; k < len; k++) if ((buf[i + k]! & 0xc0) !== 0x80) return i;
    i += len;
  }
  return buf.length;
}

/** `openBytes`' work. */
async function openRaw(file: string): Promise<{ stream: Readable; gzip: boolean }> {
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

/** Reads up to `bytes` bytes of the (decompressed, decoded) content, for format detection. */
export async function peek(file: string, bytes = 65536, encoding: string = DEFAULT_ENCODING): Promise<string> {
  // Marked, not failed: a bad byte past the first line is for the reader to report with its
  // row; the sniffed text stops before it.
  const { stream, failure } = await openText(file, encoding, { mark: true });
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      length += (chunk as Buffer).length;
      if (length >= bytes) break;
    }
  } catch (err) {
    if (err instanceof SourceError) throw err;
    const e = err as NodeJS.ErrnoException;
    const gzipBroken = e.code === "Z_DATA_ERROR" || e.code === "Z_BUF_ERROR" || /incorrect header check|unexpected end of file/i.test(e.message);
    throw new SourceError(file, gzipBroken ? "corrupt or truncated gzip data" : `cannot read: ${e.message}`);
  } finally {
    stream.destroy();
  }
  // The cut may fall inside a character: drop its pieces rather than show a U+FFFD.
  let head = Buffer.concat(chunks);
  const failed = failure();
  if (failed) {
    if (failed.line === 1) throw new SourceError(file, failed.detail);
    head = head.subarray(0, head.indexOf(0));
  }
  return head.subarray(0, head.length > bytes ? completeUtf8Prefix(head.subarray(0, bytes)) : head.length).toString("utf8");
}
