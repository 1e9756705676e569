import { InvalidArgumentError } from "../../errors.js";

/**
 * How the Postgres backend connects and searches. Each is also a query parameter of the
 * collection URL (the name in brackets), so every command and `PLOTLINE_DB` carry them:
 * `postgres://plotline@db.internal:5432/movies?pool=8&ef_search=200`. Parameters Plotline does
 * not know are left for node-postgres (`sslmode`, `application_name`, ...).
 */
export interface PostgresOptions {
  /**
   * Connections in the pool (`pool`); default 4: a search asks the keyword and vector sides at
   * once and a server handles a few requests at a time, while several `serve` processes must
   * share Postgres' `max_connections` (100 by default). PGlite serves one connection at a time:
   * use `pool=1` with it.
   */
  pool: number;
  /** Schema holding the collection (`schema`); default `plotline`. One database can hold several collections, one per schema. */
  schema: string;
  /**
   * HNSW graph degree (`hnsw_m`); default 16, pgvector's own. Applies when the index is built
   * (the first ingest); `plotline info` shows the value the index was built with.
   */
  hnswM: number;
  /** Candidate list while building the HNSW graph (`hnsw_ef_construction`); default 64, pgvector's own. Applies when the index is built. */
  hnswEfConstruction: number;
  /**
   * Candidate list of an HNSW search (`ef_search`); default 100 rather than pgvector's 40: the
   * engine fuses a vector top 100, and a candidate list shorter than the list asked for costs
   * recall (`npm run bench` measures HNSW recall@10 against an exact scan).
   */
  efSearch: number;
  /**
   * Vector searches over at most this many movies (after filters) scan them exactly instead of
   * walking the HNSW graph (`exact_below`); default 5000. A selective filter leaves few movies,
   * which a graph walk reaches only after visiting many that fail the filter, while an exact
   * scan of a few thousand rows is quick and returns the true top k. 0 always uses the index.
   */
  exactBelow: number;
  /**
   * Keyword ranking (`keyword`): `auto` (the default) ranks with BM25 through pg_textsearch when
   * the collection has its index, else with `ts_rank_cd` over the weighted tsvector;
   * `ts_rank_cd` uses the tsvector even when BM25 is there (to compare the two).
   */
  keyword: "auto" | "ts_rank_cd";
}

export const DEFAULT_POSTGRES_OPTIONS: Readonly<PostgresOptions> = Object.freeze({
  pool: 4,
  schema: "plotline",
  hnswM: 16,
  hnswEfConstruction: 64,
  efSearch: 100,
  exactBelow: 5000,
  keyword: "auto",
});

/** URL query parameter of each option. */
const PARAMS: Record<keyof PostgresOptions, string> = {
  pool: "pool",
  schema: "schema",
  hnswM: "hnsw_m",
  hnswEfConstruction: "hnsw_ef_construction",
  efSearch: "ef_search",
  exactBelow: "exact_below",
  keyword: "keyword",
};

/** What a collection URL means: node-postgres' connection string, the options, and the URL to show (no password). */
export interface PostgresTarget {
  /** The URL without Plotline's parameters, password included: for node-postgres only. */
  connectionString: string;
  /** The URL as shown in messages: password replaced by `***`, Plotline's parameters kept. */
  display: string;
  options: PostgresOptions;
}

function integer(name: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(name, `must be an integer from ${min} to ${max}, got '${raw}'`);
  return n;
}

/** The URL with its password hidden, for every message that names a database. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    // Not parseable as a URL: hide whatever sits between "user:" and "@".
    return url.replace(/^(\w+:\/\/[^:/@]*:)[^@]*@/, "$1***@");
  }
}

/**
 * Reads a `postgres://` collection URL: Plotline's own parameters (see `PostgresOptions`) are
 * taken out and checked, naming the parameter at fault; the rest is node-postgres'.
 */
export function parsePostgresUrl(location: string, overrides: Partial<PostgresOptions> = {}): PostgresTarget {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    throw new InvalidArgumentError("--db", `${redactUrl(location)} is not a valid postgres:// URL`);
  }
  const options: PostgresOptions = { ...DEFAULT_POSTGRES_OPTIONS };
  const name = (key: keyof PostgresOptions) => `${redactUrl(location)}: ${PARAMS[key]}`;
  for (const key of Object.keys(PARAMS) as (keyof PostgresOptions)[]) {
    const raw = url.searchParams.get(PARAMS[key]);
    if (raw === null) continue;
    url.searchParams.delete(PARAMS[key]);
    switch (key) {
      case "pool":
        options.pool = integer(name(key), raw, 1, 1000);
        break;
      case "hnswM":
        options.hnswM = integer(name(key), raw, 2, 100); // pgvector's bounds
        break;
      case "hnswEfConstruction":
        options.hnswEfConstruction = integer(name(key), raw, 4, 1000);
        break;
      case "efSearch":
        options.efSearch = integer(name(key), raw, 1, 1000);
        break;
      case "exactBelow":
        options.exactBelow = integer(name(key), raw, 0, 1e9);
        break;
      case "schema":
        if (!/^[a-z_][a-z0-9_]{0,62}$/.test(raw)) throw new InvalidArgumentError(name(key), `must be a lower-case SQL name (letters, digits, _), got '${raw}'`);
        options.schema = raw;
        break;
      case "keyword":
        if (raw !== "auto" && raw !== "ts_rank_cd") throw new InvalidArgumentError(name(key), `must be 'auto' or 'ts_rank_cd', got '${raw}'`);
        options.keyword = raw;
        break;
    }
  }
  Object.assign(options, overrides);
  if (options.hnswEfConstruction < 2 * options.hnswM) throw new InvalidArgumentError(name("hnswEfConstruction"), `must be at least twice hnsw_m (${options.hnswM}), as pgvector requires`);
  const connectionString = url.toString();
  return { connectionString, display: redactUrl(location), options };
}
