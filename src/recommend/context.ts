import { yieldTurn } from "../time-slice.js";
import { dot } from "../vector-index/flat.js";
import { sentimentScore } from "../catalog/sentiment.js";
import { plotText } from "../embed/text.js";
import { Transcripts } from "../search/transcripts.js";
import { requireCapability, sharedOverviews, type MovieRow, type Store } from "../store/store.js";
import { rankSignals, type RankSignals } from "../search/ranker.js";
import { mainPart, SeriesIndex } from "./franchise.js";
import { TfidfIndex } from "./tfidf.js";
import type { MovieSummary } from "./types.js";

/**
 * Everything recommendations need from one collection, built once per collection state from
 * the store: the movies with a vector in the store's natural order ("positions"), their unit
 * vectors in one contiguous array (the SVM and the example scans stream it), title keys for
 * lookups and duplicates, sentiment scores, and the TF-IDF index (built on first use).
 */
export class RecommendContext {
  readonly dims: number;
  /** Row p is the unit vector of the movie at position p. */
  readonly matrix: Float32Array;
  readonly ids: string[];
  readonly titles: string[];
  readonly years: (number | null)[];
  private readonly byId = new Map<string, number>();
  /**
   * Position by the store's hit ordinal (`AllVectors.ordinals`): `ordinalTable[o]` (-1: none)
   * when the ordinals are small integers, as SQLite's rowids are, else `ordinalMap`; both null
   * when the store gives none.
   */
  private readonly ordinalTable: Int32Array | null = null;
  private readonly ordinalMap: Map<number, number> | null = null;
  /** Normalised title + year, the key of exact duplicates. */
  private readonly dupKeys: string[];
  private readonly byDupKey = new Map<string, number[]>();
  private readonly byTitle = new Map<string, number[]>();
  private readonly byLooseTitle = new Map<string, number[]>();
  /** Positions sharing a bit-identical vector with another movie (the same embedded text). */
  private readonly sameVector = new Map<number, number[]>();
  /** Positions sharing their plot text (a non-empty overview, and merged plot) with another. */
  private readonly samePlot = new Map<number, number[]>();
  /** Sentiment of each position, -1..1: of its English trailer transcript, else of its overview. */
  private readonly sentiments: Float32Array;
  /** Trailer file names (lower case, with and without folder and extension) to positions. */
  private readonly byTrailerFile = new Map<string, number[]>();
  private tfidfIndex: TfidfIndex | null = null;
  /**
   * The popularity prior and the series, which only the blend reads (`blend.ts`): loaded by
   * `loadBlendSignals` on first use, so a call with the prior and series off (and the context
   * build) never pays for them. `positions`: each position's position in `rankSignals` (which
   * numbers every movie, vector or not).
   */
  private blendSignals: { rankSignals: RankSignals; positions: Int32Array; series: SeriesIndex } | null = null;
  private blendLoad: Promise<void> | null = null;
  /** Milliseconds the TF-IDF build took (null until built). */
  tfidfBuildMs: number | null = null;

