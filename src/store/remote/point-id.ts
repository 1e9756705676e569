import { v5 as uuidv5 } from "uuid";

/**
 * The UUID namespace of Plotline's movie ids: UUIDv5 of "plotline:movie" in RFC 4122's URL
 * namespace. Fixed forever: every point id ever written derives from it.
 */
export const MOVIE_ID_NAMESPACE = uuidv5("plotline:movie", uuidv5.URL);

/**
 * The point id of a movie in a remote engine that keys points by UUID (Qdrant, Weaviate): a
 * UUIDv5 of its Plotline id (`tt0114709`), so uploading a movie again replaces its point instead
 * of adding a copy (the seeds numbered points 0..n-1 per upload, which duplicates on a re-run),
 * and every Plotline process computes the same id without asking the server.
 */
export function movieUuid(movieId: string): string {
  return uuidv5(movieId, MOVIE_ID_NAMESPACE);
}
