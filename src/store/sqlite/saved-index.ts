import { TimeSlice, yieldTurn } from "../../time-slice.js";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import type { Finisher, IndexStatus, Manifest } from "../store.js";
import type { Collection } from "./collection.js";
import { ExactIndex } from "../../vector-index/exact.js";
import { FlatVectors } from "../../vector-index/flat.js";
import { DEFAULT_HNSW, HnswIndex, type HnswParams } from "../../vector-index/hnsw.js";
import { IvfPqIndex, type IvfPqResolved } from "../../vector-index/ivfpq.js";
import { withDefaults } from "../../vector-index/params.js";
import { buildIndex, DEFAULT_INDEX_CONFIG, resolveKind, type IndexConfig } from "../../vector-index/select.js";
import type { IndexKind, MutableVectorIndex } from "../../vector-index/vector-index.js";

/** Meta key holding the collection's `IndexConfig`. */
export const INDEX_CONFIG_KEY = "index";

/**
 * A saved index catches up with the collection row by row while fewer than this share of its
 * vectors changed (default 0.5); beyond that a rebuild is cheaper and gives a better graph.
 */
export const SYNC_MAX_FRACTION = 0.5;

type SavedKind = Exclude<IndexKind, "exact">;

/** What a saved index records about the collection state it reflects (`<db>.<kind>.json`). */
export interface SidecarMeta {
  format: 1;
  kind: SavedKind;
  /** Hash of the collection's identity, embedder and fitted state: any change means rebuild. */
  key: string;
  /** `vectors_seq` of the collection when saved. */
  seq: number;
  count: number;
  /** HNSW: deleted entries still in the graph. */
  removed: number;
  params: HnswParams | IvfPqResolved;
  /** Size of the data file, to catch a data file and a meta file from different saves. */
  dataBytes: number;
  savedAt: string;
}

/** Files of a saved index beside the collection: `<db>.hnsw.usearch` or `<db>.ivfpq.bin`, and `<db>.<kind>.json`. */
export function sidecarPaths(db: string, kind: SavedKind): { data: string; meta: string } {
  return { data: kind === "hnsw" ? `${db}.hnsw.usearch` : `${db}.ivfpq.bin`, meta: `${db}.${kind}.json` };
}

function stateKey(manifest: Manifest): string {
  return createHash("sha256")
    .update(JSON.stringify([manifest.embedderId, manifest.dims, manifest.createdAt, manifest.embedderState]))
    .digest("hex")
    .slice(0, 32);
}

/** The collection's index choice (default `{ type: "auto" }`). */
export function indexConfig(collection: Collection): IndexConfig {
  return collection.metaJson<IndexConfig>(INDEX_CONFIG_KEY) ?? DEFAULT_INDEX_CONFIG;
}

export function setIndexConfig(collection: Collection, config: IndexConfig): void {
  collection.setMetaJson(INDEX_CONFIG_KEY, config);
}

/** Every stored vector after the collection-level finish step (unit vectors), in one store. */
export function finishedVectors(collection: Collection, finish: Finisher, manifest: Manifest): FlatVectors {
  const { dims, rowids, raw } = collection.vectors();
  const finished = new Float32Array(raw.length);
  for (let i = 0; i < rowids.length; i++) {
    finished.set(finish(raw.subarray(i * dims, (i + 1) * dims), manifest.embedderState), i * dims);
  }
  return new FlatVectors(dims, rowids, finished);
}

/**
 * `finishedVectors` with turns of the event loop between the read and the finishing, and
 * within the finishing when a slice is used up (`time-slice.ts`): together ~100 ms on 10k
 * vectors, which a server opening a new generation would otherwise not answer through.
 */
export async function finishedVectorsInSlices(collection: Collection, finish: Finisher, manifest: Manifest): Promise<FlatVectors> {
  await yieldTurn();
  const { dims, rowids, raw } = collection.vectors();
  const finished = new Float32Array(raw.length);
  const slice = new TimeSlice();
  for (let i = 0; i < rowids.length; i++) {
    finished.set(finish(raw.subarray(i * dims, (i + 1) * dims), manifest.embedderState), i * dims);
    if (slice.tick()) await slice.pause();
  }
  await yieldTurn();
  const flat = new FlatVectors(dims, rowids, finished);
  await yieldTurn();
  return flat;
}

