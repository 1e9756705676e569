import Database from "better-sqlite3";
import { existsSync, statSync } from "node:fs";
import type { Movie } from "../../catalog/movie.js";
import type { EmbeddingCache } from "../../embed/cache.js";
import type { EmbedderState } from "../../embed/embedder.js";
import { CollectionError } from "../../errors.js";
import { blobToVector, vectorToBlob } from "./codec.js";
import { MIGRATIONS } from "./schema.js";

/** Default collection path when neither `--db` nor `PLOTLINE_DB` is given. */
export const DEFAULT_DB = "./plotline.db";

export function defaultDbPath(): string {
  return process.env.PLOTLINE_DB || DEFAULT_DB;
}

/** What a collection records about itself. */
export interface Manifest {
  embedderId: string;
  dims: number;
  /** Fitted post-processing of the embedder (GloVe's common component), applied at load. */
  embedderState: EmbedderState | null;
  createdAt: string;
  updatedAt: string;
}

/** A movie with the internal row key that vectors and indexes use. */
export interface StoredMovie extends Movie {
  rowid: number;
}

export interface Vectors {
  dims: number;
  /** rowids[i] is the movie whose raw vector starts at raw[i * dims]. */
  rowids: Int32Array;
  raw: Float32Array;
}

export interface UpsertItem {
  movie: Movie;
  textHash: Buffer;
  raw: Float32Array;
}

type Row = Record<string, unknown>;

function toMovie(r: Row): StoredMovie {
  return {
    rowid: r.rowid as number,
    id: r.id as string,
    source: r.source as string,
    sourceId: r.source_id as string,
    title: r.title as string,
    year: r.year as number | null,
    overview: r.overview as string,
    ...(r.plot ? { plot: r.plot as string } : {}),
    tagline: r.tagline as string | null,
    genres: JSON.parse(r.genres as string) as string[],
    keywords: JSON.parse(r.keywords as string) as string[],
    cast: JSON.parse(r.cast_members as string) as string[],
    directors: JSON.parse(r.directors as string) as string[],
    companies: JSON.parse(r.companies as string) as string[],
    runtime: r.runtime as number | null,
    rating: r.rating as number | null,
    votes: r.votes as number | null,
    popularity: r.popularity as number | null,
    budget: r.budget as number | null,
    revenue: r.revenue as number | null,
    posterUrl: r.poster_url as string | null,
    language: r.language as string | null,
  };
}

/**
 * The embedded collection: one SQLite file (WAL) holding movies, raw vectors, the manifest, the
 * embedding cache and the ingest history. All writes that change what a search sees happen in
 * one transaction (`write`), so a failed or killed ingest leaves the previous collection intact.
 */
export class Collection {
  readonly db: Database.Database;

  private constructor(
    readonly path: string,
    db: Database.Database,
  ) {
    this.db = db;
  }