  private constructor(
    /** Where the movies and vectors come from: vector top k and filters go back to it. */
    readonly store: Store,
    rows: readonly { id: string; title: string; year: number | null; sentiment: number }[],
    vectors: { dims: number; ids: string[]; matrix: Float32Array; ordinals?: number[] },
    shared: readonly MovieRow<"overview" | "plot">[],
    /** Transcript vectors of the movies with trailers (`plotline trailers`). */
    readonly transcripts: Transcripts,
  ) {
    const { dims } = vectors;
    const rowOf = new Map<string, number>();
    rows.forEach((r, i) => rowOf.set(r.id, i));
    // A movie without a vector cannot be compared; it never appears.
    const kept = vectors.ids.map((id) => rows[rowOf.get(id)!]!);
    this.dims = dims;
    this.matrix = vectors.matrix;
    this.ids = kept.map((r) => r.id);
    this.titles = kept.map((r) => r.title);
    this.years = kept.map((r) => r.year);
    const loose = kept.map((r) => looseTitle(r.title));
    this.dupKeys = kept.map((r, p) => `${loose[p]}|${r.year ?? ""}`);
    kept.forEach(({ title }, p) => {
      this.byId.set(this.ids[p]!, p);
      push(this.byDupKey, this.dupKeys[p]!, p);
      push(this.byTitle, title.toLowerCase(), p);
      push(this.byLooseTitle, loose[p]!, p);
    });
    const ordinals = byOrdinal(vectors.ordinals, kept.length);
    if (ordinals instanceof Int32Array) this.ordinalTable = ordinals;
    else this.ordinalMap = ordinals;
    this.groupIdenticalVectors();
    this.groupIdenticalPlots(shared);
    this.sentiments = Float32Array.from(kept, (r) => r.sentiment);
    for (const [id, { transcript, languages, files }] of transcripts.info) {
      const p = this.byId.get(id);
      if (p === undefined) continue;
      // The trailer article scores the sentiment of what a trailer says. The lexicon is English,
      // so only English transcripts are scored; other movies keep their overview's score.
      if (transcript && languages.includes("en")) this.sentiments[p] = sentimentScore(transcript);
      for (const file of files) {
        const name = file.split(/[\\/]/).pop()!;
        for (const key of new Set([file, name, name.replace(/\.[^.]+$/, "")])) push(this.byTrailerFile, key.toLowerCase(), p);
      }
    }
  }

  /**
   * Reads what recommendations need from the store: one field scan, every vector (capability
   * `allVectors`) and the movies sharing an overview (`sharedOverviews`: the store groups them
   * when it can, which spares reading every overview and plot).
   */
  static async build(store: Store, transcripts?: Transcripts): Promise<RecommendContext> {
    requireCapability(store, "allVectors", "recommendations (similar, recommend)");
    const rows: { id: string; title: string; year: number | null; sentiment: number }[] = [];
    for await (const batch of store.scan(["title", "year", "sentiment"])) rows.push(...batch);
    // Turns of the event loop between the reads and the build (each tens of ms on 10k movies).
    await yieldTurn();
    const vectors = await store.allVectors();
    await yieldTurn();
    const shared = await sharedOverviews(store);
    await yieldTurn();
    return new RecommendContext(store, rows, vectors, shared, transcripts ?? Transcripts.empty(vectors.dims));
  }

  /**
   * Loads what the blend reads (`priorAt`, `series`): the ranking signals (shared with search)
   * and the series index, built in a turn of its own. Every default similar and recommend awaits
   * it first; the first one of a collection state pays for it.
   */
  async loadBlendSignals(): Promise<void> {
    if (this.blendSignals) return;
    this.blendLoad ??= (async () => {
      const signals = await rankSignals(this.store);
      await yieldTurn();
      const byId = new Map<string, number>();
      signals.ids.forEach((id, i) => byId.set(id, i));
      const positions = Int32Array.from(this.ids, (id) => byId.get(id) ?? -1);
      const series = new SeriesIndex(
        this.titles,
        Array.from(positions, (q) => signals.genresOf(q)),
        Array.from(positions, (q, i) => (q >= 0 ? signals.mainKeyOf(q) : mainPart(this.titles[i]!).join(" "))),
      );
      this.blendSignals = { rankSignals: signals, positions, series };
    })();
    const load = this.blendLoad;
    load.catch(() => {
      if (this.blendLoad === load) this.blendLoad = null;
    });
    await load;
  }

  private loadedBlendSignals(): { rankSignals: RankSignals; positions: Int32Array; series: SeriesIndex } {
    if (!this.blendSignals) throw new Error("RecommendContext: loadBlendSignals() was not awaited before the blend");
    return this.blendSignals;
  }

  /** The movies a trailer file name (with or without folder and extension) is attached to. */
  trailerMatches(name: string): number[] {
    return [...new Set(this.byTrailerFile.get(name.trim().toLowerCase()) ?? [])];
  }

  /** The movie's finished transcript vector, when it has a trailer with a transcript. */
  transcriptAt(p: number): Float32Array | null {
    return this.transcripts.vector(this.ids[p]!);
  }

