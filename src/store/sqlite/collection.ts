import Database from "better-sqlite3";
import { existsSync, statSync } from "node:fs";
import type { Movie } from "../../catalog/movie.js";
import { sentimentScore } from "../../catalog/sentiment.js";
import type { EmbeddingCache } from "../../embed/cache.js";
import { CollectionError } from "../../errors.js";
import { MOVIE_FIELDS, type CheckFinding, type FacetCount, type FacetField, type Manifest, type MovieField, type StoredMovie, type UpsertItem } from "../store.js";
import { changedSince, metaJson, setMetaJson, vectorsSeq } from "./changes.js";
import { blobToVector, vectorToBlob } from "./codec.js";
import { FilterTable, filterSql } from "./filters.js";
import type { Filters } from "../filters.js";
import { KeywordIndex } from "./keyword.js";
import { ftsVocabulary } from "./postings.js";
import { damagedError, fileProblem, sqliteDamage } from "./damage.js";
import { MIGRATIONS } from "./schema.js";
import { refreshSentiment, storedSentiment } from "./sentiment.js";
import { movieTranscripts, saveTrailers, trailerByHash, trailerCounts, trailersOfMovie } from "./trailers.js";
import type { MovieTranscripts, Trailer, TrailerCounts, TrailerInfo } from "../trailers.js";

export type { Manifest } from "../store.js";

/** Meta key of the write-batch counter behind the freshness token. */
const GENERATION_KEY = "generation";

/** Raw vectors, contiguous, with the rowid of each row. */
export interface RawVectors {
  dims: number;
  /** rowids[i] is the movie whose raw vector starts at raw[i * dims]. */
  rowids: Int32Array;
  raw: Float32Array;
}

type Row = Record<string, unknown>;

/** How each field a store returns is kept: its SQL expression over `movies m`, and how to read it back. */
const COLUMNS: Record<Exclude<MovieField, "sentiment">, { sql: string; read?: (v: unknown) => unknown }> = {
  // Derived: the movie's trailers' transcripts (`trailers.ts` keeps it up to date).
  transcript: { sql: "m.transcript" },
  id: { sql: "m.id" },
  source: { sql: "m.source" },
  sourceId: { sql: "m.source_id" },
  title: { sql: "m.title" },
  year: { sql: "m.year" },
  overview: { sql: "m.overview" },
  plot: { sql: "m.plot" },
  tagline: { sql: "m.tagline" },
  genres: { sql: "m.genres", read: json },
  keywords: { sql: "m.keywords", read: json },
  cast: { sql: "m.cast_members", read: json },
  directors: { sql: "m.directors", read: json },
  companies: { sql: "m.companies", read: json },
  runtime: { sql: "m.runtime" },
  rating: { sql: "m.rating" },
  votes: { sql: "m.votes" },
  popularity: { sql: "m.popularity" },
  budget: { sql: "m.budget" },
  revenue: { sql: "m.revenue" },
  posterUrl: { sql: "m.poster_url" },
  language: { sql: "m.language" },
};

/** The JSON-array column of each facet field. */
const FACET_COLUMNS: Record<FacetField, string> = { genres: "genres", keywords: "keywords", cast: "cast_members", directors: "directors", companies: "companies" };

function json(v: unknown): string[] {
  return JSON.parse(v as string) as string[];
}

