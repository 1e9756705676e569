import { FIELD_GROUPS, type Store } from "../store/store.js";
import { HYBRID_POOL, RRF_K, vagueness, type FusedHit, type Scored } from "./hybrid.js";
import { softGenres } from "./moods.js";
import { mainPart } from "../recommend/franchise.js";
import { PriorTable } from "./prior.js";
import { rankInputs, type RankInputs } from "./rank-inputs.js";
import { FEATURE_COUNT, FEATURE_INDEX as F, rankFeature } from "./rank-model.js";
import { titleWords } from "./title-index.js";
import { mapSliced, TimeSlice, yieldTurn } from "../time-slice.js";
import { TitleMatcher, titleQuery, TitleVocabulary } from "./title-match.js";

/**
 * What ranking knows about every movie besides the store's indexes: the popularity prior, the
 * title's words for title matching, the series and the genres, all by position (the store's
 * natural order, as `MovieCatalog` numbers movies). Built from one field scan per collection
 * state (`rankSignals`) and shared by search and recommendations.
 */
export class RankSignals {
  readonly prior: PriorTable;
  /** Every movie's id, by position. */
  readonly ids: readonly string[];
  /**
   * Each title's words as ids of `titleWordIds`, by position, and every title word: built on
   * first use, by search's title matching (a third of the build: `similar` and `recommend`
   * read the prior, series and genres only).
   */
  private titleIndex: { titles: (Int32Array | undefined)[]; wordIds: TitleVocabulary; vocabulary: Set<string> } | null = null;
  private titleBuild: Promise<void> | null = null;
  private readonly titleSource: Pick<RankInputs, "positions" | "titles">;
  private readonly genres: (string[] | undefined)[] = [];
  /** The collection's genre names by their lower case. */
  readonly genreNames = new Map<string, string>();
  /**
   * Each movie's series (its title's main part, `franchise.ts`) as a number, by position: -1
   * when no other movie of the collection shares it. And each movie's year (NaN when unknown).
   */
  private readonly series: Int32Array;
  private readonly year: Float64Array;
  /** Each title's main part (`mainPart`, words joined by spaces; "" when none), by position: the series index of recommendations reuses it. */
  private readonly mainKeys: string[] = [];

  /** @param keys each title's main part (`mainPart(title).join(" ")`), by input order: computed here when not given */
  constructor(inputs: RankInputs, keys: readonly string[] = inputs.titles.map(mainKey), prior = new PriorTable(inputs)) {
    this.prior = prior;
    this.ids = inputs.ids;
    const n = inputs.ids.length;
    this.series = new Int32Array(n).fill(-1);
    this.year = new Float64Array(n).fill(NaN);
    const shared = new Map<string, number>();
    for (const k of keys) if (k) shared.set(k, (shared.get(k) ?? 0) + 1);
    const seriesIds = new Map<string, number>();
    this.titleSource = { positions: inputs.positions, titles: inputs.titles };
    inputs.positions.forEach((p, i) => {
      const key = keys[i]!;
      this.mainKeys[p] = key;
      if (key && shared.get(key)! > 1) {
        if (!seriesIds.has(key)) seriesIds.set(key, seriesIds.size);
        this.series[p] = seriesIds.get(key)!;
      }
      this.year[p] = inputs.years[i] ?? NaN;
      const genres = inputs.genres[i]!;
      this.genres[p] = genres.map((g) => g.toLowerCase());
      for (const g of genres) if (!this.genreNames.has(g.toLowerCase())) this.genreNames.set(g.toLowerCase(), g);
    });
  }

  /** Built in slices (`time-slice.ts`): the main parts' stemming is most of the build. */
  static async load(store: Store): Promise<RankSignals> {
    const inputs = await rankInputs(store);
    const keys = await mapSliced(inputs.titles, mainKey);
    const prior = new PriorTable(inputs);
    await yieldTurn();
    return new RankSignals(inputs, keys, prior);
  }

