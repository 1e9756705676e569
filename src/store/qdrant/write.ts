import type { Schemas } from "@qdrant/js-client-rest";
import { sentimentScore } from "../../catalog/sentiment.js";
import { CollectionError, InvalidArgumentError } from "../../errors.js";
import { movieUuid } from "../remote/point-id.js";
import { batchDigest, chunks, runResumable, type Step } from "../remote/resumable.js";
import { lastOfEachId, type Finisher, type Manifest, type UpsertItem, type WriteBatch, type WriteResult } from "../store.js";
import type { QdrantConnection } from "./connection.js";
import { decodeRaw, moviePayload, MOVIE_KEYS, movieOf, pointVersion, vectorBasis, type Payload } from "./payload.js";
import { DENSE, LOG_ENTRIES, SPARSE, type PlotlineMeta, type WritePlan } from "./schema.js";
import { AVGDL_TOLERANCE, distinctTerms, documentTerms, documentVector } from "./sparse.js";

/** Points per upsert request: about 0.5-1.5 MB of JSON with TMDB's payloads, well under Qdrant's 32 MB limit. */
export const UPSERT_BATCH = 256;
/** Ids per delete request, and points per vector refresh. */
export const REMOVE_BATCH = 1000;
export const REFRESH_BATCH = 512;

/** What a write needs of the store. */
export interface WriteTarget {
  conn: QdrantConnection;
  collection: string;
  location: string;
  /** The collection's metadata and vector size as they are now; null when it does not exist. */
  load(): Promise<{ meta: PlotlineMeta; dims: number } | null>;
  /** Creates the collection for vectors of `dims` and returns its metadata. */
  create(dims: number): Promise<PlotlineMeta>;
  saveMeta(meta: PlotlineMeta): Promise<void>;
  /** Every point's payload keys (and raw vector when asked) in natural order, in pages. */
  scan(keys: readonly string[], options?: { filter?: Schemas["Filter"]; batchSize?: number }): AsyncIterable<{ id: string; payload: Payload }[]>;
  finisher(): Promise<Finisher>;
  onNotice?: (message: string) => void;
}

/** A movie of the write, and where its point goes. */
interface Upsert {
  item: UpsertItem;
  /** Index in the deduplicated upserts (the i-th new movie gets `seqBase + i`). */
  index: number;
}

/**
 * Applies a write batch to a Qdrant collection. Qdrant has no transactions across points, so
 * the batch is a resumable write (`runResumable`): a plan computed first (which movies are
 * new, the embedder state refitted on every raw vector, the BM25 mean length), then idempotent
 * steps (deletes, upserts of `UPSERT_BATCH` points with `wait`, vector refreshes of the movies
 * kept when the state or the mean length moved), each retried on transient failures and
 * checkpointed in the collection's metadata; then one metadata update commits the manifest,
 * the freshness token and the log. An interrupted write leaves its checkpoint, and running the
 * same batch again (the same command) finishes it without sending done steps again; until
 * then the collection holds part of the batch and `plotline info` says so. Points whose
 * content is unchanged are not sent (`v`), so writing the same batch twice changes nothing.
 */
