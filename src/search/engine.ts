import { InvalidArgumentError } from "../errors.js";
import type { VectorIndex } from "../vector-index/vector-index.js";
import type Database from "better-sqlite3";
import type { Collection } from "../store/collection.js";
import { filterRowids, filterSql, hasFilters, type Filters } from "./filters.js";
import { ftsExpression, parseKeywordQuery, type KeywordQuery } from "./fts-query.js";
import { blendPrior, convexFusion, DEFAULT_ALPHA, HYBRID_POOL, RRF_K, rrfFusion, scoredFusion, type FusedHit } from "./hybrid.js";
import { KeywordIndex } from "./keyword.js";
import { matcher, tokenizeMovie, type TokenizedMovie } from "./matches.js";
import { FEATURE_COUNT, modelScore, RANK_FEATURES, weightVector, type RankFeature } from "./rank-model.js";
import { features, querySignals, rankSignals, readLists, type RankSignals } from "./ranker.js";
import { PRIOR_WEIGHTS, RANK_WEIGHTS } from "./rank-weights.js";
import { cosines, isZero, semanticSearch } from "./semantic.js";
import { Spelling } from "./spelling.js";
import { fold, STOP_WORDS } from "./text.js";
import { TitleIndex, titleWords } from "./title-index.js";
import {
  DEFAULT_K,
  DEFAULT_PRIOR,
  DEFAULT_TITLES_K,
  FUSIONS,
  MAX_K,
  MAX_PRIOR,
  SEARCH_MODES,
  type ExplainedHit,
  type FieldMatches,
  type Fusion,
  type HitScores,
  type ParsedQuery,
  type SearchMode,
  type SearchOptions,
  type SearchResponse,
  type TitleResponse,
} from "./types.js";
import { personKey, understand, type UnderstandContext } from "./understand.js";

/**
 * Most movies kept in memory for showing on a page, with their tokenized fields for finding
 * matched words (about 10 KB each); the map starts over when full, and commonly returned
 * movies are soon back.
 */
export const MAX_PAGE_MOVIES = 4096;

/** A movie as a result page shows it, and its fields tokenized for matched words (null until a keyword query asks). */
interface PageMovie {
  rowid: number;
  id: string;
  title: string;
  year: number | null;
  tokens: TokenizedMovie | null;
}

/** Largest `offset` accepted: deeper pages cost a longer list from each side. */
export const MAX_OFFSET = 100_000;
/** Longest title-search input, in characters (titles are short; the rest is ignored). */
export const MAX_TITLE_QUERY_LENGTH = 200;

/** What search needs from the open collection; `Plotline` provides it. */
export interface SearchDeps {
  collection: Collection;
  /** The vector index over the collection (built on first use). */
  vectorIndex(): Promise<VectorIndex>;
  /** The finished (unit) query vector for a text. */
  embedQuery(text: string): Promise<Float32Array>;
  /**
   * More like one movie (by id), best first, filters applied; when absent, "movies like X"
   * searches by X's stored vector.
   */
  similar?(id: string, k: number, filters: Filters, prior: number): Promise<{ id: string; title: string; year: number | null; score: number }[]>;
  /**
   * Recommendations from liked and disliked movies (by id), best first, filters applied: "Alien
   * meets Toy Story", "like Alien without Aliens". Without it such queries use the first liked film.
   */
  recommend?(like: string[], dislike: string[], k: number, filters: Filters, prior: number): Promise<{ id: string; title: string; year: number | null; score: number }[]>;
}

/**
 * Queries naming films and more words ("like Die Hard but on a bus"): the examples'
 * recommendations (their best `EXAMPLE_POOL`) and the text's hybrid results (its best
 * `HYBRID_POOL`) are each min-max normalised and added with these weights, equal because the
 * query asks for both: a film near the examples that also fits the words leads.
 */
export const EXAMPLE_WEIGHTS = { examples: 0.5, text: 0.5 } as const;
/** Recommendations from the examples that a query with text fuses with the text's results. */
export const EXAMPLE_POOL = 200;

interface Ranked {
  id: number;
  score: number;
  scores: HitScores;
  /** Known matches (title mode), or the keyword query to find them in the movie's fields. */
  matches?: FieldMatches;
  keywordQuery?: KeywordQuery;
}

