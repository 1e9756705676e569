import { isQdrantLocation } from "./qdrant/location.js";
import { QdrantStore } from "./qdrant/store.js";
import { SqliteStore } from "./sqlite/store.js";
import type { Store, StoreOpenOptions } from "./store.js";

/** Default collection when neither `--db` nor `PLOTLINE_DB` is given: an SQLite file here. */
export const DEFAULT_DB = "./plotline.db";

/** The collection to open when none is named: `PLOTLINE_DB`, else `DEFAULT_DB`. */
export function defaultDbPath(): string {
  return process.env.PLOTLINE_DB || DEFAULT_DB;
}

/**
 * The backends `--db` can name, by the form of the location: each recognises its own URLs and
 * opens them; the first that recognises a location wins, and a location no remote backend
 * claims is an SQLite file path. Remote backends connect on first use, so opening stays
 * synchronous. A new backend is one entry here.
 */
export const BACKENDS: readonly { kind: string; example: string; matches(location: string): boolean; open(location: string, options: StoreOpenOptions): Store }[] = [
  { kind: "qdrant", example: "qdrant://127.0.0.1:6333/movies (qdrants:// for HTTPS; QDRANT_API_KEY)", matches: isQdrantLocation, open: (l, o) => QdrantStore.open(l, o) },
  { kind: "sqlite", example: "./plotline.db", matches: () => true, open: (l, o) => SqliteStore.open(l, o) },
];

/** Opens the collection at `location` with the backend its form names (see `BACKENDS`). */
export function openStore(location: string, options: StoreOpenOptions = {}): Store {
  return BACKENDS.find((b) => b.matches(location))!.open(location, options);
}
