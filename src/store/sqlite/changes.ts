import type Database from "better-sqlite3";

/**
 * The vector change log that the schema's triggers keep (see the migration that creates
 * `vector_changes`): a counter bumped by every insert, real update or delete of a vector, and
 * for each movie the counter value of its last change. Indexes saved beside the collection
 * record the counter they reflect; comparing it with `vectorsSeq` says whether they are stale,
 * and `changedSince` which rows to catch up with.
 */
export function vectorsSeq(db: Database.Database): number {
  const row = db.prepare("SELECT value FROM meta WHERE key = 'vectors_seq'").get() as { value: string } | undefined;
  return row ? Number(row.value) : 0;
}

/** Rowids whose vector was added, changed or deleted after change number `seq`. */
export function changedSince(db: Database.Database, seq: number): number[] {
  const rows = db.prepare("SELECT movie FROM vector_changes WHERE seq > ? ORDER BY movie").raw().all(seq) as [number][];
  return rows.map((r) => r[0]);
}

/** A JSON value kept under `key` in the collection's meta table, or null. */
export function metaJson<T>(db: Database.Database, key: string): T | null {
  const row = db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined;
  return row ? (JSON.parse(row.value) as T) : null;
}

export function setMetaJson(db: Database.Database, key: string, value: unknown): void {
  db.prepare("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(key, JSON.stringify(value));
}