/** Validated options with their defaults. */
interface Plan {
  mode: SearchMode;
  k: number;
  offset: number;
  alpha: number;
  fusion: Fusion;
  filters: Filters;
  parse: boolean;
  /** Multiple of the prior's weight (0: off). */
  prior: number;
}

function intParam(name: string, value: unknown, fallback: number, min: number, max: number): number {
  const v = value ?? fallback;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) throw new InvalidArgumentError(name, `must be an integer from ${min} to ${max}, got ${String(v)}`);
  return v;
}

function stringList(name: string, v: unknown): void {
  if (v !== undefined && (!Array.isArray(v) || v.some((x) => typeof x !== "string"))) throw new InvalidArgumentError(name, "must be a list of strings");
}

/** Checks the options a caller (CLI, HTTP, library) passed, naming the one at fault. */
export function planSearch(options: SearchOptions): Plan {
  const mode = options.mode ?? "hybrid";
  if (!(SEARCH_MODES as readonly string[]).includes(mode)) throw new InvalidArgumentError("mode", `unknown mode '${String(mode)}' (modes: ${SEARCH_MODES.join(", ")})`);
  const fusion = options.fusion ?? "learned";
  if (!(FUSIONS as readonly string[]).includes(fusion)) throw new InvalidArgumentError("fusion", `unknown fusion '${String(fusion)}' (fusions: ${FUSIONS.join(", ")})`);
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  if (typeof alpha !== "number" || !(alpha >= 0 && alpha <= 1)) throw new InvalidArgumentError("alpha", `must be a number from 0 to 1, got ${String(alpha)}`);
  const k = intParam("k", options.k, DEFAULT_K, 1, MAX_K);
  const offset = intParam("offset", options.offset, 0, 0, MAX_OFFSET);
  const filters = { ...(options.filters ?? {}) };
  for (const key of ["genres", "excludeGenres", "cast", "directors"] as const) stringList(key, filters[key]);
  if (filters.genreMode !== undefined && filters.genreMode !== "any" && filters.genreMode !== "all") throw new InvalidArgumentError("genreMode", `must be 'any' or 'all', got '${String(filters.genreMode)}'`);
  if (filters.language !== undefined && typeof filters.language !== "string") throw new InvalidArgumentError("language", "must be a string");
  filterSql(filters); // validates numbers and ranges
  const prior = options.prior ?? DEFAULT_PRIOR;
  if (typeof prior !== "number" || !(prior >= 0 && prior <= MAX_PRIOR)) throw new InvalidArgumentError("prior", `must be a number from 0 to ${MAX_PRIOR}, got ${String(prior)}`);
  return { mode, k, offset, alpha, fusion, filters, parse: options.parse ?? true, prior };
}

/** Explicit filters win over understood ones, field by field. */
function mergeFilters(understood: Filters, explicit: Filters): Filters {
  const out: Filters = { ...understood };
  for (const [key, value] of Object.entries(explicit) as [keyof Filters, unknown][]) {
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    (out as Record<string, unknown>)[key] = value;
  }
  if (explicit.genres?.length && !explicit.genreMode) delete out.genreMode;
  return out;
}

/**
 * Every search mode over one collection: keyword (BM25 over FTS5), title (typo-tolerant, as
 * you type), semantic (cosine over the vector index) and hybrid (both, fused), with filters,
 * stable pagination, explanations and query understanding. Built lazily per collection state:
 * `Plotline` drops it when the collection changes.
 */
export class SearchEngine {
  private keywordIndex: KeywordIndex | null = null;
  private speller: Spelling | null = null;
  private titleIndex: TitleIndex | null = null;
  private titlesByPrior = false;
  private people: Map<string, { name: string; cast: number; directed: number }> | null = null;
  private pageStatement: Database.Statement | null = null;
  /** Rowids and popularity, most popular first, for queries that are only filters. */
  private byPopularity: [number, number][] | null = null;
  /** Rowids and prior, highest first, for the same queries when the prior is on. */
  private byPrior: [number, number][] | null = null;
  /** Movies shown on recent pages, by rowid, with their fields tokenized once matched words were asked of them. */
  private pageCache = new Map<number, PageMovie>();

  constructor(private readonly deps: SearchDeps) {}

  private get collection(): Collection {
    return this.deps.collection;
  }

