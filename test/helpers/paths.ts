import { fileURLToPath } from "node:url";
import { dirname, join, resolve } from "node:path";

// Compiled tests live in dist/test/helpers; the repository root is three levels up.
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const SHARED = resolve(ROOT, "../shared");
export const TMDB_CSV = join(SHARED, "data/tmdb-movies.csv");
export const WIKIPEDIA_JSON = join(SHARED, "data/wikipedia-movies.json.gz");
export const FIXTURES = join(ROOT, "test/fixtures");
export const MOVIES_CSV = join(FIXTURES, "movies.csv");
export const BIN = join(ROOT, "bin/plotline.js");
