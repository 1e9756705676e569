import type { Movie } from "../catalog/movie.js";

/**
 * The text a movie is embedded from: its plot summary, as the seeds embed it. A movie whose
 * overview was a placeholder falls back to title and tagline so it still has a vector.
 */
export function embeddingText(movie: Pick<Movie, "overview" | "title" | "tagline">): string {
  if (movie.overview) return movie.overview;
  return [movie.title, movie.tagline].filter(Boolean).join(". ");
}
