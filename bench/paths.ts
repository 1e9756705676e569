import { fileURLToPath } from "node:url";
import { dirname, join, resolve } from "node:path";

// Compiled benches live in dist/bench; the repository root is two levels up.
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const TMDB_CSV = join(ROOT, "../shared/data/tmdb-movies.csv");
export const WIKIPEDIA_JSON = join(ROOT, "../shared/data/wikipedia-movies.json.gz");
export const BIN = join(ROOT, "bin/plotline.js");
