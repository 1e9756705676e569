import { SqliteStore } from "./sqlite/store.js";
import type { Store, StoreOpenOptions } from "./store.js";

/** Default collection when neither `--db` nor `PLOTLINE_DB` is given: an SQLite file here. */
export const DEFAULT_DB = "./plotline.db";

/** The collection to open when none is named: `PLOTLINE_DB`, else `DEFAULT_DB`. */
export function defaultDbPath(): string {
  return process.env.PLOTLINE_DB || DEFAULT_DB;
}

/**
 * Opens the collection at `location` with the backend its form names. Today every location is
 * an SQLite file path; remote backends add their URL schemes here (`postgres://`, a Qdrant or
 * Weaviate URL) and connect on first use, so opening stays synchronous.
 */
export function openStore(location: string, options: StoreOpenOptions = {}): Store {
  return SqliteStore.open(location, options);
}
