import { sentimentScore } from "../../catalog/sentiment.js";
import type Database from "better-sqlite3";

/**
 * Scores the overview of every movie whose sentiment is missing or was computed before its
 * text changed (`movies.text_hash`), and stores the scores. Called inside the ingest
 * transaction, so the scores always match the stored overviews; unchanged movies cost nothing
 * on a re-ingest. A placeholder (empty) overview scores 0, neutral. Returns how many movies
 * were scored.
 */
export function refreshSentiment(db: Database.Database): number {
  const stale = db
    .prepare(
      `SELECT m.rowid AS rowid, m.overview AS overview, m.text_hash AS hash
       FROM movies m LEFT JOIN sentiment s ON s.movie = m.rowid
       WHERE s.movie IS NULL OR s.text_hash != m.text_hash`,
    )
    .all() as { rowid: number; overview: string; hash: Buffer }[];
  const put = db.prepare(
    "INSERT INTO sentiment(movie, text_hash, score) VALUES (?, ?, ?) ON CONFLICT(movie) DO UPDATE SET text_hash = excluded.text_hash, score = excluded.score",
  );
  for (const r of stale) put.run(r.rowid, r.hash, sentimentScore(r.overview));
  return stale.length;
}

/**
 * Stored sentiment scores by rowid. Movies scored before their text changed are left out, as
 * are those of a collection written before sentiment was stored; callers score those on the fly.
 */
export function storedSentiment(db: Database.Database): Map<number, number> {
  const rows = db
    .prepare("SELECT s.movie, s.score FROM sentiment s JOIN movies m ON m.rowid = s.movie WHERE s.text_hash = m.text_hash")
    .raw()
    .all() as [number, number][];
  return new Map(rows);
}
