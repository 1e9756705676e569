import { InvalidArgumentError, SourceError } from "../errors.js";
import type { RawRecord } from "./movie.js";
import type { ColumnMap } from "./readers/mapped.js";
// The readers and the decoding (csv-parse, stream-json, iconv-lite) are imported when a file is
// opened (`openCatalog`), so the format names (the CLI's ingest flags) cost nothing at start-up.

export const FORMATS = ["auto", "tmdb", "wikipedia", "csv", "tsv", "jsonl", "json"] as const;
export type Format = (typeof FORMATS)[number];

export interface CatalogSource {
  file: string;
  /** Detected or given format. */
  format: Exclude<Format, "auto">;
  /** The `source` recorded on each movie: `tmdb`, `wikipedia`, or the file's base name. */
  source: string;
  records: AsyncIterable<RawRecord>;
}

export interface OpenOptions {
  /** Default `auto`: TMDB and Wikipedia are recognised by their header or fields. */
  format?: Format;
  /** Column mapping for generic CSV/TSV/JSON files; also overrides detection when given. */
  map?: ColumnMap;
  /** Name recorded as the movies' source for mapped files (default: the file's base name). */
  sourceName?: string;
  /** The file's text encoding (default UTF-8, checked: invalid bytes are an error); any iconv-lite knows, e.g. latin1, windows-1252. */
  encoding?: string;
}

/** The CSV header of `file`, its parse errors naming the file. */
async function headerOf(file: string, text: string, delimiter?: string): Promise<string[]> {
  const { readCsvHeader } = await import("./readers/csv.js");
  try {
    return await readCsvHeader(text, delimiter);
  } catch (err) {
    throw new SourceError(file, `line 1: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Opens a catalog file: checks it exists and is readable, detects its format from its content,
 * validates the column mapping against its header, and returns a lazy stream of raw records.
 * All checks happen before the first record is read, so a bad file fails before any work.
 */
export async function openCatalog(file: string, options: OpenOptions = {}): Promise<CatalogSource> {
  const [{ checkEncoding, DEFAULT_ENCODING, peek }, { checkMapping, readMappedCsv, readMappedJson }, { readTmdb, TMDB_REQUIRED_COLUMNS }, { readWikipedia, WIKIPEDIA_FIELDS }] = await Promise.all([
    import("./source.js"),
    import("./readers/mapped.js"),
    import("./readers/tmdb.js"),
    import("./readers/wikipedia.js"),
  ]);
  const format = options.format ?? "auto";
  const encoding = options.encoding ?? DEFAULT_ENCODING;
  checkEncoding(encoding);
  if (!(FORMATS as readonly string[]).includes(format)) throw new InvalidArgumentError("--format", `unknown format '${format}' (formats: ${FORMATS.join(", ")})`);
  let head: string;
  try {
    head = await peek(file, undefined, encoding);
  } catch (err) {
    if (err instanceof SourceError) throw err;
    throw new SourceError(file, /incorrect header|unexpected end|Z_DATA_ERROR/i.test(String(err)) ? "corrupt or truncated gzip data" : `cannot read: ${(err as Error).message}`);
  }
  if (!head.trim()) throw new SourceError(file, "file is empty");
  if (head.includes("\u0000")) throw new SourceError(file, "binary data, not CSV or JSON");
  const trimmed = head.replace(/^\uFEFF/, "").trimStart();
  const jsonLayout: "array" | "lines" | null = trimmed.startsWith("[") ? "array" : trimmed.startsWith("{") ? "lines" : null;
  const base = file.split("/").pop()!.replace(/\.(gz)$/i, "").replace(/\.(csv|tsv|jsonl?|ndjson)$/i, "");
  const sourceName = options.sourceName ?? base;
  const map = options.map && Object.keys(options.map).length > 0 ? options.map : null;

  let detected: Exclude<Format, "auto">;
  if (format !== "auto") detected = format;
  else if (map) detected = jsonLayout === "array" ? "json" : jsonLayout === "lines" ? "jsonl" : /\.tsv(\.gz)?$/i.test(file) ? "tsv" : "csv";
  else if (jsonLayout) {
    const sample = trimmed.slice(0, 4000);
    detected = WIKIPEDIA_FIELDS.every((f) => sample.includes(`"${f}"`)) ? "wikipedia" : jsonLayout === "array" ? "json" : "jsonl";
  } else {
    const header = await headerOf(file, trimmed);
    detected = TMDB_REQUIRED_COLUMNS.every((c) => header.includes(c)) ? "tmdb" : "csv";
  }

  switch (detected) {
    case "tmdb": {
      const header = await headerOf(file, trimmed);
      const missing = TMDB_REQUIRED_COLUMNS.filter((c) => !header.includes(c));
      if (missing.length) throw new SourceError(file, `not a TMDB CSV: missing column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`);
      return { file, format: detected, source: "tmdb", records: readTmdb(file, encoding) };
    }
    case "wikipedia":
      if (!jsonLayout) throw new SourceError(file, "not a Wikipedia movies JSON file: content is not JSON");
      return { file, format: detected, source: "wikipedia", records: readWikipedia(file, jsonLayout, encoding) };
    case "csv":
    case "tsv": {
      if (jsonLayout) throw new SourceError(file, `format ${detected} given but the content is JSON`);
      const delimiter = detected === "tsv" ? "\t" : ",";
      const header = await headerOf(file, trimmed, delimiter);
      if (!map) throw new SourceError(file, `unknown format (header: ${header.slice(0, 12).join(", ")}); give --format or map the columns with --map title=...,overview=...`);
      checkMapping(file, map, header);
      return { file, format: detected, source: sourceName, records: readMappedCsv(file, map, delimiter, encoding) };
    }
    case "json":
    case "jsonl": {
      if (!jsonLayout) throw new SourceError(file, `format ${detected} given but the content is not JSON`);
      if (!map) throw new SourceError(file, "unknown JSON format; map the fields with --map title=...,overview=...");
      return { file, format: detected, source: sourceName, records: readMappedJson(file, map, jsonLayout, encoding) };
    }
  }
}
