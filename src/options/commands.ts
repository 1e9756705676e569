import { GLOVE_HYBRID_ALPHA } from "../embed/glove.js";
import { MINILM_HYBRID_ALPHA } from "../embed/minilm.js";
import { DEFAULT_EMBEDDER } from "../embed/registry.js";
import { InvalidArgumentError } from "../errors.js";
import { POCKETSPHINX_MODEL_DIRS } from "../media/pocketsphinx.js";
import { DEFAULT_RECOGNIZER, RECOGNIZERS } from "../media/recognizer.js";
import { DEFAULT_WHISPER_MODEL } from "../media/whisper.js";
import { MAX_CANDIDATES } from "../recommend/pipeline.js";
import {
  DEFAULT_RECOMMEND_K,
  DEFAULT_RECOMMEND_STRATEGY,
  DEFAULT_RERANKER,
  DEFAULT_SENTIMENT_WEIGHT,
  DEFAULT_SIMILAR_K,
  DEFAULT_SIMILAR_METHOD,
  MAX_EXAMPLES,
  MAX_RECOMMEND_K,
  RECOMMEND_STRATEGIES,
  RERANKERS,
  SIMILAR_METHODS,
  type RecommendOptions,
  type SimilarOptions,
} from "../recommend/types.js";
import { MAX_OFFSET } from "../search/engine.js";
import { DEFAULT_ALPHA } from "../search/hybrid.js";
import { DEFAULT_FUSION, DEFAULT_K, DEFAULT_PRIOR, DEFAULT_SEARCH_MODE, DEFAULT_TITLES_K, FUSIONS, MAX_K, MAX_PRIOR, SEARCH_MODES, type SearchOptions } from "../search/types.js";
import { FILTER_OPTIONS, filtersFrom } from "./filters.js";
import type { OptionSpec, Values } from "./option.js";
import type { TrailersOptions } from "../trailers.js";

/**
 * Each command's options, defined once: the CLI's flags and the HTTP API's parameters (and so
 * `/openapi.json` and the web client's types) are derived from these lists, and the defaults
 * are the library's constants.
 */

/**
 * The surfaces' limits on result counts, one per option, shared by the CLI and the HTTP API (the
 * library itself allows up to `MAX_K` / `MAX_RECOMMEND_K` = 1,000): results per search page
 * (100), the deepest search offset (1,000), title suggestions (50), similar movies and
 * recommendations (200).
 */
export const MAX_SEARCH_K = 100;
export const MAX_SEARCH_OFFSET = 1_000;
export const MAX_TITLES_K = 50;
export const MAX_LISTING_K = 200;
for (const [name, limit, library] of [["search k", MAX_SEARCH_K, MAX_K], ["search offset", MAX_SEARCH_OFFSET, MAX_OFFSET], ["titles k", MAX_TITLES_K, MAX_K], ["listing k", MAX_LISTING_K, MAX_RECOMMEND_K]] as const) {
  if (limit > library) throw new Error(`options: the ${name} limit ${limit} exceeds the library's ${library}`);
}

/** Longest movie id or title given as an example, in characters (ids are imdb ids or `<source>:<id>`). */
export const MAX_REF_LENGTH = 200;

/** The popularity prior's weight, as a multiple of the learned or stated one; the same in search, similar and recommend. */
const PRIOR_OPTION: OptionSpec = {
  key: "prior",
  type: { kind: "number", min: 0, max: MAX_PRIOR },
  arg: "X",
  default: DEFAULT_PRIOR,
  help: "weight of the popularity prior as a multiple of its learned weight: 1 as learned, 0 off (relevance alone), 2 twice as much",
};

/** `search`: `Plotline.search(query, options)`, `plotline search`, `GET /api/search`. */
export const SEARCH_OPTIONS: readonly OptionSpec[] = [
  { key: "mode", type: { kind: "enum", values: SEARCH_MODES }, arg: "MODE", default: DEFAULT_SEARCH_MODE, help: "search mode: keyword and semantic fused, embeddings only, BM25 only, or titles as you type" },
  // No single default: absent, Plotline.search takes the collection's embedder's (hybridAlphaFor).
  {
    key: "alpha",
    type: { kind: "number", min: 0, max: 1 },
    arg: "A",
    help: `hybrid (convex, native-*): weight of the semantic side, 0 (keyword only) to 1 (semantic only); default per embedder: glove ${GLOVE_HYBRID_ALPHA}, minilm ${MINILM_HYBRID_ALPHA}, others ${DEFAULT_ALPHA}`,
  },
  { key: "fusion", type: { kind: "enum", values: FUSIONS }, arg: "F", default: DEFAULT_FUSION, help: "hybrid fusion: the learned ranking model (no alpha), convex combination of normalised scores, or reciprocal rank fusion (k = 60); native-rrf, native-relative, native-dbsf: the backend's own hybrid query, where it has that one (Qdrant: rrf, dbsf; Weaviate: rankedFusion, relativeScoreFusion, weighted by alpha), else an error" },
  PRIOR_OPTION,
  { key: "k", type: { kind: "integer", min: 1, max: MAX_SEARCH_K }, short: "k", arg: "N", default: DEFAULT_K, help: "results per page" },
  { key: "offset", type: { kind: "integer", min: 0, max: MAX_SEARCH_OFFSET }, arg: "N", default: 0, help: "results to skip" },
  { key: "parse", type: { kind: "boolean" }, default: true, help: 'turn phrases such as "90s" or "starring X" into filters (off: search the words as typed)' },
  { key: "explain", type: { kind: "boolean" }, surfaces: ["cli"], help: "show keyword and semantic scores and the matched words of each result" },
  ...FILTER_OPTIONS,
];

