import { InvalidArgumentError } from "../errors.js";
import type { Store, StoreOpenOptions } from "./store.js";

/**
 * One storage backend as `--db` (and `PLOTLINE_DB`) reach it: a collection location is either a
 * URL whose scheme names a remote backend (`postgres://user@host:5432/db`) or a file path for
 * the embedded one (SQLite). Each backend registers itself here with `registerBackend`, so the
 * CLI, the server, `plotline copy` and the library open any collection the same way and a new
 * backend (Qdrant, Weaviate) joins by adding one entry, without touching its callers.
 */
export interface Backend {
  /** Its `Store.kind` (`sqlite`, `postgres`, ...). */
  name: string;
  /**
   * URL schemes it opens, lower case, without `:` (`["postgres", "postgresql"]`); empty for the
   * file backend, which opens every location that is not a URL.
   */
  schemes: readonly string[];
  /** What a location of this backend looks like, for the message naming the known forms. */
  example: string;
  /**
   * Opens the collection at `location` without connecting (remote backends connect on first
   * use, so opening stays synchronous); a malformed location fails here, naming `--db`.
   */
  open(location: string, options: StoreOpenOptions): Store;
  /** The location as messages show it: credentials hidden. */
  display(location: string): string;
  /**
   * The collection's "damaged" error for an error its driver raised on damaged storage (a
   * corrupt page, a file that is no longer a database); null for any other error.
   */
  damage?(err: unknown, location?: string): Error | null;
}

const backends: Backend[] = [];

/** A URL scheme at the start of a location (`postgres://`); a Windows drive (`C:\`) is not one. */
const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/** Adds a backend; a second backend claiming a scheme (or the file backend) already claimed is a programming error. */
export function registerBackend(backend: Backend): void {
  for (const other of backends) {
    const clash = backend.schemes.length === 0 ? other.schemes.length === 0 : backend.schemes.some((s) => other.schemes.includes(s));
    if (clash) throw new Error(`storage backends ${other.name} and ${backend.name} both claim ${backend.schemes.length ? backend.schemes.join(", ") : "file paths"}`);
  }
  backends.push(backend);
}

/** The registered backends, in registration order. */
export function registeredBackends(): readonly Backend[] {
  return backends;
}

/**
 * The backend a location names: by its URL scheme, else the file backend. An unknown scheme
 * is an `InvalidArgumentError` on `--db` listing the forms that are known.
 */
export function backendFor(location: string): Backend {
  const scheme = SCHEME.exec(location)?.[1]?.toLowerCase();
  const found = scheme === undefined ? backends.find((b) => b.schemes.length === 0) : backends.find((b) => b.schemes.includes(scheme));
  if (found) return found;
  const known = backends.map((b) => b.example).join(", ");
  throw new InvalidArgumentError("--db", `${scheme === undefined ? "a file path" : `${scheme}://`} is not a collection location this Plotline opens${known ? `; give ${known}` : ""}`);
}

/** Opens the collection at `location` with the backend its form names (see `backendFor`). */
export function openBackendStore(location: string, options: StoreOpenOptions = {}): Store {
  return backendFor(location).open(location, options);
}

/** A location as messages show it (credentials hidden), whichever backend it names; unchanged when none does. */
export function displayLocation(location: string): string {
  try {
    return backendFor(location).display(location);
  } catch {
    // An unknown scheme: hide whatever sits between "user:" and "@" all the same.
    return location.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@]*@/i, "$1***@");
  }
}

/** What any registered backend calls damage in `err` (see `Backend.damage`), else null. */
export function damagedCollection(err: unknown, location?: string): Error | null {
  for (const b of backends) {
    const e = b.damage?.(err, location);
    if (e) return e;
  }
  return null;
}
