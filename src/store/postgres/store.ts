import type pg from "pg";
import type { Movie } from "../../catalog/movie.js";
import { sentimentScore } from "../../catalog/sentiment.js";
import type { EmbeddingCache } from "../../embed/cache.js";
import type { EmbedderState } from "../../embed/embedder.js";
import { CollectionError, InvalidArgumentError } from "../../errors.js";
import { fieldMatchesFromText } from "../field-matches.js";
import type { Filters } from "../filters.js";
import {
  lastOfEachId,
  NO_TRAILERS,
  MOVIE_FIELDS,
  requireCapability,
  SCAN_BATCH,
  type AllVectors,
  type FacetCount,
  type FacetField,
  type HybridHit,
  type FieldWeights,
  type Finisher,
  type KeywordHit,
  type KeywordOptions,
  type KeywordQuery,
  type Manifest,
  type MovieField,
  type MovieRow,
  type NativeFusion,
  type PageOptions,
  type Store,
  type StoreCapabilities,
  type StoreOpenOptions,
  type StoreStats,
  type UpsertItem,
  type VectorHit,
  type VectorOptions,
  type VectorQuery,
  type WriteBatch,
  type WriteResult,
} from "../store.js";
import { bufferToVector, parseVectorText, toVectorText, vectorToHex } from "./codec.js";
import { connectionError, createPool } from "./connection.js";
import { filterSql, Params } from "./filters.js";
import { bm25Statement, bm25Weights, MAX_PREFIX_WORDS, TIE_MARGIN, tsRankStatement, type KeywordRanking } from "./keyword.js";
import { parsePostgresUrl, type PostgresOptions } from "./options.js";
import { BM25_B, BM25_K1, BM25_WEIGHTS, bm25Document, bm25DocumentFunction, bm25Repeats, INDEX_NAMES, MIGRATIONS, SCHEMA_VERSION, tsvectorSql } from "./schema.js";
import { VocabularyDelta, type VocabularyText } from "./vocabulary.js";

const CAPABILITIES: StoreCapabilities = Object.freeze({
  keyword: true,
  // Weights other than the BM25 index's rank by ts_rank_cd (see `rankingFor`).
  queryWeights: true,
  // Quoted phrases are matched by the tsvector (phraseto_tsquery), whichever ranking runs.
  phrases: true,
  vocabulary: true,
  allVectors: true,
  // A tsvector scores a movie as a whole; the pool's fields are read and matched by Plotline
  // (`fieldMatchesFromText`) against the vocabulary table.
  fieldMatches: true,
  facets: true,
  nativeHybrid: false,
  nativeRecommend: false,
  nativeDiversity: false,
  atomicWrites: true,
  // Trailers are kept by the SQLite backend only so far: `trailer`, `movieTrailers` and
  // `transcripts` throw the CapabilityError, and every movie's `transcript` is null.
  trailers: false,
  check: false,
});

/** Movies per INSERT of a write batch: one JSON parameter each, well under a statement's limits. */
export const UPSERT_BATCH = 500;

/** How each field a store returns is kept: its SQL over `movies m`. */
const COLUMNS: Record<MovieField, string> = {
  id: "m.id",
  source: "m.source",
  sourceId: "m.source_id",
  title: "m.title",
  year: "m.year",
  overview: "m.overview",
  plot: "m.plot",
  tagline: "m.tagline",
  genres: "m.genres",
  keywords: "m.keywords",
  cast: "m.cast_members",
  directors: "m.directors",
  companies: "m.companies",
  runtime: "m.runtime",
  rating: "m.rating",
  votes: "m.votes",
  popularity: "m.popularity",
  budget: "m.budget",
  revenue: "m.revenue",
  posterUrl: "m.poster_url",
  language: "m.language",
  sentiment: "m.sentiment",
  // No trailers here (capability `trailers` is false): what they say is always null.
  transcript: "NULL::text",
};

const FACET_COLUMNS: Record<FacetField, string> = { genres: "genres", keywords: "keywords", cast: "cast_members", directors: "directors", companies: "companies" };
/** The columns the vocabulary is computed from (see `VocabularyText`). */
const VOCABULARY_COLUMNS = "m.id, m.title, m.keywords, m.cast_members AS cast, m.directors, m.genres, m.tagline, m.overview, m.plot";

/** The select list for `fields` (and `id`), each column named for its field. */
function selectList(fields: readonly MovieField[]): { sql: string; wanted: MovieField[] } {
  const wanted = [...new Set<MovieField>(["id", ...fields])];
  return { sql: wanted.map((f) => `${COLUMNS[f]} AS "${f}"`).join(", "), wanted };
}

/** A row read by `selectList` as a movie row: `plot` only when there is one. */
function toRow<F extends MovieField>(r: Record<string, unknown>, wanted: readonly MovieField[]): MovieRow<F> {
  const row: Record<string, unknown> = {};
  for (const f of wanted) {
    const v = r[f];
    if (f === "plot") {
      if (v) row.plot = v;
    } else row[f] = v;
  }
  return row as MovieRow<F>;
}

/** Pgvector's version as a comparable number (0.8.7 → 800.07). */
function versionNumber(v: string): number {
  const [a = 0, b = 0, c = 0] = v.split(".").map((x) => parseInt(x, 10) || 0);
  return a * 10000 + b * 100 + c;
}

/** What the server offers, read once per store. */
interface ServerInfo {
  version: string;
  pgvector: string;
  /** pgvector 0.8's `hnsw.iterative_scan`: a filtered graph walk continues until the page is full. */
  iterativeScan: boolean;
  pgTextsearch: string | null;
  unaccent: boolean;
}

/** What `plotline info` shows of the backend (`StoreStats.details`), named as the URL's parameters are. */
export interface PostgresDetails {
  server: string;
  schema: string;
  pool: number;
  pgvector: string;
  /** pg_textsearch's version, null when the database does not have it. */
  pg_textsearch: string | null;
  /** Which ranking keyword search uses with the engine's field weights. */
  keyword_ranking: string;
  vector_index: string;
  ef_search: number;
  exact_below: number;
  /** Whether the text configuration folds accents (unaccent was there when the collection was made). */
  accent_folding: boolean;
  /** Bytes of the movies table (rows and TOAST, without indexes) and of each search index. */
  sizes: Record<string, number>;
}

/**
 * The Postgres backend: movies as rows of `<schema>.movies` with their finished vectors in a
 * pgvector column under an HNSW index (cosine), keyword search by BM25 through pg_textsearch's
 * index over the weighted text, or by `ts_rank_cd` over a weighted tsvector with a GIN index
 * where the server has no pg_textsearch, filters as parameterised SQL, facets by `unnest`,
 * write batches as one transaction of batched upserts, the freshness token a counter row bumped
 * by each. Everything the engine keeps in memory it builds from `scan`, as for SQLite, so
 * Plotline processes over one database hold no state of their own: any number of `serve`
 * processes can share it.
 *
 * Talks to Postgres through node-postgres' pool only; connects and applies its migrations on
 * the first call (so `open` is synchronous), reporting an unreachable server, a refused login
 * or a missing pgvector as one line naming the URL without its password.
 */