  keyword(): KeywordIndex {
    return (this.keywordIndex ??= new KeywordIndex(this.collection));
  }

  spelling(): Spelling {
    return (this.speller ??= new Spelling(this.collection));
  }

  titlesIndex(): TitleIndex {
    return (this.titleIndex ??= TitleIndex.fromCollection(this.collection));
  }

  /** The prior, the titles' words and the genres the ranking model reads (shared with recommendations). */
  signals(): RankSignals {
    return rankSignals(this.collection);
  }

  /** Cast members and directors by `personKey`, with how many films each acted in or directed. */
  private peopleIndex(): Map<string, { name: string; cast: number; directed: number }> {
    if (this.people) return this.people;
    const people = new Map<string, { name: string; cast: number; directed: number }>();
    const add = (name: string, role: "cast" | "directed") => {
      const key = personKey(name);
      if (!key) return;
      let p = people.get(key);
      if (!p) people.set(key, (p = { name, cast: 0, directed: 0 }));
      p[role]++;
    };
    for (const [cast, directors] of this.collection.db.prepare("SELECT cast_members, directors FROM movies").raw().iterate() as Iterable<[string, string]>) {
      for (const n of JSON.parse(cast) as string[]) add(n, "cast");
      for (const n of JSON.parse(directors) as string[]) add(n, "directed");
    }
    return (this.people = people);
  }

  private understandContext(): UnderstandContext {
    return {
      person: (key) => this.peopleIndex().get(key) ?? null,
      title: (phrase) => {
        if (titleWords(phrase).every((w) => STOP_WORDS.has(w))) return null;
        const rowid = this.titlesIndex().resolve(phrase);
        const movie = rowid === null ? undefined : this.collection.getByRowids([rowid])[0];
        return movie ? { id: movie.id, title: movie.title, year: movie.year } : null;
      },
    };
  }

  /** Query understanding alone: what `search` would search for a query. */
  understand(query: string, explicit: Filters = {}): ParsedQuery {
    const u = understand(query, this.understandContext());
    const parsed: ParsedQuery = { text: u.text, filters: mergeFilters(u.filters, explicit), extracted: u.extracted };
    if (u.like) {
      parsed.like = u.like.title;
      parsed.likeId = u.like.id;
    }
    if (u.likes || u.dislikes) parsed.examples = { like: u.likes ?? [], unlike: u.dislikes ?? [] };
    return parsed;
  }

  async search(query: string, options: SearchOptions = {}): Promise<SearchResponse> {
    const plan = planSearch(options);
    const parsed: ParsedQuery = plan.parse && plan.mode !== "title" ? this.understand(query, plan.filters) : { text: query, filters: plan.filters, extracted: [] };
    const ranked = await this.rank(query, parsed, plan);
    return { query, parsed, mode: plan.mode, results: this.hydrate(ranked) };
  }

  /** Title suggestions for what was typed so far; no query understanding, no filters. */
  titles(prefix: string, k: number = DEFAULT_TITLES_K): TitleResponse {
    if (typeof prefix !== "string") throw new InvalidArgumentError("prefix", "must be a string");
    const n = intParam("k", k, DEFAULT_TITLES_K, 1, MAX_K);
    const q = prefix.slice(0, MAX_TITLE_QUERY_LENGTH);
    return { query: prefix, results: this.hydrate(this.titleRank(q, n, 0, null, 0)) };
  }

  /** Title mode: equally good matches by the prior when it is on (by popularity when it is off). */
  private titleRank(q: string, k: number, offset: number, allowed: ReadonlySet<number> | null, prior: number): Ranked[] {
    const index = this.titlesIndex();
    const signals = prior > 0 ? this.signals() : null;
    if (signals && !this.titlesByPrior) {
      index.usePrior((rowid) => signals.prior.of(rowid));
      this.titlesByPrior = true;
    }
    return index.search(q.slice(0, MAX_TITLE_QUERY_LENGTH), k, offset, allowed, prior > 0).map((m) => {
      const scores: HitScores = { keyword: null, semantic: null, title: m.score };
      if (signals) scores.prior = signals.prior.of(m.rowid);
      return { id: m.rowid, score: m.score, scores, matches: m.words.length ? { title: m.words } : {} };
    });
  }