export async function writeBatch(t: WriteTarget, batch: WriteBatch): Promise<WriteResult & { resumedFrom: number }> {
  const removeIds = [...new Set(batch.remove ?? [])];
  const upserts = lastOfEachId(batch.upsert ?? []);
  let loaded = await t.load();
  if (!loaded) {
    if (upserts.length === 0) return { missing: removeIds, count: 0, resumedFrom: 0 };
    if (!batch.manifest) throw new CollectionError(`${t.location}: the first write to a new collection needs the embedder's manifest`);
    loaded = { meta: await t.create(batch.manifest.dims), dims: batch.manifest.dims };
  }
  const { meta, dims } = loaded;
  const embedderId = batch.manifest?.embedderId ?? meta.manifest?.embedderId;
  if (batch.manifest && batch.manifest.dims !== dims) {
    throw new CollectionError(`${t.location}: the collection's vectors have ${dims} dimensions and ${batch.manifest.embedderId}'s ${batch.manifest.dims}; write to another collection (nothing was changed)`);
  }
  if (batch.manifest && meta.manifest && meta.manifest.embedderId !== batch.manifest.embedderId && (await countPoints(t)) > 0) {
    throw new CollectionError(`${t.location} was built with ${meta.manifest.embedderId}, not ${batch.manifest.embedderId}; ingest with that embedder or write to another collection (nothing was changed)`);
  }
  upserts.forEach((item, i) => {
    if (item.raw.length !== dims) throw new InvalidArgumentError(`upsert[${i}]`, `vector of ${item.movie.id} has ${item.raw.length} dimensions, expected ${dims}`);
  });
  if (upserts.length && !embedderId) throw new CollectionError(`${t.location}: the collection has no manifest; the batch must carry one`);
  const finish = batch.manifest?.finish ?? (upserts.length || batch.manifest?.fit ? await t.finisher() : null);
  const weights = meta.keyword.weights;
  const stems = new Map<string, string>();

  const result = await runResumable<WritePlan>({
    digest: batchDigest(batch),
    location: t.location,
    onNotice: t.onNotice,
    // Every request of a step retries by itself (`QdrantConnection.call`).
    retry: { attempts: 1 },
    onProgress: batch.onProgress,
    checkpoints: {
      load: async () => meta.pending,
      save: async (checkpoint) => {
        meta.pending = checkpoint;
        await t.saveMeta(meta);
      },
    },
    plan: () => plan(t, meta, batch, removeIds, upserts, stems),
    steps: (p) => {
      const basis = vectorBasis(p.state, p.avgdl);
      const steps: Step[] = [];
      for (const ids of chunks(removeIds, REMOVE_BATCH)) {
        steps.push({ size: ids.length, run: () => t.conn.call("write", (c) => c.delete(t.collection, { wait: true, points: ids.map(movieUuid) })).then(() => undefined) });
      }
      for (const part of chunks(upserts.map((item, index): Upsert => ({ item, index })), UPSERT_BATCH)) {
        steps.push({ size: part.length, run: () => upsertPart(t, part, p, basis, finish!, weights, stems) });
      }
      for (const range of p.refresh.ranges) {
        steps.push({ size: REFRESH_BATCH, run: () => refreshRange(t, range, p, finish!, weights, stems) });
      }
      return steps;
    },
  });

  const p = result.plan;
  const now = new Date().toISOString();
  const manifest: Manifest | null = batch.manifest
    ? { embedderId: batch.manifest.embedderId, dims: batch.manifest.dims, embedderState: p.state, createdAt: p.createdAt, updatedAt: now }
    : meta.manifest;
  const committed: PlotlineMeta = {
    ...meta,
    manifest,
    generation: meta.generation + 1,
    nextSeq: Math.max(meta.nextSeq, p.nextSeq),
    keyword: { ...meta.keyword, avgdl: p.avgdl },
    pending: null,
    log: batch.log ? [...meta.log, { at: now, files: batch.log.files, report: batch.log.report }].slice(-LOG_ENTRIES) : meta.log,
  };
  await t.saveMeta(committed);
  return { missing: p.missing, count: await countPoints(t), resumedFrom: result.resumedFrom };
}

async function countPoints(t: WriteTarget): Promise<number> {
  return (await t.conn.call("count movies", (c) => c.count(t.collection, { exact: true }))).count;
}

/** Reads the collection once (ids, order, lengths, raw vectors when the state is refitted) and decides everything the steps need. */
async function plan(t: WriteTarget, meta: PlotlineMeta, batch: WriteBatch, removeIds: string[], upserts: UpsertItem[], stems: Map<string, string>): Promise<WritePlan> {
  const fit = batch.manifest?.fit;
  const existing = new Map<string, { seq: number; len: number; raw?: Float32Array }>();
  let maxSeq = -1;
  for await (const page of t.scan(fit ? ["id", "seq", "len", "raw"] : ["id", "seq", "len"])) {
    for (const { payload } of page) {
      const seq = payload.seq as number;
      existing.set(payload.id as string, { seq, len: (payload.len as number) ?? 0, ...(fit ? { raw: decodeRaw(payload.raw as string) } : {}) });
      if (seq > maxSeq) maxSeq = seq;
    }
  }
  const removed = new Set(removeIds.filter((id) => existing.has(id)));
  const missing = removeIds.filter((id) => !removed.has(id));
  const upsertIds = new Set(upserts.map((u) => u.movie.id));
  const seqBase = Math.max(meta.nextSeq, maxSeq + 1);
  // Movies kept as they are; an upsert of a kept movie keeps its place, others go after all.
  const others: [string, { seq: number; len: number; raw?: Float32Array }][] = [];
  for (const entry of existing) if (!removed.has(entry[0]) && !upsertIds.has(entry[0])) others.push(entry);
  const seqOf = (u: UpsertItem, i: number) => {
    const e = existing.get(u.movie.id);
    return e && !removed.has(u.movie.id) ? e.seq : seqBase + i;
  };
  let tokens = 0;
  for (const [, e] of others) tokens += e.len;
  for (const u of upserts) tokens += documentTerms(u.movie, meta.keyword.weights, stems).length;
  const docs = others.length + upserts.length;
  const mean = docs ? tokens / docs : 0;
  const baked = meta.keyword.avgdl;
  const reweigh = others.length > 0 && (baked <= 0 || Math.abs(mean - baked) / baked > AVGDL_TOLERANCE);
  const avgdl = others.length === 0 || reweigh ? mean : baked;
  let state = meta.manifest?.embedderState ?? null;
  if (fit) {
    // The fit sees every raw vector of the collection after the batch, in natural order.
    const all: { seq: number; raw: Float32Array }[] = others.map(([, e]) => ({ seq: e.seq, raw: e.raw! }));
    upserts.forEach((u, i) => all.push({ seq: seqOf(u, i), raw: u.raw }));
    all.sort((a, b) => a.seq - b.seq);
    state = fit(all.map((x) => x.raw));
  }
  const refitted = JSON.stringify(state) !== JSON.stringify(meta.manifest?.embedderState ?? null);
  const ranges: [number, number][] = [];
  if ((refitted || reweigh) && others.length) {
    const seqs = others.map(([, e]) => e.seq).sort((a, b) => a - b);
    for (const part of chunks(seqs, REFRESH_BATCH)) ranges.push([part[0]!, part.at(-1)!]);
  }
  return {
    seqBase,
    nextSeq: seqBase + upserts.length,
    missing,
    state,
    avgdl,
    refresh: { dense: refitted, sparse: reweigh, ranges },
    createdAt: meta.manifest?.createdAt ?? new Date().toISOString(),
  };
}

