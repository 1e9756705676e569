/**
 * Import rules, checked by `test/import-rules.test.ts` (and `npx depcruise src test bench web/src
 * --config .dependency-cruiser.mjs` by hand). Two rules of the architecture
 * (`../shared/docs/architecture.md`): only `src/store/` speaks to a database, and data flows one
 * way, catalog -> embed -> store (vector indexes) -> engine (search, recommend) -> surfaces; a
 * module never imports one to its right.
 */
const RIGHT_OF_ENGINE = "^src/(options|server|cli)/|^src/(plotline|ingest|index)\\.ts$";

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: "sqlite-driver-only-in-store",
      comment: "Only src/store/ speaks to SQLite: everything else asks the Store interface.",
      severity: "error",
      from: { pathNot: "^src/store/" },
      to: { path: "(^|/)node_modules/better-sqlite3/|^better-sqlite3$|^(node:)?sqlite$" },
    },
    {
      name: "database-clients-only-in-store",
      comment: "No file of src/ outside src/store/ speaks to a database, whichever its client.",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/store/" },
      to: { path: "(^|/)node_modules/(pg|pg-pool|@electric-sql/[^/]+|@qdrant/[^/]+|weaviate-client|@pinecone-database/[^/]+|@lancedb/[^/]+)/" },
    },
    {
      name: "catalog-is-leftmost",
      comment: "The catalog knows no embedding, storage, engine or surface.",
      severity: "error",
      from: { path: "^src/catalog/" },
      to: { path: `^src/(embed|store|vector-index|search|recommend)/|${RIGHT_OF_ENGINE}` },
    },
    {
      name: "embed-knows-no-storage",
      severity: "error",
      from: { path: "^src/embed/" },
      to: { path: `^src/(store|vector-index|search|recommend)/|${RIGHT_OF_ENGINE}` },
    },
    {
      name: "vector-indexes-know-no-store-or-engine",
      comment: "Vector indexes are the SQLite backend's building blocks, over vectors alone.",
      severity: "error",
      from: { path: "^src/vector-index/" },
      to: { path: `^src/(store|search|recommend)/|${RIGHT_OF_ENGINE}` },
    },
    {
      name: "store-knows-no-engine",
      comment:
        "A store answers retrieval questions and knows nothing of how results are ranked or shown. " +
        "It shares the engine's text analysis only (folding, the Porter stemmer): the keyword index " +
        "must cut words exactly as matched words are found.",
      severity: "error",
      from: { path: "^src/store/" },
      to: { path: `^src/(search|recommend)/|${RIGHT_OF_ENGINE}`, pathNot: "^src/search/(porter|text)\\.ts$" },
    },
    {
      name: "engine-knows-no-surface",
      comment: "Search and recommend know no CLI, HTTP or option schema; Plotline and the surfaces call them.",
      severity: "error",
      from: { path: "^src/(search|recommend)/" },
      to: { path: RIGHT_OF_ENGINE },
    },
    {
      name: "server-knows-no-cli",
      severity: "error",
      from: { path: "^src/server/" },
      to: { path: "^src/cli/" },
    },
    {
      name: "web-talks-to-the-api-only",
      comment: "The web app uses the HTTP API, never the engine's modules (its types come from the OpenAPI document).",
      severity: "error",
      from: { path: "^web/src/" },
      to: { path: "^src/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    exclude: { path: "^(dist|web/dist)/" },
  },
};