  private async rank(query: string, parsed: ParsedQuery, plan: Plan): Promise<Ranked[]> {
    const { k, offset } = plan;
    const filters = parsed.filters;
    const need = offset + k;
    const allowed = filterRowids(this.collection, filters);
    if (allowed && allowed.size === 0) return [];
    if (plan.mode === "title") return this.titleRank(query, k, offset, allowed, plan.prior);
    const text = parsed.text.trim();
    if (parsed.likeId) return (await this.examplesRank(query, parsed, plan, allowed)).slice(offset, need);
    if (!text) return hasFilters(filters) ? this.browse(need, allowed, plan.prior).slice(offset) : [];
    const { keywordQuery, expression, keywordTop, semantic } = this.sides(text, allowed);
    const kw = this.keyword();

    // The prior is off (0), or blended with this weight (the mode's own weight times `prior`).
    const priorOn = plan.prior > 0;
    const signals = priorOn || (plan.mode === "hybrid" && plan.fusion === "learned") ? this.signals() : null;
    const priorOf = (id: number) => signals!.prior.of(id);
    const weightFor = (mode: keyof typeof PRIOR_WEIGHTS) => Math.min(1, PRIOR_WEIGHTS[mode] * plan.prior);
    const withPrior = (scores: HitScores, id: number, weight: number): HitScores => (priorOn ? { ...scores, prior: priorOf(id), priorWeight: weight } : scores);
    let page: Ranked[];
    if (plan.mode === "keyword") {
      if (!priorOn) {
        page = keywordTop(need)
          .slice(offset)
          .map((h) => ({ id: h.id, score: h.score, scores: { keyword: h.score, semantic: null } }));
      } else {
        const w = weightFor("keyword");
        page = blendPrior(keywordTop, priorOf, w, need)
          .slice(offset, need)
          .map((h) => ({ id: h.id, score: h.score, scores: withPrior({ keyword: h.keyword, semantic: null, keywordNorm: h.keywordNorm ?? 0, keywordRank: h.keywordRank }, h.id, w) }));
      }
    } else {
      const { index, qv, semanticTop } = await semantic();
      if (plan.mode === "semantic") {
        if (!priorOn) {
          page = semanticTop(need)
            .slice(offset)
            .map((h) => ({ id: h.id, score: h.score, scores: { keyword: null, semantic: h.score } }));
        } else {
          const w = weightFor("semantic");
          page = blendPrior(semanticTop, priorOf, w, need)
            .slice(offset, need)
            .map((h) => ({ id: h.id, score: h.score, scores: withPrior({ keyword: null, semantic: h.keyword, semanticNorm: h.keywordNorm ?? 0, semanticRank: h.keywordRank }, h.id, w) }));
        }
      } else if (plan.fusion === "learned") {
        const qs = querySignals(signals!, text, kw, expression ? keywordQuery : null);
        const f = new Float64Array(FEATURE_COUNT);
        const w = weightVector(RANK_WEIGHTS, plan.prior);
        const fused = scoredFusion(
          keywordTop,
          semanticTop,
          (kwList, semList) => {
            readLists(signals!, qs, kwList, semList, (id) => index.vector(id));
            return (h) => modelScore(w, features(signals!, qs, h, HYBRID_POOL, f));
          },
          need,
        );
        page = fused.slice(offset, need).map((h) => {
          const scores = explainFused(h, "convex");
          const values = features(signals!, qs, h, HYBRID_POOL, f);
          const contributions: Partial<Record<RankFeature, number>> = {};
          RANK_FEATURES.forEach((name, i) => {
            const c = w[i]! * values[i]!;
            if (c !== 0) contributions[name] = c;
          });
          return { id: h.id, score: h.score, scores: { ...scores, prior: priorOf(h.id), priorWeight: RANK_WEIGHTS.prior * plan.prior, contributions } };
        });
      } else {
        let fused: FusedHit[];
        const w = weightFor(plan.fusion);
        if (!priorOn) fused = plan.fusion === "rrf" ? rrfFusion(keywordTop, semanticTop, need) : convexFusion(keywordTop, semanticTop, plan.alpha, need);
        else if (plan.fusion === "rrf") {
          // RRF's score over its largest possible value (first in both lists), so it shares the prior's 0..1 scale.
          const best = 2 / (RRF_K + 1);
          const rrf = (r: number | null) => (r !== null && r <= HYBRID_POOL ? 1 / (RRF_K + r) : 0);
          fused = scoredFusion(keywordTop, semanticTop, () => (h) => (1 - w) * ((rrf(h.keywordRank) + rrf(h.semanticRank)) / best) + w * priorOf(h.id), need);
        } else fused = scoredFusion(keywordTop, semanticTop, () => (h) => (1 - w) * ((1 - plan.alpha) * h.keywordNorm! + plan.alpha * h.semanticNorm!) + w * priorOf(h.id), need);
        page = fused.slice(offset, need).map((h) => ({ id: h.id, score: h.score, scores: withPrior(explainFused(h, plan.fusion), h.id, w) }));
        // Cosine is cheap to fill in for the page's keyword-only results (they scored 0 on that side).
        const missing = page.filter((r) => r.scores.semantic === null).map((r) => r.id);
        if (missing.length && !isZero(qv)) {
          const cos = cosines(index, qv, missing);
          for (const r of page) if (r.scores.semantic === null) r.scores.semantic = cos.get(r.id) ?? null;
        }
      }
    }
    if (expression) for (const r of page) r.keywordQuery = keywordQuery;
    return page;
  }