  private titleData(): { titles: (Int32Array | undefined)[]; wordIds: TitleVocabulary; vocabulary: Set<string> } {
    if (this.titleIndex) return this.titleIndex;
    const t = { titles: [] as (Int32Array | undefined)[], wordIds: new TitleVocabulary(), vocabulary: new Set<string>() };
    const { titles } = this.titleSource;
    for (let i = 0; i < titles.length; i++) this.addTitle(t, i);
    return (this.titleIndex = t);
  }

  private addTitle(t: { titles: (Int32Array | undefined)[]; wordIds: TitleVocabulary; vocabulary: Set<string> }, i: number): void {
    const title = this.titleSource.titles[i]!;
    t.titles[this.titleSource.positions[i]!] = t.wordIds.add(title);
    for (const w of titleWords(title)) t.vocabulary.add(w);
  }

  /**
   * Builds the title words (what `titleOf` and `titleVocabulary` read) in slices, so a search
   * that needs them first does not hold the event loop for the whole build; search awaits it.
   */
  async prepareTitles(): Promise<void> {
    if (this.titleIndex) return;
    this.titleBuild ??= (async () => {
      const t = { titles: [] as (Int32Array | undefined)[], wordIds: new TitleVocabulary(), vocabulary: new Set<string>() };
      const slice = new TimeSlice();
      for (let i = 0; i < this.titleSource.titles.length; i++) {
        this.addTitle(t, i);
        if (slice.tick()) await slice.pause();
      }
      this.titleIndex ??= t;
    })();
    await this.titleBuild;
  }

  /** The ids that title words are numbered by (`titleOf`). */
  get titleWordIds(): TitleVocabulary {
    return this.titleData().wordIds;
  }

  /** Every word of every title (folded, as `titleWords` cuts them). */
  get titleVocabulary(): ReadonlySet<string> {
    return this.titleData().vocabulary;
  }

  /** The title's words as ids of `titleWordIds`. */
  titleOf(position: number): Int32Array | undefined {
    return this.titleData().titles[position];
  }

  /**
   * For a candidate pool: the earliest year among the pool's movies of each series that more
   * than one of them belongs to (the `seriesFirst` / `seriesSequel` features), by series.
   */
  seriesInPool(positions: Iterable<number>): Map<number, { first: number; count: number }> {
    const out = new Map<number, { first: number; count: number }>();
    for (const r of positions) {
      const key = this.seriesOf(r);
      if (key < 0) continue;
      const y = Number.isNaN(this.year[r]!) ? Infinity : this.year[r]!;
      const e = out.get(key);
      if (!e) out.set(key, { first: y, count: 1 });
      else {
        e.count++;
        if (y < e.first) e.first = y;
      }
    }
    for (const [key, e] of out) if (e.count < 2) out.delete(key);
    return out;
  }

  /** The title's main part (`mainPart(title).join(" ")`), "" when it has none. */
  mainKeyOf(position: number): string {
    return this.mainKeys[position] ?? "";
  }

  /** The movie's series number, or -1 when it shares its series with no other movie. */
  seriesOf(position: number): number {
    return position < this.series.length ? this.series[position]! : -1;
  }

  /** 1: the earliest of its series in the pool; -1: a later one; 0: alone in the pool. */
  seriesRole(position: number, pool: ReadonlyMap<number, { first: number }>): number {
    const key = this.seriesOf(position);
    const e = key >= 0 ? pool.get(key) : undefined;
    if (!e) return 0;
    const y = Number.isNaN(this.year[position]!) ? Infinity : this.year[position]!;
    return y <= e.first ? 1 : -1;
  }

  /** The movie's genres, lower case (empty when unknown). */
  genresOf(position: number): readonly string[] {
    return this.genres[position] ?? [];
  }

  /** The share of `wanted` (lower case) that the movie's genres hold. */
  genreShare(position: number, wanted: readonly string[]): number {
    if (wanted.length === 0) return 0;
    const own = this.genres[position];
    if (!own) return 0;
    let n = 0;
    for (const g of wanted) if (own.includes(g)) n++;
    return n / wanted.length;
  }
}

/** A title's main part as the series index keys it. */
const mainKey = (title: string): string => mainPart(title).join(" ");

const cache = new WeakMap<Store, { token: string; signals: Promise<RankSignals> }>();

