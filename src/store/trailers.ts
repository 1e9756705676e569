import type { LanguageFinding, LanguageSource } from "../media/language.js";
import type { Collection } from "./collection.js";
import { blobToVector, vectorToBlob } from "./codec.js";

/**
 * Trailers in the collection (schema migration 6): one row per video file, keyed by the
 * SHA-1 of its bytes, attached to a movie or not yet. Everything that reads or writes them goes
 * through these functions, so that no SQL about trailers lives outside the store.
 */

/** Where a trailer's text came from: recognised speech, the subtitles beside it, or nothing usable. */
export type TranscriptSource = "speech" | "subtitles" | "none";

/** How a file name was matched to a movie, kept for the summary and for re-runs. */
export interface TrailerMatchNote {
  kind: "matched" | "ambiguous" | "unmatched" | "standalone";
  /** The title and year read from the file name. */
  title: string;
  year: number | null;
  /** How the match was made ("title and year"), for matched files. */
  how?: string;
  /** The candidates of an ambiguous name, as `Title (year) id`. */
  candidates?: string[];
}

export interface TrailerRecord {
  hash: Buffer;
  file: string;
  bytes: number;
  /** The movie's rowid; null while the file matches no movie. */
  movie: number | null;
  match: TrailerMatchNote;
  seconds: number;
  recognizer: string;
  transcript: string;
  transcriptSource: TranscriptSource;
  language: string | null;
  languageSource: LanguageSource | null;
  languages: LanguageFinding[];
  /** Embedder id of `raw`; null when the transcript is empty (nothing to embed). */
  embedder: string | null;
  raw: Float32Array | null;
  createdAt: string;
}

/** A trailer as the movie page shows it: no vector. */
export type TrailerInfo = Omit<TrailerRecord, "hash" | "raw" | "movie"> & { hash: string };

type Row = Record<string, unknown>;

function toRecord(r: Row): TrailerRecord {
  return {
    hash: r.hash as Buffer,
    file: r.file as string,
    bytes: r.bytes as number,
    movie: (r.movie as number | null) ?? null,
    match: JSON.parse(r.match as string) as TrailerMatchNote,
    seconds: r.seconds as number,
    recognizer: r.recognizer as string,
    transcript: r.transcript as string,
    transcriptSource: r.transcript_source as TranscriptSource,
    language: (r.language as string | null) ?? null,
    languageSource: (r.language_source as LanguageSource | null) ?? null,
    languages: JSON.parse(r.languages as string) as LanguageFinding[],
    embedder: (r.embedder as string | null) ?? null,
    raw: r.raw ? blobToVector(r.raw as Buffer) : null,
    createdAt: r.created_at as string,
  };
}

/** The trailer stored under a content hash, or null. */
export function trailerByHash(collection: Collection, hash: Buffer): TrailerRecord | null {
  const r = collection.db.prepare("SELECT * FROM trailers WHERE hash = ?").get(hash) as Row | undefined;
  return r ? toRecord(r) : null;
}

/**
 * Writes a trailer (insert, or replace the one with the same hash) and brings the transcript
 * column of the movies it left and joined up to date. Call inside `collection.write`, so the
 * trailer and the movie's searchable text change together.
 */
export function saveTrailer(collection: Collection, t: TrailerRecord): void {
  const before = collection.db.prepare("SELECT movie FROM trailers WHERE hash = ?").pluck().get(t.hash) as number | null | undefined;
  collection.db
    .prepare(
      `INSERT INTO trailers (hash, file, bytes, movie, match, seconds, recognizer, transcript, transcript_source, language, language_source, languages, embedder, raw, created_at)
       VALUES (@hash, @file, @bytes, @movie, @match, @seconds, @recognizer, @transcript, @transcriptSource, @language, @languageSource, @languages, @embedder, @raw, @createdAt)
       ON CONFLICT(hash) DO UPDATE SET file = excluded.file, bytes = excluded.bytes, movie = excluded.movie, match = excluded.match,
         seconds = excluded.seconds, recognizer = excluded.recognizer, transcript = excluded.transcript,
         transcript_source = excluded.transcript_source, language = excluded.language, language_source = excluded.language_source,
         languages = excluded.languages, embedder = excluded.embedder, raw = excluded.raw, created_at = excluded.created_at`,
    )
    .run({
      hash: t.hash,
      file: t.file,
      bytes: t.bytes,
      movie: t.movie,
      seconds: t.seconds,
      recognizer: t.recognizer,
      transcript: t.transcript,
      transcriptSource: t.transcriptSource,
      language: t.language,
      languageSource: t.languageSource,
      embedder: t.embedder,
      createdAt: t.createdAt,
      match: JSON.stringify(t.match),
      languages: JSON.stringify(t.languages),
      raw: t.raw ? vectorToBlob(t.raw) : null,
    });
  for (const movie of new Set([before ?? null, t.movie])) if (movie !== null) refreshMovieTranscript(collection, movie);
  // State built over the collection elsewhere (a server's recommendation context) is keyed by this stamp.
  collection.db.prepare("UPDATE meta SET value = ? WHERE key = 'updated_at'").run(new Date().toISOString());
}

