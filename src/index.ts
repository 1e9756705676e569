/** Plotline's library API. */
export { Plotline, type OpenOptions, type CollectionInfo } from "./plotline.js";
export type { Movie } from "./catalog/movie.js";
export type { IngestReport } from "./catalog/clean.js";
export type { IngestInput, IngestOptions, IngestResult, IngestProgress } from "./ingest.js";
export type { Embedder } from "./embed/embedder.js";
export { createEmbedder } from "./embed/registry.js";
export type { SearchHit, SearchResponse, SearchOptions, SearchMode } from "./search/types.js";
export { PlotlineError, InvalidArgumentError, SourceError, CollectionError } from "./errors.js";