  /**
   * Both sides of a text query: the keyword query (spelling corrected) and its top lists, and
   * (on demand, as it embeds the query) the semantic side's.
   */
  private sides(text: string, allowed: ReadonlySet<number> | null) {
    const keywordQuery = this.spelling().correct(parseKeywordQuery(text));
    const expression = ftsExpression(keywordQuery);
    const kw = this.keyword();
    const keywordTop = (limit: number) => (expression ? kw.top(keywordQuery, limit, allowed) : []);
    const semantic = async () => {
      const index = await this.deps.vectorIndex();
      const qv = await this.deps.embedQuery(withCorrections(text, keywordQuery));
      const semanticTop = (limit: number) => semanticSearch(index, qv, limit, 0, allowed ?? undefined);
      return { index, qv, semanticTop };
    };
    return { keywordQuery, expression, keywordTop, semantic };
  }

  /**
   * The learned fusion's inputs for one query, for training and checking the ranking model
   * (`scripts/train-ranker.ts`): every movie of the hybrid candidate pool (each side's top
   * `HYBRID_POOL`, filters applied), by rowid, with its features (`RANK_FEATURES`). Null when
   * the query is not searched as text ("movies like X", filters alone).
   */
  async candidateFeatures(query: string, options: SearchOptions = {}): Promise<{ rowids: number[]; features: Float64Array[] } | null> {
    const plan = planSearch({ ...options, mode: "hybrid", fusion: "learned" });
    const parsed: ParsedQuery = plan.parse ? this.understand(query, plan.filters) : { text: query, filters: plan.filters, extracted: [] };
    const text = parsed.text.trim();
    if (parsed.likeId || !text) return null;
    const allowed = filterRowids(this.collection, parsed.filters);
    if (allowed && allowed.size === 0) return { rowids: [], features: [] };
    const { keywordQuery, expression, keywordTop, semantic } = this.sides(text, allowed);
    const { index, semanticTop } = await semantic();
    const signals = this.signals();
    const qs = querySignals(signals, text, this.keyword(), expression ? keywordQuery : null);
    const f = new Float64Array(FEATURE_COUNT);
    const rows = new Map<number, Float64Array>();
    scoredFusion(
      keywordTop,
      semanticTop,
      (kwList, semList) => {
        readLists(signals, qs, kwList, semList, (id) => index.vector(id));
        return (h) => {
          if (!rows.has(h.id)) rows.set(h.id, Float64Array.from(features(signals, qs, h, HYBRID_POOL, f)));
          return 0;
        };
      },
      HYBRID_POOL,
    );
    return { rowids: [...rows.keys()], features: [...rows.values()] };
  }

