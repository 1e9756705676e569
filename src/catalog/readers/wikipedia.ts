import type { RawRecord } from "../movie.js";
import { readJsonObjects } from "./json.js";

/** Fields that identify the Wikipedia movie dump (prust/wikipedia-movie-data). */
export const WIKIPEDIA_FIELDS = ["title", "year", "extract"];

/**
 * Reads the Wikipedia movies JSON (an array of {title, year, cast, genres, href, extract,
 * thumbnail}). The id is the page slug; films without a page get title + year.
 */
export async function* readWikipedia(file: string, layout: "array" | "lines" = "array", encoding?: string): AsyncGenerator<RawRecord> {
  for await (const { row, value: v } of readJsonObjects(file, layout, encoding)) {
    const href = typeof v.href === "string" && v.href ? v.href : null;
    const slug = href ?? (v.title ? `${String(v.title)} (${String(v.year ?? "")})` : null);
    yield {
      row,
      fields: {
        id: slug ? `wikipedia:${slug}` : null,
        sourceId: slug,
        title: v.title as string,
        year: v.year as number,
        overview: v.extract as string,
        genres: Array.isArray(v.genres) ? (v.genres as string[]) : [],
        cast: Array.isArray(v.cast) ? (v.cast as string[]) : [],
        posterUrl: typeof v.thumbnail === "string" ? v.thumbnail : null,
      },
    };
  }
}
