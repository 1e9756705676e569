/**
 * The backend conformance suite (`helpers/store-conformance.ts`) on every backend this run can
 * reach. A backend adds itself here with a factory for empty collections; one that needs a
 * server skips with the reason when its URL is not set.
 */
import { after } from "node:test";
import { join } from "node:path";
import { tempDir } from "./helpers/collections.js";
import { storeConformance, type ConformanceBackend } from "./helpers/store-conformance.js";
import { dropWeaviateCollection, WEAVIATE_SKIP, weaviateDb } from "./helpers/weaviate.js";

const sqliteDir = tempDir("plotline-conformance-sqlite-");
let files = 0;

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
];

const weaviateNames: string[] = [];
after(async () => {
  for (const name of weaviateNames) await dropWeaviateCollection(name);
});

for (const backend of BACKENDS) storeConformance(backend);
