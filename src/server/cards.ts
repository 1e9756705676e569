import type { Plotline } from "../plotline.js";

/** The movie fields a result card shows beside the engine's result fields. */
export const CARD_FIELDS = ["genres", "overview", "posterUrl", "rating", "votes"] as const;

interface Card {
  /** The card fields as a JSON fragment (`"genres":[...],...,"votes":12`), serialised once. */
  json: string;
}

/**
 * Card fields by movie id, per opened collection. A listing of 40 similar movies would
 * otherwise cost 40 row reads, JSON parses and serialisations per request; the whole TMDB set
 * is ~6 MB here. Keyed by the Plotline instance, so a reloaded collection starts a fresh cache.
 */
const caches = new WeakMap<Plotline, Map<string, Card | null>>();

function cacheOf(plotline: Plotline): Map<string, Card | null> {
  let cache = caches.get(plotline);
  if (!cache) caches.set(plotline, (cache = new Map()));
  return cache;
}

/** Reads the cards of the ids not cached yet, in one call to the store. */
async function fill(plotline: Plotline, ids: readonly string[]): Promise<Map<string, Card | null>> {
  const cache = cacheOf(plotline);
  let missing: string[] | null = null;
  for (const id of ids) if (!cache.has(id)) (missing ??= []).push(id);
  if (missing) {
    const rows = await plotline.store.movies(missing, CARD_FIELDS);
    for (const m of rows) cache.set(m.id, { json: JSON.stringify({ genres: m.genres, overview: m.overview, posterUrl: m.posterUrl, rating: m.rating, votes: m.votes }).slice(1, -1) });
    for (const id of missing) if (!cache.has(id)) cache.set(id, null);
  }
  return cache;
}

/** Whether the collection has a movie with this id (from the same cache, so a map lookup once seen). */
export async function hasMovie(plotline: Plotline, id: string): Promise<boolean> {
  return (await fill(plotline, [id])).get(id) !== null;
}

/**
 * A listing response (`{ ..., results: [...] }`) as JSON, each result followed by its movie's
 * card fields. Built by joining JSON text: per result, the engine's fields are serialised and
 * the cached card fragment appended, with no intermediate objects. Engine fields win on a name
 * clash (the card fragment is then left out for that result).
 */
export async function listingJson<T extends { id: string }>(plotline: Plotline, response: { results: readonly T[] }): Promise<string> {
  const cache = await fill(
    plotline,
    response.results.map((r) => r.id),
  );
  const items: string[] = [];
  for (const r of response.results) {
    const own = JSON.stringify(r);
    const c = cache.get(r.id);
    const clash = CARD_FIELDS.some((f) => f in r);
    items.push(c && !clash && own.length > 2 ? `${own.slice(0, -1)},${c.json}}` : own);
  }
  const { results: _results, ...rest } = response;
  const head = JSON.stringify(rest);
  return `${head.length > 2 ? `${head.slice(0, -1)},` : "{"}"results":[${items.join(",")}]}`;
}
