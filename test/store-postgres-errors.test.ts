/**
 * What the Postgres backend says when it cannot use a database: an unreachable server, a
 * refused password, a missing database, a server without pgvector. Each is one line naming the
 * URL with its password hidden and saying what is missing (a `CollectionError`: exit code 2 in
 * the CLI), and nothing is left half-written. The password and "no pgvector" cases run against a
 * real PostgreSQL started here from the machine's own server binaries (Debian's postgresql-15,
 * which has no pgvector package); PGlite accepts any password.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createServer } from "node:net";
import pg from "pg";
import { CollectionError } from "../src/errors.js";
import { PostgresStore } from "../src/store/postgres/store.js";
import { startPglite } from "./helpers/pglite-server.js";
import { startSystemPostgres, systemPostgresUnavailable, type SystemPostgres } from "./helpers/system-postgres.js";

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** The one-line error an operation fails with, checked for the URL and the hidden password. */
async function failure(op: Promise<unknown>, display: RegExp): Promise<string> {
  const err = (await op.then(
    () => assert.fail("expected a failure"),
    (e: unknown) => e,
  )) as Error;
  assert.ok(err instanceof CollectionError, `a CollectionError, got ${err?.name}: ${err?.message}`);
  assert.equal(err.exitCode, 2);
  assert.ok(!err.message.includes("\n"), "one line");
  assert.ok(!/s3cret|right-password|wrong-password/.test(err.message), `no password in: ${err.message}`);
  assert.match(err.message, display);
  return err.message;
}

test("an unreachable server: the URL and 'connection refused'", async () => {
  const port = await closedPort();
  const store = PostgresStore.open(`postgres://plotline:s3cret@127.0.0.1:${port}/movies`, { create: true });
  const message = await failure(store.count(), new RegExp(`^postgres://plotline:\\*\\*\\*@127\\.0\\.0\\.1:${port}/movies: `));
  assert.match(message, /cannot connect: connection refused/);
  await store.close();
});

test("a server without pgvector (PGlite built without it): what is missing, and nothing created", async () => {
  const server = await startPglite({ vector: false, textsearch: false });
  try {
    const url = server.collectionUrl();
    const store = PostgresStore.open(url, { create: true });
    const message = await failure(store.write({}), /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres\?pool=1&schema=t_[0-9a-f]+: /);
    assert.match(message, /the server has no pgvector \(extension 'vector' is not available\); install pgvector/);
    await store.close();
    const c = new pg.Client({ connectionString: url.replace(/\?.*$/, "") });
    await c.connect();
    const schema = new URL(url).searchParams.get("schema");
    assert.equal((await c.query("SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = $1", [schema])).rows[0].n, 0, "no schema left behind");
    await c.end();
  } finally {
    await server.stop();
  }
});

const unavailable = systemPostgresUnavailable();
describe("a real PostgreSQL without pgvector (Debian's postgresql)", { skip: unavailable ?? undefined }, () => {
  let server: SystemPostgres;
  before(async () => {
    server = await startSystemPostgres();
  });
  after(async () => server?.stop());

  test("a wrong password: the URL with the password hidden, and 'password authentication failed'", async () => {
    const store = PostgresStore.open(server.url({ password: "wrong-password" }), { create: true });
    const message = await failure(store.count(), /^postgres:\/\/plotline:\*\*\*@127\.0\.0\.1:\d+\/postgres: /);
    assert.match(message, /password authentication failed/);
    await store.close();
  });

  test("a database that does not exist", async () => {
    const store = PostgresStore.open(server.url({ database: "nope" }), { create: true });
    assert.match(await failure(store.count(), /^postgres:\/\/plotline:\*\*\*@/), /database "nope" does not exist/);
    await store.close();
  });

  test("no pgvector: what is missing, and nothing half-written", async () => {
    const store = PostgresStore.open(server.url(), { create: true });
    assert.match(await failure(store.write({}), /^postgres:\/\/plotline:\*\*\*@/), /the server has no pgvector/);
    await store.close();
    const c = new pg.Client({ connectionString: server.url() });
    await c.connect();
    assert.equal((await c.query("SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = 'plotline'")).rows[0].n, 0);
    await c.end();
  });

  test("opening without `create` names the missing collection", async () => {
    const store = PostgresStore.open(server.url(), {});
    assert.match(await failure(store.count(), /^postgres:\/\/plotline:\*\*\*@/), /no collection here .* create one with: plotline ingest <file> --db /);
    await store.close();
  });
});