  /**
   * A query naming films: the recommendations from them (`like` for one liked film), fused with
   * the results of the rest of the query's text when there is any (`EXAMPLE_WEIGHTS`). The
   * examples themselves are never listed.
   */
  private async examplesRank(query: string, parsed: ParsedQuery, plan: Plan, allowed: ReadonlySet<number> | null): Promise<Ranked[]> {
    const need = plan.offset + plan.k;
    const text = parsed.text.trim();
    const depth = text ? Math.max(need, EXAMPLE_POOL) : need;
    const likes = parsed.examples?.like.map((m) => m.id) ?? [parsed.likeId!];
    const dislikes = parsed.examples?.unlike.map((m) => m.id) ?? [];
    let examples: Ranked[];
    if ((likes.length > 1 || dislikes.length) && this.deps.recommend) {
      examples = this.rowsOf(await this.deps.recommend(likes, dislikes, Math.min(depth, MAX_K), parsed.filters, plan.prior));
    } else examples = await this.like(likes[0]!, depth, parsed.filters, allowed, plan.prior);
    if (!text) return examples;
    const textOnly: ParsedQuery = { text, filters: parsed.filters, extracted: parsed.extracted };
    const words = await this.rank(query, textOnly, { ...plan, mode: "hybrid", offset: 0, k: Math.max(need, HYBRID_POOL) });
    const named = new Set(this.rowsOf([...likes, ...dislikes].map((id) => ({ id, title: "", year: null, score: 0 }))).map((r) => r.id));
    const norm = (list: Ranked[]) => {
      const top = list[0]?.score ?? 0;
      const bottom = list[list.length - 1]?.score ?? 0;
      const span = top - bottom;
      return new Map(list.map((r) => [r.id, span > 1e-12 ? (r.score - bottom) / span : 1]));
    };
    const ex = norm(examples);
    const tx = norm(words);
    const byId = new Map<number, Ranked>();
    for (const r of [...examples, ...words]) if (!byId.has(r.id) && !named.has(r.id)) byId.set(r.id, r);
    const fused = [...byId.values()].map((r) => {
      const e = ex.get(r.id) ?? 0;
      const t = tx.get(r.id) ?? 0;
      const fromText = words.find((w) => w.id === r.id);
      const base = fromText ?? r;
      return { ...base, score: EXAMPLE_WEIGHTS.examples * e + EXAMPLE_WEIGHTS.text * t, scores: { ...base.scores, examples: e, text: t } };
    });
    fused.sort((a, b) => b.score - a.score || a.id - b.id);
    return fused.slice(0, need);
  }

  /** Rowids of hits given by movie id, in their order (ids not in the collection dropped). */
  private rowsOf(hits: { id: string; score: number }[]): Ranked[] {
    const rows = this.collection.db.prepare("SELECT rowid, id FROM movies WHERE id IN (SELECT value FROM json_each(?))").raw().all(JSON.stringify(hits.map((h) => h.id))) as [number, string][];
    const rowOf = new Map(rows.map(([rowid, id]) => [id, rowid]));
    return hits.filter((h) => rowOf.has(h.id)).map((h) => ({ id: rowOf.get(h.id)!, score: h.score, scores: { keyword: null, semantic: h.score }, matches: {} }));
  }

  /** "movies like X": the recommendation engine's `similar` when present, else X's vector. */
  private async like(likeId: string, need: number, filters: Filters, allowed: ReadonlySet<number> | null, prior: number): Promise<Ranked[]> {
    if (this.deps.similar) {
      return this.rowsOf(await this.deps.similar(likeId, Math.min(need, MAX_K), filters, prior));
    }
    const movie = this.collection.getById(likeId);
    const index = await this.deps.vectorIndex();
    const v = movie ? index.vector(movie.rowid) : null;
    if (!movie || !v) return [];
    const accept = (id: number) => id !== movie.rowid && (!allowed || allowed.has(id));
    return index.search(v, need, accept).map((h) => ({ id: h.id, score: h.score, scores: { keyword: null, semantic: h.score }, matches: {} }));
  }

  /**
   * A query that is only filters ("comedies after 2005 starring Jim Carrey"): highest prior
   * first (most popular first when the prior is off).
   */
  private browse(need: number, allowed: ReadonlySet<number> | null, prior: number): Ranked[] {
    this.byPopularity ??= this.collection.db.prepare("SELECT rowid, coalesce(popularity, 0) FROM movies ORDER BY 2 DESC, rowid").raw().all() as [number, number][];
    let order = this.byPopularity;
    const signals = prior > 0 ? this.signals() : null;
    if (signals) {
      const p = signals.prior;
      this.byPrior ??= this.byPopularity.map(([id]) => [id, p.of(id)] as [number, number]).sort((a, b) => b[1] - a[1] || a[0] - b[0]);
      order = this.byPrior;
    }
    const out: Ranked[] = [];
    for (const [id, score] of order) {
      if (allowed && !allowed.has(id)) continue;
      out.push({ id, score, scores: signals ? { keyword: null, semantic: null, prior: score, priorWeight: 1 } : { keyword: null, semantic: null }, matches: {} });
      if (out.length >= need) break;
    }
    return out;
  }

