import type { Store } from "../store/store.js";
import type { Scored } from "./hybrid.js";

/**
 * Every movie's id, title, year and popularity in the store's natural order, read by one field
 * scan: the positions the engine's in-memory structures share (the title index, fusion), so
 * that ties everywhere go to the movie earlier in the natural order, as the store's own lists do.
 */
export class MovieCatalog {
  private readonly position = new Map<string, number>();
  /**
   * Positions by the ordinal the store's hits carry (`VectorHit.ordinal`; -1: not seen yet), and
   * each position's ordinal (-1: not seen yet), learnt from the hits as they come: a hit whose
   * ordinal was seen is placed by an array read, where its id costs a string-map lookup that
   * misses the cache (hundreds per hybrid query), and the engine can hand the pool back to the
   * store by ordinal (`Store.vectorsByOrdinal`). An ordinal names one movie in every list of one
   * collection state (its contract), and the catalog is of one state.
   */
  private byOrdinal = new Int32Array(0);
  private readonly ordinals: Int32Array;

  private constructor(
    readonly ids: string[],
    readonly titles: string[],
    readonly years: (number | null)[],
    readonly popularity: (number | null)[],
  ) {
    ids.forEach((id, p) => this.position.set(id, p));
    this.ordinals = new Int32Array(ids.length).fill(-1);
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
  toPositions(hits: readonly { id: string; score: number; ordinal?: number }[]): Scored[] {
    const out = new Array<Scored>(hits.length);
    for (let i = 0; i < hits.length; i++) {
      const h = hits[i]!;
      const o = h.ordinal;
      let p = o !== undefined && o < this.byOrdinal.length ? this.byOrdinal[o]! : -1;
      if (p < 0) {
        const q = this.position.get(h.id);
        // The catalog and the store's lists come from one collection state.
        if (q === undefined) throw new Error(`movie ${h.id} is in the store's results but not in its scan`);
        p = q;
        if (o !== undefined) this.learnOrdinal(o, p);
      }
      out[i] = { id: p, score: h.score };
    }
    return out;
  }

  /** The ordinal of the store's hits for the movie at a position, or -1 when none was seen. */
  ordinalAt(p: number): number {
    return this.ordinals[p] ?? -1;
  }

  /** Keeps a hit's ordinal for its position: small non-negative integers only (rowids, sequence numbers), in a table at most a few times the catalog's size. */
  private learnOrdinal(o: number, p: number): void {
    if (!Number.isInteger(o) || o < 0 || o > 4 * this.ids.length + 1024) return;
    if (o >= this.byOrdinal.length) {
      const grown = new Int32Array(Math.max(o + 1, Math.min(4 * this.ids.length + 1025, 2 * this.byOrdinal.length))).fill(-1);
      grown.set(this.byOrdinal);
      this.byOrdinal = grown;
    }
    this.byOrdinal[o] = p;
    this.ordinals[p] = o;
  }
}
