import type { Collection } from "./collection.js";

/**
 * What the popularity prior (`src/search/prior.ts`) reads about every movie, in rowid order:
 * the catalogue's own popularity figures where the source has them (TMDB's `vote_count`,
 * `popularity`, `vote_average`), and the signs of notability every source has for the fallback
 * (how many cast members are listed, how long the summary is, whether there is a poster or
 * thumbnail, whether a second catalogue described the film too).
 */
export interface PriorInputs {
  rowids: Int32Array;
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

/** The prior's inputs, and the title and genres the ranking model matches (`src/search/ranker.ts`). */
export interface RankInputs extends PriorInputs {
  titles: string[];
  years: (number | null)[];
  genres: string[][];
}

export function rankInputs(collection: Collection): RankInputs {
  const rows = collection.db
    .prepare(
      `SELECT rowid, votes, popularity, rating, json_array_length(cast_members), length(overview),
              poster_url IS NOT NULL AND poster_url != '', plot IS NOT NULL AND plot != '', title, genres, year
       FROM movies ORDER BY rowid`,
    )
    .raw()
    .all() as [number, number | null, number | null, number | null, number, number, number, number, string, string, number | null][];
  const col = (i: number) => Float64Array.from(rows, (r) => (r[i] === null ? NaN : Number(r[i])));
  return {
    rowids: Int32Array.from(rows, (r) => r[0]),
    votes: col(1),
    popularity: col(2),
    rating: col(3),
    cast: col(4),
    summaryLength: col(5),
    poster: col(6),
    merged: col(7),
    titles: rows.map((r) => r[8]),
    years: rows.map((r) => r[10]),
    genres: rows.map((r) => JSON.parse(r[9]) as string[]),
  };
}
