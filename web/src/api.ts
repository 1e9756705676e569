/**
 * The HTTP API as the app uses it. Its types are those of `/openapi.json`, generated into
 * `api-schema.ts` (`npm run api-types`), so a parameter or field renamed on the server fails
 * this build; the app talks to the API only, never to the engine's modules.
 */
import type { operations } from "./api-schema.js";

/** The JSON body of an operation's 200 response. */
type Ok<Op> = Op extends { responses: { 200: { content: { "application/json": infer Body } } } } ? Body : never;
/**
 * Parameters as the app holds them: URL state is text, so a number may be given as its digits
 * (the server validates and converts every one).
 */
type UrlParams<T> = { [K in keyof T]?: T[K] | string | null };

/** A listing: what search, titles, similar and recommend answer. */
export type ListResponse = Ok<operations["getApiSearch"]>;
export type Hit = ListResponse["results"][number];
/** The filters the engine applied, as it reports them in `parsed.filters`. */
export type Filters = NonNullable<ListResponse["parsed"]>["filters"];
/** Matched terms per field, e.g. `{ overview: ["shark", "beach"] }`. */
export type Matches = NonNullable<Hit["matches"]>;
export type Movie = Ok<operations["getApiMoviesById"]>;
/** A trailer attached by `plotline trailers`: what it says, and its language with where that came from. */
export type Trailer = NonNullable<Movie["trailers"]>[number];
export type SearchParams = UrlParams<operations["getApiSearch"]["parameters"]["query"]>;
export type SimilarParams = UrlParams<NonNullable<operations["getApiMoviesByIdSimilar"]["parameters"]["query"]>>;
export type RecommendBody = operations["postApiRecommend"]["requestBody"]["content"]["application/json"];
export type GenresResponse = Ok<operations["getApiGenres"]>;
export type SearchMode = NonNullable<operations["getApiSearch"]["parameters"]["query"]["mode"]>;
export type SimilarMethod = NonNullable<NonNullable<operations["getApiMoviesByIdSimilar"]["parameters"]["query"]>["method"]>;
export type RecommendStrategy = NonNullable<RecommendBody["strategy"]>;

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

type Params = Record<string, string | number | boolean | string[] | undefined | null>;

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
  search: (params: SearchParams, signal?: AbortSignal) => request<ListResponse>(`/api/search${queryString(params)}`, { signal }),
  titles: (q: string, k: number, signal?: AbortSignal) => request<ListResponse>(`/api/titles${queryString({ q, k })}`, { signal }),
  movie: (id: string, signal?: AbortSignal) => request<Movie>(`/api/movies/${encodeURIComponent(id)}`, { signal }),
  similar: (id: string, params: SimilarParams, signal?: AbortSignal) => request<ListResponse>(`/api/movies/${encodeURIComponent(id)}/similar${queryString(params)}`, { signal }),
  recommend: (body: RecommendBody, signal?: AbortSignal) => request<ListResponse>("/api/recommend", { method: "POST", body: JSON.stringify(body), signal }),
  genres: (signal?: AbortSignal) => request<GenresResponse>("/api/genres", { signal }),
};

export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === "AbortError";
}
