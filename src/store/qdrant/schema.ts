import type { Schemas } from "@qdrant/js-client-rest";
import type { Distribution, FieldWeights, Manifest } from "../store.js";
import type { Checkpoint } from "../remote/resumable.js";
import type { QdrantLocation } from "./location.js";
import { B, K1 } from "./sparse.js";

/** Names of the point vectors: the embedder's (finished, unit) vector, and the BM25 sparse vector. */
export const DENSE = "dense";
export const SPARSE = "text";

/** The key of Plotline's state in the collection's metadata. */
export const META_KEY = "plotline";
/** Layout version of what this backend writes; a collection of a newer one is refused. */
export const FORMAT = 1;
/** Ingest log entries kept in the metadata (the newest). */
export const LOG_ENTRIES = 20;

/**
 * What Plotline keeps in the Qdrant collection's own metadata (Qdrant 1.16), which the cluster
 * replicates through its consensus to every node: so every Plotline process on every machine
 * reads the same manifest and freshness token, and an interrupted write's checkpoint survives
 * the process that wrote it.
 */
export interface PlotlineMeta {
  format: number;
  manifest: Manifest | null;
  /** Committed write batches: the freshness token. */
  generation: number;
  /** The natural-order number the next new movie gets. */
  nextSeq: number;
  keyword: {
    /** Field weights the sparse vectors were made with: queries must use the same. */
    weights: FieldWeights;
    k1: number;
    b: number;
    /** Mean length in tokens the sparse vectors were weighted with (0 before the first movie). */
    avgdl: number;
  };
  /** The write in progress or interrupted, or null. */
  pending: Checkpoint<WritePlan> | null;
  log: { at: string; files: string[]; report: unknown }[];
}

/** What a write computes before sending anything (kept in its checkpoint; see `write.ts`). */
export interface WritePlan {
  /** `seq` of the batch's first upsert when new; the i-th upsert gets `seqBase + i`. */
  seqBase: number;
  nextSeq: number;
  /** Ids of `remove` that were not in the collection. */
  missing: string[];
  /** The embedder state every vector is finished with after the write. */
  state: Manifest["embedderState"];
  /** The BM25 mean length every sparse vector is weighted with after the write. */
  avgdl: number;
  /** Movies kept from before whose vectors change (a refit state, a re-weighted length): `seq` ranges, inclusive. */
  refresh: { dense: boolean; sparse: boolean; ranges: [number, number][] };
  createdAt: string;
}

export function initialMeta(weights: Readonly<FieldWeights>): PlotlineMeta {
  return { format: FORMAT, manifest: null, generation: 0, nextSeq: 0, keyword: { weights: { ...weights }, k1: K1, b: B, avgdl: 0 }, pending: null, log: [] };
}

/** The full-text index of phrase fields: Qdrant folds accents, lower-cases and stems, and keeps positions for phrases. */
const PHRASE_INDEX: Schemas["TextIndexParams"] = { type: "text", tokenizer: "word", lowercase: true, ascii_folding: true, phrase_matching: true, stemmer: { type: "snowball", language: "english" } };

/**
 * Every payload index the backend creates: a range index for each number filters compare and
 * for the orders (`seq` natural, `pop` popularity), keyword indexes for the lower-case filter
 * copies, the facet fields as spelled, the vocabulary terms and the embedding cache's hash, and
 * full-text indexes with phrase matching on the title and every other keyword-indexed field.
 */
export const PAYLOAD_INDEXES: readonly [string, Schemas["PayloadFieldSchema"]][] = [
  ["seq", { type: "integer", lookup: false, range: true, is_principal: true }],
  ["pop", { type: "float" }],
  ["year", { type: "integer", lookup: false, range: true }],
  ["runtime", { type: "float" }],
  ["rating", { type: "float" }],
  ["votes", { type: "float" }],
  ["lc.genres", { type: "keyword" }],
  ["lc.cast", { type: "keyword" }],
  ["lc.directors", { type: "keyword" }],
  ["lc.language", { type: "keyword" }],
  ["genres", { type: "keyword" }],
  ["keywords", { type: "keyword" }],
  ["cast", { type: "keyword" }],
  ["directors", { type: "keyword" }],
  ["companies", { type: "keyword" }],
  ["stems", { type: "keyword" }],
  ["hash", { type: "keyword" }],
  ["title", PHRASE_INDEX],
  ["tagline", PHRASE_INDEX],
  ["overview", PHRASE_INDEX],
  ["plot", PHRASE_INDEX],
  ["ph.keywords", PHRASE_INDEX],
  ["ph.cast", PHRASE_INDEX],
  ["ph.directors", PHRASE_INDEX],
  ["ph.genres", PHRASE_INDEX],
];

/** The body of the create-collection request for a collection of `dims`-dimensional vectors. */
export function createCollectionBody(dims: number, location: Pick<QdrantLocation, "create">, distribution: Distribution | undefined, meta: PlotlineMeta): Schemas["CreateCollection"] {
  const { m, efConstruct, indexingThresholdKb } = location.create;
  const hnsw = m !== undefined || efConstruct !== undefined ? { ...(m !== undefined ? { m } : {}), ...(efConstruct !== undefined ? { ef_construct: efConstruct } : {}) } : undefined;
  return {
    vectors: { [DENSE]: { size: dims, distance: "Cosine", ...(hnsw ? { hnsw_config: hnsw } : {}) } },
    sparse_vectors: { [SPARSE]: { modifier: "idf" } },
    // Qdrant's default keeps payloads on disk; every hit reads `id` and `seq` from its payload,
    // which then costs a disk read per hit (tens of ms a query measured on TMDB).
    on_disk_payload: location.create.onDiskPayload ?? false,
    ...(distribution?.shards !== undefined ? { shard_number: distribution.shards } : {}),
    ...(distribution?.replicas !== undefined ? { replication_factor: distribution.replicas } : {}),
    ...(distribution?.writeConsistency !== undefined ? { write_consistency_factor: distribution.writeConsistency } : {}),
    ...(indexingThresholdKb !== undefined ? { optimizers_config: { indexing_threshold: indexingThresholdKb } } : {}),
    metadata: { [META_KEY]: meta as unknown as Record<string, unknown> },
  };
}
