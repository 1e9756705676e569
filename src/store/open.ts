import { openBackendStore, registerBackend } from "./backends.js";
import { pineconeBackend } from "./pinecone/backend.js";
import { postgresBackend } from "./postgres/backend.js";
import { qdrantBackend } from "./qdrant/backend.js";
import { sqliteBackend } from "./sqlite/backend.js";
import type { Store, StoreOpenOptions } from "./store.js";
import { weaviateBackend } from "./weaviate/backend.js";

// The backends this Plotline opens; a new one is one more line here.
registerBackend(sqliteBackend);
registerBackend(postgresBackend);
registerBackend(qdrantBackend);
registerBackend(weaviateBackend);
registerBackend(pineconeBackend);

/** Default collection when neither `--db` nor `PLOTLINE_DB` is given: an SQLite file here. */
export { damagedCollection, registeredBackends } from "./backends.js";

export const DEFAULT_DB = "./plotline.db";

/** The collection to open when none is named: `PLOTLINE_DB`, else `DEFAULT_DB`. */
export function defaultDbPath(): string {
  return process.env.PLOTLINE_DB || DEFAULT_DB;
}

/**
 * Opens the collection at `location` with the backend its form names (`store/backends.ts`): a
 * `postgres://` or `qdrant://` URL, else an SQLite file path. Remote backends connect on first use, so
 * opening stays synchronous.
 */
export function openStore(location: string, options: StoreOpenOptions = {}): Store {
  return openBackendStore(location, options);
}