/** `titles`: `Plotline.titles(prefix, k)`, `GET /api/titles`. */
export const TITLES_OPTIONS: readonly OptionSpec[] = [{ key: "k", type: { kind: "integer", min: 1, max: MAX_TITLES_K }, short: "k", arg: "N", default: DEFAULT_TITLES_K, help: "suggestions to return" }];

/** The ranking options of the commands that list recommendations (`similar`, `recommend`). */
export const RANKING_OPTIONS: readonly OptionSpec[] = [
  { key: "diversity", type: { kind: "number", min: 0, max: 1 }, arg: "D", default: 0, help: "maximal marginal relevance, 0 (keeps the ranking) to 1 (most diverse)" },
  { key: "rerank", type: { kind: "enum", values: RERANKERS }, arg: "NAME", default: DEFAULT_RERANKER, help: "re-rank by (1 - w) x similarity + w x sentiment (of the English trailer transcript when there is one, else of the overview)" },
  { key: "sentimentWeight", type: { kind: "number", min: 0, max: 1 }, arg: "W", default: DEFAULT_SENTIMENT_WEIGHT, help: "w for rerank sentiment, 0..1" },
  // CLI only: over HTTP, rerank and sentiment_weight arrive with their defaults filled in, so a
  // shorthand could not tell a conflict from a default.
  {
    key: "sentiment",
    type: { kind: "number", min: 0, max: 1 },
    arg: "W",
    surfaces: ["cli"],
    help: "the trailer article's opinion score: --rerank sentiment --sentiment-weight W in one flag (0.3: 0.7 x similarity + 0.3 x sentiment)",
  },
  { key: "candidates", type: { kind: "integer", min: 1, max: MAX_CANDIDATES }, arg: "N", help: "candidates re-ranking and diversity choose from (default max(4k, 100))" },
  PRIOR_OPTION,
  { key: "series", type: { kind: "boolean" }, default: true, help: "lead with the examples' own series and remakes (shared title stems), others of a disliked one's series last (off: similarity alone)" },
  // CLI only: over HTTP (and in --json) every part of the score is always there.
  { key: "explain", type: { kind: "boolean" }, surfaces: ["cli"], help: "show the parts of each score (similarity, sentiment, closest like and dislike, redundancy)" },
];

/** `similar`: `Plotline.similar(movie, options)`, `plotline similar`, `GET /api/movies/:id/similar`. */
export const SIMILAR_OPTIONS: readonly OptionSpec[] = [
  { key: "k", type: { kind: "integer", min: 1, max: MAX_LISTING_K }, short: "k", arg: "N", default: DEFAULT_SIMILAR_K, help: "movies to return" },
  { key: "method", type: { kind: "enum", values: SIMILAR_METHODS }, arg: "METHOD", default: DEFAULT_SIMILAR_METHOD, help: "embedding cosine, exemplar SVM or TF-IDF cosine" },
  // Over HTTP the movie is an id; on the CLI a title may match several movies.
  { key: "movieYear", type: { kind: "integer", min: 1800, max: 2200 }, arg: "YEAR", surfaces: ["cli"], help: "picks the movie when several share its title (or write 'Title (1978)')" },
  ...RANKING_OPTIONS,
  ...FILTER_OPTIONS,
];