export interface OpenIndexOptions {
  /** The finished vectors, when the caller has read them already (`finishedVectorsInSlices`). */
  flat?: FlatVectors;
  /** Index choice; default the collection's own (`indexConfig`). */
  config?: IndexConfig;
  /** Never write index files (a read-only open): a stale index is caught up or built in memory only. */
  readonly?: boolean;
  /** Build from the vectors even when a fresh saved index exists. */
  rebuild?: boolean;
  threads?: number;
  onNotice?: (message: string) => void;
  onProgress?: (done: number, total: number) => void;
}

export interface OpenedIndex {
  index: MutableVectorIndex;
  kind: IndexKind;
  /**
   * `exact`: nothing to load (the vectors are the index); `loaded`: read as saved; `synced`:
   * read, then caught up with `changes` rows; `built`: built from the vectors.
   */
  status: "exact" | "loaded" | "synced" | "built";
  changes: number;
  seconds: number;
  /** The data file written, when one was. */
  saved: string | null;
}

function readMeta(path: string): SidecarMeta | null {
  try {
    const meta = JSON.parse(readFileSync(path, "utf8")) as SidecarMeta;
    return meta.format === 1 ? meta : null;
  } catch {
    return null;
  }
}

/** Saved build parameters still fit the config: a parameter the config names must be the one built with. */
function paramsFit(kind: SavedKind, saved: SidecarMeta["params"], config: IndexConfig): boolean {
  const wanted = (kind === "hnsw" ? withDefaults(DEFAULT_HNSW, config.hnsw) : { ...config.ivfpq }) as Record<string, unknown>;
  const buildKeys = kind === "hnsw" ? ["M", "efConstruction", "quantization"] : ["nlist", "m", "nbits", "iterations", "seed"];
  const s = saved as unknown as Record<string, unknown>;
  return buildKeys.every((k) => wanted[k] === undefined || wanted[k] === null || wanted[k] === s[k]);
}

function loadSaved(kind: SavedKind, path: string, flat: FlatVectors, meta: SidecarMeta, config: IndexConfig): MutableVectorIndex {
  if (kind === "hnsw") {
    const saved = meta.params as HnswParams;
    return HnswIndex.load(path, flat, { ...saved, efSearch: config.hnsw?.efSearch ?? DEFAULT_HNSW.efSearch }, meta.removed);
  }
  return IvfPqIndex.load(path, flat, { nprobe: config.ivfpq?.nprobe ?? undefined, rerank: config.ivfpq?.rerank ?? undefined });
}

/** Writes the index's files atomically (data, then meta, each via a temporary file and a rename). */
export function saveIndex(db: string, index: MutableVectorIndex, manifest: Manifest, seq: number): string {
  if (index.kind === "exact") throw new Error("the exact index is the collection's vectors: nothing to save");
  const paths = sidecarPaths(db, index.kind);
  const tmp = `${paths.data}.${process.pid}.tmp`;
  try {
    if (index instanceof HnswIndex) index.save(tmp);
    else (index as IvfPqIndex).save(tmp);
    const dataBytes = statSync(tmp).size;
    renameSync(tmp, paths.data);
    const meta: SidecarMeta = {
      format: 1,
      kind: index.kind,
      key: stateKey(manifest),
      seq,
      count: index.size,
      removed: index instanceof HnswIndex ? index.removed : 0,
      params: index instanceof HnswIndex ? index.params : (index as IvfPqIndex).params,
      dataBytes,
      savedAt: new Date().toISOString(),
    };
    writeFileSync(`${paths.meta}.${process.pid}.tmp`, JSON.stringify(meta));
    renameSync(`${paths.meta}.${process.pid}.tmp`, paths.meta);
  } finally {
    rmSync(tmp, { force: true });
  }
  return paths.data;
}

