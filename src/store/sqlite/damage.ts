import { closeSync, openSync, readSync, statSync } from "node:fs";
import { CollectionError } from "../../errors.js";

/**
 * SQLite's result codes for a file that is not what it should be: corrupt pages or indexes
 * (SQLITE_CORRUPT and its extended codes such as SQLITE_CORRUPT_VTAB for FTS5), not a database
 * at all (SQLITE_NOTADB), or cut short.
 */
const DAMAGE_CODES = /^SQLITE_(CORRUPT|NOTADB)/;

/** The collection's own error for SQLite damage met in `err`; null when `err` is something else. */
export function sqliteDamage(err: unknown, path?: string): CollectionError | null {
  const code = (err as { code?: unknown })?.code;
  if (typeof code !== "string" || !DAMAGE_CODES.test(code)) return null;
  return damagedError((err as Error).message, path);
}

export function damagedError(detail: string, path?: string): CollectionError {
  return new CollectionError(`the collection${path ? ` ${path}` : ""} is damaged: ${detail}; run \`plotline check${path ? ` --db ${path}` : ""}\``);
}

/** The 16 bytes every SQLite database file starts with. */
const SQLITE_MAGIC = Buffer.from("SQLite format 3\0", "latin1");

/**
 * What can be told of a collection file before SQLite opens it, cheaply enough for every open:
 * empty, not SQLite, or shorter than its header says (truncated by a failed copy). SQLite
 * itself would call an empty file a new database and a truncated one fine until the missing
 * pages are read.
 */
export function fileProblem(path: string): string | null {
  const size = statSync(path).size;
  if (size === 0) return "the file is empty (0 bytes), not a Plotline collection; ingest into it, or restore it from a copy";
  const head = Buffer.alloc(100);
  const fd = openSync(path, "r");
  try {
    readSync(fd, head, 0, 100, 0);
  } finally {
    closeSync(fd);
  }
  if (size < 100 || !head.subarray(0, 16).equals(SQLITE_MAGIC)) return null; // not SQLite: the open says so
  const pageSize = head.readUInt16BE(16) === 1 ? 65536 : head.readUInt16BE(16);
  const pages = head.readUInt32BE(28);
  // The header's page count is valid when its "version-valid-for" matches the change counter.
  if (head.readUInt32BE(92) === head.readUInt32BE(24) && pages > 0 && size < pages * pageSize) {
    return `the file is ${size.toLocaleString("en-US")} bytes but its header says ${(pages * pageSize).toLocaleString("en-US")} (truncated)`;
  }
  return null;
}
