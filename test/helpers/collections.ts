import { createHash } from "node:crypto";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Plotline } from "../../src/plotline.js";
import { SqliteStore } from "../../src/store/sqlite/store.js";
import { MOVIES_CSV, NO_TMDB, ROOT, TMDB_CSV } from "./paths.js";

/**
 * The file the shared collections are built from: the real TMDB file, or, where it is missing,
 * the tiny fixture, so that a test file's module-level setup still runs while its tests (which
 * use `tmdbTest` from `data.ts`) are skipped with the reason.
 */
const SOURCE_CSV = NO_TMDB ? MOVIES_CSV : TMDB_CSV;

/** A fresh temporary directory, removed when the process exits. */
export function tempDir(prefix = "plotline-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function sourceHash(): string {
  const h = createHash("sha1");
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith(".js")) h.update(readFileSync(p));
    }
  };
  walk(join(ROOT, "dist/src"));
  h.update(`${NO_TMDB ? "fixture:" : ""}${statSync(SOURCE_CSV).size}`);
  return h.digest("hex").slice(0, 12);
}

/**
 * Path of a collection built from the real `tmdb-movies.csv` with the glove embedder, shared by
 * the test files of one run: built once (under a lock) and keyed by the compiled source, so a
 * code change rebuilds it. Tests must open it read-only.
 */
export function tmdbGloveDb(): Promise<string> {
  return tmdbDb("glove", "");
}

/**
 * The same with the real all-MiniLM-L6-v2 (`minilm`), for the test files that need it; callers
 * check `realMinilmMissing()` first. Keyed also by the ONNX file, so another import rebuilds it.
 */
export function tmdbMinilmDb(modelFile: string): Promise<string> {
  const s = statSync(modelFile);
  return tmdbDb("minilm", `${modelFile}:${s.size}:${s.mtimeMs}`);
}

async function tmdbDb(embedder: "glove" | "minilm", extraKey: string): Promise<string> {
  const dir = join(tmpdir(), "plotline-test-collections");
  mkdirSync(dir, { recursive: true });
  const key = createHash("sha1").update(sourceHash()).update(extraKey).digest("hex").slice(0, 12);
  const path = join(dir, `tmdb-${embedder}-${key}.db`);
  const lock = `${path}.lock`;
  for (;;) {
    if (existsSync(path)) return path;
    let fd: number;
    try {
      fd = openSync(lock, "wx");
    } catch {
      // Another test process is building it and touches the lock as it goes; a lock untouched
      // for 5 minutes is stale.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 300_000) rmSync(lock, { force: true });
      await sleep(200);
      continue;
    }
    try {
      const building = `${path}.${process.pid}.building`;
      const p = Plotline.open({ db: building, create: true });
      let touched = Date.now();
      await p.ingest([{ file: SOURCE_CSV }], {
        embedder,
        onProgress: () => {
          if (Date.now() - touched < 10_000) return;
          touched = Date.now();
          utimesSync(lock, new Date(), new Date());
        },
      });
      sqliteOf(p).collection.checkpoint();
      await p.close();
      renameSync(building, path);
      rmSync(`${building}-wal`, { force: true });
      rmSync(`${building}-shm`, { force: true });
      return path;
    } finally {
      closeSync(fd);
      rmSync(lock, { force: true });
    }
  }
}

/** The SQLite store behind a Plotline, for tests of the SQLite backend itself. */
export function sqliteOf(p: Plotline): SqliteStore {
  if (!(p.store instanceof SqliteStore)) throw new Error(`expected an SQLite store, got ${p.store.kind}`);
  return p.store;
}
