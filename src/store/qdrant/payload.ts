import { createHash } from "node:crypto";
import type { Movie } from "../../catalog/movie.js";
import type { EmbedderState } from "../../embed/embedder.js";
import { MOVIE_FIELDS, type MovieField, type MovieRow, type UpsertItem } from "../store.js";

/**
 * How a movie is kept as a Qdrant point's payload. Every `Movie` field under its own name (so
 * the payload reads as the movie, and Qdrant's facets count genres as they are spelled), and
 * `sentiment`; then what the backend derives, under short names the movie never uses:
 *
 * - `seq`: the movie's place in the natural order (new movies get higher numbers);
 * - `pop`: popularity with unknown as 0, what "most popular first" orders by;
 * - `lc`: genres, cast, directors and language in lower case, what filters match (they are
 *   case-insensitive);
 * - `ph`: keywords, cast, directors and genres again for phrase matching (a field has one
 *   index, and those four keep a keyword index for facets);
 * - `stems`: the distinct terms of the keyword index, counted by a facet for the vocabulary;
 * - `len`: the movie's length in tokens (BM25);
 * - `hash`, `raw`: the hash of the embedded text (hex) and the embedder's raw vector (base64 of
 *   float32 little-endian): the embedding cache, and what `plotline copy` moves;
 * - `v`: a digest of everything the point was made from, so an unchanged movie is not sent again.
 */
export const DERIVED_KEYS = ["seq", "pop", "lc", "ph", "stems", "len", "hash", "raw", "v"] as const;

/** `Movie` fields in the payload, in a fixed order. */
export const MOVIE_KEYS = MOVIE_FIELDS;

type Exhaustive<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const movieKeysCoverMovie: Exhaustive<(typeof MOVIE_KEYS)[number], keyof Movie> = true;
void movieKeysCoverMovie;

export type Payload = Record<string, unknown>;

export function encodeRaw(raw: Float32Array): string {
  return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString("base64");
}

export function decodeRaw(text: string): Float32Array {
  const bytes = Buffer.from(text, "base64");
  // Copied into its own aligned buffer: Buffer pools are not 4-byte aligned.
  const out = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

const lower = (xs: readonly string[]) => xs.map((x) => x.toLowerCase());

/** What a point's payload is built from besides the movie. */
export interface PointParts {
  seq: number;
  sentiment: number;
  stems: string[];
  length: number;
  /** Digest of the vectors' inputs the point was made with (embedder state, BM25 mean length). */
  basis: string;
}

/** A movie's payload (see `DERIVED_KEYS`). */
export function moviePayload(item: UpsertItem, parts: PointParts): Payload {
  const m = item.movie;
  const p: Payload = {};
  for (const key of MOVIE_KEYS) {
    if (key === "plot") {
      if (m.plot) p.plot = m.plot;
    } else p[key] = m[key];
  }
  p.sentiment = parts.sentiment;
  p.seq = parts.seq;
  p.pop = m.popularity ?? 0;
  p.lc = { genres: lower(m.genres), cast: lower(m.cast), directors: lower(m.directors), ...(m.language ? { language: m.language.toLowerCase() } : {}) };
  p.ph = { keywords: m.keywords, cast: m.cast, directors: m.directors, genres: m.genres };
  p.stems = parts.stems;
  p.len = parts.length;
  p.hash = item.textHash.toString("hex");
  p.raw = encodeRaw(item.raw);
  p.v = pointVersion(item, parts);
  return p;
}

/** Digest of everything a point is made from: equal digests, equal points. */
export function pointVersion(item: UpsertItem, parts: Pick<PointParts, "seq" | "basis">): string {
  const h = createHash("sha1");
  h.update(JSON.stringify(item.movie));
  h.update(item.textHash);
  h.update(new Uint8Array(item.raw.buffer, item.raw.byteOffset, item.raw.byteLength));
  h.update(`|${parts.seq}|${parts.basis}`);
  return h.digest("base64");
}

/** The digest of the collection-level inputs of every vector: the embedder's fitted state and the BM25 mean length. */
export function vectorBasis(state: EmbedderState | null, avgdl: number): string {
  return createHash("sha1").update(JSON.stringify(state)).update(`|${avgdl}`).digest("base64").slice(0, 12);
}

/** The payload keys to fetch for these fields (`plot` may be absent; `sentiment` is stored). */
export function payloadKeys(fields: readonly MovieField[]): string[] {
  return [...new Set<string>(["id", ...fields])];
}

/** A movie row from a payload, with the fields asked (and `id`). */
export function rowOf<F extends MovieField>(payload: Payload, fields: readonly F[]): MovieRow<F> {
  const row: Record<string, unknown> = { id: payload.id };
  for (const f of fields) {
    if (f === "plot") {
      if (payload.plot) row.plot = payload.plot;
    } else row[f] = payload[f] ?? (f === "sentiment" ? 0 : null);
  }
  return row as MovieRow<F>;
}

/** The movie a payload holds. */
export function movieOf(payload: Payload): Movie {
  const m: Record<string, unknown> = {};
  for (const key of MOVIE_KEYS) {
    if (key === "plot") {
      if (payload.plot) m.plot = payload.plot;
    } else m[key] = payload[key] ?? (["genres", "keywords", "cast", "directors", "companies"].includes(key) ? [] : null);
  }
  return m as unknown as Movie;
}

/** A movie with its text hash and raw vector, from a payload with `hash` and `raw`. */
export function recordOf(payload: Payload): UpsertItem {
  return { movie: movieOf(payload), textHash: Buffer.from(payload.hash as string, "hex"), raw: decodeRaw(payload.raw as string) };
}