/** A point for an upsert: payload, finished dense vector, BM25 sparse vector. */
function point(item: UpsertItem, seq: number, p: WritePlan, basis: string, finish: Finisher, weights: PlotlineMeta["keyword"]["weights"], stems: Map<string, string>): Schemas["PointStruct"] {
  const terms = documentTerms(item.movie, weights, stems);
  const payload = moviePayload(item, { seq, sentiment: sentimentScore(item.movie.overview), stems: distinctTerms(terms), length: terms.length, basis });
  return { id: movieUuid(item.movie.id), vector: { [DENSE]: Array.from(finish(item.raw, p.state)), [SPARSE]: documentVector(terms, p.avgdl) }, payload };
}

/** One upsert step: the part's points that are new or changed, in one request with `wait`. */
async function upsertPart(t: WriteTarget, part: Upsert[], p: WritePlan, basis: string, finish: Finisher, weights: PlotlineMeta["keyword"]["weights"], stems: Map<string, string>): Promise<void> {
  const found = new Map<string, { seq: number; v: string }>();
  const stored = await t.conn.call("read", (c) => c.retrieve(t.collection, { ids: part.map((u) => movieUuid(u.item.movie.id)), with_payload: ["id", "seq", "v"], with_vector: false }));
  for (const r of stored) {
    const pl = r.payload ?? {};
    found.set(pl.id as string, { seq: pl.seq as number, v: pl.v as string });
  }
  const points: Schemas["PointStruct"][] = [];
  for (const { item, index } of part) {
    const old = found.get(item.movie.id);
    const seq = old ? old.seq : p.seqBase + index;
    if (old && old.v === pointVersion(item, { seq, basis })) continue;
    points.push(point(item, seq, p, basis, finish, weights, stems));
  }
  if (points.length) await t.conn.call("write", (c) => c.upsert(t.collection, { wait: true, points }));
}

/** One refresh step: the kept movies of a `seq` range get the vectors of the new state or mean length. */
async function refreshRange(t: WriteTarget, [from, to]: [number, number], p: WritePlan, finish: Finisher, weights: PlotlineMeta["keyword"]["weights"], stems: Map<string, string>): Promise<void> {
  const keys = [...MOVIE_KEYS, "raw"];
  const points: Schemas["PointVectors"][] = [];
  for await (const page of t.scan(keys, { filter: { must: [{ key: "seq", range: { gte: from, lte: to } }] }, batchSize: REFRESH_BATCH })) {
    for (const { id, payload } of page) {
      const vector: Record<string, number[] | { indices: number[]; values: number[] }> = {};
      if (p.refresh.dense) vector[DENSE] = Array.from(finish(decodeRaw(payload.raw as string), p.state));
      if (p.refresh.sparse) vector[SPARSE] = documentVector(documentTerms(movieOf(payload), weights, stems), p.avgdl);
      points.push({ id, vector });
    }
  }
  if (points.length) await t.conn.call("write", (c) => c.updateVectors(t.collection, { wait: true, points }));
}
