import type Database from "better-sqlite3";
import type { Collection } from "../store/collection.js";
import { rankInputs } from "../store/rank-inputs.js";
import type { KeywordQuery } from "./fts-query.js";
import { HYBRID_POOL, vagueness, type FusedHit, type Scored } from "./hybrid.js";
import type { KeywordIndex } from "./keyword.js";
import { softGenres } from "./moods.js";
import { mainPart } from "../recommend/franchise.js";
import { PriorTable } from "./prior.js";
import { FEATURE_COUNT, FEATURE_INDEX as F, rankFeature } from "./rank-model.js";
import { titleWords } from "./title-index.js";
import { titleMatch, titleQuery, titleWordsOf, type TitleQuery, type TitleWords } from "./title-match.js";

/**
 * What ranking knows about every movie besides the indexes: the popularity prior, the title's
 * words for title matching, and the genres, all by rowid. Built once per collection state
 * (`rankSignals`) and shared by search and recommendations.
 */
export class RankSignals {
  readonly prior: PriorTable;
  /** By rowid. */
  private readonly titles: (TitleWords | undefined)[] = [];
  private readonly genres: (string[] | undefined)[] = [];
  /** The collection's genre names by their lower case. */
  readonly genreNames = new Map<string, string>();
  /** Every word of every title (folded, as `titleWords` cuts them). */
  readonly titleVocabulary = new Set<string>();
  /** Each movie's series key (its title's main part, `franchise.ts`) and year, by rowid. */
  private readonly seriesKey: (string | undefined)[] = [];
  private readonly year: (number | null | undefined)[] = [];

  constructor(collection: Collection) {
    const inputs = rankInputs(collection);
    this.prior = new PriorTable(inputs);
    inputs.rowids.forEach((rowid, i) => {
      this.titles[rowid] = titleWordsOf(inputs.titles[i]!);
      for (const w of titleWords(inputs.titles[i]!)) this.titleVocabulary.add(w);
      this.seriesKey[rowid] = mainPart(inputs.titles[i]!).join(" ");
      this.year[rowid] = inputs.years[i];
      const genres = inputs.genres[i]!;
      this.genres[rowid] = genres.map((g) => g.toLowerCase());
      for (const g of genres) if (!this.genreNames.has(g.toLowerCase())) this.genreNames.set(g.toLowerCase(), g);
    });
  }

  titleOf(rowid: number): TitleWords | undefined {
    return this.titles[rowid];
  }

  /**
   * For a candidate pool: the earliest year among the pool's movies of each series key that
   * more than one of them shares (the `seriesFirst` / `seriesSequel` features).
   */
  seriesInPool(rowids: Iterable<number>): Map<string, { first: number; count: number }> {
    const out = new Map<string, { first: number; count: number }>();
    for (const r of rowids) {
      const key = this.seriesKey[r];
      if (!key) continue;
      const y = this.year[r] ?? Infinity;
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

  /** 1: the earliest of its series in the pool; -1: a later one; 0: alone in the pool. */
  seriesRole(rowid: number, pool: ReadonlyMap<string, { first: number }>): number {
    const key = this.seriesKey[rowid];
    const e = key ? pool.get(key) : undefined;
    if (!e) return 0;
    return (this.year[rowid] ?? Infinity) <= e.first ? 1 : -1;
  }

  /** The movie's genres, lower case (empty when unknown). */
  genresOf(rowid: number): readonly string[] {
    return this.genres[rowid] ?? [];
  }

  /** The share of `wanted` (lower case) that the movie's genres hold. */
  genreShare(rowid: number, wanted: readonly string[]): number {
    if (wanted.length === 0) return 0;
    const own = this.genres[rowid];
    if (!own) return 0;
    let n = 0;
    for (const g of wanted) if (own.includes(g)) n++;
    return n / wanted.length;
  }
}

const cache = new WeakMap<Collection, { version: string; signals: RankSignals; changes: Database.Statement }>();

/** The collection's ranking signals, rebuilt when the collection changed (as `filterTable` is). */
export function rankSignals(collection: Collection): RankSignals {
  let entry = cache.get(collection);
  const changes = entry?.changes ?? collection.db.prepare("SELECT total_changes()").raw();
  const version = `${collection.db.pragma("data_version", { simple: true })}:${(changes.get() as [number])[0]}`;
  if (!entry || entry.version !== version) cache.set(collection, (entry = { version, signals: new RankSignals(collection), changes }));
  return entry.signals;
}

/** What the ranking model reads of one query. */
export interface QuerySignals {
  title: TitleQuery;
  /** Per-field matches (`KeywordIndex.fieldShares`), or null. */
  fields: ((rowid: number, out: Float64Array) => void) | null;
  /** Genres (lower case) that the query's genre and mood words name. */
  genres: string[];
  /** How alike the top of the candidate lists is (`vagueness`); set once the lists are known. */
  vagueness: number;
  /** The series the pool holds more than one movie of (`seriesInPool`); set once the lists are known. */
  series: ReadonlyMap<string, { first: number }>;
}

/** Fills in what the model reads of the candidate lists, once they are known. */
export function readLists(signals: RankSignals, q: QuerySignals, keyword: readonly Scored[], semantic: readonly Scored[]): void {
  q.vagueness = vagueness([keyword, semantic]);
  q.series = signals.seriesInPool([...keyword.slice(0, HYBRID_POOL), ...semantic.slice(0, HYBRID_POOL)].map((h) => h.id));
}

export function querySignals(signals: RankSignals, text: string, keyword: KeywordIndex, keywordQuery: KeywordQuery | null): QuerySignals {
  return {
    title: titleQuery(text, (w) => signals.titleVocabulary.has(w)),
    fields: keywordQuery ? keyword.fieldShares(keywordQuery) : null,
    genres: softGenres(text, signals.genreNames).map((g) => g.toLowerCase()),
    vagueness: 0,
    series: new Map(),
  };
}

/** Content words up to which a query counts as short (`priorShort` is the prior itself). */
const SHORT_QUERY_WORDS = 3;
const shares = new Float64Array(4);
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
  out[F.priorShort] = prior * Math.min(1, SHORT_QUERY_WORDS / Math.max(1, q.title.words.length));
  out[F.priorVague] = prior * q.vagueness;
  const title = signals.titleOf(h.id);
  if (title) {
    titleMatch(q.title, title, match);
    out[F.titleMatch] = match.cover * match.query;
    out[F.titleExact] = match.cover === 1 && match.query === 1 ? 1 : 0;
    out[F.titleQuery] = match.query;
  }
  if (q.fields) {
    q.fields(h.id, shares);
    out[F.fieldTitle] = shares[0]!;
    out[F.fieldKeywords] = shares[1]!;
    out[F.fieldPeople] = shares[2]!;
    out[F.fieldText] = shares[3]!;
  }
  out[F.genreMatch] = signals.genreShare(h.id, q.genres);
  const role = signals.seriesRole(h.id, q.series);
  out[F.seriesFirst] = role === 1 ? 1 : 0;
  out[F.seriesSequel] = role === -1 ? 1 : 0;
  return out;
}
