import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { table } from "../src/cli/table.js";
import { machine, type BenchSection } from "./lib.js";
import { ROOT } from "./paths.js";

/**
 * `npm run bench [-- area...]`: runs the named areas (default: every area but `scale`, `qdrant-cluster`, `reload`, `faiss` and
 * `postgres-scale`, which take long or need a server), prints a table per area and writes them to bench/results/latest.json.
 */
const AREAS: Record<string, () => Promise<{ run(args: string[]): Promise<BenchSection[]> }>> = {
  foundation: () => import("./foundation.js"),
  http: () => import("./http.js"),
  recommend: () => import("./recommend.js"),
  search: () => import("./search.js"),
  trailers: () => import("./trailers.js"),
  // SQLite and Postgres (PGlite over its socket) side by side; --url=postgres://... adds a real server.
  postgres: () => import("./postgres.js"),
  // SQLite beside Qdrant; a section saying why it is skipped when QDRANT_URL is not set.
  qdrant: () => import("./qdrant.js"),
  // Long (a million vectors by default; options as --name=value): not in DEFAULT_AREAS.
  scale: () => import("./scale.js"),
  // pgvector's cost at a size, on a server given by --url (options as --name=value): on request.
  "postgres-scale": () => import("./postgres-scale.js"),
  // Stops and starts cluster nodes with the commands it is given: not in DEFAULT_AREAS.
  "qdrant-cluster": () => import("./qdrant-cluster.js"),
  // A serving process reloading after another process's changes (#18): on request.
  reload: () => import("./reload.js"),
  // Plotline against FAISS (Python, installed into a venv under ~/.cache/plotline); long too.
  faiss: () => import("./faiss.js"),
};
const DEFAULT_AREAS = ["foundation", "search", "recommend", "http", "trailers", "postgres", "qdrant"];

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const names = args.filter((a) => !a.startsWith("-"));
  const areas = names.length ? names : DEFAULT_AREAS;
  for (const a of areas) if (!AREAS[a]) throw new Error(`unknown bench area '${a}' (areas: ${Object.keys(AREAS).join(", ")})`);
  console.log(`machine: ${machine()}`);
  const all: BenchSection[] = [];
  for (const name of areas) {
    const mod = await AREAS[name]!();
    for (const section of await mod.run(args)) {
      all.push(section);
      console.log(`\n## ${section.title}\n`);
      console.log(table(section.columns, section.rows, 80));
      for (const note of section.notes ?? []) console.log(`  ${note}`);
    }
  }
  const dir = join(ROOT, "bench/results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "latest.json"), JSON.stringify({ machine: machine(), at: new Date().toISOString(), sections: all }, null, 2));
}

main().catch((err) => {
  console.error(`bench: ${(err as Error).message}`);
  process.exitCode = 1;
});
