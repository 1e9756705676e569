import { InvalidArgumentError } from "../errors.js";
import { BLEND_WEIGHTS } from "../recommend/blend.js";
import { DEFAULT_SENTIMENT_WEIGHT, RERANKERS, type RecommendationOptions, type Reranker } from "../recommend/types.js";
import { DEFAULT_PRIOR, MAX_PRIOR } from "../search/types.js";
import type { Filters } from "../search/filters.js";
import { intOption, type OptionSpec } from "./command.js";
import { numberOption, rangeOption } from "./commands/search.js";

export { numberOption };

/** The ranking flags of commands that list recommendations (`similar`, `recommend`). */
export const RANKING_OPTIONS: Record<string, OptionSpec> = {
  diversity: { type: "string", arg: "D", help: "0..1, maximal marginal relevance (0 keeps the ranking)", default: 0 },
  rerank: { type: "string", arg: "NAME", help: RERANKERS.join(" | "), default: "none" },
  "sentiment-weight": { type: "string", arg: "W", help: "0..1, weight of sentiment with --rerank sentiment", default: DEFAULT_SENTIMENT_WEIGHT },
  candidates: { type: "string", arg: "N", help: "candidates re-ranking and diversity choose from (default max(4k, 100))" },
  prior: { type: "string", arg: "P", help: `how much the popularity prior counts, 0 (off) to ${MAX_PRIOR}, as a multiple of its weight ${BLEND_WEIGHTS.prior}`, default: DEFAULT_PRIOR },
  "no-series": { type: "boolean", help: `do not boost the movie's own series and remakes (weight ${BLEND_WEIGHTS.series}); with --prior 0, similarity alone` },
};

/** The library's ranking options for the flags of `RANKING_OPTIONS`. */
export function parseRankingOptions(values: Record<string, unknown>): Pick<RecommendationOptions, "diversity" | "rerank" | "sentimentWeight" | "candidates" | "prior" | "series"> {
  return {
    prior: numberOption("prior", values.prior),
    ...(values["no-series"] ? { series: false } : {}),
    diversity: numberOption("diversity", values.diversity),
    rerank: values.rerank as Reranker | undefined,
    sentimentWeight: numberOption("sentiment-weight", values["sentiment-weight"]),
    candidates: values.candidates === undefined ? undefined : intOption("candidates", values.candidates, 0),
  };
}

/**
 * The filter flags of commands that list movies (`similar`, `recommend`), with the names the
 * HTTP API uses for the same filters. The release-year range is `--year-range` because
 * `similar` uses `--year` to pick one of several movies with the same title. Values are parsed
 * by the search command's helpers, so both commands read ranges and numbers alike.
 */
export const FILTER_OPTIONS: Record<string, OptionSpec> = {
  "year-range": { type: "string", arg: "A..B", help: "release years, inclusive: 1990..1999, 2006.., ..1979 or 1994" },
  genre: { type: "string", multiple: true, arg: "NAME", help: "genre (repeat for several; any of them unless --genre-mode all)" },
  "genre-mode": { type: "string", arg: "MODE", help: "any | all", default: "any" },
  "exclude-genre": { type: "string", multiple: true, arg: "NAME", help: "genre the results must not have (repeat for several)" },
  "min-rating": { type: "string", arg: "N", help: "minimum average rating, 0..10" },
  "min-votes": { type: "string", arg: "N", help: "minimum number of votes" },
  runtime: { type: "string", arg: "A..B", help: "runtime in minutes, inclusive: 90..120, ..100" },
  cast: { type: "string", multiple: true, arg: "NAME", help: "cast member (repeat: all of them)" },
  director: { type: "string", multiple: true, arg: "NAME", help: "director (repeat: any of them)" },
  language: { type: "string", arg: "CODE", help: "ISO 639-1 original language, e.g. en" },
};

/** The library's `Filters` for the flags given; undefined when there are none. */
export function parseFilterOptions(values: Record<string, unknown>): Filters | undefined {
  const f: Filters = {};
  const year = rangeOption("year-range", values["year-range"]);
  if (year?.min !== undefined) f.yearMin = year.min;
  if (year?.max !== undefined) f.yearMax = year.max;
  const runtime = rangeOption("runtime", values.runtime);
  if (runtime?.min !== undefined) f.runtimeMin = runtime.min;
  if (runtime?.max !== undefined) f.runtimeMax = runtime.max;
  const genres = values.genre as string[] | undefined;
  if (genres?.length) f.genres = genres;
  const excluded = values["exclude-genre"] as string[] | undefined;
  if (excluded?.length) f.excludeGenres = excluded;
  const mode = values["genre-mode"] as string | undefined;
  if (mode !== undefined && mode !== "any" && mode !== "all") throw new InvalidArgumentError("--genre-mode", `expected any or all, got '${mode}'`);
  if (mode === "all") f.genreMode = "all";
  const minRating = numberOption("min-rating", values["min-rating"]);
  if (minRating !== undefined) f.minRating = minRating;
  const minVotes = numberOption("min-votes", values["min-votes"]);
  if (minVotes !== undefined) f.minVotes = minVotes;
  const cast = values.cast as string[] | undefined;
  if (cast?.length) f.cast = cast;
  const directors = values.director as string[] | undefined;
  if (directors?.length) f.directors = directors;
  const language = values.language as string | undefined;
  if (language !== undefined) {
    if (!/^[A-Za-z]{2}$/.test(language)) throw new InvalidArgumentError("--language", `expected a two-letter ISO 639-1 code, got '${language}'`);
    f.language = language.toLowerCase();
  }
  return Object.keys(f).length ? f : undefined;
}
