/**
 * The backend conformance suite (`helpers/store-conformance.ts`) on every backend this run can
 * reach. A backend adds itself here with a factory for empty collections; one that needs a
 * server skips with the reason when its URL is not set.
 *
 * Postgres runs on PGlite 0.5 (PostgreSQL 18 in WebAssembly, with pgvector and pg_textsearch)
 * served over the wire protocol by pglite-socket on 127.0.0.1, started here and reached with
 * node-postgres as any Postgres is. PGlite serves one connection at a time, so its collection
 * URLs ask for a pool of one (`pool=1`). With PLOTLINE_TEST_POSTGRES_URL set, the suite runs
 * against that server as well.
 */
import { after } from "node:test";
import { join } from "node:path";
import { tempDir } from "./helpers/collections.js";
import { QDRANT_SKIP, qdrantCollection } from "./helpers/qdrant.js";
import { externalPostgres, NO_EXTERNAL_POSTGRES, startPglite, type TestPostgres } from "./helpers/pglite-server.js";
import { storeConformance, type ConformanceBackend } from "./helpers/store-conformance.js";
import { dropWeaviateCollection, WEAVIATE_SKIP, weaviateDb } from "./helpers/weaviate.js";

const sqliteDir = tempDir("plotline-conformance-sqlite-");
let files = 0;

/** Servers started (or reached) on first use, stopped when the file's tests end. */
const servers: Promise<TestPostgres>[] = [];
function lazily(start: () => Promise<TestPostgres>): () => Promise<TestPostgres> {
  let server: Promise<TestPostgres> | null = null;
  return () => {
    if (!server) servers.push((server = start()));
    return server;
  };
}
const pglite = lazily(() => startPglite());
const externalServer = externalPostgres();
const external = externalServer ? lazily(async () => externalServer) : null;
after(async () => {
  for (const s of servers) await (await s).stop();
});

const BACKENDS: ConformanceBackend[] = [
  {
    name: "sqlite",
    create: async () => join(sqliteDir, `collection-${++files}.db`),
  },
  {
    name: "weaviate",
    skip: WEAVIATE_SKIP,
    create: async () => {
      const name = `PlotlineConformance${process.pid}x${++files}`;
      weaviateNames.push(name);
      await dropWeaviateCollection(name);
      return weaviateDb(name);
    },
  },
  {
    name: "postgres (PGlite over its socket, pool of one)",
    create: async () => (await pglite()).collectionUrl(),
  },
  {
    name: "postgres (PLOTLINE_TEST_POSTGRES_URL)",
    skip: external ? false : NO_EXTERNAL_POSTGRES,
    create: async () => (await external!()).collectionUrl(),
  },
  {
    name: "qdrant",
    skip: QDRANT_SKIP,
    create: async () => qdrantCollection(),
  },
];

const weaviateNames: string[] = [];
after(async () => {
  for (const name of weaviateNames) await dropWeaviateCollection(name);
});

for (const backend of BACKENDS) storeConformance(backend);