export class PostgresStore implements Store {
  readonly kind = "postgres";
  readonly capabilities = CAPABILITIES;
  readonly nativeFusions: readonly NativeFusion[] = [];
  readonly vectorIndex = null;
  readonly location: string;
  readonly readonly: boolean;
  readonly options: PostgresOptions;
  private readonly connectionString: string;
  /** Created on the first connection (see `createPool`). */
  private pool: Promise<pg.Pool> | null = null;
  /** The schema, quoted for SQL. */
  private readonly s: string;
  private readyPromise: Promise<ServerInfo> | null = null;
  private finish: Finisher | null = null;
  private bm25Index = false;
  private knownDims: number | null = null;
  private closed = false;

  private constructor(
    location: string,
    private readonly openOptions: StoreOpenOptions,
  ) {
    const target = parsePostgresUrl(location);
    this.location = target.display;
    this.options = target.options;
    this.readonly = openOptions.readonly ?? false;
    this.s = `"${target.options.schema}"`;
    this.connectionString = target.connectionString;
  }

  /** Opens the collection at a `postgres://` URL; nothing connects until the first call. */
  static open(location: string, options: StoreOpenOptions = {}): PostgresStore {
    return new PostgresStore(location, options);
  }

  // ---- connecting and migrating ----

  /** Connects (once), checks the server and the collection, and applies migrations. */
  private ready(): Promise<ServerInfo> {
    if (this.closed) return Promise.reject(new CollectionError(`${this.location}: the collection is closed`));
    this.readyPromise ??= this.prepare();
    // A failure is not kept: a server coming back is used by the next call.
    this.readyPromise.catch(() => (this.readyPromise = null));
    return this.readyPromise;
  }

  /** A pooled connection; connection failures as one line naming the URL. */
  private async connect(): Promise<pg.PoolClient> {
    try {
      this.pool ??= createPool(this.connectionString, this.options.pool);
      return await (await this.pool).connect();
    } catch (err) {
      throw connectionError(err, this.location);
    }
  }

