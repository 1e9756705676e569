import { InvalidArgumentError } from "../errors.js";
import { yieldTurn } from "../time-slice.js";
import { hasFilters, validateFilters, type Filters } from "../store/filters.js";
import { requireCapability, requireNativeFusion, type KeywordHit, type NativeFusion, type Store, type VectorHit } from "../store/store.js";
import { blendPrior, convexFusion, DEFAULT_ALPHA, HYBRID_POOL, RRF_K, rrfFusion, scoredFusion, type FusedHit, type Scored } from "./hybrid.js";
import { DEFAULT_FIELD_WEIGHTS } from "./keyword.js";
import { hasKeywordTerms, parseKeywordQuery, type KeywordQuery } from "./keyword-query.js";
import { MovieCatalog } from "./movie-catalog.js";
import { PageMovies } from "./page-movies.js";
import { FEATURE_COUNT, modelScore, RANK_FEATURES, weightVector, type RankFeature } from "./rank-model.js";
import { candidatePool, features, querySignals, rankSignals, readLists, type QuerySignals, type RankSignals } from "./ranker.js";
import { PRIOR_WEIGHTS, RANK_WEIGHTS } from "./rank-weights.js";
import { isZero } from "./semantic.js";
import { Spelling } from "./spelling.js";
import { fold, STOP_WORDS } from "./text.js";
import type { Transcripts } from "./transcripts.js";
import { TitleIndex, titleWords } from "./title-index.js";
import {
  DEFAULT_FUSION,
  DEFAULT_K,
  DEFAULT_PRIOR,
  DEFAULT_SEARCH_MODE,
  DEFAULT_TITLES_K,
  FUSIONS,
  MAX_K,
  MAX_PRIOR,
  SEARCH_MODES,
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

export { MAX_PAGE_MOVIES } from "./page-movies.js";

/** Largest `offset` accepted: deeper pages cost a longer list from each side. */
export const MAX_OFFSET = 100_000;
/** Longest title-search input, in characters (titles are short; the rest is ignored). */
export const MAX_TITLE_QUERY_LENGTH = 200;

/** What search needs besides the store; `Plotline` provides it. */
export interface SearchDeps {
  store: Store;
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
  /** Trailer transcript vectors: a movie with one is scored by the closer of its two vectors. Absent: none. */
  transcripts?(): Promise<Transcripts>;
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

/** A ranked movie before its page is read: why it is there, and how to find its matched words. */
export interface Ranked {
  id: string;
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

/** Checks the options a caller (CLI, HTTP, library) passed, naming the one at fault. */
export function planSearch(options: SearchOptions): Plan {
  const mode = options.mode ?? DEFAULT_SEARCH_MODE;
  if (!(SEARCH_MODES as readonly string[]).includes(mode)) throw new InvalidArgumentError("mode", `unknown mode '${String(mode)}' (modes: ${SEARCH_MODES.join(", ")})`);
  const fusion = options.fusion ?? DEFAULT_FUSION;
  if (!(FUSIONS as readonly string[]).includes(fusion)) throw new InvalidArgumentError("fusion", `unknown fusion '${String(fusion)}' (fusions: ${FUSIONS.join(", ")})`);
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  if (typeof alpha !== "number" || !(alpha >= 0 && alpha <= 1)) throw new InvalidArgumentError("alpha", `must be a number from 0 to 1, got ${String(alpha)}`);
  const k = intParam("k", options.k, DEFAULT_K, 1, MAX_K);
  const offset = intParam("offset", options.offset, 0, 0, MAX_OFFSET);
  const filters = { ...(options.filters ?? {}) };
  validateFilters(filters);
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

/** A lookup of query understanding found the structure it needs not built yet. */
class NotLoaded extends Error {}

/**
 * Every search mode over one store: keyword (BM25), title (typo-tolerant, as you type),
 * semantic (cosine) and hybrid (both, fused here so that every backend ranks alike), with
 * filters, stable pagination, explanations and query understanding. The store retrieves; this
 * fuses, explains and reads pages. What it keeps in memory (the movie catalog and title index,
 * people, spelling, recent page movies) is built on first use from the store; `Plotline` drops
 * the engine when the collection changes.
 */
export class SearchEngine {
  private catalogBuild: Promise<MovieCatalog> | null = null;
  private catalog: MovieCatalog | null = null;
  private titleIndexBuild: Promise<TitleIndex> | null = null;
  private titleIndex: TitleIndex | null = null;
  private peopleBuild: Promise<Map<string, { name: string; cast: number; directed: number }>> | null = null;
  private people: Map<string, { name: string; cast: number; directed: number }> | null = null;
  private speller: Promise<Spelling> | null = null;
  private signalsChecked: Promise<RankSignals> | null = null;
  private titlesByPrior = false;
  /** Positions by prior, highest first, for queries that are only filters when the prior is on. */
  private byPrior: Int32Array | null = null;
  private readonly pages: PageMovies;

  constructor(private readonly deps: SearchDeps) {
    this.pages = new PageMovies(deps.store);
  }

  private get store(): Store {
    return this.deps.store;
  }

  /** Every movie's id, title, year and popularity, in the store's natural order (positions). */
  movieCatalog(): Promise<MovieCatalog> {
    this.catalogBuild ??= MovieCatalog.load(this.store).then((c) => (this.catalog = c));
    return this.catalogBuild;
  }

  /** Spelling correction over the store's keyword vocabulary and the collection's titles and names. */
  spelling(): Promise<Spelling> {
    this.speller ??= (async () => {
      const vocabulary = this.store.capabilities.vocabulary ? await this.store.keywordVocabulary() : null;
      await yieldTurn(); // the vocabulary's read and the sort of its terms below are each tens of ms
      return new Spelling(vocabulary, async () => {
        const texts: string[] = [];
        for await (const batch of this.store.scan(["title", "cast", "directors"])) for (const m of batch) texts.push(`${m.title} ${m.cast.join(" ")} ${m.directors.join(" ")}`);
        return texts;
      });
    })();
    return this.speller;
  }

  /**
   * The prior, the titles' words, series and genres the ranking model reads (shared with
   * recommendations), by catalog position: both are read from the store in natural order.
   */
  signals(): Promise<RankSignals> {
    this.signalsChecked ??= (async () => {
      const [catalog, signals] = await Promise.all([this.movieCatalog(), rankSignals(this.store)]);
      if (signals.ids.length !== catalog.size || signals.ids.some((id, p) => catalog.ids[p] !== id)) throw new Error("the ranking signals and the movie catalog were read from different collection states");
      return signals;
    })();
    return this.signalsChecked;
  }

  /** Titles as you type, keyed by catalog position. */
  titlesIndex(): Promise<TitleIndex> {
    this.titleIndexBuild ??= (async () => {
      const c = await this.movieCatalog();
      await yieldTurn();
      return (this.titleIndex = new TitleIndex(c.ids.map((_, p) => ({ key: p, title: c.titles[p]!, popularity: c.popularity[p]! }))));
    })();
    return this.titleIndexBuild;
  }

  /** Cast members and directors by `personKey`, with how many films each acted in or directed. */
  private peopleIndex(): Promise<Map<string, { name: string; cast: number; directed: number }>> {
    this.peopleBuild ??= (async () => {
      const people = new Map<string, { name: string; cast: number; directed: number }>();
      const add = (name: string, role: "cast" | "directed") => {
        const key = personKey(name);
        if (!key) return;
        let p = people.get(key);
        if (!p) people.set(key, (p = { name, cast: 0, directed: 0 }));
        p[role]++;
      };
      for await (const batch of this.store.scan(["cast", "directors"])) {
        for (const m of batch) {
          for (const n of m.cast) add(n, "cast");
          for (const n of m.directors) add(n, "directed");
        }
      }
      return (this.people = people);
    })();
    return this.peopleBuild;
  }

  /**
   * What query understanding looks up, from what is already in memory; a lookup of something
   * not built yet throws `NotLoaded` after starting its build (see `understand`).
   */
  private understandContext(pending: Promise<unknown>[]): UnderstandContext {
    return {
      person: (key) => {
        if (!this.people) {
          pending.push(this.peopleIndex());
          throw new NotLoaded();
        }
        return this.people.get(key) ?? null;
      },
      title: (phrase) => {
        if (titleWords(phrase).every((w) => STOP_WORDS.has(w))) return null;
        if (!this.titleIndex || !this.catalog) {
          pending.push(this.titlesIndex());
          throw new NotLoaded();
        }
        const p = this.titleIndex.resolve(phrase);
        return p === null ? null : this.catalog.summary(p);
      },
    };
  }

  /**
   * Query understanding alone: what `search` would search for a query. The rules run over what
   * is in memory; when one looks up people or titles not loaded yet, they are loaded and the
   * rules run again (they are pure, so the answer is the one a loaded engine gives).
   */
  async understand(query: string, explicit: Filters = {}): Promise<ParsedQuery> {
    // Two lookups can be missing (people, titles), so a third run always has what it needs.
    for (let attempt = 0; ; attempt++) {
      const pending: Promise<unknown>[] = [];
      let u;
      try {
        u = understand(query, this.understandContext(pending));
      } catch (err) {
        if (!(err instanceof NotLoaded) || attempt >= 2) throw err;
        await Promise.all(pending);
        continue;
      }
      const parsed: ParsedQuery = { text: u.text, filters: mergeFilters(u.filters, explicit), extracted: u.extracted };
      if (u.like) {
        parsed.like = u.like.title;
        parsed.likeId = u.like.id;
      }
      if (u.likes || u.dislikes) parsed.examples = { like: u.likes ?? [], unlike: u.dislikes ?? [] };
      return parsed;
    }
  }

  async search(query: string, options: SearchOptions = {}): Promise<SearchResponse> {
    const plan = planSearch(options);
    const parsed: ParsedQuery = plan.parse && plan.mode !== "title" ? await this.understand(query, plan.filters) : { text: query, filters: plan.filters, extracted: [] };
    const ranked = await this.rank(query, parsed, plan);
    return { query, parsed, mode: plan.mode, results: await this.pages.hydrate(ranked) };
  }

  /** Title suggestions for what was typed so far; no query understanding, no filters. */
  async titles(prefix: string, k: number = DEFAULT_TITLES_K): Promise<TitleResponse> {
    if (typeof prefix !== "string") throw new InvalidArgumentError("prefix", "must be a string");
    const n = intParam("k", k, DEFAULT_TITLES_K, 1, MAX_K);
    const q = prefix.slice(0, MAX_TITLE_QUERY_LENGTH);
    return { query: prefix, results: await this.pages.hydrate(await this.titleRank(q, n, 0, {}, 0)) };
  }

  /** Title mode: equally good matches by the prior when it is on (by popularity when it is off). */
  private async titleRank(q: string, k: number, offset: number, filters: Filters, prior: number): Promise<Ranked[]> {
    const index = this.titleIndex ?? (await this.titlesIndex());
    const catalog = this.catalog!;
    const signals = prior > 0 ? await this.signals() : null;
    if (signals && !this.titlesByPrior) {
      index.usePrior((p) => signals.prior.of(p));
      this.titlesByPrior = true;
    }
    let accept: Set<number> | null = null;
    if (hasFilters(filters)) {
      accept = new Set<number>();
      for (const id of await this.store.filterIds(filters)) {
        const p = catalog.positionOf(id);
        if (p !== undefined) accept.add(p);
      }
      if (accept.size === 0) return [];
    }
    return index.search(q.slice(0, MAX_TITLE_QUERY_LENGTH), k, offset, accept, prior > 0).map((m) => {
      const scores: HitScores = { keyword: null, semantic: null, title: m.score };
      if (signals) scores.prior = signals.prior.of(m.key);
      return { id: catalog.ids[m.key]!, score: m.score, scores, matches: m.words.length ? { title: m.words } : {} };
    });
  }

  private async rank(query: string, parsed: ParsedQuery, plan: Plan): Promise<Ranked[]> {
    const { k, offset } = plan;
    const filters = parsed.filters;
    const need = offset + k;
    if (plan.mode === "title") return this.titleRank(query, k, offset, filters, plan.prior);
    if (parsed.likeId) return (await this.examplesRank(query, parsed, plan)).slice(offset, need);
    const text = parsed.text.trim();
    if (!text) return hasFilters(filters) ? (await this.browse(need, filters, plan.prior)).slice(offset) : [];
    const native = plan.mode === "hybrid" ? nativeFusion(plan.fusion) : null;
    if (native) requireNativeFusion(this.store, native);
    const { keywordQuery, hasTerms, keywordTop, semantic } = await this.sides(text, filters, plan.mode);
    const catalog = await this.movieCatalog();

    // The prior is off (0), or blended with this weight (the mode's own weight times `prior`).
    const priorOn = plan.prior > 0;
    const learned = plan.mode === "hybrid" && plan.fusion === "learned";
    const signals = priorOn || learned ? await this.signals() : null;
    const priorOf = (p: number) => signals!.prior.of(p);
    const weightFor = (mode: keyof typeof PRIOR_WEIGHTS) => Math.min(1, PRIOR_WEIGHTS[mode] * plan.prior);
    const withPrior = (scores: HitScores, p: number, weight: number): HitScores => (priorOn ? { ...scores, prior: priorOf(p), priorWeight: weight } : scores);
    const idAt = (p: number) => catalog.ids[p]!;
    let page: Ranked[];
    if (plan.mode === "keyword") {
      if (!priorOn) {
        page = (await keywordTop(need)).slice(offset).map((h) => ({ id: h.id, score: h.score, scores: { keyword: h.score, semantic: null } }));
      } else {
        const w = weightFor("keyword");
        const kw = catalog.toPositions(await keywordTop(Math.max(HYBRID_POOL, need)));
        page = blendPrior(() => kw, priorOf, w, need)
          .slice(offset, need)
          .map((h) => ({ id: idAt(h.id), score: h.score, scores: withPrior({ keyword: h.keyword, semantic: null, keywordNorm: h.keywordNorm ?? 0, keywordRank: h.keywordRank }, h.id, w) }));
      }
    } else {
      const { qv, semanticTop, transcripts } = await semantic();
      if (plan.mode === "semantic") {
        if (!priorOn) {
          page = (await semanticTop(need)).slice(offset).map((h) => ({ id: h.id, score: h.score, scores: { keyword: null, semantic: h.score } }));
        } else {
          const w = weightFor("semantic");
          const sem = catalog.toPositions(await semanticTop(Math.max(HYBRID_POOL, need)));
          page = blendPrior(() => sem, priorOf, w, need)
            .slice(offset, need)
            .map((h) => ({ id: idAt(h.id), score: h.score, scores: withPrior({ keyword: null, semantic: h.keyword, semanticNorm: h.keywordNorm ?? 0, semanticRank: h.keywordRank }, h.id, w) }));
        }
      } else if (native && hasTerms && !isZero(qv)) {
        // The backend's own fusion, as the backend ranks (no prior: it is there to be compared
        // with Plotline's); with one side empty every fusion reduces to the other side, below.
        const hits = await this.store.hybridTop(
          { keyword: keywordQuery, vector: qv, fusion: native },
          { k: need, pool: Math.max(HYBRID_POOL, need), alpha: plan.alpha, weights: DEFAULT_FIELD_WEIGHTS, rrfK: RRF_K, filters },
        );
        page = hits.slice(offset, need).map((h) => ({ id: h.id, score: h.score, scores: { keyword: h.keyword, semantic: h.semantic, keywordRank: h.keywordRank, semanticRank: h.semanticRank } }));
        await this.fillSemantic(page, qv, transcripts);
      } else {
        // Fusion reads each list `max(pool, need)` deep; both are asked at once. Movies are
        // keyed by catalog position (natural order), so ties fall as in the store's lists.
        const depth = Math.max(HYBRID_POOL, need);
        const [kwHits, semHits] = await Promise.all([keywordTop(depth), semanticTop(depth)]);
        const kw = catalog.toPositions(kwHits);
        const sem = catalog.toPositions(semHits);
        if (learned) {
          const qs = await this.queryLists(signals!, text, keywordQuery, hasTerms, kw, sem);
          const f = new Float64Array(FEATURE_COUNT);
          const w = weightVector(RANK_WEIGHTS, plan.prior);
          const fused = scoredFusion(
            () => kw,
            () => sem,
            () => (h) => modelScore(w, features(signals!, qs, h, HYBRID_POOL, f)),
            need,
          );
          page = fused.slice(offset, need).map((h) => {
            const values = features(signals!, qs, h, HYBRID_POOL, f);
            const contributions: Partial<Record<RankFeature, number>> = {};
            for (let i = 0; i < FEATURE_COUNT; i++) {
              const c = w[i]! * values[i]!;
              if (c !== 0) contributions[RANK_FEATURES[i]!] = c;
            }
            return { id: idAt(h.id), score: h.score, scores: { ...explainFused(h, "convex"), prior: priorOf(h.id), priorWeight: RANK_WEIGHTS.prior * plan.prior, contributions } };
          });
        } else {
          let fused: FusedHit[];
          const own = ownFusion(plan.fusion);
          const w = weightFor(own);
          if (!priorOn) fused = own === "rrf" ? rrfFusion(() => kw, () => sem, need) : convexFusion(() => kw, () => sem, plan.alpha, need);
          else if (own === "rrf") {
            // RRF's score over its largest possible value (first in both lists), so it shares the prior's 0..1 scale.
            const best = 2 / (RRF_K + 1);
            const rrf = (r: number | null) => (r !== null && r <= HYBRID_POOL ? 1 / (RRF_K + r) : 0);
            fused = scoredFusion(() => kw, () => sem, () => (h) => (1 - w) * ((rrf(h.keywordRank) + rrf(h.semanticRank)) / best) + w * priorOf(h.id), need);
          } else fused = scoredFusion(() => kw, () => sem, () => (h) => (1 - w) * ((1 - plan.alpha) * h.keywordNorm! + plan.alpha * h.semanticNorm!) + w * priorOf(h.id), need);
          page = fused.slice(offset, need).map((h) => ({ id: idAt(h.id), score: h.score, scores: withPrior(explainFused(h, own), h.id, w) }));
        }
        await this.fillSemantic(page, qv, transcripts);
      }
    }
    if (hasTerms) for (const r of page) r.keywordQuery = keywordQuery;
    return page;
  }

  /**
   * Both sides of a text query: the keyword query (spelling corrected) and its top lists, and
   * (on demand, as it embeds the query) the semantic side's. Checks that the store can serve it.
   */
  private async sides(text: string, filters: Filters, mode: SearchMode) {
    const keywordQuery = await (await this.spelling()).correct(parseKeywordQuery(text));
    const hasTerms = hasKeywordTerms(keywordQuery);
    if (hasTerms && mode !== "semantic") {
      requireCapability(this.store, "keyword", `${mode} search`, mode === "hybrid" ? "use --mode semantic" : undefined);
      if (keywordQuery.phrases.length) requireCapability(this.store, "phrases", "a query with a quoted phrase", "search without the quotes");
    }
    const keywordTop = (limit: number): Promise<KeywordHit[]> => (hasTerms ? this.store.keywordTop(keywordQuery, { k: limit, weights: DEFAULT_FIELD_WEIGHTS, filters }) : Promise.resolve([]));
    const semantic = async () => {
      const qv = await this.deps.embedQuery(withCorrections(text, keywordQuery));
      const transcripts = (await this.deps.transcripts?.()) ?? null;
      // A zero query vector (no known words for GloVe) matches nothing rather than everything equally.
      const semanticTop = async (limit: number): Promise<VectorHit[]> => {
        if (isZero(qv)) return [];
        const byDescription = await this.store.vectorTop({ vector: qv }, { k: limit, filters });
        if (!transcripts || transcripts.size === 0) return byDescription;
        const [admit, catalog] = await Promise.all([this.passing(filters), this.movieCatalog()]);
        return transcripts.closerOfTwo(byDescription, qv, limit, admit, (id) => catalog.positionOf(id) ?? Infinity);
      };
      return { qv, semanticTop, transcripts };
    };
    return { keywordQuery, hasTerms, keywordTop, semantic };
  }

  /**
   * Cosine is cheap to fill in for a page's results that the semantic side did not score: the
   * closer of description and transcript, as semantic search scores it.
   */
  private async fillSemantic(page: Ranked[], qv: Float32Array, transcripts: Transcripts | null = null): Promise<void> {
    const missing = page.filter((r) => r.scores.semantic === null).map((r) => r.id);
    if (!missing.length || isZero(qv)) return;
    const vectors = await this.store.vectors(missing);
    for (const r of page) {
      if (r.scores.semantic !== null) continue;
      const v = vectors.get(r.id);
      const byDescription = v ? cosine(v, qv) : undefined;
      const byTranscript = transcripts?.cosine(r.id, qv);
      r.scores.semantic = byDescription === undefined ? (byTranscript ?? null) : byTranscript === undefined ? byDescription : Math.max(byDescription, byTranscript);
    }
  }

  /** Whether a movie passes the filters, by id: the store says which do. */
  private async passing(filters: Filters): Promise<(id: string) => boolean> {
    if (!hasFilters(filters)) return () => true;
    const ids = new Set(await this.store.filterIds(filters));
    return (id) => ids.has(id);
  }

  /**
   * What the ranking model reads of a query and its candidate lists (positions): the query's
   * own signals, then the pool's per-field matches (when the store reports them) and vectors.
   */
  private async queryLists(signals: RankSignals, text: string, keywordQuery: KeywordQuery, hasTerms: boolean, kw: Scored[], sem: Scored[]): Promise<QuerySignals> {
    const catalog = this.catalog!;
    await signals.prepareTitles();
    const qs = querySignals(signals, text);
    const pool = candidatePool(kw, sem);
    const fieldsWanted = hasTerms && keywordQuery.phrases.length === 0 && this.store.capabilities.fieldMatches;
    const { store } = this;
    // By ordinal when the store takes them and every pool movie's is known (its hits carried
    // one): ascending, as the pool's positions are (ordinals grow with the natural order).
    const ordinals = store.keywordFieldMatchesByOrdinal && store.vectorsByOrdinal ? Int32Array.from(pool, (p) => catalog.ordinalAt(p)) : null;
    const byOrdinal = ordinals !== null && ordinals.every((o) => o >= 0);
    const ids = byOrdinal ? [] : Array.from(pool, (p) => catalog.ids[p]!);
    const [fields, vectors] = await Promise.all([
      !fieldsWanted ? Promise.resolve(null) : byOrdinal ? store.keywordFieldMatchesByOrdinal!(keywordQuery, ordinals!) : store.keywordFieldMatches(keywordQuery, ids),
      byOrdinal ? store.vectorsByOrdinal!(ordinals!) : store.vectors(ids).then((found) => ids.map((id) => found.get(id) ?? null)),
    ]);
    readLists(signals, qs, kw, sem, pool, fields, vectors);
    return qs;
  }

  /**
   * The learned fusion's inputs for one query, for training and checking the ranking model
   * (`scripts/train-ranker.ts`): every movie of the hybrid candidate pool (each side's top
   * `HYBRID_POOL`, filters applied), by id, with its features (`RANK_FEATURES`). Null when the
   * query is not searched as text ("movies like X", filters alone).
   */
  async candidateFeatures(query: string, options: SearchOptions = {}): Promise<{ ids: string[]; features: Float64Array[] } | null> {
    const plan = planSearch({ ...options, mode: "hybrid", fusion: "learned" });
    const parsed: ParsedQuery = plan.parse ? await this.understand(query, plan.filters) : { text: query, filters: plan.filters, extracted: [] };
    const text = parsed.text.trim();
    if (parsed.likeId || !text) return null;
    const { keywordQuery, hasTerms, keywordTop, semantic } = await this.sides(text, parsed.filters, "hybrid");
    const { semanticTop } = await semantic();
    const catalog = await this.movieCatalog();
    const signals = await this.signals();
    const [kwHits, semHits] = await Promise.all([keywordTop(HYBRID_POOL), semanticTop(HYBRID_POOL)]);
    const kw = catalog.toPositions(kwHits);
    const sem = catalog.toPositions(semHits);
    const qs = await this.queryLists(signals, text, keywordQuery, hasTerms, kw, sem);
    const f = new Float64Array(FEATURE_COUNT);
    const rows = new Map<number, Float64Array>();
    scoredFusion(
      () => kw,
      () => sem,
      () => (h) => {
        if (!rows.has(h.id)) rows.set(h.id, Float64Array.from(features(signals, qs, h, HYBRID_POOL, f)));
        return 0;
      },
      HYBRID_POOL,
    );
    return { ids: [...rows.keys()].map((p) => catalog.ids[p]!), features: [...rows.values()] };
  }

  /**
   * A query naming films: the recommendations from them (`like` for one liked film), fused with
   * the results of the rest of the query's text when there is any (`EXAMPLE_WEIGHTS`). The
   * examples themselves are never listed.
   */
  private async examplesRank(query: string, parsed: ParsedQuery, plan: Plan): Promise<Ranked[]> {
    const need = plan.offset + plan.k;
    const text = parsed.text.trim();
    const depth = text ? Math.max(need, EXAMPLE_POOL) : need;
    const likes = parsed.examples?.like.map((m) => m.id) ?? [parsed.likeId!];
    const dislikes = parsed.examples?.unlike.map((m) => m.id) ?? [];
    let examples: Ranked[];
    if ((likes.length > 1 || dislikes.length) && this.deps.recommend) {
      examples = asRanked(await this.deps.recommend(likes, dislikes, Math.min(depth, MAX_K), parsed.filters, plan.prior));
    } else examples = await this.like(likes[0]!, depth, parsed.filters, plan.prior);
    if (!text) return examples;
    const textOnly: ParsedQuery = { text, filters: parsed.filters, extracted: parsed.extracted };
    const words = await this.rank(query, textOnly, { ...plan, mode: "hybrid", offset: 0, k: Math.max(need, HYBRID_POOL) });
    const named = new Set([...likes, ...dislikes]);
    const norm = (list: Ranked[]) => {
      const top = list[0]?.score ?? 0;
      const bottom = list[list.length - 1]?.score ?? 0;
      const span = top - bottom;
      return new Map(list.map((r) => [r.id, span > 1e-12 ? (r.score - bottom) / span : 1]));
    };
    const ex = norm(examples);
    const tx = norm(words);
    const fromText = new Map(words.map((r) => [r.id, r]));
    const byId = new Map<string, Ranked>();
    for (const r of [...examples, ...words]) if (!byId.has(r.id) && !named.has(r.id)) byId.set(r.id, r);
    const catalog = await this.movieCatalog();
    const fused = [...byId.values()].map((r) => {
      const e = ex.get(r.id) ?? 0;
      const t = tx.get(r.id) ?? 0;
      const base = fromText.get(r.id) ?? r;
      return { ...base, score: EXAMPLE_WEIGHTS.examples * e + EXAMPLE_WEIGHTS.text * t, scores: { ...base.scores, examples: e, text: t } };
    });
    const at = (id: string) => catalog.positionOf(id) ?? Infinity;
    fused.sort((a, b) => b.score - a.score || at(a.id) - at(b.id));
    return fused.slice(0, need);
  }

  /** "movies like X": the recommendation engine's `similar` when present, else X's vector. */
  private async like(likeId: string, need: number, filters: Filters, prior: number): Promise<Ranked[]> {
    const hits = this.deps.similar
      ? await this.deps.similar(likeId, Math.min(need, MAX_K), filters, prior)
      : await this.store.vectorTop({ id: likeId }, { k: need, filters, exclude: [likeId] });
    return asRanked(hits);
  }

  /**
   * A query that is only filters ("comedies after 2005 starring Jim Carrey"): highest prior
   * first (most popular first when the prior is off).
   */
  private async browse(need: number, filters: Filters, prior: number): Promise<Ranked[]> {
    if (prior <= 0) {
      const rows = await this.store.page({ orderBy: "popularity", filters, limit: need, fields: ["popularity"] });
      return rows.map((m) => ({ id: m.id, score: m.popularity ?? 0, scores: { keyword: null, semantic: null }, matches: {} }));
    }
    const [signals, catalog] = await Promise.all([this.signals(), this.movieCatalog()]);
    if (!this.byPrior) {
      // Ties by popularity, then natural order, as `page` orders by popularity.
      const pop = (p: number) => catalog.popularity[p] ?? 0;
      this.byPrior = Int32Array.from({ length: catalog.size }, (_, p) => p).sort((a, b) => signals.prior.of(b) - signals.prior.of(a) || pop(b) - pop(a) || a - b);
    }
    const allowed = new Uint8Array(catalog.size);
    for (const id of await this.store.filterIds(filters)) {
      const p = catalog.positionOf(id);
      if (p !== undefined) allowed[p] = 1;
    }
    const out: Ranked[] = [];
    for (const p of this.byPrior) {
      if (!allowed[p]) continue;
      const score = signals.prior.of(p);
      out.push({ id: catalog.ids[p]!, score, scores: { keyword: null, semantic: null, prior: score, priorWeight: 1 }, matches: {} });
      if (out.length >= need) break;
    }
    return out;
  }
}

/** Hits given by movie id as ranked results (their score a similarity). */
function asRanked(hits: readonly { id: string; score: number }[]): Ranked[] {
  return hits.map((h) => ({ id: h.id, score: h.score, scores: { keyword: null, semantic: h.score }, matches: {} }));
}

/** The backend fusion each `native-*` fusion asks for; null: Plotline's own. */
const NATIVE_OF: Readonly<Record<Fusion, NativeFusion | null>> = { learned: null, convex: null, rrf: null, "native-rrf": "rrf", "native-relative": "relative", "native-dbsf": "dbsf" };

/** The backend fusion a `native-*` fusion asks for, or null for Plotline's own. */
function nativeFusion(fusion: Fusion): NativeFusion | null {
  return NATIVE_OF[fusion];
}

/**
 * Plotline's fusion that a fusion reduces to when the engine fuses (a native one with one side
 * empty: every fusion then keeps the other side's order, and `rrf`'s scores are its own).
 */
function ownFusion(fusion: Fusion): "convex" | "rrf" {
  return fusion === "rrf" || fusion === "native-rrf" ? "rrf" : "convex";
}

/** Cosine of two unit vectors. */
function cosine(v: Float32Array, q: Float32Array): number {
  let s = 0;
  for (let d = 0; d < v.length; d++) s += v[d]! * q[d]!;
  return s;
}

/**
 * The text the semantic side embeds: misspelt words replaced by their first correction, since a
 * word embedding knows "redemption" but not "redemtion" (GloVe would just drop it).
 */
function withCorrections(text: string, q: KeywordQuery): string {
  const corrections = q.corrections;
  if (!corrections) return text;
  return text.replace(/[\p{L}\p{N}\p{M}]+/gu, (w) => corrections[fold(w)]?.[0] ?? w);
}

function explainFused(h: FusedHit, fusion: Fusion): HitScores {
  const ranks = { keywordRank: h.keywordRank, semanticRank: h.semanticRank };
  return fusion === "rrf" ? { keyword: h.keyword, semantic: h.semantic, ...ranks } : { keyword: h.keyword, semantic: h.semantic, keywordNorm: h.keywordNorm ?? 0, semanticNorm: h.semanticNorm ?? 0, ...ranks };
}