/** The store's ranking signals, built again when its freshness token changes. */
export async function rankSignals(store: Store): Promise<RankSignals> {
  const token = await store.freshness();
  let entry = cache.get(store);
  if (!entry || entry.token !== token) {
    const signals = RankSignals.load(store);
    cache.set(store, (entry = { token, signals }));
    // A failed build is not kept: the next call tries again.
    signals.catch(() => {
      if (cache.get(store) === entry) cache.delete(store);
    });
  }
  return entry.signals;
}

/** What the ranking model reads of one query. */
export interface QuerySignals {
  /** The query's words against the titles (`title-match.ts`). */
  title: TitleMatcher;
  /** The pool's positions, sorted, and their per-field matches (`Store.keywordFieldMatches`, 4 each, or null); set once the lists are known. */
  pool: Int32Array;
  poolFields: Float64Array | null;
  /** Genres (lower case) that the query's genre and mood words name. */
  genres: string[];
  /** How alike the top of the candidate lists is (`vagueness`); set once the lists are known. */
  vagueness: number;
  /** The series the pool holds more than one movie of (`seriesInPool`); set once the lists are known. */
  series: ReadonlyMap<number, { first: number }>;
  /** Each pool movie's likeness to the pool's consensus top (`feedbackScores`), in pool order, or null. */
  poolFeedback: Float64Array | null;
  /** Each pool movie's best `coverage` among the other pool movies of its series (`seriesCoverage`), in pool order, or null. */
  poolSeriesCoverage: Float64Array | null;
}

/** Numbers per pool movie in `poolFields` (`FIELD_GROUPS`), and where each group is. */
const G = FIELD_GROUPS.length;
const GROUP = Object.fromEntries(FIELD_GROUPS.map((g, i) => [g, i])) as Record<(typeof FIELD_GROUPS)[number], number>;

/**
 * For each pool movie, the best `coverage` (the `any` group of `poolFields`) among the other
 * pool movies of its series; 0 for a movie alone of its series in the pool. Two passes over
 * the pool: each series' best and second best, then each movie reads the best that is not its own.
 */
export function seriesCoverage(signals: RankSignals, pool: Int32Array, fields: Float64Array): Float64Array {
  const best = new Map<number, [number, number]>();
  for (let i = 0; i < pool.length; i++) {
    const s = signals.seriesOf(pool[i]!);
    if (s < 0) continue;
    const c = fields[G * i + GROUP.any]!;
    const e = best.get(s);
    if (!e) best.set(s, [c, -1]);
    else if (c > e[0]) best.set(s, [c, e[0]]);
    else if (c > e[1]) e[1] = c;
  }
  const out = new Float64Array(pool.length);
  for (let i = 0; i < pool.length; i++) {
    const s = signals.seriesOf(pool[i]!);
    const e = s >= 0 ? best.get(s) : undefined;
    if (!e || e[1] < 0) continue;
    const c = fields[G * i + GROUP.any]!;
    out[i] = c === e[0] ? e[1] : e[0];
  }
  return out;
}

/** Movies whose vectors make the feedback centroid: the top of both lists by reciprocal rank fusion. */
export const FEEDBACK_DEPTH = 5;

/**
 * Pseudo-relevance feedback (Rocchio's, in the embedding space): the unit mean of the vectors
 * of the pool's `FEEDBACK_DEPTH` best movies by reciprocal rank fusion of the two lists (a
 * ranking without weights, so no model is needed to pick them), and each pool movie's cosine to
 * it, min-max scaled over the pool. A film the query's words miss but that is much like the
 * films both lists agree on (the original beside its sequels) scores high; null when fewer
 * than two vectors are known or they cancel out. `vectors` holds the pool's vectors in pool
 * order (null: unknown). Runs on every learned hybrid query: typed arrays indexed by pool
 * position, no maps or sorts.
 */