/** Sets a movie's `transcript` column to its trailers' transcripts joined (in file order), or NULL when it has none. */
function refreshMovieTranscript(collection: Collection, movie: number): void {
  collection.db
    .prepare(
      `UPDATE movies SET transcript = (
         SELECT group_concat(transcript, char(10) || char(10)) FROM
           (SELECT transcript FROM trailers WHERE movie = @movie AND transcript != '' ORDER BY file, hash)
       ) WHERE rowid = @movie`,
    )
    .run({ movie });
}

/** A movie's trailers in file order, for its page. */
export function trailersOfMovie(collection: Collection, movie: number): TrailerInfo[] {
  const rows = collection.db.prepare("SELECT * FROM trailers WHERE movie = ? ORDER BY file, hash").all(movie) as Row[];
  return rows.map((r) => {
    const { hash, raw: _raw, movie: _movie, ...rest } = toRecord(r);
    return { ...rest, hash: hash.toString("hex") };
  });
}

/** What search and recommendations read about the movies that have trailers. */
export interface MovieTrailers {
  movie: number;
  /** The `transcript` column: every trailer's text, joined. */
  transcript: string;
  /** The trailers' languages (ISO 639-1), each once. */
  languages: string[];
  /** Raw transcript vectors of `embedderId`, one per trailer that has one. */
  raws: Float32Array[];
}

/**
 * Every movie with at least one trailer attached: transcript, languages, and the raw transcript
 * vectors made with `embedderId` (vectors of another embedder are left out; the next
 * `trailers` run re-embeds them).
 */
export function movieTrailers(collection: Collection, embedderId: string | null): MovieTrailers[] {
  const rows = collection.db
    .prepare("SELECT t.movie, m.transcript, t.language, t.embedder, t.raw FROM trailers t JOIN movies m ON m.rowid = t.movie ORDER BY t.movie, t.file, t.hash")
    .raw()
    .all() as [number, string | null, string | null, string | null, Buffer | null][];
  const out = new Map<number, MovieTrailers>();
  for (const [movie, transcript, language, embedder, raw] of rows) {
    let m = out.get(movie);
    if (!m) out.set(movie, (m = { movie, transcript: transcript ?? "", languages: [], raws: [] }));
    if (language && !m.languages.includes(language)) m.languages.push(language);
    if (raw && embedder === embedderId) m.raws.push(blobToVector(raw));
  }
  return [...out.values()];
}

/** The languages of each movie's attached trailers (ISO 639-1), by rowid; movies without trailers are absent. */
export function trailerLanguages(collection: Collection): Map<number, string[]> {
  const out = new Map<number, string[]>();
  const rows = collection.db.prepare("SELECT DISTINCT movie, language FROM trailers WHERE movie IS NOT NULL AND language IS NOT NULL ORDER BY movie, language").raw().all() as [number, string][];
  for (const [movie, language] of rows) {
    const list = out.get(movie);
    if (list) list.push(language);
    else out.set(movie, [language]);
  }
  return out;
}

/** Trailer file names (with and without folder) and the movie each is attached to, for looking a movie up by its trailer. */
export function trailerFiles(collection: Collection): { file: string; movie: number }[] {
  return collection.db.prepare("SELECT file, movie FROM trailers WHERE movie IS NOT NULL ORDER BY file").all() as { file: string; movie: number }[];
}

/** Every movie's rowid, id, title and year: what file names are matched against. */
export function movieTitles(collection: Collection): { rowid: number; id: string; title: string; year: number | null }[] {
  return collection.db.prepare("SELECT rowid, id, title, year FROM movies ORDER BY rowid").all() as { rowid: number; id: string; title: string; year: number | null }[];
}

/** How many trailers the collection holds, and how many are attached to a movie. */
export function trailerCounts(collection: Collection): { trailers: number; attached: number } {
  const r = collection.db.prepare("SELECT count(*) AS trailers, count(movie) AS attached FROM trailers").get() as { trailers: number; attached: number };
  return r;
}
