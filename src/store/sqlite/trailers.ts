import type Database from "better-sqlite3";
import { InvalidArgumentError } from "../../errors.js";
import type { LanguageFinding, LanguageSource } from "../../media/language.js";
import type { MovieTranscripts, Trailer, TrailerCounts, TrailerInfo, TrailerMatchNote, TranscriptSource } from "../trailers.js";
import { blobToVector, vectorToBlob } from "./codec.js";

/**
 * The `trailers` table (schema migration 6) and the `transcript` column of `movies` it keeps
 * up to date: the SQLite side of the store's trailer methods. A trailer's movie is a rowid here
 * (`ON DELETE SET NULL`: removing a movie detaches its trailers, which keep their transcript).
 */

type Row = Record<string, unknown>;

const SELECT = "SELECT t.*, m.id AS movie_id FROM trailers t LEFT JOIN movies m ON m.rowid = t.movie";

function toTrailer(r: Row): Trailer {
  return {
    hash: (r.hash as Buffer).toString("hex"),
    file: r.file as string,
    bytes: r.bytes as number,
    movie: (r.movie_id as string | null) ?? null,
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

function hashBlob(hash: string): Buffer {
  if (!/^[0-9a-f]{40}$/.test(hash)) throw new InvalidArgumentError("hash", `must be 40 lower-case hex digits (a SHA-1), got '${hash}'`);
  return Buffer.from(hash, "hex");
}

export function trailerByHash(db: Database.Database, hash: string): Trailer | null {
  const r = db.prepare(`${SELECT} WHERE t.hash = ?`).get(hashBlob(hash)) as Row | undefined;
  return r ? toTrailer(r) : null;
}

/**
 * Writes trailers (insert, or replace the one with the same hash) and brings the `transcript`
 * column of the movies they left and joined up to date. Runs inside the write batch's
 * transaction, so a trailer and its movie's searchable text change together.
 */
export function saveTrailers(db: Database.Database, trailers: readonly Trailer[]): void {
  const rowidOf = db.prepare("SELECT rowid FROM movies WHERE id = ?").pluck();
  const before = db.prepare("SELECT movie FROM trailers WHERE hash = ?").pluck();
  const put = db.prepare(
    `INSERT INTO trailers (hash, file, bytes, movie, match, seconds, recognizer, transcript, transcript_source, language, language_source, languages, embedder, raw, created_at)
     VALUES (@hash, @file, @bytes, @movie, @match, @seconds, @recognizer, @transcript, @transcriptSource, @language, @languageSource, @languages, @embedder, @raw, @createdAt)
     ON CONFLICT(hash) DO UPDATE SET file = excluded.file, bytes = excluded.bytes, movie = excluded.movie, match = excluded.match,
       seconds = excluded.seconds, recognizer = excluded.recognizer, transcript = excluded.transcript,
       transcript_source = excluded.transcript_source, language = excluded.language, language_source = excluded.language_source,
       languages = excluded.languages, embedder = excluded.embedder, raw = excluded.raw, created_at = excluded.created_at`,
  );
  const touched = new Set<number>();
  trailers.forEach((t, i) => {
    const hash = hashBlob(t.hash);
    let movie: number | null = null;
    if (t.movie !== null) {
      movie = (rowidOf.get(t.movie) as number | undefined) ?? null;
      if (movie === null) throw new InvalidArgumentError(`trailers[${i}].movie`, `no movie '${t.movie}' in the collection`);
      touched.add(movie);
    }
    const old = before.get(hash) as number | null | undefined;
    if (old !== undefined && old !== null) touched.add(old);
    put.run({
      hash,
      file: t.file,
      bytes: t.bytes,
      movie,
      match: JSON.stringify(t.match),
      seconds: t.seconds,
      recognizer: t.recognizer,
      transcript: t.transcript,
      transcriptSource: t.transcriptSource,
      language: t.language,
      languageSource: t.languageSource,
      languages: JSON.stringify(t.languages),
      embedder: t.embedder,
      raw: t.raw ? vectorToBlob(t.raw) : null,
      createdAt: t.createdAt,
    });
  });
  // A movie's trailers' transcripts, joined in file order, or NULL when none has words.
  const refresh = db.prepare(
    `UPDATE movies SET transcript = (
       SELECT group_concat(transcript, char(10) || char(10)) FROM
         (SELECT transcript FROM trailers WHERE movie = @movie AND transcript != '' ORDER BY file, hash)
     ) WHERE rowid = @movie`,
  );
  for (const movie of touched) refresh.run({ movie });
}

/** A movie's trailers in file order, without vectors. */
export function trailersOfMovie(db: Database.Database, id: string): TrailerInfo[] {
  const rows = db.prepare(`${SELECT} WHERE m.id = ? ORDER BY t.file, t.hash`).all(id) as Row[];
  return rows.map((r) => {
    const { raw: _raw, ...info } = toTrailer(r);
    return info;
  });
}

/** Every movie with an attached trailer, in rowid order; see `Store.transcripts`. */
export function movieTranscripts(db: Database.Database, embedderId: string): MovieTranscripts[] {
  const rows = db
    .prepare("SELECT m.id, m.transcript, t.file, t.language, t.embedder, t.raw FROM trailers t JOIN movies m ON m.rowid = t.movie ORDER BY t.movie, t.file, t.hash")
    .raw()
    .all() as [string, string | null, string, string | null, string | null, Buffer | null][];
  const out = new Map<string, MovieTranscripts>();
  for (const [id, transcript, file, language, embedder, raw] of rows) {
    let m = out.get(id);
    if (!m) out.set(id, (m = { id, transcript: transcript ?? "", languages: [], files: [], raws: [] }));
    m.files.push(file);
    if (language && !m.languages.includes(language)) m.languages.push(language);
    if (raw && embedder === embedderId) m.raws.push(blobToVector(raw));
  }
  return [...out.values()];
}

/** The languages of each movie's attached trailers (ISO 639-1), by rowid; movies without trailers are absent. */
export function trailerLanguages(db: Database.Database): Map<number, string[]> {
  const out = new Map<number, string[]>();
  const rows = db.prepare("SELECT DISTINCT movie, language FROM trailers WHERE movie IS NOT NULL AND language IS NOT NULL ORDER BY movie, language").raw().all() as [number, string][];
  for (const [movie, language] of rows) {
    const list = out.get(movie);
    if (list) list.push(language);
    else out.set(movie, [language]);
  }
  return out;
}

export function trailerCounts(db: Database.Database): TrailerCounts {
  return db.prepare("SELECT count(*) AS trailers, count(movie) AS attached FROM trailers").get() as TrailerCounts;
}
