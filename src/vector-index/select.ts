import { InvalidArgumentError } from "../errors.js";
import { ExactIndex } from "./exact.js";
import type { FlatVectors } from "./flat.js";
import { HnswIndex, type HnswParams } from "./hnsw.js";
import { IvfPqIndex, type IvfPqParams } from "./ivfpq.js";
import type { IndexKind, MutableVectorIndex } from "./vector-index.js";

/** What `--index` accepts: an index kind, or `auto`. */
export const INDEX_TYPES = ["auto", "exact", "hnsw", "ivfpq"] as const;
export type IndexType = (typeof INDEX_TYPES)[number];

/** `auto` picks HNSW from this many vectors up, exact below (50,000: exact stays under a few ms a query below that at 384-d). */
export const AUTO_HNSW_FROM = 50_000;

/**
 * A collection's index choice, kept in its manifest (meta key `index`). Parameters left out
 * take the defaults stated in `DEFAULT_HNSW` and `DEFAULT_IVFPQ`. Default: `{ type: "auto" }`.
 */
export interface IndexConfig {
  type: IndexType;
  hnsw?: Partial<HnswParams>;
  ivfpq?: Partial<IvfPqParams>;
}

export const DEFAULT_INDEX_CONFIG: IndexConfig = { type: "auto" };

export function parseIndexType(value: string, name = "--index"): IndexType {
  if (!(INDEX_TYPES as readonly string[]).includes(value)) throw new InvalidArgumentError(name, `unknown index '${value}' (one of ${INDEX_TYPES.join(", ")})`);
  return value as IndexType;
}

/** The index kind a config means for a collection of `count` vectors. */
export function resolveKind(type: IndexType, count: number): IndexKind {
  return type === "auto" ? (count >= AUTO_HNSW_FROM ? "hnsw" : "exact") : type;
}

export interface BuildIndexOptions {
  threads?: number;
  onProgress?: (done: number, total: number) => void;
}

/** Builds an index of `kind` over the vectors of `flat` (which it keeps and updates). */
export function buildIndex(kind: IndexKind, flat: FlatVectors, config: IndexConfig = DEFAULT_INDEX_CONFIG, options: BuildIndexOptions = {}): MutableVectorIndex {
  switch (kind) {
    case "exact":
      return new ExactIndex(flat);
    case "hnsw":
      return HnswIndex.build(flat, config.hnsw, options);
    case "ivfpq":
      return IvfPqIndex.build(flat, config.ivfpq, {
        threads: options.threads,
        // Training is one step of three in the count: encoding is where the time goes.
        onProgress: options.onProgress && ((phase, done, total) => (phase === "encode" ? options.onProgress!(done, total) : undefined)),
      });
  }
}
