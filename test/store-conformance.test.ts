/**
 * The backend conformance suite (`helpers/store-conformance.ts`) on every backend this run can
 * reach. A backend adds itself here with a factory for empty collections; one that needs a
 * server skips with the reason when its URL is not set.
 */
import { join } from "node:path";
import { tempDir } from "./helpers/collections.js";
import { storeConformance, type ConformanceBackend } from "./helpers/store-conformance.js";

const sqliteDir = tempDir("plotline-conformance-sqlite-");
let files = 0;

const BACKENDS: ConformanceBackend[] = [
  {
    name: "sqlite",
    create: async () => join(sqliteDir, `collection-${++files}.db`),
  },
];

for (const backend of BACKENDS) storeConformance(backend);
