import { homedir } from "node:os";
import { join } from "node:path";

/**
 * Where Plotline keeps derived files that are costly to rebuild (the GloVe binary): 
 * `PLOTLINE_CACHE`, else `$XDG_CACHE_HOME/plotline`, else `~/.cache/plotline`.
 */
export function cacheDir(): string {
  if (process.env.PLOTLINE_CACHE) return process.env.PLOTLINE_CACHE;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "plotline");
}
