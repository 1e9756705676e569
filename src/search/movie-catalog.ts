import type { Store } from "../store/store.js";
import type { Scored } from "./hybrid.js";

/**
 * Every movie's id, title, year and popularity in the store's natural order, read by one field
 * scan: the positions the engine's in-memory structures share (the title index, fusion), so
 * that ties everywhere go to the movie earlier in the natural order, as the store's own lists do.
 */
export class MovieCatalog {
  private readonly position = new Map<string, number>();

  private constructor(
    readonly ids: string[],
    readonly titles: string[],
    readonly years: (number | null)[],
    readonly popularity: (number | null)[],
  ) {
    ids.forEach((id, p) => this.position.set(id, p));
  }

  static async load(store: Store): Promise<MovieCatalog> {
    const ids: string[] = [];
    const titles: string[] = [];
    const years: (number | null)[] = [];
    const popularity: (number | null)[] = [];
    for await (const batch of store.scan(["title", "year", "popularity"])) {
      for (const m of batch) {
        ids.push(m.id);
        titles.push(m.title);
        years.push(m.year);
        popularity.push(m.popularity);
      }
    }
    return new MovieCatalog(ids, titles, years, popularity);
  }

  get size(): number {
    return this.ids.length;
  }

  positionOf(id: string): number | undefined {
    return this.position.get(id);
  }

  summary(p: number): { id: string; title: string; year: number | null } {
    return { id: this.ids[p]!, title: this.titles[p]!, year: this.years[p]! };
  }

  /** A store's hits with positions for ids, in the same order. */
  toPositions(hits: readonly { id: string; score: number }[]): Scored[] {
    const out = new Array<Scored>(hits.length);
    for (let i = 0; i < hits.length; i++) {
      const h = hits[i]!;
      const p = this.position.get(h.id);
      // The catalog and the store's lists come from one collection state.
      if (p === undefined) throw new Error(`movie ${h.id} is in the store's results but not in its scan`);
      out[i] = { id: p, score: h.score };
    }
    return out;
  }
}