/** `recommend`: `Plotline.recommend(options)`, `plotline recommend`, `POST /api/recommend`. */
export const RECOMMEND_OPTIONS: readonly OptionSpec[] = [
  { key: "like", type: { kind: "list", maxItems: MAX_EXAMPLES, itemMaxLength: MAX_REF_LENGTH, unique: true }, arg: "MOVIE", help: "a liked movie: id, title, or 'Title (1999)' (repeat for several)" },
  { key: "dislike", type: { kind: "list", maxItems: MAX_EXAMPLES, itemMaxLength: MAX_REF_LENGTH, unique: true }, arg: "MOVIE", help: "a disliked movie (repeat for several)" },
  { key: "strategy", type: { kind: "enum", values: RECOMMEND_STRATEGIES }, arg: "NAME", default: DEFAULT_RECOMMEND_STRATEGY, help: "near 2 x mean(likes) - mean(dislikes), the best like pushed down by dislikes, or the sum of like cosines minus dislike cosines" },
  { key: "k", type: { kind: "integer", min: 1, max: MAX_LISTING_K }, short: "k", arg: "N", default: DEFAULT_RECOMMEND_K, help: "movies to return" },
  ...RANKING_OPTIONS,
  ...FILTER_OPTIONS,
];

function set<T>(out: T, key: keyof T, value: unknown): void {
  if (value !== undefined) out[key] = value as T[keyof T];
}

/** The library's `SearchOptions` for parsed values of `SEARCH_OPTIONS`. */
export function searchOptions(v: Values): SearchOptions {
  const o: SearchOptions = {};
  for (const key of ["mode", "alpha", "fusion", "prior", "k", "offset", "parse"] as const) set(o, key, v[key]);
  const filters = filtersFrom(v);
  if (filters) o.filters = filters;
  return o;
}

function rankingOptions(v: Values, o: SimilarOptions | RecommendOptions): void {
  for (const key of ["diversity", "rerank", "sentimentWeight", "candidates", "prior", "series"] as const) set(o, key, v[key]);
  if (v.sentiment !== undefined) {
    if ((v.rerank !== undefined && v.rerank !== "sentiment") || v.sentimentWeight !== undefined) {
      throw new InvalidArgumentError("sentiment", "is rerank sentiment with sentiment weight W in one option; give one or the other");
    }
    o.rerank = "sentiment";
    o.sentimentWeight = v.sentiment as number;
  }
  const filters = filtersFrom(v);
  if (filters) o.filters = filters;
}

/** The library's `SimilarOptions` for parsed values of `SIMILAR_OPTIONS`. */
export function similarOptions(v: Values): SimilarOptions {
  const o: SimilarOptions = {};
  set(o, "k", v.k);
  set(o, "method", v.method);
  set(o, "year", v.movieYear);
  rankingOptions(v, o);
  return o;
}

/** The library's `RecommendOptions` for parsed values of `RECOMMEND_OPTIONS`. */
export function recommendOptions(v: Values): RecommendOptions {
  const o: RecommendOptions = {};
  set(o, "like", v.like);
  set(o, "dislike", v.dislike);
  set(o, "strategy", v.strategy);
  set(o, "k", v.k);
  rankingOptions(v, o);
  return o;
}

/** `trailers`: `Plotline.trailers(inputs, options)`, `plotline trailers` (no HTTP route: it reads local files). */
export const TRAILERS_OPTIONS: readonly OptionSpec[] = [
  { key: "asr", type: { kind: "enum", values: RECOGNIZERS }, arg: "NAME", default: DEFAULT_RECOGNIZER, surfaces: ["cli"], help: "speech recogniser: Debian's pocketsphinx (US English, offline), or Xenova/whisper-* through transformers.js" },
  {
    key: "asrModel",
    type: { kind: "string" },
    arg: "PATH",
    surfaces: ["cli"],
    help: `pocketsphinx: a model folder laid out as Debian's (default ${POCKETSPHINX_MODEL_DIRS[0]}); whisper: a model name or folder (default ${DEFAULT_WHISPER_MODEL})`,
  },
  { key: "standalone", type: { kind: "boolean" }, surfaces: ["cli"], help: "add trailers whose file name matches no movie as movies of their own (default: list them)" },
  { key: "embedder", type: { kind: "string" }, arg: "NAME", default: DEFAULT_EMBEDDER, surfaces: ["cli"], help: "embedder of a new collection with --standalone; an existing collection keeps its own" },
];

/** The library's `TrailersOptions` for parsed values of `TRAILERS_OPTIONS`. */
export function trailersOptions(v: Values): Pick<TrailersOptions, "asr" | "standalone" | "embedder" | "pocketsphinx" | "whisper"> {
  const asr = (v.asr as string | undefined) ?? DEFAULT_RECOGNIZER;
  const model = v.asrModel as string | undefined;
  return {
    asr,
    standalone: Boolean(v.standalone),
    embedder: v.embedder as string | undefined,
    pocketsphinx: asr === "pocketsphinx" && model ? { modelDir: model } : undefined,
    whisper: asr === "whisper" && model ? { model } : undefined,
  };
}