function toMovie(r: Row): Movie {
  return {
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

/** Reads raw result rows of `SELECT m.rowid, <fields>` into movie rows keyed by rowid. */
export type RowReader<F extends MovieField> = (rows: unknown[][]) => { rowid: number; row: Pick<StoredMovie, F | "id"> }[];

/**
 * The SQLite file behind the SQLite store: movies, raw vectors, the manifest, the embedding
 * cache, the ingest history, stored sentiment and the vector change log, in one file (WAL).
 * Everything here is synchronous SQL; `SqliteStore` puts the `Store` interface and the derived
 * in-memory state on top. The connection is private: the backend's other modules get what they
 * need through the factory methods below (`keywordIndex`, `filterTable`), so no code outside
 * this folder can reach the database.
 */
export class Collection {
  private readonly statements = new Map<string, Database.Statement>();

  private constructor(
    readonly path: string,
    private readonly db: Database.Database,
    readonly readonly: boolean,
  ) {}

  /**
   * Opens (and with `create`, creates) a collection. Read-only opens fail clearly when the file
   * does not exist or is not a Plotline collection.
   */
  static open(path: string, options: { create?: boolean; readonly?: boolean } = {}): Collection {
    if (!options.create && !existsSync(path)) {
      throw new CollectionError(`${path}: no collection here; create one with: plotline ingest <file> --db ${path}`);
    }
    const problem = existsSync(path) && path !== ":memory:" ? fileProblem(path) : null;
    if (problem && !(options.create && statSync(path).size === 0)) throw damagedError(problem, path);
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
      throw sqliteDamage(err, path) ?? new CollectionError(`${path}: not a Plotline collection (${(err as Error).message})`, { cause: err });
    }
    const collection = new Collection(path, db, options.readonly ?? false);
    try {
      collection.migrate();
    } catch (err) {
      db.close();
      throw sqliteDamage(err, path) ?? err;
    }
    return collection;
  }

  private migrate(): void {
    const version = this.db.pragma("user_version", { simple: true }) as number;
    if (version > MIGRATIONS.length) throw new CollectionError(`${this.path}: made by a newer Plotline (schema ${version}); upgrade Plotline`);
    if (version === MIGRATIONS.length) return;
    const tables = (this.db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n;
    if (version === 0 && tables > 0) throw new CollectionError(`${this.path}: an SQLite file, but not a Plotline collection`);
    if (this.readonly) throw new CollectionError(`${this.path}: collection needs an upgrade; open it once without read-only`);
    this.db.transaction(() => {
      for (let v = version; v < MIGRATIONS.length; v++) this.db.exec(MIGRATIONS[v]!);
      this.db.pragma(`user_version = ${MIGRATIONS.length}`);
    })();
  }

  /** A statement prepared once per connection: the lookups below run per request in a server. */
  private prepared(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) this.statements.set(sql, (st = this.db.prepare(sql)));
    return st;
  }

  get isOpen(): boolean {
    return this.db.open;
  }

  manifest(): Manifest | null {
    const rows = this.prepared("SELECT key, value FROM meta").all() as { key: string; value: string }[];
    const meta = new Map(rows.map((r) => [r.key, r.value]));
    const embedderId = meta.get("embedder");
    if (!embedderId) return null;
    return {
      embedderId,
      dims: Number(meta.get("dims")),
      embedderState: meta.has("embedder_state") ? (JSON.parse(meta.get("embedder_state")!) as Manifest["embedderState"]) : null,
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

  /** A JSON value kept under `key` in the meta table, or null. */
  metaJson<T>(key: string): T | null {
    return metaJson<T>(this.db, key);
  }

  setMetaJson(key: string, value: unknown): void {
    setMetaJson(this.db, key, value);
  }

  /** Write batches committed so far (`SqliteStore.freshness`); 0 for a collection written before it was counted. */
  generation(): number {
    const row = this.prepared(`SELECT value FROM meta WHERE key = '${GENERATION_KEY}'`).get() as { value: string } | undefined;
    return row ? Number(row.value) : 0;
  }

  /** Counts one more write batch; call inside the batch's transaction. */
  bumpGeneration(): void {
    this.db.prepare(`INSERT INTO meta(key, value) VALUES ('${GENERATION_KEY}', '1') ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1`).run();
  }

  /** Runs `fn` in one transaction: everything or nothing. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  count(): number {
    return (this.prepared("SELECT count(*) AS n FROM movies").get() as { n: number }).n;
  }

  /**
   * `plotline check`: SQLite's own integrity check (`quick_check` with `quick`: no index
   * contents), FTS5's integrity check of the text index against the movies, and every stored
   * vector against its row and the manifest (one per movie, the manifest's dimensions, finite,
   * not zero).
   */
  check(quick: boolean, dims: number | null): CheckFinding[] {
    const findings: CheckFinding[] = [];
    const add = (check: string, problems: string[], okDetail: string, severity: "error" | "warning" = "error") =>
      findings.push(problems.length ? { check, ok: false, severity, detail: problems.slice(0, 5).join("; ") + (problems.length > 5 ? `; and ${problems.length - 5} more` : "") } : { check, ok: true, severity, detail: okDetail });
    const run = <T>(check: string, fn: () => T): T | null => {
      try {
        return fn();
      } catch (err) {
        add(check, [(err as Error).message], "");
        return null;
      }
    };
    const integrity = run("integrity", () => this.db.pragma(quick ? "quick_check(20)" : "integrity_check(20)") as Record<string, string>[]);
    if (integrity) {
      const lines = integrity.map((r) => Object.values(r)[0]!).filter((v) => v !== "ok").map((v) => v.replace(/\s*\n\s*/g, " "));
      add("integrity", lines, `SQLite ${quick ? "quick_check" : "integrity_check"}: ok`);
    }
    if (this.readonly) findings.push({ check: "fts", ok: true, severity: "warning", detail: "not checked on a read-only open" });
    else {
      const fts = run("fts", () => this.db.prepare("INSERT INTO movies_fts(movies_fts, rank) VALUES('integrity-check', 1)").run());
      if (fts) add("fts", [], "FTS5 integrity-check against the movies: ok");
    }
    const counts = run("vectors", () => this.db.prepare("SELECT (SELECT count(*) FROM movies) AS movies, (SELECT count(*) FROM vectors) AS vectors, (SELECT count(*) FROM movies WHERE rowid NOT IN (SELECT movie FROM vectors)) AS missing").get() as { movies: number; vectors: number; missing: number });
    if (counts) {
      const problems: string[] = [];
      if (counts.missing) problems.push(`${counts.missing} movies without a vector`);
      if (counts.vectors > counts.movies - counts.missing) problems.push(`${counts.vectors - (counts.movies - counts.missing)} vectors without a movie`);
      let bad = 0;
      let badDims = 0;
      const rows = run("vectors", () => this.db.prepare("SELECT movie, raw FROM vectors").iterate() as IterableIterator<{ movie: number; raw: Buffer }>);
      if (rows) {
        try {
          for (const { raw } of rows) {
            if (dims !== null && raw.length !== dims * 4) {
              badDims++;
              continue;
            }
            const v = blobToVector(raw);
            let norm = 0;
            for (let i = 0; i < v.length; i++) norm += v[i]! * v[i]!;
            if (!Number.isFinite(norm) || norm === 0) bad++;
          }
        } catch (err) {
          problems.push((err as Error).message);
        }
      }
      if (badDims) problems.push(`${badDims} vectors not of the manifest's ${dims} dimensions`);
      if (bad) problems.push(`${bad} vectors with a zero, infinite or NaN norm`);
      add("vectors", problems, `${counts.vectors.toLocaleString("en-US")} vectors, one per movie${dims !== null ? `, ${dims} dimensions` : ""}, finite and non-zero`);
    }
    return findings;
  }

  /** Inserts or updates movies by id, keeping their rowid; returns the rowids in input order. */
  upsert(items: readonly UpsertItem[]): number[] {
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
  remove(ids: readonly string[]): string[] {
    const del = this.db.prepare("DELETE FROM movies WHERE id = ?");
    return ids.filter((id) => del.run(id).changes === 0);
  }

  /** Scores the sentiment of movies whose stored score is missing or stale (see `refreshSentiment`). */
  refreshSentiment(): number {
    return refreshSentiment(this.db);
  }

  /** Stored sentiment scores by rowid, those computed from the current overview only. */
  storedSentiment(): Map<number, number> {
    return storedSentiment(this.db);
  }

  /** One movie with every field, or null. */
  getById(id: string): Movie | null {
    const r = this.prepared("SELECT * FROM movies WHERE id = ?").get(id) as Row | undefined;
    return r ? toMovie(r) : null;
  }

  /** Every movie's rowid and id, in rowid order. */
  rowidsAndIds(): [number, string][] {
    return this.prepared("SELECT rowid, id FROM movies ORDER BY rowid").raw().all() as [number, string][];
  }

  /**
   * A reader of `fields` (plus `id`): the SQL select list (after `m.rowid`) and how to turn raw
   * rows back into movie rows. `sentiment` is the stored score when it was computed from the
   * current overview, else scored now (a collection written before sentiment was stored).
   */
  private reader<F extends MovieField>(fields: readonly F[]): { select: string; join: string; read: RowReader<F> } {
    const wanted = [...new Set<MovieField>(["id", ...fields])];
    const sentiment = wanted.includes("sentiment");
    const plain = wanted.filter((f): f is Exclude<MovieField, "sentiment"> => f !== "sentiment");
    // The overview comes along only for movies whose sentiment must be scored now.
    const select = [...plain.map((f) => COLUMNS[f].sql), ...(sentiment ? ["s.score", "CASE WHEN s.score IS NULL THEN m.overview END"] : [])].join(", ");
    const join = sentiment ? " LEFT JOIN sentiment s ON s.movie = m.rowid AND s.text_hash = m.text_hash" : "";
    const readers = plain.map((f) => COLUMNS[f].read);
    const read: RowReader<F> = (rows) =>
      rows.map((r) => {
        const row: Record<string, unknown> = {};
        for (let i = 0; i < plain.length; i++) {
          const f = plain[i]!;
          const v = r[i + 1];
          const reader = readers[i];
          if (f === "plot") {
            if (v) row.plot = v;
          } else row[f] = reader ? reader(v) : v;
        }
        if (sentiment) {
          const stored = r[plain.length + 1] as number | null;
          row.sentiment = stored ?? sentimentScore((r[plain.length + 2] as string | null) ?? "");
        }
        return { rowid: r[0] as number, row: row as Pick<StoredMovie, F | "id"> };
      });
    return { select, join, read };
  }

  /** Movie rows by rowid, in the order asked; missing rowids are skipped. */
  rowsByRowid<F extends MovieField>(rowids: readonly number[], fields: readonly F[]): Pick<StoredMovie, F | "id">[] {
    if (rowids.length === 0) return [];
    const { select, join, read } = this.reader(fields);
    const stmt = this.prepared(`SELECT m.rowid, ${select} FROM movies m${join} WHERE m.rowid IN (SELECT value FROM json_each(?))`).raw();
    const found = new Map<number, Pick<StoredMovie, F | "id">>();
    for (const { rowid, row } of read(stmt.all(JSON.stringify(rowids)) as unknown[][])) found.set(rowid, row);
    const out: Pick<StoredMovie, F | "id">[] = [];
    for (const r of rowids) {
      const row = found.get(r);
      if (row) out.push(row);
    }
    return out;
  }

  /** Every movie's rows, in rowid order, with their rowids. */
  allRows<F extends MovieField>(fields: readonly F[]): { rowid: number; row: Pick<StoredMovie, F | "id"> }[] {
    const { raw, read } = this.allRowsRaw(fields);
    return read(raw);
  }

  /**
   * Every movie's row as SQLite gives it (one read: one state of the file), and how to turn a
   * slice of them into rows: a scan decodes batch by batch, pausing between them (`scan`).
   */
  allRowsRaw<F extends MovieField>(fields: readonly F[]): { raw: unknown[][]; read: RowReader<F> } {
    const { select, join, read } = this.reader(fields);
    return { raw: this.db.prepare(`SELECT m.rowid, ${select} FROM movies m${join} ORDER BY m.rowid`).raw().all() as unknown[][], read };
  }

  /**
   * Every movie with the hash of its embedded text and its raw vector, in rowid order: what a
   * copy to another store takes. A movie without a vector (none is written without one) is
   * left out.
   */
  records(): UpsertItem[] {
    const { select, read } = this.reader(MOVIE_FIELDS);
    const rows = this.db.prepare(`SELECT m.rowid, ${select}, m.text_hash, v.raw FROM movies m JOIN vectors v ON v.movie = m.rowid ORDER BY m.rowid`).raw().all() as unknown[][];
    const at = MOVIE_FIELDS.length + 1;
    return read(rows).map(({ row }, i) => ({ movie: row as Movie, textHash: rows[i]![at] as Buffer, raw: blobToVector(rows[i]![at + 1] as Buffer) }));
  }

  /** Rowids by popularity, highest first (unknown as 0), ties by rowid. */
  rowidsByPopularity(): [number, number][] {
    return this.db.prepare("SELECT rowid, coalesce(popularity, 0) FROM movies ORDER BY 2 DESC, rowid").raw().all() as [number, number][];
  }

  /** Movies holding each value of a list field, most first, then by value; `rowids` limits the movies counted. */
  facets(field: FacetField, rowids: readonly number[] | null, limit: number | null): FacetCount[] {
    const column = FACET_COLUMNS[field];
    const where = rowids ? " WHERE movies.rowid IN (SELECT value FROM json_each(?))" : "";
    const sql = `SELECT json_each.value AS value, count(*) AS count FROM movies, json_each(movies.${column})${where} GROUP BY json_each.value ORDER BY count DESC, value${limit === null ? "" : ` LIMIT ${limit}`}`;
    return (rowids ? this.db.prepare(sql).all(JSON.stringify(rowids)) : this.db.prepare(sql).all()) as FacetCount[];
  }

  /**
   * Rowids of movies sharing a non-empty overview with another movie, with their overview and
   * plot, in rowid order (`Store.sharedOverviews`): SQLite finds the few shared overviews
   * without handing every overview to JavaScript.
   */
  sharedOverviews(): [number, string, string | null][] {
    return this.db
      .prepare(
        `SELECT rowid, overview, plot FROM movies WHERE overview != '' AND overview IN
           (SELECT overview FROM movies WHERE overview != '' GROUP BY overview HAVING count(*) > 1)
         ORDER BY rowid`,
      )
      .raw()
      .all() as [number, string, string | null][];
  }

  /** All raw vectors, contiguous, in rowid order (`dims` defaults to the manifest's). */
  vectors(dims = this.manifest()?.dims ?? 0): RawVectors {
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

  /** The vector change log's counter (see `changes.ts`). */
  vectorsSeq(): number {
    return vectorsSeq(this.db);
  }

  /** Rowids whose vector was added, changed or deleted after change number `seq`. */
  changedSince(seq: number): number[] {
    return changedSince(this.db, seq);
  }

  logIngest(files: string[], report: unknown): void {
    this.db.prepare("INSERT INTO ingests(at, files, report) VALUES (?, ?, ?)").run(new Date().toISOString(), JSON.stringify(files), JSON.stringify(report));
  }

  /** The BM25 keyword index over the collection's FTS5 table, with these field weights. */
  keywordIndex(weights: ConstructorParameters<typeof KeywordIndex>[1]): KeywordIndex {
    return new KeywordIndex(this.db, weights);
  }

  /** The keyword index's terms (Porter stems) with how many movies hold each. */
  keywordVocabulary(): Map<string, number> {
    return ftsVocabulary(this.db);
  }

  /** The trailer stored under a content hash (hex), or null. */
  trailer(hash: string): Trailer | null {
    return trailerByHash(this.db, hash);
  }

  /** Inserts or replaces trailers by hash and refreshes their movies' transcripts; call inside a transaction. */
  saveTrailers(trailers: readonly Trailer[]): void {
    saveTrailers(this.db, trailers);
  }

  /** A movie's trailers, in file order. */
  movieTrailers(id: string): TrailerInfo[] {
    return trailersOfMovie(this.db, id);
  }

  /** Every movie with an attached trailer, with raw transcript vectors of `embedderId`. */
  transcripts(embedderId: string): MovieTranscripts[] {
    return movieTranscripts(this.db, embedderId);
  }

  trailerCounts(): TrailerCounts {
    return trailerCounts(this.db);
  }

  /** The filterable columns of every movie, in memory. */
  filterTable(): FilterTable {
    return FilterTable.load(this.db);
  }

  /**
   * Rowids the SQL form of the filters selects (`filterSql`): the reference the in-memory
   * `FilterTable` is checked against, about 9-30 ms a filter over 10k movies.
   */
  rowidsWhere(filters: Filters): Set<number> {
    const { where, params } = filterSql(filters);
    return new Set((this.db.prepare(`SELECT rowid FROM movies WHERE ${where} ORDER BY rowid`).raw().all(...params) as [number][]).map((r) => r[0]));
  }

  /** Bytes on disk: the database plus its WAL. */
  sizeOnDisk(): number {
    let size = 0;
    for (const suffix of ["", "-wal"]) if (existsSync(this.path + suffix)) size += statSync(this.path + suffix).size;
    return size;
  }

  /** Copies the WAL into the database file and empties it, so the file alone is the collection. */
  checkpoint(): void {
    this.db.pragma("wal_checkpoint(TRUNCATE)");
  }

  /** SQLite's own consistency check of the file: "ok", or what is wrong. */
  integrityCheck(): string {
    return this.db.pragma("integrity_check", { simple: true }) as string;
  }

  /** The embedding cache, kept in the same file but written outside write batches. */
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
        this.transaction(() => {
          for (const e of entries) put.run(embedderId, e.hash, vectorToBlob(e.vector));
        });
      },
    };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
