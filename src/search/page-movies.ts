import type { MovieField, Store } from "../store/store.js";
import type { KeywordQuery } from "./keyword-query.js";
import { matcher, tokenizeMovie, type MatchSource, type TokenizedMovie } from "./matches.js";
import type { ExplainedHit, FieldMatches, HitScores } from "./types.js";

/**
 * Most movies kept in memory for showing on a page, with their tokenized fields for finding
 * matched words (about 10 KB each); the map starts over when full, and commonly returned
 * movies are soon back.
 */
export const MAX_PAGE_MOVIES = 4096;

/** A movie as a result page shows it, and its fields tokenized for matched words (null until a keyword query asks). */
interface PageMovie {
  id: string;
  title: string;
  year: number | null;
  tokens: TokenizedMovie | null;
}

/** A ranked result waiting for its movie: see `Ranked` in `engine.ts`. */
interface Hit {
  id: string;
  score: number;
  scores: HitScores;
  matches?: FieldMatches;
  keywordQuery?: KeywordQuery;
}

/** What a page shows of a movie. */
const SHOWN = ["title", "year"] as const satisfies readonly MovieField[];
/** What matched words are looked up in, besides the title. */
const MATCHED = ["title", "year", "keywords", "cast", "directors", "genres", "tagline", "overview", "plot", "transcript"] as const satisfies readonly MovieField[];

/**
 * Turns ranked ids into result pages: each movie's title and year, and the words of the query
 * it matched, field by field. Movies already seen come from memory; the others are read from the
 * store in one call, with their text fields only when a keyword query needs them.
 */
export class PageMovies {
  private readonly cache = new Map<string, PageMovie>();

  constructor(private readonly store: Store) {}

  async hydrate(ranked: readonly Hit[]): Promise<ExplainedHit[]> {
    if (ranked.length === 0) return [];
    const needsTokens = (r: Hit) => !r.matches && r.keywordQuery !== undefined;
    // The page's movies, from the cache or read now: a page is built from this map, so a
    // cache that starts over while it is read loses nothing of the page.
    const page = new Map<string, PageMovie>();
    const missing: Hit[] = [];
    for (const r of ranked) {
      const e = this.cache.get(r.id);
      if (e && (e.tokens || !needsTokens(r))) page.set(r.id, e);
      else missing.push(r);
    }
    if (missing.length) {
      if (this.cache.size + missing.length > MAX_PAGE_MOVIES) this.cache.clear();
      const tokenize = new Set(missing.filter(needsTokens).map((r) => r.id));
      const ids = missing.map((r) => r.id);
      const rows = tokenize.size ? await this.store.movies(ids, MATCHED) : await this.store.movies(ids, SHOWN);
      for (const m of rows) {
        const e: PageMovie = {
          id: m.id,
          title: m.title,
          year: m.year,
          tokens: tokenize.has(m.id) ? tokenizeMovie(m as unknown as MatchSource) : null,
        };
        page.set(e.id, e);
        this.cache.set(e.id, e);
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
}
