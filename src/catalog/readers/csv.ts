import { parse } from "csv-parse";
import { SourceError } from "../../errors.js";
import { MAX_RECORD_CHARS, MAX_ROWS_PER_FILE } from "../limits.js";
import { openText } from "../source.js";

/**
 * Streams a CSV file (RFC 4180 quoting, quoted newlines, optional BOM, gzip-transparent) as
 * objects keyed by header, with their 1-based data row number.
 */
export async function* readCsvRows(file: string, delimiter = ",", encoding?: string): AsyncGenerator<{ row: number; values: Record<string, string> }> {
  // Bad bytes are marked, not failed at, so that the error can name the record they are in.
  const { stream, failure } = await openText(file, encoding, { mark: true });
  const parser = stream.pipe(
    parse({ columns: true, bom: true, delimiter, skip_empty_lines: true, relax_quotes: false, trim: false, max_record_size: MAX_RECORD_CHARS }),
  );
  stream.on("error", (err) => parser.destroy(err));
  let row = 0;
  try {
    for await (const values of parser as AsyncIterable<Record<string, string>>) {
      if (++row > MAX_ROWS_PER_FILE) throw new SourceError(file, `more than ${MAX_ROWS_PER_FILE.toLocaleString("en-US")} rows; split the file`);
      const failed = failure();
      // The decoder runs ahead of the parser: records before the marked one are still good.
      if (failed) {
        const field = Object.entries(values).find(([k, v]) => k.includes("\u0000") || v.includes("\u0000"));
        if (field) throw new SourceError(file, field[0].includes("\u0000") ? `the header: ${failed.detail}` : `row ${row}, field ${field[0]}: ${failed.detail}`);
      }
      yield { row, values };
    }
    // A bad byte no record held (a header of only the marker, or the file's last bytes).
    const failed = failure();
    if (failed) throw new SourceError(file, failed.detail);
  } catch (err) {
    if (err instanceof SourceError) throw err;
    // The parser may trip over what follows a marked byte; the byte is the file's first fault.
    const failed = failure();
    if (failed) throw new SourceError(file, failed.detail);
    const e = err as Error & { lines?: number; code?: string; cause?: unknown };
    if (e.cause instanceof SourceError) throw e.cause;
    const where = e.lines ? `line ${e.lines}: ` : "";
    const what = e.code === "Z_DATA_ERROR" || /incorrect header check|unexpected end of file/i.test(e.message) ? "corrupt or truncated gzip data" : e.code === "CSV_MAX_RECORD_SIZE" ? `a record longer than ${MAX_RECORD_CHARS.toLocaleString("en-US")} characters (an unclosed quote, or not CSV)` : e.message.replace(/^Invalid Record Length: /, "");
    throw new SourceError(file, `${where}${what}`, { cause: err });
  } finally {
    stream.destroy();
  }
}

/** The header row of a CSV file. */
export async function readCsvHeader(text: string, delimiter = ","): Promise<string[]> {
  const firstLine = text.replace(/^\uFEFF/, "").split(/\r?\n/, 1)[0] ?? "";
  return new Promise((resolve, reject) => {
    parse(firstLine, { delimiter, relax_quotes: true, relax_column_count: true, to_line: 1 }, (err, records: string[][]) =>
      err ? reject(err) : resolve((records[0] ?? []).map((h) => h.trim())),
    );
  });
}