/**
 * The collection's vector index, ready to search: exact needs nothing but the vectors; HNSW
 * and IVF-PQ are loaded from beside the collection when a saved one matches its embedder,
 * fitted state and build parameters, caught up row by row with what changed since it was saved
 * (the change log), and otherwise built from the vectors. Unless `readonly`, whatever was
 * built or caught up is saved again. A collection on `:memory:` is never saved.
 */
export function openCollectionIndex(collection: Collection, finish: Finisher, manifest: Manifest, options: OpenIndexOptions = {}): OpenedIndex {
  const t0 = performance.now();
  const config = options.config ?? indexConfig(collection);
  const flat = options.flat ?? finishedVectors(collection, finish, manifest);
  const kind = resolveKind(config.type, flat.size);
  const done = (index: MutableVectorIndex, status: OpenedIndex["status"], changes: number, saved: string | null): OpenedIndex => ({
    index,
    kind,
    status,
    changes,
    saved,
    seconds: (performance.now() - t0) / 1000,
  });
  if (kind === "exact") return done(new ExactIndex(flat), "exact", 0, null);

  const db = collection.path;
  const persist = db !== ":memory:" && db !== "";
  const paths = sidecarPaths(db, kind);
  const seq = collection.vectorsSeq();
  let index: MutableVectorIndex | null = null;
  let status: OpenedIndex["status"] = "built";
  let changes = 0;
  const meta = persist && !options.rebuild ? readMeta(paths.meta) : null;
  if (meta && meta.kind === kind && meta.key === stateKey(manifest) && paramsFit(kind, meta.params, config) && existsSync(paths.data) && statSync(paths.data).size === meta.dataBytes) {
    const changed = meta.seq === seq ? [] : collection.changedSince(meta.seq);
    if (changed.length <= SYNC_MAX_FRACTION * flat.size) {
      try {
        index = loadSaved(kind, paths.data, flat, meta, config);
        if (changed.length) index.refresh(changed);
        status = changed.length ? "synced" : "loaded";
        changes = changed.length;
      } catch (err) {
        options.onNotice?.(`${paths.data}: cannot load (${(err as Error).message}); rebuilding`);
        index = null;
      }
    }
  }
  if (!index) {
    if (flat.size >= 20_000) options.onNotice?.(`building the ${kind} index over ${flat.size.toLocaleString("en-US")} vectors`);
    index = buildIndex(kind, flat, config, { threads: options.threads, onProgress: options.onProgress });
  }
  let saved: string | null = null;
  if (persist && status !== "loaded") {
    if (options.readonly) options.onNotice?.(`the saved ${kind} index is missing or stale; ${status === "synced" ? "caught up" : "built"} in memory (run 'plotline index' to save it)`);
    else saved = saveIndex(db, index, manifest, seq);
  }
  return done(index, status, changes, saved);
}

/** Deletes saved index files of kinds other than `keep` (after switching index type). */
export function removeOtherSidecars(db: string, keep: IndexKind): string[] {
  const removed: string[] = [];
  for (const kind of ["hnsw", "ivfpq"] as const) {
    if (kind === keep) continue;
    for (const p of Object.values(sidecarPaths(db, kind))) {
      if (existsSync(p)) {
        rmSync(p, { force: true });
        removed.push(p);
      }
    }
  }
  return removed;
}

/** What `plotline info` shows about the index, without loading it. */
export function indexStatus(collection: Collection, manifest: Manifest | null): IndexStatus {
  const config = indexConfig(collection);
  const kind = resolveKind(config.type, collection.count());
  if (kind === "exact" || !manifest) return { config, kind, file: null, bytes: null, fresh: null };
  const paths = sidecarPaths(collection.path, kind);
  const meta = readMeta(paths.meta);
  const exists = existsSync(paths.data);
  const bytes = exists ? statSync(paths.data).size : null;
  const fresh = !!meta && exists && meta.key === stateKey(manifest) && meta.seq === collection.vectorsSeq() && meta.dataBytes === bytes;
  return { config, kind, file: exists ? paths.data : null, bytes, fresh };
}
