import { InvalidArgumentError } from "../errors.js";
import { isPineconeUrl } from "./pinecone/options.js";
import { PineconeStore } from "./pinecone/store.js";
import { SqliteStore } from "./sqlite/store.js";
import type { Store, StoreOpenOptions } from "./store.js";
import { isWeaviateUrl } from "./weaviate/options.js";
import { WeaviateStore } from "./weaviate/store.js";

/** Default collection when neither `--db` nor `PLOTLINE_DB` is given: an SQLite file here. */
export const DEFAULT_DB = "./plotline.db";

/** The collection to open when none is named: `PLOTLINE_DB`, else `DEFAULT_DB`. */
export function defaultDbPath(): string {
  return process.env.PLOTLINE_DB || DEFAULT_DB;
}

/**
 * The backends by the form of a location: a URL scheme names a remote engine, anything else is
 * an SQLite file path. Remote stores connect on first use, so opening stays synchronous.
 */
const SCHEMES: { test: (location: string) => boolean; open: (location: string, options: StoreOpenOptions) => Store }[] = [
  { test: isWeaviateUrl, open: (l, o) => WeaviateStore.open(l, o) },
  { test: isPineconeUrl, open: (l, o) => PineconeStore.open(l, o) },
];

/** Opens the collection at `location` with the backend its form names (`weaviate://`, `pinecone://`, or an SQLite path). */
export function openStore(location: string, options: StoreOpenOptions = {}): Store {
  for (const scheme of SCHEMES) if (scheme.test(location)) return scheme.open(location, options);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) {
    throw new InvalidArgumentError("--db", `unknown collection URL scheme in '${location.replace(/\/\/[^@/]*@/, "//")}' (known: weaviate://, weaviates://, pinecone://, or an SQLite file path)`);
  }
  return SqliteStore.open(location, options);
}
