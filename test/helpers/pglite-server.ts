import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parsePostgresUrl } from "../../src/store/postgres/options.js";
import { ROOT } from "./paths.js";

/** A Postgres server the tests talk to with node-postgres, as to any Postgres. */
export interface TestPostgres {
  /** What it is, for test names (`PGlite 0.5 (pg_textsearch)`, `PLOTLINE_TEST_POSTGRES_URL`). */
  name: string;
  /**
   * A collection URL in a schema of its own (`?schema=t_<random>`), so tests sharing the server
   * never see each other's collections, with the pool size the server allows.
   */
  collectionUrl(extra?: Record<string, string>): string;
  stop(): Promise<void>;
}

/** Milliseconds PGlite may take to start (it runs initdb in WebAssembly: about 12 s on a loaded 2-core machine). */
const START_TIMEOUT_MS = 180_000;

function schemaName(): string {
  return `t_${randomBytes(6).toString("hex")}`;
}

function withParams(base: string, params: Record<string, string>): string {
  const u = new URL(base);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
}

/**
 * Starts PGlite with pgvector (and pg_textsearch unless `textsearch` is false) behind
 * pglite-socket on 127.0.0.1, port 0, in a child process (see pglite-child.ts). Collection
 * URLs use `pool=1`: PGlite serves one connection at a time.
 */
export async function startPglite(options: { textsearch?: boolean; vector?: boolean } = {}): Promise<TestPostgres & { child: ChildProcess; port: number }> {
  const script = join(ROOT, "dist/test/helpers/pglite-child.js");
  const args = [script, "--serve", ...(options.textsearch === false ? ["--no-textsearch"] : []), ...(options.vector === false ? ["--no-vector"] : [])];
  const child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`PGlite did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    child.once("exit", (code) => reject(new Error(`PGlite exited with code ${code} before listening`)));
    createInterface({ input: child.stdout! }).once("line", (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
    });
  });
  const base = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const name = `PGlite 0.5 (${options.vector === false ? "no pgvector" : options.textsearch === false ? "pgvector, no pg_textsearch" : "pgvector, pg_textsearch"})`;
  return {
    name,
    child,
    port,
    collectionUrl: (extra = {}) => withParams(base, { pool: "1", schema: schemaName(), ...extra }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.stdin!.end();
        setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
      }),
  };
}

/**
 * The server named by `PLOTLINE_TEST_POSTGRES_URL` (a real Postgres with pgvector), when set.
 * The schemas handed out are dropped by `stop`: the server is someone's, and outlives the tests.
 */
export function externalPostgres(): TestPostgres | null {
  const url = process.env.PLOTLINE_TEST_POSTGRES_URL;
  if (!url) return null;
  const schemas: string[] = [];
  return {
    name: "PLOTLINE_TEST_POSTGRES_URL",
    collectionUrl: (extra = {}) => {
      const schema = schemaName();
      schemas.push(schema);
      return withParams(url, { schema, ...extra });
    },
    stop: async () => {
      if (schemas.length === 0) return;
      const { default: pg } = await import("pg");
      const c = new pg.Client({ connectionString: parsePostgresUrl(url).connectionString });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA IF EXISTS ${schemas.map((s) => `"${s}"`).join(", ")} CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Why the external-server tests skip, when they do. */
export const NO_EXTERNAL_POSTGRES = "PLOTLINE_TEST_POSTGRES_URL is not set (a Postgres with pgvector to run the suite against as well)";

/** The `bin` folder of Debian's PostgreSQL server (`postgresql-15` and the like), when installed. */
export function systemPostgresBin(): string | null {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  for (const v of readdirSync(root).sort().reverse()) {
    const bin = join(root, v, "bin");
    if (existsSync(join(bin, "initdb")) && existsSync(join(bin, "postgres"))) return bin;
  }
  return null;
}
