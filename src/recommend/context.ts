import { dot } from "../vector-index/flat.js";
import { sentimentScore } from "../catalog/sentiment.js";
import { plotText } from "../embed/text.js";
import type { VectorIndex } from "../vector-index/vector-index.js";
import type { Collection } from "../store/collection.js";
import { storedSentiment } from "../store/sentiment.js";
import { rankSignals, type RankSignals } from "../search/ranker.js";
import { SeriesIndex } from "./franchise.js";
import { TfidfIndex } from "./tfidf.js";
import type { MovieSummary } from "./types.js";

/**
 * Everything recommendations need from one collection, built once per collection state: the
 * movies in rowid order ("positions"), their unit vectors in one contiguous array (the SVM and
 * the example scans stream it), title keys for lookups and duplicates, sentiment scores, and the
 * TF-IDF index (built on first use).
 */
export class RecommendContext {
  readonly rowids: Int32Array;
  readonly dims: number;
  /** Row p is the unit vector of the movie at position p. */
  readonly matrix: Float32Array;
  readonly ids: string[];
  readonly titles: string[];
  readonly years: (number | null)[];
  private readonly position = new Map<number, number>();
  private readonly byId = new Map<string, number>();
  /** Normalised title + year, the key of exact duplicates. */
  private readonly dupKeys: string[];
  private readonly byDupKey = new Map<string, number[]>();
  private readonly byTitle = new Map<string, number[]>();
  private readonly byLooseTitle = new Map<string, number[]>();
  /** Positions sharing a bit-identical vector with another movie (the same embedded text). */
  private readonly sameVector = new Map<number, number[]>();
  /** Positions sharing their plot text (a non-empty overview, and merged plot) with another. */
  private readonly samePlot = new Map<number, number[]>();
  /** NaN until known. */
  private readonly sentiments: Float32Array;
  private tfidfIndex: TfidfIndex | null = null;
  private seriesIndex: SeriesIndex | null = null;
  /** Milliseconds the TF-IDF build took (null until built). */
  tfidfBuildMs: number | null = null;

  constructor(
    readonly collection: Collection,
    readonly index: VectorIndex,
    /** Identifies the collection state this was built from (see `contextFor`). */
    readonly version: string,
  ) {
    const rows = collection.db.prepare("SELECT rowid, title, year, id FROM movies ORDER BY rowid").raw().all() as [number, string, number | null, string][];
    const dims = index.dims;
    const kept: [number, string, number | null, string][] = [];
    const matrix = new Float32Array(rows.length * dims);
    for (const row of rows) {
      const v = index.vector(row[0]);
      if (!v) continue; // a movie without a vector cannot be compared; it never appears
      matrix.set(v, kept.length * dims);
      kept.push(row);
    }
    this.dims = dims;
    this.matrix = kept.length === rows.length ? matrix : matrix.slice(0, kept.length * dims);
    this.rowids = Int32Array.from(kept, (r) => r[0]);
    this.ids = kept.map((r) => r[3]);
    this.titles = kept.map((r) => r[1]);
    this.years = kept.map((r) => r[2]);
    const loose = kept.map((r) => looseTitle(r[1]));
    this.dupKeys = kept.map((r, p) => `${loose[p]}|${r[2] ?? ""}`);
    kept.forEach(([rowid, title], p) => {
      this.position.set(rowid, p);
      this.byId.set(this.ids[p]!, p);
      push(this.byDupKey, this.dupKeys[p]!, p);
      push(this.byTitle, title.toLowerCase(), p);
      push(this.byLooseTitle, loose[p]!, p);
    });
    this.groupIdenticalVectors();
    this.groupIdenticalPlots();
    this.sentiments = new Float32Array(kept.length).fill(NaN);
    for (const [rowid, score] of storedSentiment(collection)) {
      const p = this.position.get(rowid);
      if (p !== undefined) this.sentiments[p] = score;
    }
  }