  /**
   * Opens (and with `create`, creates) a collection. Read-only opens fail clearly when the file
   * does not exist or is not a Plotline collection.
   */
  static open(path: string, options: { create?: boolean; readonly?: boolean } = {}): Collection {
    if (!options.create && !existsSync(path)) {
      throw new CollectionError(`${path}: no collection here; create one with: plotline ingest <file> --db ${path}`);
    }
    let db: Database.Database;
    try {
      db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: !options.create });
      if (!options.readonly) db.pragma("journal_mode = WAL");
      db.pragma("foreign_keys = ON");
      db.pragma("busy_timeout = 5000");
      // WAL makes NORMAL durable against crashes of the process; only power loss can lose the
      // last commit, never corrupt the file.
      if (!options.readonly) db.pragma("synchronous = NORMAL");
      db.prepare("SELECT count(*) FROM sqlite_master").get();
    } catch (err) {
      throw new CollectionError(`${path}: not a Plotline collection (${(err as Error).message})`, { cause: err });
    }
    const collection = new Collection(path, db);
    collection.migrate(options.readonly ?? false);
    return collection;
  }

  private migrate(readonly: boolean): void {
    const version = this.db.pragma("user_version", { simple: true }) as number;
    if (version > MIGRATIONS.length) throw new CollectionError(`${this.path}: made by a newer Plotline (schema ${version}); upgrade Plotline`);
    if (version === MIGRATIONS.length) return;
    const tables = (this.db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n;
    if (version === 0 && tables > 0) throw new CollectionError(`${this.path}: an SQLite file, but not a Plotline collection`);
    if (readonly) throw new CollectionError(`${this.path}: collection needs an upgrade; open it once without read-only`);
    this.db.transaction(() => {
      for (let v = version; v < MIGRATIONS.length; v++) this.db.exec(MIGRATIONS[v]!);
      this.db.pragma(`user_version = ${MIGRATIONS.length}`);
    })();
  }

  manifest(): Manifest | null {
    const rows = this.prepared("SELECT key, value FROM meta").all() as { key: string; value: string }[];
    const meta = new Map(rows.map((r) => [r.key, r.value]));
    const embedderId = meta.get("embedder");
    if (!embedderId) return null;
    return {
      embedderId,
      dims: Number(meta.get("dims")),
      embedderState: meta.has("embedder_state") ? (JSON.parse(meta.get("embedder_state")!) as EmbedderState | null) : null,
      createdAt: meta.get("created_at") ?? "",
      updatedAt: meta.get("updated_at") ?? "",
    };
  }

  setManifest(m: Omit<Manifest, "createdAt" | "updatedAt">): void {
    const now = new Date().toISOString();
    const put = this.db.prepare("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    put.run("embedder", m.embedderId);
    put.run("dims", String(m.dims));
    put.run("embedder_state", JSON.stringify(m.embedderState));
    this.db.prepare("INSERT OR IGNORE INTO meta(key, value) VALUES ('created_at', ?)").run(now);
    put.run("updated_at", now);
  }

  private writes = 0;
  private readonly statements = new Map<string, Database.Statement>();

  /** A statement prepared once per connection: the lookups below run per request in a server. */
  private prepared(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) this.statements.set(sql, (st = this.db.prepare(sql)));
    return st;
  }

  /**
   * Transactions committed through `write` on this connection, so that state built over the
   * collection (search and recommendation indexes) can tell it is stale with one comparison.
   */
  get writeCount(): number {
    return this.writes;
  }

  /** Runs `fn` in one transaction: everything or nothing. */
  write<T>(fn: () => T): T {
    const result = this.db.transaction(fn)();
    this.writes++;
    return result;
  }

  count(): number {
    return (this.prepared("SELECT count(*) AS n FROM movies").get() as { n: number }).n;
  }

  /** Inserts or updates movies by id, keeping their rowid; returns the rowids in input order. */
  upsert(items: UpsertItem[]): number[] {
    const stmt = this.db.prepare(`
      INSERT INTO movies (id, source, source_id, title, year, overview, tagline, genres, keywords, cast_members,
        directors, companies, runtime, rating, votes, popularity, budget, revenue, poster_url, language, text_hash, plot)
      VALUES (@id, @source, @sourceId, @title, @year, @overview, @tagline, @genres, @keywords, @cast,
        @directors, @companies, @runtime, @rating, @votes, @popularity, @budget, @revenue, @posterUrl, @language, @textHash, @plot)
      ON CONFLICT(id) DO UPDATE SET source = excluded.source, source_id = excluded.source_id, title = excluded.title,
        year = excluded.year, overview = excluded.overview, tagline = excluded.tagline, genres = excluded.genres,
        keywords = excluded.keywords, cast_members = excluded.cast_members, directors = excluded.directors,
        companies = excluded.companies, runtime = excluded.runtime, rating = excluded.rating, votes = excluded.votes,
        popularity = excluded.popularity, budget = excluded.budget, revenue = excluded.revenue,
        poster_url = excluded.poster_url, language = excluded.language, text_hash = excluded.text_hash, plot = excluded.plot
      RETURNING rowid`);
    const vec = this.db.prepare("INSERT INTO vectors(movie, raw) VALUES (?, ?) ON CONFLICT(movie) DO UPDATE SET raw = excluded.raw");
    const rowids: number[] = [];
    for (const { movie: m, textHash, raw } of items) {
      const { rowid } = stmt.get({
        ...m,
        genres: JSON.stringify(m.genres),
        keywords: JSON.stringify(m.keywords),
        cast: JSON.stringify(m.cast),
        directors: JSON.stringify(m.directors),
        companies: JSON.stringify(m.companies),
        plot: m.plot ?? null,
        textHash,
      }) as { rowid: number };
      vec.run(rowid, vectorToBlob(raw));
      rowids.push(rowid);
    }
    return rowids;
  }

  /** Deletes movies by id; returns the ids that were not in the collection. */
  remove(ids: string[]): string[] {
    const del = this.db.prepare("DELETE FROM movies WHERE id = ?");
    return ids.filter((id) => del.run(id).changes === 0);
  }

  getById(id: string): StoredMovie | null {
    const r = this.prepared("SELECT * FROM movies WHERE id = ?").get(id) as Row | undefined;
    return r ? toMovie(r) : null;
  }

  /** Movies by rowid, in the order asked; missing rowids are skipped. */
  getByRowids(rowids: readonly number[]): StoredMovie[] {
    if (rowids.length === 0) return [];
    const found = new Map<number, StoredMovie>();
    const stmt = this.prepared(`SELECT * FROM movies WHERE rowid IN (SELECT value FROM json_each(?))`);
    for (const r of stmt.all(JSON.stringify(rowids)) as Row[]) found.set(r.rowid as number, toMovie(r));
    return rowids.map((id) => found.get(id)).filter((m): m is StoredMovie => m !== undefined);
  }

  /** Every movie, in rowid order. */
  *allMovies(): Generator<StoredMovie> {
    for (const r of this.db.prepare("SELECT * FROM movies ORDER BY rowid").iterate() as Iterable<Row>) yield toMovie(r);
  }

  /** Text hashes of the movies with these ids, to tell which ones changed. */
  textHashes(): Map<string, Buffer> {
    const rows = this.db.prepare("SELECT id, text_hash FROM movies").all() as { id: string; text_hash: Buffer }[];
    return new Map(rows.map((r) => [r.id, r.text_hash]));
  }

  /** All raw vectors, contiguous, in rowid order (`dims` defaults to the manifest's). */
  vectors(dims = this.manifest()?.dims ?? 0): Vectors {
    const n = this.count();
    const rowids = new Int32Array(n);
    const raw = new Float32Array(n * dims);
    let i = 0;
    const bytes = new Uint8Array(raw.buffer);
    for (const r of this.db.prepare("SELECT movie, raw FROM vectors ORDER BY movie").raw().iterate() as Iterable<[number, Buffer]>) {
      if (i >= n) break;
      if (r[1].byteLength !== dims * 4) throw new CollectionError(`${this.path}: vector of movie ${r[0]} has ${r[1].byteLength / 4} dimensions, expected ${dims}`);
      rowids[i] = r[0];
      bytes.set(r[1], i * dims * 4);
      i++;
    }
    return { dims, rowids: rowids.subarray(0, i), raw: raw.subarray(0, i * dims) };
  }

  logIngest(files: string[], report: unknown): void {
    this.db.prepare("INSERT INTO ingests(at, files, report) VALUES (?, ?, ?)").run(new Date().toISOString(), JSON.stringify(files), JSON.stringify(report));
  }

  /** Bytes on disk: the database plus its WAL. */
  sizeOnDisk(): number {
    let size = 0;
    for (const suffix of ["", "-wal"]) if (existsSync(this.path + suffix)) size += statSync(this.path + suffix).size;
    return size;
  }

  /** The embedding cache, kept in the same file but written outside ingest transactions. */
  embeddingCache(): EmbeddingCache {
    const get = this.db.prepare("SELECT hash, vector FROM embedding_cache WHERE embedder = ? AND hash IN (SELECT unhex(value) FROM json_each(?))");
    const put = this.db.prepare("INSERT OR REPLACE INTO embedding_cache(embedder, hash, vector) VALUES (?, ?, ?)");
    return {
      getMany: (embedderId, hashes) => {
        const out = new Map<string, Float32Array>();
        for (let i = 0; i < hashes.length; i += 5000) {
          const chunk = JSON.stringify(hashes.slice(i, i + 5000).map((h) => h.toString("hex")));
          for (const r of get.all(embedderId, chunk) as { hash: Buffer; vector: Buffer }[]) out.set(r.hash.toString("hex"), blobToVector(r.vector));
        }
        return out;
      },
      putMany: (embedderId, entries) => {
        this.write(() => {
          for (const e of entries) put.run(embedderId, e.hash, vectorToBlob(e.vector));
        });
      },
    };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
