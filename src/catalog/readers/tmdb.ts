import type { RawRecord } from "../movie.js";
import { readCsvRows } from "./csv.js";

/** Columns that identify the TMDB export (`tmdb-movies.csv`, Kaggle's TMDB 10k/5000 files). */
export const TMDB_REQUIRED_COLUMNS = ["imdb_id", "original_title", "overview"];

/** Reads the TMDB CSV format: pipe lists, `release_year` for the year, 0 for unknown numbers. */
export async function* readTmdb(file: string, encoding?: string): AsyncGenerator<RawRecord> {
  for await (const { row, values: v } of readCsvRows(file, ",", encoding)) {
    yield {
      row,
      fields: {
        id: v.imdb_id,
        sourceId: v.id,
        title: v.original_title ?? v.title,
        year: v.release_year || v.release_date,
        overview: v.overview,
        tagline: v.tagline,
        genres: v.genres,
        keywords: v.keywords,
        cast: v.cast,
        directors: v.director,
        companies: v.production_companies,
        runtime: v.runtime,
        rating: v.vote_average,
        votes: v.vote_count,
        popularity: v.popularity,
        budget: v.budget,
        revenue: v.revenue,
        posterUrl: v.poster_path ? `https://image.tmdb.org/t/p/w342${v.poster_path}` : undefined,
        language: v.original_language,
      },
    };
  }
}
