import type { Movie } from "../catalog/movie.js";

/**
 * The text a movie is embedded from: its plot summary, as the seeds embed it, followed by the
 * plot merged in from another catalog when there is one (`ingest --merge`). A movie whose
 * overview was a placeholder falls back to title and tagline (then its merged plot) so it
 * still has a vector. Movies without a merged plot embed exactly as before, so their cached
 * embeddings stay valid.
 */
export function embeddingText(movie: Pick<Movie, "overview" | "title" | "tagline" | "plot">): string {
  const base = movie.overview || [movie.title, movie.tagline].filter(Boolean).join(". ");
  return movie.plot && movie.plot !== movie.overview ? `${base}\n\n${movie.plot}` : base;
}
