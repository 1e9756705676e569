/** One search result; the `--json` shape of every search and recommendation command. */
export interface SearchHit {
  id: string;
  title: string;
  year: number | null;
  score: number;
}

export interface SearchResponse {
  query: string;
  results: SearchHit[];
}

export const SEARCH_MODES = ["semantic"] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];

export interface SearchOptions {
  /** Default `semantic`. */
  mode?: SearchMode;
  /** Results per page (default 10, at most 1000). */
  k?: number;
  /** Results to skip (default 0). */
  offset?: number;
}

export const DEFAULT_K = 10;
export const MAX_K = 1000;
/** Longest query accepted, in characters; longer ones are an error, not silently cut. */
export const MAX_QUERY_LENGTH = 10_000;
