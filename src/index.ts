/** Plotline's library API. */
export { Plotline, type OpenOptions, type CollectionInfo } from "./plotline.js";
export type { Movie } from "./catalog/movie.js";
export type { IngestReport } from "./catalog/clean.js";
export type { IngestInput, IngestOptions, IngestResult, IngestProgress } from "./ingest.js";
export type { Embedder } from "./embed/embedder.js";
export { createEmbedder } from "./embed/registry.js";
export type { SearchHit, SearchResponse, SearchOptions, SearchMode } from "./search/types.js";
export { openStore, defaultDbPath } from "./store/open.js";
export { requireCapability } from "./store/store.js";
export type {
  Store,
  StoreCapabilities,
  StoreOpenOptions,
  Capability,
  Manifest,
  MovieField,
  MovieRow,
  KeywordQuery,
  KeywordHit,
  VectorQuery,
  VectorHit as StoreVectorHit,
  WriteBatch,
  WriteResult,
  UpsertItem,
  FacetField,
  FacetCount,
} from "./store/store.js";
export type { Filters } from "./store/filters.js";
export type {
  MovieRef,
  MovieSummary,
  RecommendHit,
  RecommendOptions,
  RecommendResponse,
  RecommendStrategy,
  Reranker,
  SimilarMethod,
  SimilarOptions,
  SimilarResponse,
} from "./recommend/types.js";
export { sentimentScore } from "./catalog/sentiment.js";
export type { VectorIndex, VectorHit, IdFilter, IndexKind } from "./vector-index/vector-index.js";
export { ExactIndex } from "./vector-index/exact.js";
export { FlatVectors } from "./vector-index/flat.js";
export { HnswIndex, type HnswParams } from "./vector-index/hnsw.js";
export { IvfPqIndex, type IvfPqParams } from "./vector-index/ivfpq.js";
export type { IndexConfig, IndexType } from "./vector-index/select.js";
export type { IndexStatus, PreparedIndex } from "./store/store.js";
export { SyntheticSet, type SyntheticOptions } from "./vector-index/synthetic.js";
export { mergeCatalogs, normalizeTitle, type MergeOptions, type MergeReport } from "./catalog/merge.js";
export { PlotlineError, InvalidArgumentError, SourceError, CollectionError, CapabilityError } from "./errors.js";
