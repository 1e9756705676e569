/**
 * The HTTP API as the app uses it. Types mirror `/openapi.json` (the app talks to the API only,
 * never to the engine's modules).
 */

/** The filters the engine understands, as it reports them in `parsed.filters`. */
export interface Filters {
  yearMin?: number;
  yearMax?: number;
  genres?: string[];
  genreMode?: "any" | "all";
  excludeGenres?: string[];
  minRating?: number;
  minVotes?: number;
  runtimeMin?: number;
  runtimeMax?: number;
  cast?: string[];
  directors?: string[];
  language?: string;
  [other: string]: unknown;
}

/** Matched terms per field, e.g. `{ overview: ["shark", "beach"] }`. */
export type Matches = Record<string, string[]>;

export interface Hit {
  id: string;
  title: string;
  year: number | null;
  score: number;
  /** Search: the keyword, semantic and fused parts of `score`. */
  scores?: Record<string, number | null | undefined>;
  matches?: Matches;
  /** Similar and recommend: the method's similarity and the overview's sentiment. */
  similarity?: number;
  sentiment?: number;
  genres?: string[];
  overview?: string;
  posterUrl?: string | null;
  rating?: number | null;
  votes?: number | null;
}

export interface ListResponse {
  query?: string;
  /** Search: the text searched, the filters applied, and the phrases that became filters. */
  parsed?: {
    text: string;
    filters: Filters;
    like?: string;
    likeId?: string;
    examples?: { like: { id: string; title: string; year: number | null }[]; unlike: { id: string; title: string; year: number | null }[] };
    extracted?: { phrase: string; as: string }[];
  };
  /** Recommend: examples that match no movie. */
  unknown?: string[];
  results: Hit[];
}

export interface Movie {
  id: string;
  title: string;
  year: number | null;
  overview: string;
  tagline: string | null;
  genres: string[];
  keywords: string[];
  cast: string[];
  directors: string[];
  runtime: number | null;
  rating: number | null;
  votes: number | null;
  posterUrl: string | null;
  language: string | null;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly parameter?: string,
  ) {
    super(message);
  }
}

export type Params = Record<string, string | number | boolean | string[] | undefined | null>;

export function queryString(params: Params): string {
  const sp = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === "") continue;
    if (Array.isArray(value)) for (const v of value) sp.append(key, v);
    else sp.set(key, String(value));
  }
  const s = sp.toString();
  return s ? `?${s}` : "";
}

async function request<T>(path: string, init: RequestInit & { signal?: AbortSignal }): Promise<T> {
  const res = await fetch(path, { ...init, headers: { accept: "application/json", ...(init.body ? { "content-type": "application/json" } : {}) } });
  const body = (await res.json().catch(() => null)) as unknown;
  if (!res.ok) {
    const e = (body as { error?: { code?: string; message?: string; parameter?: string } } | null)?.error;
    throw new ApiError(res.status, e?.code ?? "http_error", e?.message ?? `HTTP ${res.status}`, e?.parameter);
  }
  return body as T;
}

export const api = {
  search: (params: Params, signal?: AbortSignal) => request<ListResponse>(`/api/search${queryString(params)}`, { signal }),
  titles: (prefix: string, k: number, signal?: AbortSignal) => request<ListResponse>(`/api/titles${queryString({ prefix, k })}`, { signal }),
  movie: (id: string, signal?: AbortSignal) => request<Movie>(`/api/movies/${encodeURIComponent(id)}`, { signal }),
  similar: (id: string, params: Params, signal?: AbortSignal) => request<ListResponse>(`/api/movies/${encodeURIComponent(id)}/similar${queryString(params)}`, { signal }),
  recommend: (body: Record<string, unknown>, signal?: AbortSignal) => request<ListResponse>("/api/recommend", { method: "POST", body: JSON.stringify(body), signal }),
  genres: (signal?: AbortSignal) => request<{ genres: { name: string; count: number }[] }>("/api/genres", { signal }),
};

export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === "AbortError";
}