  get size(): number {
    return this.rowids.length;
  }

  positionOf(rowid: number): number | undefined {
    return this.position.get(rowid);
  }

  /** Position of the movie with this id (`tt0114709`). */
  positionOfId(id: string): number | undefined {
    return this.byId.get(id);
  }

  summary(p: number): MovieSummary {
    return { id: this.ids[p]!, title: this.titles[p]!, year: this.years[p]! };
  }

  vectorAt(p: number): Float32Array {
    return this.matrix.subarray(p * this.dims, (p + 1) * this.dims);
  }

  /** Cosine of the movies at two positions (their vectors are unit length). */
  cosine(a: number, b: number): number {
    return dot(this.matrix, a * this.dims, this.matrix, b * this.dims, this.dims);
  }

  /** Positions whose title equals `title` ignoring case, else ignoring accents and punctuation. */
  titleMatches(title: string): { exact: number[]; loose: number[] } {
    return { exact: this.byTitle.get(title.toLowerCase()) ?? [], loose: this.byLooseTitle.get(looseTitle(title)) ?? [] };
  }

  /**
   * Up to `limit` movies whose title contains `text` (for "did you mean" in errors): titles that
   * start with it first, shorter (closer) titles before longer ones.
   */
  titlesContaining(text: string, limit: number): number[] {
    const needle = looseTitle(text);
    if (!needle) return [];
    const found: { p: number; at: number; length: number }[] = [];
    for (let p = 0; p < this.size; p++) {
      const title = looseTitle(this.titles[p]!);
      const at = title.indexOf(needle);
      if (at >= 0) found.push({ p, at: at === 0 ? 0 : 1, length: title.length });
    }
    found.sort((a, b) => a.at - b.at || a.length - b.length || a.p - b.p);
    return found.slice(0, limit).map((f) => f.p);
  }

  /**
   * The movie at `p` and its exact duplicates: movies with the same normalised title and year,
   * movies with the same plot text (a copy under another title: the embedded text also holds the
   * title, so their vectors differ), and movies with a bit-identical vector.
   */
  selfAndDuplicates(p: number): Set<number> {
    const out = new Set<number>(this.byDupKey.get(this.dupKeys[p]!) ?? []);
    out.add(p);
    for (const q of this.sameVector.get(p) ?? []) out.add(q);
    for (const q of this.samePlot.get(p) ?? []) out.add(q);
    return out;
  }

  /**
   * Fills `samePlot`. A movie without an overview (a placeholder) is left out: its plot text is
   * its title and tagline, which a remake may share without being a copy.
   */
  private groupIdenticalPlots(): void {
    // SQLite finds the few shared overviews (about 20 ms for TMDB on a loaded machine, against
    // 60 ms to group every overview in JavaScript); the merged plot then tells them apart.
    const rows = this.collection.db
      .prepare(
        `SELECT rowid, overview, plot FROM movies WHERE overview != '' AND overview IN
           (SELECT overview FROM movies WHERE overview != '' GROUP BY overview HAVING count(*) > 1)`,
      )
      .raw()
      .all() as [number, string, string | null][];
    const byPlot = new Map<string, number[]>();
    for (const [rowid, overview, plot] of rows) {
      const p = this.position.get(rowid);
      if (p !== undefined) push(byPlot, plotText({ overview, plot: plot ?? undefined, title: "", tagline: null }), p);
    }
    for (const group of byPlot.values()) {
      if (group.length < 2) continue;
      for (const a of group) this.samePlot.set(a, group.filter((b) => b !== a));
    }
  }