export function feedbackScores(pool: Int32Array, keyword: readonly Scored[], semantic: readonly Scored[], vectors: readonly (Float32Array | null)[]): Float64Array | null {
  const rrf = new Float64Array(pool.length);
  const add = (list: readonly Scored[]) => {
    for (let i = 0; i < Math.min(HYBRID_POOL, list.length); i++) {
      const at = poolIndex(pool, list[i]!.id);
      if (at >= 0) rrf[at]! += 1 / (RRF_K + i + 1);
    }
  };
  add(keyword);
  add(semantic);
  // The FEEDBACK_DEPTH best by RRF, ties to the earlier position (the pool is sorted by position).
  const top: number[] = [];
  for (let i = 0; i < pool.length; i++) {
    if (top.length === FEEDBACK_DEPTH && !(rrf[i]! > rrf[top[FEEDBACK_DEPTH - 1]!]!)) continue;
    let at = top.length;
    while (at > 0 && rrf[i]! > rrf[top[at - 1]!]!) at--;
    top.splice(at, 0, i);
    if (top.length > FEEDBACK_DEPTH) top.pop();
  }
  let centroid: Float64Array | null = null;
  let used = 0;
  for (const i of top) {
    const v = vectors[i];
    if (!v) continue;
    centroid ??= new Float64Array(v.length);
    for (let d = 0; d < v.length; d++) centroid[d]! += v[d]!;
    used++;
  }
  if (!centroid || used < 2) return null;
  let norm = 0;
  for (let d = 0; d < centroid.length; d++) norm += centroid[d]! * centroid[d]!;
  if (!(norm > 1e-12)) return null;
  return scaledCosines(vectors, centroid);
}

/**
 * Each vector's dot product with `c`, min-max scaled over those known (0 for an unknown one).
 * The loop reads one typed array by offset, which V8 runs about twice as fast as a loop over
 * as many views: the views themselves when they share a buffer (a store's in-memory matrix
 * usually), else a copy. This is the learned fusion's largest loop.
 */
function scaledCosines(vectors: readonly (Float32Array | null)[], c: Float64Array): Float64Array {
  const dims = c.length;
  const n = vectors.length;
  const offsets = new Int32Array(n).fill(-1);
  let buffer: ArrayBufferLike | null = null;
  let shared = true;
  for (let i = 0; i < n; i++) {
    const v = vectors[i];
    if (!v || v.length !== dims) continue;
    buffer ??= v.buffer;
    if (v.buffer !== buffer) shared = false;
    offsets[i] = v.byteOffset / 4;
  }
  let data: Float32Array;
  if (buffer && shared) data = new Float32Array(buffer);
  else {
    data = new Float32Array(n * dims);
    for (let i = 0; i < n; i++) {
      if (offsets[i]! < 0) continue;
      data.set(vectors[i]!, i * dims);
      offsets[i] = i * dims;
    }
  }
  const out = new Float64Array(n);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const o = offsets[i]!;
    if (o < 0) continue;
    let s = 0;
    for (let d = 0; d < dims; d++) s += data[o + d]! * c[d]!;
    out[i] = s;
    if (s < lo) lo = s;
    if (s > hi) hi = s;
  }
  const span = hi - lo;
  for (let i = 0; i < n; i++) out[i] = offsets[i]! >= 0 ? (span > 1e-12 ? (out[i]! - lo) / span : 1) : 0;
  return out;
}

/** The candidate pool: each list's top `HYBRID_POOL` positions, sorted ascending, distinct. */
export function candidatePool(keyword: readonly Scored[], semantic: readonly Scored[]): Int32Array {
  const ids: number[] = [];
  for (let i = 0; i < Math.min(HYBRID_POOL, keyword.length); i++) ids.push(keyword[i]!.id);
  for (let i = 0; i < Math.min(HYBRID_POOL, semantic.length); i++) ids.push(semantic[i]!.id);
  const sorted = Int32Array.from(ids).sort();
  let n = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[n++] = sorted[i]!;
  return sorted.slice(0, n);
}

/**
 * Fills in what the model reads of the candidate lists, once they are known: the pool
 * (`candidatePool`), its per-field matches in pool order (null: zeros), and the vectors of its
 * movies in pool order (for `feedbackScores`; absent: no feedback).
 */