  get size(): number {
    return this.ids.length;
  }

  /** Position of the movie with this id (`tt0114709`). */
  positionOfId(id: string): number | undefined {
    return this.byId.get(id);
  }

  /**
   * Position of a store's hit: by its ordinal when the store gave ordinals with the vectors (an
   * array read, where an id costs a string-map lookup that misses the cache on every hit), else
   * by its id.
   */
  positionOfHit(hit: { id: string; ordinal?: number }): number | undefined {
    const o = hit.ordinal;
    if (o !== undefined) {
      const p = this.ordinalTable ? this.ordinalTable[o] : this.ordinalMap?.get(o);
      if (p !== undefined && p >= 0) return p;
    }
    return this.byId.get(hit.id);
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
   * its title and tagline, which a remake may share without being a copy. The store lists the
   * few movies sharing an overview (`shared`), then the merged plot tells those apart.
   */
  private groupIdenticalPlots(shared: readonly MovieRow<"overview" | "plot">[]): void {
    const byPlot = new Map<string, number[]>();
    for (const m of shared) {
      const p = this.byId.get(m.id);
      if (p !== undefined) push(byPlot, plotText({ overview: m.overview, plot: m.plot, title: "", tagline: null }), p);
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
   * Sentiment of the movie at `p`, -1..1: its English trailer transcript's when it has one, else
   * its overview's (stored at ingest, or scored by the store).
   */
  sentiment(p: number): number {
    return this.sentiments[p]!;
  }

  /** The popularity prior of the movie at `p` (`src/search/prior.ts`); after `loadBlendSignals`. */
  priorAt(p: number): number {
    const { rankSignals, positions } = this.loadedBlendSignals();
    return rankSignals.prior.of(positions[p]!);
  }

  /** Which movies share a series or are remakes, from their titles and genres (`franchise.ts`); after `loadBlendSignals`. */
  series(): SeriesIndex {
    return this.loadedBlendSignals().series;
  }

  /** The TF-IDF index of the plot texts, built on first use and kept with this context. */
  async tfidf(): Promise<TfidfIndex> {
    if (this.tfidfIndex) return this.tfidfIndex;
    const t0 = performance.now();
    const texts: string[] = new Array<string>(this.size).fill("");
    // The plot text (Karpathy's TF-IDF is over plots): the overview, and a plot merged from another
    // catalog when there is one; not the title, keywords and cast the embedders also read.
    for await (const batch of this.store.scan(["title", "overview", "tagline", "plot"])) {
      for (const r of batch) {
        const p = this.byId.get(r.id);
        if (p !== undefined) texts[p] = plotText(r);
      }
    }
    this.tfidfIndex ??= TfidfIndex.build(texts);
    this.tfidfBuildMs ??= performance.now() - t0;
    return this.tfidfIndex;
  }
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

/**
 * The position of each ordinal (`ordinals[p]` is position p's): a dense table (-1 where none)
 * when they are non-negative integers below 4 per movie plus 1024 (SQLite's rowids, with room
 * for deletions), else a map; null without ordinals or when two positions share one.
 */
function byOrdinal(ordinals: readonly number[] | undefined, size: number): Int32Array | Map<number, number> | null {
  if (!ordinals || ordinals.length !== size) return null;
  let max = -1;
  for (const o of ordinals) {
    if (!Number.isInteger(o) || o < 0) {
      max = Infinity;
      break;
    }
    if (o > max) max = o;
  }
  if (max < 4 * size + 1024) {
    const table = new Int32Array(max + 1).fill(-1);
    for (let p = 0; p < size; p++) {
      if (table[ordinals[p]!] !== -1) return null;
      table[ordinals[p]!] = p;
    }
    return table;
  }
  const map = new Map<number, number>();
  for (let p = 0; p < size; p++) {
    if (map.has(ordinals[p]!)) return null;
    map.set(ordinals[p]!, p);
  }
  return map;
}

function push<K>(map: Map<K, number[]>, key: K, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
