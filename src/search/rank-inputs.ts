import type { Store } from "../store/store.js";

/**
 * What the popularity prior (`prior.ts`) reads about every movie, by position (the store's
 * natural order, as `MovieCatalog` numbers movies): the catalogue's own popularity figures
 * where the source has them (TMDB's `vote_count`, `popularity`, `vote_average`), and the signs
 * of notability every source has for the fallback (how many cast members are listed, how long
 * the summary is, whether there is a poster or thumbnail, whether a second catalogue described
 * the film too).
 */
export interface PriorInputs {
  /** Each movie's position: 0, 1, 2, ... */
  positions: Int32Array;
  /** NaN where unknown. */
  votes: Float64Array;
  popularity: Float64Array;
  rating: Float64Array;
  cast: Float64Array;
  summaryLength: Float64Array;
  /** 1 or 0. */
  poster: Float64Array;
  /** 1 when a plot from another catalogue was merged in (`ingest --merge`), else 0. */
  merged: Float64Array;
}

/** The prior's inputs, and the title, year and genres the ranking model matches (`ranker.ts`). */
export interface RankInputs extends PriorInputs {
  ids: string[];
  titles: string[];
  years: (number | null)[];
  genres: string[][];
}

/** The ranking inputs of every movie, by one field scan of the store (any backend). */
export async function rankInputs(store: Store): Promise<RankInputs> {
  const ids: string[] = [];
  const titles: string[] = [];
  const years: (number | null)[] = [];
  const genres: string[][] = [];
  const cols: Record<"votes" | "popularity" | "rating" | "cast" | "summaryLength" | "poster" | "merged", number[]> = { votes: [], popularity: [], rating: [], cast: [], summaryLength: [], poster: [], merged: [] };
  const num = (v: number | null | undefined) => (v === null || v === undefined ? NaN : v);
  for await (const batch of store.scan(["title", "year", "genres", "votes", "popularity", "rating", "cast", "overview", "posterUrl", "plot"])) {
    for (const m of batch) {
      ids.push(m.id);
      titles.push(m.title);
      years.push(m.year);
      genres.push(m.genres);
      cols.votes.push(num(m.votes));
      cols.popularity.push(num(m.popularity));
      cols.rating.push(num(m.rating));
      cols.cast.push(m.cast.length);
      cols.summaryLength.push(m.overview.length);
      cols.poster.push(m.posterUrl ? 1 : 0);
      cols.merged.push(m.plot ? 1 : 0);
    }
  }
  const f = (a: number[]) => Float64Array.from(a);
  return {
    positions: Int32Array.from(ids, (_, i) => i),
    ids,
    titles,
    years,
    genres,
    votes: f(cols.votes),
    popularity: f(cols.popularity),
    rating: f(cols.rating),
    cast: f(cols.cast),
    summaryLength: f(cols.summaryLength),
    poster: f(cols.poster),
    merged: f(cols.merged),
  };
}