  /** Runs `fn` with a pooled connection, translating connection failures; the connection is dropped if it broke. */
  private async withClient<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.connect();
    let broken: unknown = undefined;
    try {
      return await fn(client);
    } catch (err) {
      const translated = connectionError(err, this.location);
      if (translated !== err) broken = err;
      throw translated;
    } finally {
      client.release(broken as Error | undefined);
    }
  }

  /** `fn` inside one transaction (`begin` is its BEGIN statement): committed if it returns, rolled back if it throws. */
  private transaction<T>(fn: (c: pg.PoolClient) => Promise<T>, begin = "BEGIN"): Promise<T> {
    return this.withClient(async (c) => {
      await c.query(begin);
      try {
        const out = await fn(c);
        await c.query("COMMIT");
        return out;
      } catch (err) {
        await c.query("ROLLBACK").catch(() => {});
        throw err;
      }
    });
  }

  private async query<R extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<R[]> {
    await this.ready();
    return this.withClient(async (c) => (await c.query<R>(sql, params)).rows);
  }

  private async prepare(): Promise<ServerInfo> {
    return this.withClient(async (c) => {
      const schema = this.options.schema;
      let version = await this.schemaVersion(c);
      if (version > SCHEMA_VERSION) {
        throw new CollectionError(`${this.location}: made by a newer Plotline (schema ${version}; this one knows up to ${SCHEMA_VERSION}); upgrade Plotline`);
      }
      if (version < SCHEMA_VERSION) {
        if (version === 0 && !this.openOptions.create) {
          throw new CollectionError(`${this.location}: no collection here (no schema '${schema}' with Plotline's tables); create one with: plotline ingest <file> --db ${this.location}`);
        }
        if (this.readonly) throw new CollectionError(`${this.location}: the collection needs an upgrade (schema ${version} of ${SCHEMA_VERSION}); open it once without read-only`);
        await c.query("BEGIN");
        try {
          // One migrating process at a time; the others wait here, then find the work done.
          await c.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`plotline:${schema}`]);
          await this.requireVector(c);
          await this.optionalExtension(c, "pg_textsearch");
          await this.optionalExtension(c, "unaccent");
          version = await this.schemaVersion(c);
          if (version < SCHEMA_VERSION) await this.migrate(c, version);
          await c.query("COMMIT");
        } catch (err) {
          await c.query("ROLLBACK").catch(() => {});
          throw err;
        }
      }
      const info = await this.serverInfo(c);
      this.bm25Index = (await this.indexes(c)).has(INDEX_NAMES.bm25);
      // An ingest killed since the last write may have left its rows in the BM25 statistics.
      await this.settleBm25(c);
      return info;
    });
  }

  /** Migrations applied to the collection's schema; 0 when there is none; an error for a schema that is not Plotline's. */
  private async schemaVersion(c: pg.PoolClient): Promise<number> {
    const schema = this.options.schema;
    const r = await c.query<{ t: string | null; n: number }>(
      `SELECT to_regclass($1) AS t, (SELECT count(*)::int FROM pg_class k JOIN pg_namespace n ON n.oid = k.relnamespace WHERE n.nspname = $2) AS n`,
      [`${this.s}.schema_version`, schema],
    );
    const row = r.rows[0]!;
    if (row.t === null) {
      if (row.n > 0) throw new CollectionError(`${this.location}: schema '${schema}' holds tables that are not a Plotline collection; name another with ?schema=`);
      return 0;
    }
    const v = await c.query<{ version: number }>(`SELECT version FROM ${this.s}.schema_version`);
    return v.rows[0]?.version ?? 0;
  }

  /** pgvector, installed if the server has it and the role may; otherwise one line saying what is missing. */
  private async requireVector(c: pg.PoolClient): Promise<void> {
    const installed = await c.query(`SELECT extversion FROM pg_extension WHERE extname = 'vector'`);
    if (installed.rows.length) return;
    const available = await c.query(`SELECT default_version FROM pg_available_extensions WHERE name = 'vector'`);
    if (!available.rows.length) {
      throw new CollectionError(`${this.location}: the server has no pgvector (extension 'vector' is not available); install pgvector 0.8 on it, or use a Postgres service that offers it`);
    }
    await c.query("SAVEPOINT vector");
    try {
      await c.query("CREATE EXTENSION IF NOT EXISTS vector");
    } catch (err) {
      await c.query("ROLLBACK TO SAVEPOINT vector");
      throw new CollectionError(
        `${this.location}: pgvector is available but not installed in this database, and this role cannot install it (${(err as Error).message}); have an administrator run: CREATE EXTENSION vector;`,
        { cause: err },
      );
    }
  }

  /** An extension Plotline uses when present (pg_textsearch, unaccent): installed if possible, skipped otherwise. */
  private async optionalExtension(c: pg.PoolClient, name: "pg_textsearch" | "unaccent"): Promise<void> {
    const installed = await c.query(`SELECT 1 FROM pg_extension WHERE extname = $1`, [name]);
    if (installed.rows.length) return;
    const available = await c.query(`SELECT 1 FROM pg_available_extensions WHERE name = $1`, [name]);
    if (!available.rows.length) return;
    await c.query("SAVEPOINT optional_extension");
    try {
      await c.query(`CREATE EXTENSION IF NOT EXISTS ${name}`);
      await c.query("RELEASE SAVEPOINT optional_extension");
    } catch {
      // Not preloaded (pg_textsearch needs shared_preload_libraries) or not permitted: the
      // collection works without it, and `plotline info` says which ranking runs.
      await c.query("ROLLBACK TO SAVEPOINT optional_extension");
    }
  }

  private async migrate(c: pg.PoolClient, from: number): Promise<void> {
    const s = this.s;
    if (from === 0) await c.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    for (let v = from; v < SCHEMA_VERSION; v++) {
      await c.query(MIGRATIONS[v]!(s));
      if (v === 0) {
        await c.query(bm25DocumentFunction(s));
        // Accents folded as the engine folds query words ("Amélie" found by "amelie").
        const unaccent = await c.query<{ nspname: string }>(`SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'unaccent'`);
        const nsp = unaccent.rows[0]?.nspname;
        if (nsp) {
          await c.query(`ALTER TEXT SEARCH CONFIGURATION ${s}.plotline_text ALTER MAPPING FOR hword, hword_part, word WITH "${nsp.replace(/"/g, '""')}".unaccent, english_stem`);
        }
        await c.query(`INSERT INTO ${s}.meta (key, value) VALUES ('accent_folding', $1)`, [JSON.stringify(Boolean(nsp))]);
      }
    }
    await c.query(`CREATE TABLE IF NOT EXISTS ${s}.schema_version (version integer NOT NULL)`);
    await c.query(`DELETE FROM ${s}.schema_version`);
    await c.query(`INSERT INTO ${s}.schema_version (version) VALUES ($1)`, [SCHEMA_VERSION]);
  }

  private async serverInfo(c: pg.PoolClient): Promise<ServerInfo> {
    const r = await c.query<{ version: string; vector: string | null; textsearch: string | null; unaccent: boolean }>(`SELECT
      current_setting('server_version') AS version,
      (SELECT extversion FROM pg_extension WHERE extname = 'vector') AS vector,
      (SELECT extversion FROM pg_extension WHERE extname = 'pg_textsearch') AS textsearch,
      coalesce((SELECT value::text::boolean FROM ${this.s}.meta WHERE key = 'accent_folding'), false) AS unaccent`);
    const row = r.rows[0]!;
    if (!row.vector) throw new CollectionError(`${this.location}: pgvector (extension 'vector') is no longer installed in this database`);
    return {
      version: row.version,
      pgvector: row.vector,
      iterativeScan: versionNumber(row.vector) >= versionNumber("0.8.0"),
      pgTextsearch: row.textsearch,
      unaccent: row.unaccent,
    };
  }

  /** Names of the indexes in the collection's schema. */
  private async indexes(c: pg.PoolClient): Promise<Set<string>> {
    const r = await c.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE schemaname = $1`, [this.options.schema]);
    return new Set(r.rows.map((x) => x.indexname));
  }

  // ---- reading ----

  async manifest(): Promise<Manifest | null> {
    await this.ready();
    return this.withClient((c) => this.readManifest(c));
  }

  private async readManifest(c: pg.PoolClient): Promise<Manifest | null> {
    const r = await c.query<{ key: string; value: unknown }>(`SELECT key, value FROM ${this.s}.meta WHERE key IN ('embedder', 'dims', 'embedder_state', 'created_at', 'updated_at')`);
    const meta = new Map(r.rows.map((x) => [x.key, x.value]));
    const embedderId = meta.get("embedder") as string | undefined;
    if (!embedderId) return null;
    return {
      embedderId,
      dims: Number(meta.get("dims")),
      embedderState: (meta.get("embedder_state") as EmbedderState | null) ?? null,
      createdAt: (meta.get("created_at") as string) ?? "",
      updatedAt: (meta.get("updated_at") as string) ?? "",
    };
  }

  async count(): Promise<number> {
    const [r] = await this.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${this.s}.movies`);
    return r!.n;
  }

  async freshness(): Promise<string> {
    const [r] = await this.query<{ token: string }>(
      `SELECT (SELECT value #>> '{}' FROM ${this.s}.meta WHERE key = 'collection') || ':' || (SELECT value::text FROM ${this.s}.meta WHERE key = 'generation') AS token`,
    );
    return r!.token;
  }

  async interruptedWrite(): Promise<null> {
    return null; // every write batch is one transaction
  }

  async stats(): Promise<StoreStats & { details: PostgresDetails }> {
    const info = await this.ready();
    return this.withClient(async (c) => {
      const sizes = await c.query<{ name: string; total: number; own: number; kind: string; options: string[] | null }>(
        `SELECT k.relname AS name, pg_total_relation_size(k.oid)::float8 AS total, pg_table_size(k.oid)::float8 AS own, k.relkind::text AS kind, k.reloptions AS options
         FROM pg_class k JOIN pg_namespace n ON n.oid = k.relnamespace WHERE n.nspname = $1 AND k.relkind IN ('r', 'i')`,
        [this.options.schema],
      );
      const byName = new Map(sizes.rows.map((r) => [r.name, r]));
      const hnsw = byName.get(INDEX_NAMES.hnsw);
      const params = new Map((hnsw?.options ?? []).map((o) => o.split("=") as [string, string]));
      const shown: Record<string, number> = { movies: byName.get("movies")?.own ?? 0 };
      for (const name of [INDEX_NAMES.hnsw, INDEX_NAMES.bm25, INDEX_NAMES.tsv]) {
        const r = byName.get(name);
        if (r) shown[name] = r.total;
      }
      return {
        // pg_total_relation_size counts each table's indexes and TOAST.
        sizeBytes: sizes.rows.filter((r) => r.kind === "r").reduce((a, r) => a + r.total, 0),
        details: {
          server: `PostgreSQL ${info.version}`,
          schema: this.options.schema,
          pool: this.options.pool,
          pgvector: info.pgvector,
          pg_textsearch: info.pgTextsearch,
          keyword_ranking: this.describeRanking(this.rankingFor(BM25_WEIGHTS, byName.has(INDEX_NAMES.bm25))),
          vector_index: hnsw ? `hnsw (vector_cosine_ops, m ${params.get("m") ?? 16}, ef_construction ${params.get("ef_construction") ?? 64})` : "none yet (built by the first ingest)",
          ef_search: this.options.efSearch,
          exact_below: this.options.exactBelow,
          accent_folding: info.unaccent,
          sizes: shown,
        },
      };
    });
  }

  /** Which ranking keyword queries with these weights get: BM25 when its index is there, the weights are the index's and the URL does not say otherwise. */
  private rankingFor(weights: Readonly<KeywordOptions["weights"]>, bm25 = this.bm25Index): KeywordRanking {
    return this.options.keyword !== "ts_rank_cd" && bm25 && bm25Weights(weights) ? "bm25" : "ts_rank_cd";
  }

  private describeRanking(r: KeywordRanking): string {
    return r === "bm25" ? "BM25 (pg_textsearch index over the weighted text)" : "ts_rank_cd (weighted tsvector, GIN index)";
  }

  async keywordRanking(weights: Readonly<FieldWeights>): Promise<string> {
    await this.refreshBm25(await this.ready());
    return this.describeRanking(this.rankingFor(weights));
  }

  /**
   * Notices a BM25 index built since this store connected (by another process's first ingest).
   * Only a database with pg_textsearch can gain one, and it keeps it: elsewhere this asks nothing.
   */
  private async refreshBm25(info: ServerInfo): Promise<void> {
    if (this.bm25Index || info.pgTextsearch === null) return;
    const [r] = await this.query<{ t: string | null }>(`SELECT to_regclass($1)::text AS t`, [`${this.s}.${INDEX_NAMES.bm25}`]);
    this.bm25Index = Boolean(r?.t);
  }

  // Trailers are not kept by this backend (capability `trailers` is false).
  readonly trailer = NO_TRAILERS.trailer;
  readonly movieTrailers = NO_TRAILERS.movieTrailers;
  readonly transcripts = NO_TRAILERS.transcripts;

  async movie(id: string): Promise<Movie | null> {
    const [row] = await this.movies([id], MOVIE_FIELDS);
    return (row as Movie | undefined) ?? null;
  }

  async movies<F extends MovieField>(ids: readonly string[], fields: readonly F[]): Promise<MovieRow<F>[]> {
    if (ids.length === 0) return [];
    const { sql, wanted } = selectList(fields);
    const rows = await this.query(`SELECT ${sql} FROM ${this.s}.movies m WHERE m.id = ANY($1::text[])`, [[...new Set(ids)]]);
    const byId = new Map(rows.map((r) => [r.id as string, toRow<F>(r, wanted)]));
    const out: MovieRow<F>[] = [];
    for (const id of ids) {
      const row = byId.get(id);
      if (row) out.push(row);
    }
    return out;
  }

  async page<F extends MovieField>(options: PageOptions<F>): Promise<MovieRow<F>[]> {
    const { offset = 0, limit } = options;
    if (!Number.isInteger(limit) || limit < 0) throw new InvalidArgumentError("limit", `must be a non-negative integer, got ${String(limit)}`);
    if (!Number.isInteger(offset) || offset < 0) throw new InvalidArgumentError("offset", `must be a non-negative integer, got ${String(offset)}`);
    const params = new Params();
    const where = filterSql(options.filters, params);
    const { sql, wanted } = selectList(options.fields);
    const order = options.orderBy === "popularity" ? "coalesce(m.popularity, 0) DESC, m.seq" : "m.seq";
    const rows = await this.query(`SELECT ${sql} FROM ${this.s}.movies m WHERE ${where} ORDER BY ${order} OFFSET ${params.add(offset)} LIMIT ${params.add(limit)}`, params.values);
    return rows.map((r) => toRow<F>(r, wanted));
  }

  async *scan<F extends MovieField>(fields: readonly F[], options: { batchSize?: number } = {}): AsyncIterable<MovieRow<F>[]> {
    const { sql, wanted } = selectList(fields);
    yield* this.pages(sql, options.batchSize, (row) => toRow<F>(row, wanted));
  }

  async *records(options: { batchSize?: number } = {}): AsyncIterable<UpsertItem[]> {
    const { sql, wanted } = selectList(MOVIE_FIELDS);
    yield* this.pages(`${sql}, m.text_hash AS "__hash", m.raw AS "__raw"`, options.batchSize, (row) => ({
      movie: toRow(row, wanted) as Movie,
      textHash: row.__hash as Buffer,
      raw: bufferToVector(row.__raw as Buffer),
    }));
  }

  /**
   * Pages through the movies by natural order inside one REPEATABLE READ transaction, so every
   * batch sees the same state; the walk holds one pooled connection until it ends (or the loop
   * over it is left).
   */
  private async *pages<T>(select: string, batchSize: number | undefined, read: (row: Record<string, unknown>) => T): AsyncIterable<T[]> {
    const size = batchSize ?? SCAN_BATCH;
    if (!Number.isInteger(size) || size <= 0) throw new InvalidArgumentError("batchSize", `must be a positive integer, got ${String(size)}`);
    await this.ready();
    const client = await this.connect();
    let broken: Error | undefined;
    let done = false;
    try {
      await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      let last = 0;
      for (;;) {
        const r = await client.query(`SELECT m.seq::float8 AS "__seq", ${select} FROM ${this.s}.movies m WHERE m.seq > $1 ORDER BY m.seq LIMIT $2`, [last, size]);
        if (r.rows.length === 0) break;
        last = r.rows[r.rows.length - 1]!.__seq as number;
        yield r.rows.map(read);
        if (r.rows.length < size) break;
      }
      await client.query("COMMIT");
      done = true;
    } catch (err) {
      const translated = connectionError(err, this.location);
      if (translated !== err) broken = err as Error;
      throw translated;
    } finally {
      if (!done && !broken) await client.query("ROLLBACK").catch(() => {});
      client.release(broken);
    }
  }

  async filterIds(filters: Filters): Promise<string[]> {
    const params = new Params();
    const where = filterSql(filters, params);
    const rows = await this.query<{ id: string }>(`SELECT m.id FROM ${this.s}.movies m WHERE ${where} ORDER BY m.seq`, params.values);
    return rows.map((r) => r.id);
  }

  async sharedOverviews(): Promise<MovieRow<"overview" | "plot">[]> {
    const { sql, wanted } = selectList(["overview", "plot"]);
    const s = this.s;
    // Equality of text under a deterministic collation is equality of bytes, as the scan fallback compares.
    const rows = await this.query(
      `SELECT ${sql} FROM ${s}.movies m WHERE m.overview <> '' AND m.overview IN
         (SELECT overview FROM ${s}.movies WHERE overview <> '' GROUP BY overview HAVING count(*) > 1)
       ORDER BY m.seq`,
    );
    return rows.map((r) => toRow<"overview" | "plot">(r, wanted));
  }

  // ---- keyword search ----

  async keywordTop(query: KeywordQuery, options: KeywordOptions): Promise<KeywordHit[]> {
    const { k } = options;
    if (!Number.isInteger(k) || k < 0) throw new InvalidArgumentError("k", `must be a non-negative integer, got ${String(k)}`);
    if (k === 0) return [];
    await this.refreshBm25(await this.ready());
    const ranking = this.rankingFor(options.weights);
    if (ranking === "bm25") {
      const prefixWords = query.prefix ? await this.prefixWords(query.prefix) : [];
      const st = bm25Statement(this.s, query, prefixWords, k, options.filters);
      if (!st) return [];
      const rows = await this.query<{ id: string; seq: number; score: number }>(st.sql, st.params);
      // pg_textsearch scores are negated BM25; rows matching no word score 0.
      return rows
        .filter((r) => r.score < 0)
        .sort((a, b) => a.score - b.score || a.seq - b.seq)
        .slice(0, k)
        .map((r) => ({ id: r.id, score: -r.score, ordinal: r.seq }));
    }
    const st = tsRankStatement(this.s, query, options.weights, k, options.filters);
    if (!st) return [];
    const rows = await this.query<{ id: string; seq: number; score: number }>(st.sql, st.params);
    return rows.map((r) => ({ id: r.id, score: r.score, ordinal: r.seq }));
  }

  /**
   * The words a prefix stands for in a BM25 query: the most frequent vocabulary terms starting
   * with it (pg_textsearch matches whole words only; the tsvector path uses `:*` instead).
   */
  private async prefixWords(prefix: string): Promise<string[]> {
    const rows = await this.query<{ stem: string }>(
      `SELECT stem FROM ${this.s}.vocabulary WHERE starts_with(stem, $1) AND stem <> $1 AND docs > 0 ORDER BY docs DESC, stem LIMIT ${MAX_PREFIX_WORDS}`,
      [prefix],
    );
    return rows.map((r) => r.stem);
  }

  async keywordVocabulary(): Promise<ReadonlyMap<string, number>> {
    const rows = await this.query<{ stem: string; docs: number }>(`SELECT stem, docs FROM ${this.s}.vocabulary WHERE docs > 0`);
    return new Map(rows.map((r) => [r.stem, r.docs]));
  }

  async keywordFieldMatches(query: KeywordQuery, ids: readonly string[]): Promise<Float64Array | null> {
    return fieldMatchesFromText(query, ids, {
      movies: (wanted, fields) => this.movies(wanted, fields),
      count: () => this.count(),
      docs: async (terms) => {
        if (terms.length === 0) return [];
        // One row per term, in order: its count, or for a prefix the largest among the stems it starts.
        const rows = await this.query<{ i: number; docs: number | null }>(
          `SELECT t.i::int AS i, (SELECT max(v.docs) FROM ${this.s}.vocabulary v WHERE CASE WHEN t.prefix THEN starts_with(v.stem, t.stem) ELSE v.stem = t.stem END) AS docs
             FROM unnest($1::text[], $2::bool[]) WITH ORDINALITY AS t(stem, prefix, i)`,
          [terms.map((t) => t.stem), terms.map((t) => t.prefix)],
        );
        const out = new Array<number>(terms.length).fill(0);
        for (const r of rows) out[r.i - 1] = Number(r.docs ?? 0);
        return out;
      },
    });
  }

  // ---- vector search ----

  async vectorTop(query: VectorQuery, options: VectorOptions): Promise<VectorHit[]> {
    const { k } = options;
    if (!Number.isInteger(k) || k < 0) throw new InvalidArgumentError("k", `must be a non-negative integer, got ${String(k)}`);
    const info = await this.ready();
    const dims = await this.dims();
    if ("vector" in query && query.vector.length !== dims) throw new InvalidArgumentError("vector", `has ${query.vector.length} dimensions; the collection's have ${dims}`);
    if (k === 0) return [];
    const { efSearch, exactBelow } = this.options;
    const s = this.s;
    return this.transaction(async (c) => {
      let vector: string;
      if ("vector" in query) vector = toVectorText(query.vector);
      else {
        const r = await c.query<{ v: string | null }>(`SELECT embedding::text AS v FROM ${s}.movies WHERE id = $1`, [query.id]);
        if (!r.rows[0]?.v) return [];
        vector = r.rows[0].v;
      }
      // SET LOCAL, not per session: a transaction-pooling proxy (PgBouncer) keeps no session state.
      await c.query(`SET LOCAL hnsw.ef_search = ${efSearch}${info.iterativeScan ? "; SET LOCAL hnsw.iterative_scan = strict_order" : ""}`);
      const condition = (params: Params) => {
        const where = [filterSql(options.filters, params), "m.embedding IS NOT NULL"];
        if (options.exclude?.length) where.push(`NOT (m.id = ANY(${params.add([...options.exclude])}::text[]))`);
        return where.join(" AND ");
      };
      // Movies passing the filters, counted only up to the threshold: cheap whatever the size.
      let passing = Infinity;
      if (exactBelow > 0) {
        const params = new Params();
        const n = await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM (SELECT 1 FROM ${s}.movies m WHERE ${condition(params)} LIMIT ${exactBelow + 1}) p`, params.values);
        passing = n.rows[0]!.n;
        if (passing === 0) return [];
      }
      const params = new Params();
      const v = params.add(vector);
      const cond = condition(params);
      const exact = async () =>
        (
          await c.query<{ id: string; seq: number; d: number }>(
            `WITH c AS MATERIALIZED (SELECT m.id, m.seq, m.embedding FROM ${s}.movies m WHERE ${cond})
             SELECT id, seq::float8 AS seq, embedding <=> ${v}::vector AS d FROM c ORDER BY d, seq LIMIT ${k}`,
            params.values,
          )
        ).rows;
      if (passing <= exactBelow) return toHits(await exact(), k);
      const rows = (
        await c.query<{ id: string; seq: number; d: number }>(
          `SELECT m.id, m.seq::float8 AS seq, m.embedding <=> ${v}::vector AS d FROM ${s}.movies m WHERE ${cond} ORDER BY m.embedding <=> ${v}::vector LIMIT ${k + TIE_MARGIN}`,
          params.values,
        )
      ).rows;
      // A graph walk can end before the page is full (a filter most movies fail, beyond what
      // an iterative scan visits): the exact scan then gives the page the interface promises.
      if (rows.length < Math.min(k, passing)) return toHits(await exact(), k);
      return toHits(rows, k);
    });
  }

  async vectors(ids: readonly string[]): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    if (ids.length === 0) return out;
    const rows = await this.query<{ id: string; v: string }>(`SELECT id, embedding::text AS v FROM ${this.s}.movies WHERE id = ANY($1::text[]) AND embedding IS NOT NULL`, [[...new Set(ids)]]);
    for (const r of rows) out.set(r.id, parseVectorText(r.v));
    return out;
  }

  async allVectors(): Promise<AllVectors> {
    const dims = await this.dims();
    const rows = await this.query<{ id: string; v: string }>(`SELECT id, embedding::text AS v FROM ${this.s}.movies WHERE embedding IS NOT NULL ORDER BY seq`);
    const matrix = new Float32Array(rows.length * dims);
    rows.forEach((r, i) => parseVectorText(r.v, matrix, i * dims));
    return { dims, ids: rows.map((r) => r.id), matrix };
  }

  async hybridTop(): Promise<HybridHit[]> {
    requireCapability(this, "nativeHybrid", "a native hybrid fusion", "use --fusion convex or rrf (Plotline's own)");
    return [];
  }

  async recommendTop(): Promise<VectorHit[]> {
    requireCapability(this, "nativeRecommend", "a native recommendation query");
    return [];
  }

  async facets(field: FacetField, options: { filters?: Filters; limit?: number } = {}): Promise<FacetCount[]> {
    const column = FACET_COLUMNS[field];
    if (!column) throw new InvalidArgumentError("field", `must be one of ${Object.keys(FACET_COLUMNS).join(", ")}, got '${String(field)}'`);
    const params = new Params();
    const where = filterSql(options.filters, params);
    const rows = await this.query<{ value: string; count: number }>(
      `SELECT v AS value, count(*)::int AS count FROM ${this.s}.movies m, unnest(m.${column}) v WHERE ${where} GROUP BY v`,
      params.values,
    );
    // Sorted here: "by value" means code-unit order, which no collation promises.
    rows.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    return options.limit === undefined ? rows : rows.slice(0, options.limit);
  }

  // ---- writing ----

  async write(batch: WriteBatch): Promise<WriteResult> {
    if (this.readonly) throw new CollectionError(`${this.location}: opened read-only; cannot write`);
    if (batch.trailers?.length) requireCapability(this, "trailers", "a write batch with trailers");
    await this.ready();
    const upserts = lastOfEachId(batch.upsert ?? []);
    // The store's own finisher is loaded before the transaction takes its connection: loading it
    // may read the collection (Plotline's reads the manifest to know the embedder), and with a
    // pool of one (PGlite, a small PgBouncer pool) that read would wait for the connection the
    // transaction holds until the connect timeout.
    const finish = batch.manifest?.finish ?? (upserts.length || batch.manifest?.fit ? await this.finisher() : null);
    let written: Awaited<ReturnType<typeof this.writeBatch>>;
    try {
      written = await this.writeBatch(batch, upserts, finish);
    } finally {
      // Whether it committed or not, the batch may have left dead row versions (replaced or
      // removed movies, or all of its rows when it failed) in pg_textsearch's statistics.
      await this.withClient((c) => this.settleBm25(c)).catch((err: unknown) => this.openOptions.onNotice?.(`${this.location}: could not VACUUM after the write: ${(err as Error).message}`));
    }
    if (written.built.includes(INDEX_NAMES.bm25)) this.bm25Index = true;
    // Fresh planner statistics after a large change (autovacuum would get there later).
    if (written.built.length || written.changed > 1000) await this.query(`ANALYZE ${this.s}.movies`).catch(() => {});
    return written.result;
  }

  /** The write batch's one transaction: see `write`. */
  private async writeBatch(batch: WriteBatch, upserts: UpsertItem[], finish: Finisher | null): Promise<{ result: WriteResult; built: string[]; changed: number }> {
    const s = this.s;
    return this.transaction(async (c) => {
      // One writer per collection at a time: a second ingest waits for the first to commit.
      await c.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`plotline:${this.options.schema}:write`]);
      const prev = await this.readManifest(c);
      const dims = batch.manifest?.dims ?? prev?.dims;
      if (prev && batch.manifest && batch.manifest.dims !== prev.dims) {
        throw new CollectionError(`${this.location}: the collection's vectors have ${prev.dims} dimensions (${prev.embedderId}); cannot store ${batch.manifest.dims}-dimensional ones`);
      }
      if (upserts.length && dims === undefined) throw new InvalidArgumentError("manifest", "the first write batch with movies must give the embedder and its dimensions");
      upserts.forEach((item, i) => {
        if (item.raw.length !== dims) throw new InvalidArgumentError(`upsert[${i}]`, `vector of ${item.movie.id} has ${item.raw.length} dimensions, expected ${dims}`);
      });
      if (dims !== undefined) await this.typeEmbedding(c, dims);
      const vocabulary = new VocabularyDelta();

      const missing: string[] = [];
      if (batch.remove?.length) {
        const removed = await c.query<VocabularyText & { id: string }>(`DELETE FROM ${s}.movies m WHERE m.id = ANY($1::text[]) RETURNING ${VOCABULARY_COLUMNS}`, [[...batch.remove]]);
        const gone = new Set<string>();
        for (const r of removed.rows) {
          vocabulary.remove(r);
          gone.add(r.id);
        }
        const seen = new Set<string>();
        for (const id of batch.remove) {
          if (!gone.has(id) || seen.has(id)) missing.push(id);
          seen.add(id);
        }
      }

      // The embedder's state, refitted on every raw vector the collection will hold, in natural order.
      let state: EmbedderState | null = prev?.embedderState ?? null;
      let existing: { id: string; raw: Buffer }[] = [];
      if (batch.manifest?.fit) {
        existing = (await c.query<{ id: string; raw: Buffer }>(`SELECT id, raw FROM ${s}.movies ORDER BY seq`)).rows;
        const upIndex = new Map(upserts.map((u, i) => [u.movie.id, i]));
        const raws: Float32Array[] = existing.map((r) => {
          const i = upIndex.get(r.id);
          return i === undefined ? bufferToVector(r.raw) : upserts[i]!.raw;
        });
        const known = new Set(existing.map((r) => r.id));
        for (const u of upserts) if (!known.has(u.movie.id)) raws.push(u.raw);
        state = batch.manifest.fit(raws);
      }
      const stateChanged = JSON.stringify(state) !== JSON.stringify(prev?.embedderState ?? null);
      const written = new Set(upserts.map((u) => u.movie.id));
      const untouched = stateChanged ? existing.filter((r) => !written.has(r.id)) : [];

      const total = upserts.length;
      if (total) batch.onProgress?.(0, total);
      for (let i = 0; i < total; i += UPSERT_BATCH) {
        const chunk = upserts.slice(i, i + UPSERT_BATCH);
        const old = await c.query<VocabularyText & { id: string }>(`SELECT ${VOCABULARY_COLUMNS} FROM ${s}.movies m WHERE m.id = ANY($1::text[])`, [chunk.map((u) => u.movie.id)]);
        const before = new Map(old.rows.map((r) => [r.id, r]));
        for (const u of chunk) {
          const was = before.get(u.movie.id);
          if (was) vocabulary.replace(was, u.movie);
          else vocabulary.add(u.movie);
        }
        await c.query(this.upsertSql(), [JSON.stringify(chunk.map((u) => upsertRow(u, finish!(u.raw, state))))]);
        batch.onProgress?.(Math.min(i + UPSERT_BATCH, total), total);
      }
      // A refitted state changes every finished vector, not only those of the movies written.
      for (let i = 0; i < untouched.length; i += UPSERT_BATCH) {
        const chunk = untouched.slice(i, i + UPSERT_BATCH).map((r) => ({ id: r.id, embedding: toVectorText(finish!(bufferToVector(r.raw), state)) }));
        await c.query(
          `UPDATE ${s}.movies m SET embedding = x.embedding::vector FROM jsonb_to_recordset($1::jsonb) AS x(id text, embedding text) WHERE m.id = x.id`,
          [JSON.stringify(chunk)],
        );
      }

      const { stems, counts } = vocabulary.changes();
      if (stems.length) {
        await c.query(
          `INSERT INTO ${s}.vocabulary AS v (stem, docs) SELECT * FROM unnest($1::text[], $2::int[])
           ON CONFLICT (stem) DO UPDATE SET docs = v.docs + excluded.docs`,
          [stems, counts],
        );
        await c.query(`DELETE FROM ${s}.vocabulary WHERE docs <= 0 AND stem = ANY($1::text[])`, [stems]);
      }

      if (batch.manifest) {
        const now = new Date().toISOString();
        await c.query(
          `INSERT INTO ${s}.meta (key, value) VALUES ('embedder', to_jsonb($1::text)), ('dims', to_jsonb($2::int)), ('embedder_state', $3::jsonb), ('updated_at', to_jsonb($4::text))
           ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
          [batch.manifest.embedderId, batch.manifest.dims, JSON.stringify(state), now],
        );
        await c.query(`INSERT INTO ${s}.meta (key, value) VALUES ('created_at', to_jsonb($1::text)) ON CONFLICT (key) DO NOTHING`, [now]);
      }
      if (batch.log) await c.query(`INSERT INTO ${s}.ingests (files, report) VALUES ($1::jsonb, $2::jsonb)`, [JSON.stringify(batch.log.files), JSON.stringify(batch.log.report ?? null)]);
      await c.query(`UPDATE ${s}.meta SET value = to_jsonb(value::text::bigint + 1) WHERE key = 'generation'`);
      const built = await this.ensureIndexes(c, dims);
      const [n] = (await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${s}.movies`)).rows;
      if (total) batch.onProgress?.(total, total);
      return { result: { missing, count: n!.n }, built, changed: total + untouched.length + (batch.remove?.length ?? 0) };
    });
  }

  /**
   * pg_textsearch keeps the corpus statistics BM25 scores with (documents, their lengths, each
   * term's document count) in its index, and counts there every row version it was given until
   * VACUUM removes the dead ones: the rows of a write that failed or was killed, and the old
   * versions of replaced or removed movies. Scores then drift from what the live rows give (a
   * test measured 0.91 become 0.005 after a rolled-back insert). When the index holds more
   * documents than the table has rows, the table is vacuumed, which puts the statistics back;
   * it also clears the dead versions out of the HNSW graph. A role that may not VACUUM the
   * table leaves it to autovacuum.
   */
  private async settleBm25(c: pg.PoolClient): Promise<void> {
    if (!this.bm25Index) return;
    const r = await c.query<{ summary: string; n: number }>(`SELECT bm25_summarize_index($1) AS summary, (SELECT count(*)::float8 FROM ${this.s}.movies) AS n`, [
      `${this.options.schema}.${INDEX_NAMES.bm25}`,
    ]);
    // A debugging summary, not an interface: when its shape changes, nothing is vacuumed.
    const docs = /total_docs:\s*(\d+)/.exec(r.rows[0]?.summary ?? "");
    if (!docs || Number(docs[1]) <= r.rows[0]!.n) return;
    try {
      await c.query(`VACUUM ${this.s}.movies`);
    } catch (err) {
      // A read replica (no VACUUM during recovery) or a read-only role cannot settle it; the
      // next process opening the primary to write does, and reads meanwhile stay correct but
      // for BM25's document count.
      if (!this.readonly) throw err;
    }
  }

  /** The INSERT ... ON CONFLICT of one chunk of movies, given as one JSON array (see `upsertRow`). */
  private upsertSql(): string {
    const s = this.s;
    const cols = [
      ["id", "text"],
      ["source", "text"],
      ["source_id", "text"],
      ["title", "text"],
      ["year", "integer"],
      ["overview", "text"],
      ["plot", "text"],
      ["tagline", "text"],
      ["genres", "text[]"],
      ["keywords", "text[]"],
      ["cast_members", "text[]"],
      ["directors", "text[]"],
      ["companies", "text[]"],
      ["runtime", "double precision"],
      ["rating", "double precision"],
      ["votes", "integer"],
      ["popularity", "double precision"],
      ["budget", "double precision"],
      ["revenue", "double precision"],
      ["poster_url", "text"],
      ["language", "text"],
      ["genres_key", "text[]"],
      ["cast_key", "text[]"],
      ["directors_key", "text[]"],
      ["language_key", "text"],
      ["sentiment", "double precision"],
    ] as const;
    const names = [...cols.map(([n]) => n), "text_hash", "raw", "embedding", "tsv"];
    const values = [...cols.map(([n]) => `x.${n}`), "decode(x.text_hash, 'hex')", "decode(x.raw, 'hex')", "x.embedding::vector", tsvectorSql(s)];
    const record = [...cols.map(([n, t]) => `${n} ${t}`), "text_hash text", "raw text", "embedding text"].join(", ");
    // A movie written again unchanged is left alone (an UPDATE writes a new row version and an
    // entry in every index, HNSW included); the other columns derive from the compared ones.
    const derived = new Set(["genres_key", "cast_key", "directors_key", "language_key", "sentiment", "tsv"]);
    const compared = names.filter((n) => n !== "id" && !derived.has(n));
    return `INSERT INTO ${s}.movies AS m (${names.join(", ")})
      SELECT ${values.join(", ")} FROM jsonb_to_recordset($1::jsonb) AS x(${record})
      ON CONFLICT (id) DO UPDATE SET ${names.filter((n) => n !== "id").map((n) => `${n} = excluded.${n}`).join(", ")}
      WHERE (${compared.map((n) => `m.${n}`).join(", ")}) IS DISTINCT FROM (${compared.map((n) => `excluded.${n}`).join(", ")})`;
  }

  /** Gives the vector column its dimensions at the first write (pgvector's HNSW needs them). */
  private async typeEmbedding(c: pg.PoolClient, dims: number): Promise<void> {
    if (!Number.isInteger(dims) || dims < 1 || dims > 16000) throw new InvalidArgumentError("dims", `must be an integer from 1 to 16000, got ${dims}`);
    const r = await c.query<{ typmod: number }>(
      `SELECT a.atttypmod AS typmod FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attname = 'embedding'`,
      [`${this.s}.movies`],
    );
    const typmod = r.rows[0]?.typmod ?? -1;
    if (typmod === dims) return;
    if (typmod > 0) throw new CollectionError(`${this.location}: the collection's vectors have ${typmod} dimensions; cannot store ${dims}-dimensional ones`);
    await c.query(`ALTER TABLE ${this.s}.movies ALTER COLUMN embedding TYPE vector(${dims})`);
  }

  /**
   * Builds the indexes a collection lacks, inside the write batch's transaction, after its rows
   * are in (faster than keeping them up row by row): GIN over the tsvector, BM25 when the
   * server has pg_textsearch, HNSW once the vectors have their dimensions. Returns those built.
   */
  private async ensureIndexes(c: pg.PoolClient, dims: number | undefined): Promise<string[]> {
    const s = this.s;
    const have = await this.indexes(c);
    const built: string[] = [];
    if (!have.has(INDEX_NAMES.tsv)) {
      await c.query(`CREATE INDEX ${INDEX_NAMES.tsv} ON ${s}.movies USING gin (tsv)`);
      built.push(INDEX_NAMES.tsv);
    }
    const textsearch = await c.query(`SELECT 1 FROM pg_extension WHERE extname = 'pg_textsearch'`);
    if (textsearch.rows.length && !have.has(INDEX_NAMES.bm25)) {
      const { scale } = bm25Repeats(BM25_WEIGHTS);
      await c.query(
        `CREATE INDEX ${INDEX_NAMES.bm25} ON ${s}.movies USING bm25 ((${bm25Document(s, "")})) WITH (text_config = '${this.options.schema}.plotline_text', k1 = ${BM25_K1 * scale}, b = ${BM25_B})`,
      );
      built.push(INDEX_NAMES.bm25);
    }
    if (dims !== undefined && !have.has(INDEX_NAMES.hnsw)) {
      await c.query(`CREATE INDEX ${INDEX_NAMES.hnsw} ON ${s}.movies USING hnsw (embedding vector_cosine_ops) WITH (m = ${this.options.hnswM}, ef_construction = ${this.options.hnswEfConstruction})`);
      built.push(INDEX_NAMES.hnsw);
    }
    return built;
  }

  embeddingCache(): EmbeddingCache | null {
    if (this.readonly) return null;
    const s = this.s;
    return {
      getMany: async (embedderId, hashes) => {
        const out = new Map<string, Float32Array>();
        if (hashes.length === 0) return out;
        const rows = await this.query<{ h: string; vector: Buffer }>(
          `SELECT encode(hash, 'hex') AS h, vector FROM ${s}.embedding_cache WHERE embedder = $1 AND hash = ANY(SELECT decode(x, 'hex') FROM unnest($2::text[]) x)`,
          [embedderId, hashes.map((h) => h.toString("hex"))],
        );
        for (const r of rows) out.set(r.h, bufferToVector(r.vector));
        return out;
      },
      putMany: async (embedderId, entries) => {
        if (entries.length === 0) return;
        await this.query(
          `INSERT INTO ${s}.embedding_cache (embedder, hash, vector) SELECT $1, decode(h, 'hex'), decode(v, 'hex') FROM unnest($2::text[], $3::text[]) AS x(h, v)
           ON CONFLICT (embedder, hash) DO UPDATE SET vector = excluded.vector`,
          [embedderId, entries.map((e) => e.hash.toString("hex")), entries.map((e) => vectorToHex(e.vector))],
        );
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.pool) await (await this.pool).end();
  }

  private async finisher(): Promise<Finisher> {
    if (this.finish) return this.finish;
    if (!this.openOptions.finisher) throw new Error("PostgresStore: writing vectors needs the embedder's finish step (WriteBatch.manifest.finish or StoreOpenOptions.finisher)");
    return (this.finish = await this.openOptions.finisher());
  }

  /** The collection's vector dimensions, kept once known (they never change). */
  private async dims(): Promise<number> {
    this.knownDims ??= (await this.requireManifest()).dims;
    return this.knownDims;
  }

  private async requireManifest(): Promise<Manifest> {
    const manifest = await this.manifest();
    if (!manifest) throw new CollectionError(`${this.location}: the collection is empty; ingest a file first`);
    return manifest;
  }
}