  /** Fills `sameVector` by hashing every vector's bits (FNV-1a), confirming matches bit by bit. */
  private groupIdenticalVectors(): void {
    const bits = new Int32Array(this.matrix.buffer, this.matrix.byteOffset, this.matrix.length);
    const { dims } = this;
    const byHash = new Map<number, number[]>();
    for (let p = 0; p < this.size; p++) {
      let h = 0x811c9dc5;
      for (let d = p * dims, end = d + dims; d < end; d++) h = Math.imul(h ^ bits[d]!, 0x01000193);
      push(byHash, h, p);
    }
    const same = (a: number, b: number) => {
      for (let d = 0; d < dims; d++) if (bits[a * dims + d] !== bits[b * dims + d]) return false;
      return true;
    };
    for (const group of byHash.values()) {
      if (group.length < 2) continue;
      for (const a of group) {
        const twins = group.filter((b) => b !== a && same(a, b));
        if (twins.length) this.sameVector.set(a, twins);
      }
    }
  }

  /**
   * Overview sentiment of the movie at `p`, -1..1: stored at ingest, else (a collection written
   * before sentiment was stored, opened read-only) scored now and kept.
   */
  sentiment(p: number): number {
    const stored = this.sentiments[p]!;
    if (!Number.isNaN(stored)) return stored;
    const overview = this.collection.db.prepare("SELECT overview FROM movies WHERE rowid = ?").pluck().get(this.rowids[p]) as string | undefined;
    const score = sentimentScore(overview ?? "");
    this.sentiments[p] = score;
    return score;
  }

  /** The popularity prior and the other ranking signals, shared with search (`rankSignals`). */
  signals(): RankSignals {
    return rankSignals(this.collection);
  }

  /** Which movies share a series or are remakes, from their titles and genres (`franchise.ts`); built on first use. */
  series(): SeriesIndex {
    if (this.seriesIndex) return this.seriesIndex;
    const signals = this.signals();
    return (this.seriesIndex = new SeriesIndex(this.titles, Array.from(this.rowids, (r) => signals.genresOf(r))));
  }

  /** The TF-IDF index of the plot texts, built on first use and kept with this context. */
  tfidf(): TfidfIndex {
    if (this.tfidfIndex) return this.tfidfIndex;
    const t0 = performance.now();
    const texts: string[] = new Array<string>(this.size).fill("");
    // The plot text (Karpathy's TF-IDF is over plots): the overview, and a plot merged from another
    // catalog when there is one; not the title, keywords and cast the embedders also read.
    const stmt = this.collection.db.prepare("SELECT * FROM movies ORDER BY rowid");
    for (const r of stmt.iterate() as Iterable<{ rowid: number; title: string; overview: string; tagline: string | null; plot?: string | null }>) {
      const p = this.position.get(r.rowid);
      if (p !== undefined) texts[p] = plotText({ ...r, plot: r.plot ?? undefined });
    }
    this.tfidfIndex = TfidfIndex.build(texts);
    this.tfidfBuildMs = performance.now() - t0;
    return this.tfidfIndex;
  }
}

const contexts = new WeakMap<VectorIndex, RecommendContext>();

/**
 * The context for a collection and its vector index, reused while neither changes: it is keyed
 * by the index object and by the collection's last-update stamp and size, so an ingest or a
 * removal (which replace or change the index) is never served stale results.
 */
export function contextFor(collection: Collection, index: VectorIndex): RecommendContext {
  const stamp = collection.db.prepare("SELECT value FROM meta WHERE key = 'updated_at'").pluck().get() as string | undefined;
  const version = `${stamp ?? ""}|${index.size}`;
  const cached = contexts.get(index);
  if (cached && cached.version === version) return cached;
  const fresh = new RecommendContext(collection, index, version);
  contexts.set(index, fresh);
  return fresh;
}

/**
 * A title reduced to lowercase letters and digits (accents and punctuation dropped), so
 * "WALL·E", "Wall-E" and "WALL-E" meet; also the title part of the duplicate key.
 */
export function looseTitle(title: string): string {
  return title
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/&/g, "and")
    .replace(/[^\p{L}\p{N}]+/gu, "");
}


function push<K>(map: Map<K, number[]>, key: K, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
