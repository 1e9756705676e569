/**
 * Every screen's state lives in the URL, so any view can be shared, reloaded and reached with
 * the back button. This module turns URLs into routes and routes into URLs.
 */

import type { RecommendStrategy, SearchMode, SearchParams, SimilarMethod } from "./api.js";

/** The search modes the app offers (title search is the suggestion box). */
export const MODES = ["hybrid", "semantic", "keyword"] as const satisfies readonly SearchMode[];
export type Mode = (typeof MODES)[number];
export const METHODS = ["knn", "svm"] as const satisfies readonly SimilarMethod[];
export type Method = (typeof METHODS)[number];
export const STRATEGIES = ["average", "best"] as const satisfies readonly RecommendStrategy[];
export type Strategy = (typeof STRATEGIES)[number];
/** How a list of movies is laid out: poster cards, or one compact row each. */
export const VIEWS = ["grid", "list"] as const;
export type View = (typeof VIEWS)[number];

/** The API's filter parameters the app offers, named as the API names them (checked against its types). */
export const LIST_FILTERS = ["genre", "exclude_genre", "cast", "director"] as const satisfies readonly (keyof SearchParams)[];
export const SCALAR_FILTERS = ["year", "min_rating", "min_votes", "runtime", "language"] as const satisfies readonly (keyof SearchParams)[];

/** Filter parameters as the URL holds them: text, and lists for the repeatable ones. */
export type FilterParams = { [K in (typeof SCALAR_FILTERS)[number]]?: string } & { [K in (typeof LIST_FILTERS)[number]]: string[] };

export type Route =
  | { name: "home" }
  | { name: "search"; q: string; mode: Mode; parse: boolean; page: number; filters: FilterParams }
  | { name: "movie"; id: string; method: Method; view: View }
  | { name: "foryou"; strategy: Strategy; shared: { like: string[]; dislike: string[] } | null }
  | { name: "notfound"; path: string };

/** Results per search page. */
export const PAGE_SIZE = 20;

function oneOf<T extends string>(value: string | null, allowed: readonly T[], fallback: T): T {
  return value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

export function emptyFilters(): FilterParams {
  return { genre: [], exclude_genre: [], cast: [], director: [] };
}

export function parseRoute(url: URL): Route {
  const path = url.pathname.replace(/\/+$/, "") || "/";
  const p = url.searchParams;
  // `/?q=...` (what a browser's search-engine setting or a shared link may send) is a search.
  if (path === "/" && !p.get("q")?.trim()) return { name: "home" };
  if (path === "/search" || path === "/") {
    const q = (p.get("q") ?? "").trim();
    if (!q) return { name: "home" };
    const filters = emptyFilters();
    for (const key of LIST_FILTERS) filters[key] = p.getAll(key).filter(Boolean);
    for (const key of SCALAR_FILTERS) {
      const v = p.get(key);
      if (v) filters[key] = v;
    }
    const page = Math.max(1, Number.parseInt(p.get("page") ?? "1", 10) || 1);
    return { name: "search", q, mode: oneOf(p.get("mode"), MODES, "hybrid"), parse: p.get("parse") !== "0", page, filters };
  }
  const movie = /^\/movie\/([^/]+)$/.exec(path);
  if (movie) return { name: "movie", id: decodeURIComponent(movie[1]!), method: oneOf(p.get("method"), METHODS, "knn"), view: oneOf(p.get("view"), VIEWS, "grid") };
  if (path === "/for-you") {
    const like = p.getAll("like").filter(Boolean);
    const dislike = p.getAll("dislike").filter(Boolean);
    return { name: "foryou", strategy: oneOf(p.get("strategy"), STRATEGIES, "average"), shared: like.length || dislike.length ? { like, dislike } : null };
  }
  return { name: "notfound", path };
}

export function href(route: Route): string {
  const sp = new URLSearchParams();
  switch (route.name) {
    case "home":
      return "/";
    case "search": {
      sp.set("q", route.q);
      if (route.mode !== "hybrid") sp.set("mode", route.mode);
      for (const key of SCALAR_FILTERS) if (route.filters[key]) sp.set(key, route.filters[key]!);
      for (const key of LIST_FILTERS) for (const v of route.filters[key]) sp.append(key, v);
      if (!route.parse) sp.set("parse", "0");
      if (route.page > 1) sp.set("page", String(route.page));
      return `/search?${sp}`;
    }
    case "movie": {
      if (route.method !== "knn") sp.set("method", route.method);
      if (route.view !== "grid") sp.set("view", route.view);
      const s = sp.toString();
      return `/movie/${encodeURIComponent(route.id)}${s ? `?${s}` : ""}`;
    }
    case "foryou": {
      if (route.strategy !== "average") sp.set("strategy", route.strategy);
      for (const id of route.shared?.like ?? []) sp.append("like", id);
      for (const id of route.shared?.dislike ?? []) sp.append("dislike", id);
      const s = sp.toString();
      return `/for-you${s ? `?${s}` : ""}`;
    }
    case "notfound":
      return route.path;
  }
}

type Listener = (route: Route) => void;
let listener: Listener | null = null;

/** Goes to `url` in the app: a new history entry (or replaces the current one). */
export function navigate(url: string, options: { replace?: boolean } = {}): void {
  const target = new URL(url, location.href);
  if (target.origin !== location.origin) {
    location.assign(target);
    return;
  }
  if (target.href === location.href && !options.replace) return;
  if (options.replace) history.replaceState(null, "", target);
  else history.pushState(null, "", target);
  listener?.(parseRoute(target));
}

/**
 * Starts routing: renders the current URL, then every back/forward, and follows clicks on
 * same-origin links without a page load (a modified click still opens a new tab).
 */
export function startRouter(onRoute: Listener): void {
  listener = onRoute;
  addEventListener("popstate", () => onRoute(parseRoute(new URL(location.href))));
  document.addEventListener("click", (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const a = (event.target as Element | null)?.closest?.("a[href]");
    if (!(a instanceof HTMLAnchorElement) || a.target || a.hasAttribute("download")) return;
    const url = new URL(a.href);
    if (url.origin !== location.origin || url.pathname.startsWith("/api/")) return;
    event.preventDefault();
    navigate(url.href);
  });
  const first = parseRoute(new URL(location.href));
  // `/?q=...` shows as the search's own address, so reloads and shares keep one form.
  if (first.name === "search" && location.pathname === "/") history.replaceState(null, "", href(first));
  onRoute(first);
}
