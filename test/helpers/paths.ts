import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join, resolve } from "node:path";

// Compiled tests live in dist/test/helpers; the repository root is three levels up.
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
/**
 * The shared data and models folder: `../shared` beside the checkout, or `PLOTLINE_SHARED`
 * (point it at an empty folder to run the suite as a fresh clone without the data would).
 */
export const SHARED = resolve(process.env.PLOTLINE_SHARED ?? join(ROOT, "../shared"));
export const TMDB_CSV = join(SHARED, "data/tmdb-movies.csv");
export const WIKIPEDIA_JSON = join(SHARED, "data/wikipedia-movies.json.gz");
export const FIXTURES = join(ROOT, "test/fixtures");
export const MOVIES_CSV = join(FIXTURES, "movies.csv");
export const BIN = join(ROOT, "bin/plotline.js");
/** The checkout's `./plotline` script, which the README's commands run (it execs node on BIN). */
export const LAUNCHER = join(ROOT, "plotline");

const missing = (file: string): string | false =>
  existsSync(file) ? false : `needs ${file}, which is not there (README "Get the data": ../shared, or PLOTLINE_SHARED=<folder with data/>)`;
/** Why tests that read the real TMDB file cannot run here, or false when they can. */
export const NO_TMDB = missing(TMDB_CSV);
/** Why tests that read the real Wikipedia dump cannot run here, or false when they can. */
export const NO_WIKIPEDIA = missing(WIKIPEDIA_JSON);
/** all-MiniLM-L6-v2's tokenizer files in the shared models folder (the tiny test models use them). */
export const MINILM_TOKENIZER_DIR = join(SHARED, "models/Xenova/all-MiniLM-L6-v2");
/** Why tests that need that tokenizer cannot run here, or false. */
export const NO_SHARED_TOKENIZER = missing(join(MINILM_TOKENIZER_DIR, "tokenizer.json"));
