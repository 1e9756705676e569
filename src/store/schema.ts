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
];
