import { InvalidArgumentError } from "../errors.js";
import type { RecommendContext } from "./context.js";
import type { MovieRef } from "./types.js";

/** How many movies an ambiguity or "did you mean" error lists before "and N more". */
const LIST_LIMIT = 8;

/** `Title (1999)`: a title with its year in parentheses. */
const TITLE_WITH_YEAR = /^(.*\S)\s*\((\d{4})\)$/;

/**
 * The position of the movie a reference names, or null when nothing matches. Lookup order: an
 * id; the title ignoring case; the title ignoring case, accents and punctuation ("Wall-E" finds
 * "WALL·E"); then, for `Title (1999)`, the title with that year. A year (given, or in the
 * reference) keeps only the matches from that year; last, the file name of a trailer attached
 * to a movie (`plotline trailers`). Several matches are an error naming
 * `parameter` and listing them with their years and ids.
 */
export function resolveRef(ctx: RecommendContext, ref: MovieRef, parameter: string, year?: number): number | null {
  const { id, title, year: refYear } = typeof ref === "string" ? { id: ref, title: ref, year: undefined } : ref;
  if (year !== undefined && (!Number.isInteger(year) || year < 1800 || year > 2200)) throw new InvalidArgumentError("year", `must be a four-digit year, got ${year}`);
  if (refYear !== undefined && !Number.isInteger(refYear)) throw new InvalidArgumentError(parameter, `year must be an integer, got ${refYear}`);
  const wantedYear = year ?? refYear;
  const idText = id?.trim();
  const titleText = title?.trim();
  if (!idText && !titleText) throw new InvalidArgumentError(parameter, "give a movie id or title");
  if (idText) {
    const p = ctx.positionOfId(idText);
    if (p !== undefined) return p;
  }
  if (!titleText) return null;
  const found = byTitle(ctx, titleText, wantedYear, parameter);
  if (found !== null) return found;
  const m = TITLE_WITH_YEAR.exec(titleText);
  if (m && wantedYear === undefined) {
    const found = byTitle(ctx, m[1]!, Number(m[2]), parameter);
    if (found !== null) return found;
  }
  // A trailer's file name ("The Martian (2015) Official Trailer.mp4"), as `plotline trailers` stored it.
  const trailers = ctx.trailerMatches(titleText);
  if (trailers.length === 1) return trailers[0]!;
  if (trailers.length > 1) throw new InvalidArgumentError(parameter, `the trailer '${titleText}' is attached to ${trailers.length} movies: ${describe(ctx, trailers)}; use a movie id`);
  return null;
}

function byTitle(ctx: RecommendContext, title: string, year: number | undefined, parameter: string): number | null {
  const { exact, loose } = ctx.titleMatches(title);
  for (const level of [exact, loose]) {
    if (level.length === 0) continue;
    const matches = year === undefined ? level : level.filter((p) => ctx.years[p] === year);
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) {
      throw new InvalidArgumentError(
        parameter,
        `'${title}'${year === undefined ? "" : ` from ${year}`} matches ${matches.length} movies: ${describe(ctx, matches)}; ` +
          `pick one with its year (e.g. '${ctx.titles[matches[0]!]} (${ctx.years[matches[0]!] ?? "year"})'${parameter === "movie" ? " or --movie-year" : ""}) or use its id`,
      );
    }
  }
  const any = exact.length ? exact : loose;
  if (any.length && year !== undefined) throw new InvalidArgumentError(parameter, `no '${title}' from ${year}; there is ${describe(ctx, any)}`);
  return null;
}

/** A movie reference that matches nothing; `text` is the reference as written, for suggestions. */
export class UnknownMovieError extends InvalidArgumentError {
  constructor(
    parameter: string,
    detail: string,
    readonly text: string,
    /** Whether the message lists suggestions already (titles containing the text). */
    readonly suggested: boolean,
  ) {
    super(parameter, detail);
  }
}

/** The error for a reference that matches nothing, with titles containing it as suggestions. */
export function unknownRefError(ctx: RecommendContext, ref: MovieRef, parameter: string): UnknownMovieError {
  const text = refText(ref);
  const near = ctx.titlesContaining(text.replace(TITLE_WITH_YEAR, "$1"), LIST_LIMIT);
  return new UnknownMovieError(parameter, `no movie has the id or title '${text}'${near.length ? `; titles containing it: ${describe(ctx, near)}` : ""}`, text, near.length > 0);
}

/** A reference as the user wrote it, for messages and the `unknown` list. */
export function refText(ref: MovieRef): string {
  if (typeof ref === "string") return ref.trim();
  const name = ref.id ?? ref.title ?? "";
  return ref.year !== undefined && !ref.id ? `${name} (${ref.year})` : name;
}

function describe(ctx: RecommendContext, positions: number[]): string {
  const shown = positions.slice(0, LIST_LIMIT).map((p) => `${ctx.titles[p]} (${ctx.years[p] ?? "no year"}) ${ctx.ids[p]}`);
  return shown.join(", ") + (positions.length > LIST_LIMIT ? ` and ${positions.length - LIST_LIMIT} more` : "");
}