export function readLists(
  signals: RankSignals,
  q: QuerySignals,
  keyword: readonly Scored[],
  semantic: readonly Scored[],
  pool: Int32Array,
  poolFields: Float64Array | null,
  poolVectors?: readonly (Float32Array | null)[],
): void {
  q.vagueness = vagueness([keyword, semantic]);
  q.pool = pool;
  q.poolFields = poolFields;
  q.series = signals.seriesInPool(q.pool);
  q.poolFeedback = poolVectors ? feedbackScores(q.pool, keyword, semantic, poolVectors) : null;
  q.poolSeriesCoverage = poolFields ? seriesCoverage(signals, pool, poolFields) : null;
}

/** Where a position is in the sorted pool, or -1. */
function poolIndex(pool: Int32Array, position: number): number {
  let lo = 0;
  let hi = pool.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pool[mid]! < position) lo = mid + 1;
    else hi = mid;
  }
  return lo < pool.length && pool[lo] === position ? lo : -1;
}

export function querySignals(signals: RankSignals, text: string): QuerySignals {
  return {
    title: new TitleMatcher(
      titleQuery(text, (w) => signals.titleVocabulary.has(w)),
      signals.titleWordIds,
    ),
    genres: softGenres(text, signals.genreNames).map((g) => g.toLowerCase()),
    vagueness: 0,
    series: new Map(),
    pool: new Int32Array(0),
    poolFields: null,
    poolFeedback: null,
    poolSeriesCoverage: null,
  };
}

/** Content words up to which a query counts as short (`priorShort` is the prior itself). */
const SHORT_QUERY_WORDS = 3;
const match = { cover: 0, query: 0 };

/** The ranking model's features of a fused candidate (see `RANK_FEATURES`), written into `out`. */
export function features(signals: RankSignals, q: QuerySignals, h: FusedHit, pool: number, out: Float64Array): Float64Array {
  out.fill(0, 0, FEATURE_COUNT);
  out[F.keyword] = h.keywordNorm ?? 0;
  out[F.semantic] = h.semanticNorm ?? 0;
  out[F.keywordTop] = h.keywordRank !== null && h.keywordRank <= pool ? rankFeature(h.keywordRank) : 0;
  out[F.semanticTop] = h.semanticRank !== null && h.semanticRank <= pool ? rankFeature(h.semanticRank) : 0;
  const prior = signals.prior.of(h.id);
  out[F.prior] = prior;
  const shortness = Math.min(1, SHORT_QUERY_WORDS / Math.max(1, q.title.query.words.length));
  out[F.priorShort] = prior * shortness;
  out[F.priorVague] = prior * q.vagueness;
  const title = signals.titleOf(h.id);
  if (title) {
    q.title.match(title, match);
    out[F.titleMatch] = match.cover * match.query;
    out[F.titleExact] = match.cover === 1 && match.query === 1 ? 1 : 0;
    out[F.titleQuery] = match.query;
  }
  const at = poolIndex(q.pool, h.id);
  if (at >= 0 && q.poolFields) {
    const shares = q.poolFields;
    out[F.fieldTitle] = shares[G * at + GROUP.title]!;
    out[F.fieldKeywords] = shares[G * at + GROUP.keywords]!;
    out[F.fieldPeople] = shares[G * at + GROUP.people]!;
    out[F.fieldText] = shares[G * at + GROUP.text]!;
    out[F.coverage] = shares[G * at + GROUP.any]!;
    out[F.coverageShort] = out[F.coverage]! * shortness;
    out[F.fieldKeywordsShort] = out[F.fieldKeywords]! * shortness;
  }
  if (at >= 0 && q.poolSeriesCoverage) out[F.seriesCoverage] = q.poolSeriesCoverage[at]!;
  if (at >= 0 && q.poolFeedback) out[F.feedback] = q.poolFeedback[at]!;
  out[F.genreMatch] = signals.genreShare(h.id, q.genres);
  const role = signals.seriesRole(h.id, q.series);
  out[F.seriesFirst] = role === 1 ? 1 : 0;
  out[F.seriesSequel] = role === -1 ? 1 : 0;
  return out;
}
