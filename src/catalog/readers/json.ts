import { createInterface } from "node:readline";
import StreamArray from "stream-json/streamers/StreamArray.js";
import { SourceError } from "../../errors.js";
import { MAX_ROWS_PER_FILE } from "../limits.js";
import { openText } from "../source.js";

/**
 * Streams the objects of a JSON array file (one big `[...]`, as the Wikipedia dump is) or of a
 * JSON Lines file, gzip-transparent, without holding the whole document in memory.
 */
export async function* readJsonObjects(file: string, layout: "array" | "lines", encoding?: string): AsyncGenerator<{ row: number; value: Record<string, unknown> }> {
  const { stream } = await openText(file, encoding);
  let row = 0;
  try {
    if (layout === "array") {
      const objects = stream.pipe(StreamArray.withParser());
      stream.on("error", (err) => objects.destroy(err));
      for await (const item of objects as AsyncIterable<{ key: number; value: unknown }>) {
        row = item.key + 1;
        if (row > MAX_ROWS_PER_FILE) throw new SourceError(file, `more than ${MAX_ROWS_PER_FILE.toLocaleString("en-US")} items; split the file`);
        if (item.value === null || typeof item.value !== "object" || Array.isArray(item.value)) {
          throw new SourceError(file, `item ${row}: expected an object`);
        }
        yield { row, value: item.value as Record<string, unknown> };
      }
    } else {
      const lines = createInterface({ input: stream, crlfDelay: Infinity });
      for await (const line of lines) {
        if (++row > MAX_ROWS_PER_FILE) throw new SourceError(file, `more than ${MAX_ROWS_PER_FILE.toLocaleString("en-US")} lines; split the file`);
        if (!line.trim()) continue;
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch (err) {
          throw new SourceError(file, `line ${row}: invalid JSON (${(err as Error).message})`);
        }
        if (value === null || typeof value !== "object" || Array.isArray(value)) throw new SourceError(file, `line ${row}: expected an object`);
        yield { row, value: value as Record<string, unknown> };
      }
    }
  } catch (err) {
    if (err instanceof SourceError) throw err;
    if ((err as { cause?: unknown }).cause instanceof SourceError) throw (err as { cause: SourceError }).cause;
    const e = err as Error & { code?: string };
    const what = e.code === "Z_DATA_ERROR" || /incorrect header check|unexpected end of file/i.test(e.message) ? "corrupt or truncated gzip data" : `invalid JSON near item ${row + 1} (${e.message})`;
    throw new SourceError(file, what, { cause: err });
  } finally {
    stream.destroy();
  }
}
