/**
 * Schema migrations, applied in order inside one transaction; `PRAGMA user_version` records
 * how many have run. Append new steps, never edit old ones: collections on disk depend on them.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE movies (
    rowid INTEGER PRIMARY KEY,          -- internal key shared by vectors and text indexes
    id TEXT NOT NULL UNIQUE,            -- imdb id or <source>:<source id>
    source TEXT NOT NULL,
    source_id TEXT NOT NULL,
    title TEXT NOT NULL,
    year INTEGER,
    overview TEXT NOT NULL,
    tagline TEXT,
    genres TEXT NOT NULL,               -- JSON arrays of strings
    keywords TEXT NOT NULL,
    cast_members TEXT NOT NULL,
    directors TEXT NOT NULL,
    companies TEXT NOT NULL,
    runtime REAL,
    rating REAL,
    votes INTEGER,
    popularity REAL,
    budget REAL,
    revenue REAL,
    poster_url TEXT,
    language TEXT,
    text_hash BLOB NOT NULL             -- hash of the embedded text: unchanged text, unchanged vector
  );
  CREATE INDEX movies_title ON movies(title COLLATE NOCASE);
  CREATE TABLE vectors (
    movie INTEGER PRIMARY KEY REFERENCES movies(rowid) ON DELETE CASCADE,
    raw BLOB NOT NULL                   -- float32 LE, before the collection-level finish step
  );
  CREATE TABLE embedding_cache (
    embedder TEXT NOT NULL,
    hash BLOB NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (embedder, hash)
  ) WITHOUT ROWID;
  CREATE TABLE ingests (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    files TEXT NOT NULL,                -- JSON
    report TEXT NOT NULL                -- JSON IngestReport summary
  );
  `,
  // Overview sentiment for re-ranking recommendations (src/catalog/sentiment.ts), written in the
  // ingest transaction; text_hash tells a score computed from an older overview.
  `
  CREATE TABLE sentiment (
    movie INTEGER PRIMARY KEY REFERENCES movies(rowid) ON DELETE CASCADE,
    text_hash BLOB NOT NULL,            -- movies.text_hash the score was computed from
    score REAL NOT NULL                 -- -1..1
  );
  `,
  // Full-text index for keyword search (src/store/sqlite/keyword.ts): FTS5 over the movies table
  // itself (external content), kept in step by triggers, so every write to `movies` (ingest,
  // remove) updates it in the same transaction. Porter stemming over unicode61 with accents
  // folded; list columns are indexed as stored (JSON arrays: the punctuation separates tokens).
  // The update trigger fires only when an indexed column changed, so re-ingesting unchanged
  // movies does not rewrite the index.
  `
  CREATE VIRTUAL TABLE movies_fts USING fts5(
    title, keywords, cast_members, directors, genres, tagline, overview,
    content = 'movies', content_rowid = 'rowid',
    tokenize = 'porter unicode61 remove_diacritics 2'
  );
  CREATE TRIGGER movies_fts_insert AFTER INSERT ON movies BEGIN
    INSERT INTO movies_fts(rowid, title, keywords, cast_members, directors, genres, tagline, overview)
    VALUES (new.rowid, new.title, new.keywords, new.cast_members, new.directors, new.genres, new.tagline, new.overview);
  END;
  CREATE TRIGGER movies_fts_delete AFTER DELETE ON movies BEGIN
    INSERT INTO movies_fts(movies_fts, rowid, title, keywords, cast_members, directors, genres, tagline, overview)
    VALUES ('delete', old.rowid, old.title, old.keywords, old.cast_members, old.directors, old.genres, old.tagline, old.overview);
  END;
  CREATE TRIGGER movies_fts_update AFTER UPDATE ON movies
  WHEN old.title IS NOT new.title OR old.keywords IS NOT new.keywords OR old.cast_members IS NOT new.cast_members
    OR old.directors IS NOT new.directors OR old.genres IS NOT new.genres OR old.tagline IS NOT new.tagline
    OR old.overview IS NOT new.overview
  BEGIN
    INSERT INTO movies_fts(movies_fts, rowid, title, keywords, cast_members, directors, genres, tagline, overview)
    VALUES ('delete', old.rowid, old.title, old.keywords, old.cast_members, old.directors, old.genres, old.tagline, old.overview);
    INSERT INTO movies_fts(rowid, title, keywords, cast_members, directors, genres, tagline, overview)
    VALUES (new.rowid, new.title, new.keywords, new.cast_members, new.directors, new.genres, new.tagline, new.overview);
  END;
  INSERT INTO movies_fts(movies_fts) VALUES ('rebuild');
  `,
  // Merged catalogs (src/catalog/merge.ts): a plot from a second catalog. And a change log for
  // the vector indexes saved beside the collection (src/store/sqlite/saved-index.ts): every insert,
  // real update or delete of a vector bumps meta 'vectors_seq' and records the movie's rowid
  // with that number, so a saved index can tell it is stale and catch up with just the
  // changed rows. One row per movie (deleted ones too), so the log stays bounded.
  `
  ALTER TABLE movies ADD COLUMN plot TEXT;
  INSERT OR IGNORE INTO meta(key, value) VALUES ('vectors_seq', '0');
  CREATE TABLE vector_changes (movie INTEGER PRIMARY KEY, seq INTEGER NOT NULL);
  CREATE INDEX vector_changes_seq ON vector_changes(seq);
  -- DELETE then INSERT, not INSERT OR REPLACE: an UPSERT on vectors overrides the conflict
  -- clause of statements in its triggers, so OR REPLACE would still fail on a repeated movie.
  CREATE TRIGGER vectors_log_insert AFTER INSERT ON vectors BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'vectors_seq';
    DELETE FROM vector_changes WHERE movie = new.movie;
    INSERT INTO vector_changes(movie, seq) SELECT new.movie, CAST(value AS INTEGER) FROM meta WHERE key = 'vectors_seq';
  END;
  CREATE TRIGGER vectors_log_update AFTER UPDATE ON vectors WHEN old.raw IS NOT new.raw OR old.movie IS NOT new.movie BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'vectors_seq';
    DELETE FROM vector_changes WHERE movie = old.movie;
    INSERT INTO vector_changes(movie, seq) SELECT old.movie, CAST(value AS INTEGER) FROM meta WHERE key = 'vectors_seq';
    DELETE FROM vector_changes WHERE movie = new.movie;
    INSERT INTO vector_changes(movie, seq) SELECT new.movie, CAST(value AS INTEGER) FROM meta WHERE key = 'vectors_seq';
  END;
  CREATE TRIGGER vectors_log_delete AFTER DELETE ON vectors BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'vectors_seq';
    DELETE FROM vector_changes WHERE movie = old.movie;
    INSERT INTO vector_changes(movie, seq) SELECT old.movie, CAST(value AS INTEGER) FROM meta WHERE key = 'vectors_seq';
  END;
  `,
  // Keyword search over merged plots too: the full-text index of migration 3 again, with the
  // \`plot\` column of migration 4 (an FTS5 table's columns cannot be altered, so it is rebuilt).
  `
  DROP TRIGGER movies_fts_insert;
  DROP TRIGGER movies_fts_delete;
  DROP TRIGGER movies_fts_update;
  DROP TABLE movies_fts;
  CREATE VIRTUAL TABLE movies_fts USING fts5(
    title, keywords, cast_members, directors, genres, tagline, overview, plot,
    content = 'movies', content_rowid = 'rowid',
    tokenize = 'porter unicode61 remove_diacritics 2'
  );
  CREATE TRIGGER movies_fts_insert AFTER INSERT ON movies BEGIN
    INSERT INTO movies_fts(rowid, title, keywords, cast_members, directors, genres, tagline, overview, plot)
    VALUES (new.rowid, new.title, new.keywords, new.cast_members, new.directors, new.genres, new.tagline, new.overview, new.plot);
  END;
  CREATE TRIGGER movies_fts_delete AFTER DELETE ON movies BEGIN
    INSERT INTO movies_fts(movies_fts, rowid, title, keywords, cast_members, directors, genres, tagline, overview, plot)
    VALUES ('delete', old.rowid, old.title, old.keywords, old.cast_members, old.directors, old.genres, old.tagline, old.overview, old.plot);
  END;
  CREATE TRIGGER movies_fts_update AFTER UPDATE ON movies
  WHEN old.title IS NOT new.title OR old.keywords IS NOT new.keywords OR old.cast_members IS NOT new.cast_members
    OR old.directors IS NOT new.directors OR old.genres IS NOT new.genres OR old.tagline IS NOT new.tagline
    OR old.overview IS NOT new.overview OR old.plot IS NOT new.plot
  BEGIN
    INSERT INTO movies_fts(movies_fts, rowid, title, keywords, cast_members, directors, genres, tagline, overview, plot)
    VALUES ('delete', old.rowid, old.title, old.keywords, old.cast_members, old.directors, old.genres, old.tagline, old.overview, old.plot);
    INSERT INTO movies_fts(rowid, title, keywords, cast_members, directors, genres, tagline, overview, plot)
    VALUES (new.rowid, new.title, new.keywords, new.cast_members, new.directors, new.genres, new.tagline, new.overview, new.plot);
  END;
  INSERT INTO movies_fts(movies_fts) VALUES ('rebuild');
  `,
  // Trailers (src/trailers.ts, src/store/sqlite/trailers.ts): one row per video file, keyed by the hash of its bytes, so a
  // re-run skips what is done and a killed run keeps every file it finished. A trailer keeps its
  // transcript and language findings when it matches no movie (movie NULL), so attaching it
  // later needs no second transcription. A movie's trailers' transcripts, joined, are its
  // `transcript` column: keyword search indexes it as a field of its own (the full-text index
  // is rebuilt with it, as in migration 5).
  `
  ALTER TABLE movies ADD COLUMN transcript TEXT;
  CREATE TABLE trailers (
    hash BLOB PRIMARY KEY,              -- SHA-1 of the file's bytes
    file TEXT NOT NULL,                 -- path as last given
    bytes INTEGER NOT NULL,
    movie INTEGER REFERENCES movies(rowid) ON DELETE SET NULL,
    match TEXT NOT NULL,                -- JSON: how the file name was matched (or why not)
    seconds REAL NOT NULL,              -- audio length
    recognizer TEXT NOT NULL,           -- recogniser id, e.g. pocketsphinx/pocketsphinx_continuous/en-us
    transcript TEXT NOT NULL,
    transcript_source TEXT NOT NULL,    -- speech | subtitles | none
    language TEXT,                      -- ISO 639-1, chosen from the findings
    language_source TEXT,               -- audio-tag | subtitles | transcript
    languages TEXT NOT NULL,            -- JSON: every finding with its source and confidence
    embedder TEXT,                      -- embedder id of raw
    raw BLOB,                           -- float32 LE raw embedding of the transcript
    created_at TEXT NOT NULL
  );
  CREATE INDEX trailers_movie ON trailers(movie);
  DROP TRIGGER movies_fts_insert;
  DROP TRIGGER movies_fts_delete;
  DROP TRIGGER movies_fts_update;
  DROP TABLE movies_fts;
  CREATE VIRTUAL TABLE movies_fts USING fts5(
    title, keywords, cast_members, directors, genres, tagline, overview, plot, transcript,
    content = 'movies', content_rowid = 'rowid',
    tokenize = 'porter unicode61 remove_diacritics 2'
  );
  CREATE TRIGGER movies_fts_insert AFTER INSERT ON movies BEGIN
    INSERT INTO movies_fts(rowid, title, keywords, cast_members, directors, genres, tagline, overview, plot, transcript)
    VALUES (new.rowid, new.title, new.keywords, new.cast_members, new.directors, new.genres, new.tagline, new.overview, new.plot, new.transcript);
  END;
  CREATE TRIGGER movies_fts_delete AFTER DELETE ON movies BEGIN
    INSERT INTO movies_fts(movies_fts, rowid, title, keywords, cast_members, directors, genres, tagline, overview, plot, transcript)
    VALUES ('delete', old.rowid, old.title, old.keywords, old.cast_members, old.directors, old.genres, old.tagline, old.overview, old.plot, old.transcript);
  END;
  CREATE TRIGGER movies_fts_update AFTER UPDATE ON movies
  WHEN old.title IS NOT new.title OR old.keywords IS NOT new.keywords OR old.cast_members IS NOT new.cast_members
    OR old.directors IS NOT new.directors OR old.genres IS NOT new.genres OR old.tagline IS NOT new.tagline
    OR old.overview IS NOT new.overview OR old.plot IS NOT new.plot OR old.transcript IS NOT new.transcript
  BEGIN
    INSERT INTO movies_fts(movies_fts, rowid, title, keywords, cast_members, directors, genres, tagline, overview, plot, transcript)
    VALUES ('delete', old.rowid, old.title, old.keywords, old.cast_members, old.directors, old.genres, old.tagline, old.overview, old.plot, old.transcript);
    INSERT INTO movies_fts(rowid, title, keywords, cast_members, directors, genres, tagline, overview, plot, transcript)
    VALUES (new.rowid, new.title, new.keywords, new.cast_members, new.directors, new.genres, new.tagline, new.overview, new.plot, new.transcript);
  END;
  INSERT INTO movies_fts(movies_fts) VALUES ('rebuild');
  `,
];
