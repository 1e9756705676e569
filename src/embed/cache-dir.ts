import { homedir } from "node:os";
import { join } from "node:path";

/**
 * Where Plotline keeps derived files that are costly to rebuild (the GloVe binary, imported
 * models): `PLOTLINE_CACHE`, else `$XDG_CACHE_HOME/plotline`, else `~/.cache/plotline`.
 */
export function cacheDir(): string {
  if (process.env.PLOTLINE_CACHE) return process.env.PLOTLINE_CACHE;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "plotline");
}

/**
 * Plotline's models folder, laid out as transformers.js reads local models
 * (`<org>/<name>/onnx/model.onnx` + tokenizer files): `PLOTLINE_MODELS` when set, else
 * `models/` in the cache folder (`~/.cache/plotline/models`). Sentence-transformers embedders
 * look here first, and `plotline models import` writes here.
 */
export function modelsDir(): string {
  return process.env.PLOTLINE_MODELS || join(cacheDir(), "models");
}

/** What `plotline models import` writes beside a model, for `models list` and for tests: where it came from. */
export const PROVENANCE_FILE = "plotline-import.json";
