import type pg from "pg";
import { CollectionError } from "../../errors.js";

/** How long a connection attempt may take before it is reported as unreachable. */
export const CONNECT_TIMEOUT_MS = 10_000;

/** node-postgres' error fields the messages below read. */
interface PgError extends Error {
  code?: string;
  /** System errors (ECONNREFUSED...) from an AggregateError when several addresses failed. */
  errors?: PgError[];
}

/** The SQLSTATE or system code of an error, looking inside an AggregateError (localhost resolves to ::1 and 127.0.0.1). */
function codeOf(err: unknown): string | undefined {
  const e = err as PgError;
  return e?.code ?? e?.errors?.find((x) => x.code)?.code;
}

/**
 * One line for a failure to reach or use the database: the URL (password hidden) and what is
 * wrong, as a `CollectionError` (exit code 2). Errors that are not about the connection are
 * returned unchanged.
 */
export function connectionError(err: unknown, display: string): unknown {
  const code = codeOf(err);
  const message = (err as Error)?.message ?? String(err);
  const say = (what: string) => new CollectionError(`${display}: ${what}`, { cause: err });
  switch (code) {
    case "ECONNREFUSED":
      return say("cannot connect: connection refused (is Postgres running and listening on that host and port?)");
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return say("cannot connect: host not found");
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return say(`cannot connect: ${code === "ETIMEDOUT" ? "timed out" : "host unreachable"}`);
    case "ECONNRESET":
      return say("the server closed the connection");
    case "28P01":
      return say(`${message}; check the password in the URL (or PGPASSWORD, ~/.pgpass)`);
    case "28000":
      return say(`not allowed to connect (${message})`);
    case "3D000":
      return say(`${message}; create it first (createdb) or name another database`);
    case "42501":
      return say(`permission denied (${message})`);
    case "57P03":
      return say(`the server is not accepting connections yet (${message})`);
  }
  if (/timeout expired|Connection terminated due to connection timeout/i.test(message)) return say(`cannot connect: no answer within ${CONNECT_TIMEOUT_MS / 1000} s`);
  if (/Connection terminated unexpectedly/i.test(message)) return say("the server closed the connection");
  if (/SASL|password must be a string|client password/i.test(message)) return say(`authentication failed (${message})`);
  return err;
}

/**
 * A node-postgres pool for the connection string: `max` connections, connect timeout
 * `CONNECT_TIMEOUT_MS`. node-postgres is loaded here, on the first connection, so that commands
 * on an SQLite collection never pay for loading it.
 */
export async function createPool(connectionString: string, max: number): Promise<pg.Pool> {
  const { default: pgModule } = await import("pg");
  const pool = new pgModule.Pool({ connectionString, max, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, idleTimeoutMillis: 30_000 });
  // An idle connection the server closes (restart, failover) must not crash the process: the
  // pool drops it and the next query opens a new one.
  pool.on("error", () => {});
  return pool;
}