  /**
   * The page's movies: what a result shows, and the fields its matched words are looked up in.
   * Movies already seen come from memory; the others are read in one query.
   */
  private hydrate(ranked: Ranked[]): ExplainedHit[] {
    if (ranked.length === 0) return [];
    const needsTokens = (r: Ranked) => !r.matches && r.keywordQuery !== undefined;
    // The page's movies, from the cache or read now: a page is built from this map, so a
    // cache that starts over while it is read loses nothing of the page.
    const page = new Map<number, PageMovie>();
    const missing: Ranked[] = [];
    for (const r of ranked) {
      const e = this.pageCache.get(r.id);
      if (e && (e.tokens || !needsTokens(r))) page.set(r.id, e);
      else missing.push(r);
    }
    if (missing.length) {
      if (this.pageCache.size + missing.length > MAX_PAGE_MOVIES) this.pageCache.clear();
      const tokenize = new Set(missing.filter(needsTokens).map((r) => r.id));
      for (const e of this.readPageMovies(missing.map((r) => r.id), tokenize)) {
        page.set(e.rowid, e);
        this.pageCache.set(e.rowid, e);
      }
    }
    // Every result of a page shares one keyword query, so its words are stemmed once.
    let matchQuery: KeywordQuery | undefined;
    let matchWords: ((movie: TokenizedMovie) => FieldMatches) | undefined;
    const matchesOf = (q: KeywordQuery, tokens: TokenizedMovie) => {
      if (q !== matchQuery) [matchQuery, matchWords] = [q, matcher(q)];
      return matchWords!(tokens);
    };
    return ranked.flatMap((r) => {
      const e = page.get(r.id);
      if (!e) return [];
      const matches = r.matches ?? (r.keywordQuery && e.tokens ? matchesOf(r.keywordQuery, e.tokens) : {});
      return [{ id: e.id, title: e.title, year: e.year, score: r.score, scores: r.scores, matches }];
    });
  }

  /** Reads movies for a page, tokenizing those in `tokenize` for matched words. */
  private readPageMovies(rowids: number[], tokenize: ReadonlySet<number>): PageMovie[] {
    this.pageStatement ??= this.collection.db
      .prepare("SELECT rowid, id, title, year, keywords, cast_members, directors, genres, tagline, overview, plot FROM movies WHERE rowid IN (SELECT value FROM json_each(?))")
      .raw();
    type Row = [number, string, string, number | null, string, string, string, string, string | null, string, string | null];
    return (this.pageStatement.all(JSON.stringify(rowids)) as Row[]).map(([rowid, id, title, year, keywords, cast, directors, genres, tagline, overview, plot]) => ({
      rowid,
      id,
      title,
      year,
      tokens: tokenize.has(rowid) ? tokenizeMovie({ title, keywords: parse(keywords), cast: parse(cast), directors: parse(directors), genres: parse(genres), tagline, overview, plot }) : null,
    }));
  }
}

/**
 * The text the semantic side embeds: misspelt words replaced by their first correction, since a
 * word embedding knows "redemption" but not "redemtion" (GloVe would just drop it).
 */
function parse(json: string): string[] {
  return JSON.parse(json) as string[];
}

function withCorrections(text: string, q: KeywordQuery): string {
  const corrections = q.corrections;
  if (!corrections) return text;
  return text.replace(/[\p{L}\p{N}\p{M}]+/gu, (w) => corrections[fold(w)]?.[0] ?? w);
}

function explainFused(h: FusedHit, fusion: Fusion): HitScores {
  const ranks = { keywordRank: h.keywordRank, semanticRank: h.semanticRank };
  return fusion === "rrf" ? { keyword: h.keyword, semantic: h.semantic, ...ranks } : { keyword: h.keyword, semantic: h.semantic, keywordNorm: h.keywordNorm ?? 0, semanticNorm: h.semanticNorm ?? 0, ...ranks };
}