/** One movie as the upsert's JSON record. */
function upsertRow(u: UpsertItem, finished: Float32Array): Record<string, unknown> {
  const m = u.movie;
  const lower = (xs: string[]) => xs.map((x) => x.toLowerCase());
  return {
    id: m.id,
    source: m.source,
    source_id: m.sourceId,
    title: m.title,
    year: m.year,
    overview: m.overview,
    plot: m.plot ?? null,
    tagline: m.tagline,
    genres: m.genres,
    keywords: m.keywords,
    cast_members: m.cast,
    directors: m.directors,
    companies: m.companies,
    runtime: m.runtime,
    rating: m.rating,
    votes: m.votes,
    popularity: m.popularity,
    budget: m.budget,
    revenue: m.revenue,
    poster_url: m.posterUrl,
    language: m.language,
    genres_key: lower(m.genres),
    cast_key: lower(m.cast),
    directors_key: lower(m.directors),
    language_key: m.language === null ? null : m.language.toLowerCase(),
    sentiment: sentimentScore(m.overview),
    text_hash: u.textHash.toString("hex"),
    raw: vectorToHex(u.raw),
    embedding: toVectorText(finished),
  };
}

/** Vector rows (cosine distance `d`) as hits, best first, ties in natural order. */
function toHits(rows: { id: string; seq: number; d: number }[], k: number): VectorHit[] {
  return rows
    .sort((a, b) => a.d - b.d || a.seq - b.seq)
    .slice(0, k)
    .map((r) => ({ id: r.id, score: 1 - r.d, ordinal: r.seq }));
}
