import { filtersJsonSchema } from "../options/filters.js";

/**
 * JSON schemas of the API's responses, shared by the routes (Fastify validates requests and
 * serialises responses with them) and by `/openapi.json`, which is assembled from the routes.
 */

const nullable = (type: string) => ({ type: [type, "null"] }) as const;
const strings = { type: "array", items: { type: "string" } } as const;

export const ERROR_SCHEMA = {
  type: "object",
  description: "Every error: a machine-readable code, a one-line message, and the parameter at fault when there is one.",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: {
          type: "string",
          description:
            "invalid_parameter, invalid_body, not_found, method_not_allowed, payload_too_large, unsupported_media_type, uri_too_long, header_too_large, request_timeout, timeout, collection_unavailable, not_supported, bad_request, internal",
        },
        message: { type: "string" },
        parameter: { type: "string", description: "The query parameter, path parameter or body field at fault." },
      },
    },
  },
} as const;

/** The fields a result card shows, added to every listed movie (search, similar, recommend). */
export const CARD_PROPERTIES = {
  genres: strings,
  overview: { type: "string" },
  posterUrl: nullable("string"),
  rating: nullable("number"),
  votes: nullable("integer"),
} as const;

const optionalNumber = { type: "number" } as const;

/**
 * One listed movie: the CLI's `--json` result (id, title, year, score, and the explanation
 * fields the engine adds) plus the card fields. Extra engine fields pass through unchanged.
 */
export const HIT_SCHEMA = {
  type: "object",
  required: ["id", "title", "year", "score"],
  additionalProperties: true,
  properties: {
    id: { type: "string" },
    title: { type: "string" },
    year: nullable("integer"),
    score: { type: "number" },
    scores: {
      type: "object",
      description: "Search: the keyword (BM25) and semantic (cosine) parts of `score`, null where that side did not score the movie; hybrid adds their normalised values and ranks, title mode its title score.",
      required: ["keyword", "semantic"],
      properties: {
        keyword: nullable("number"),
        semantic: nullable("number"),
        keywordNorm: optionalNumber,
        semanticNorm: optionalNumber,
        keywordRank: nullable("integer"),
        semanticRank: nullable("integer"),
        title: optionalNumber,
      },
    },
    matches: { type: "object", additionalProperties: strings, description: "Search: the words of the query found in each field, as spelled there." },
    similarity: { type: "number", description: "Similar and recommend: the method's own similarity." },
    sentiment: { type: "number", description: "Similar and recommend: the overview's sentiment, -1..1." },
    like: { type: "number", description: "Recommend `best`: the highest cosine to a liked movie." },
    dislike: { type: "number", description: "Recommend `best`: the highest cosine to a disliked movie." },
    redundancy: { type: "number", description: "With diversity: the highest similarity to a result listed above." },
    ...CARD_PROPERTIES,
  },
} as const;

const SUMMARY_SCHEMA = {
  type: "object",
  required: ["id", "title", "year"],
  properties: { id: { type: "string" }, title: { type: "string" }, year: nullable("integer") },
} as const;

/** A listing: the CLI's `--json` shape (`query`, `parsed`, `results`, ...), results carrying cards. */
export const LIST_SCHEMA = {
  type: "object",
  required: ["results"],
  additionalProperties: true,
  properties: {
    query: { type: "string" },
    parsed: {
      type: "object",
      required: ["text", "filters", "extracted"],
      additionalProperties: true,
      description: "Search: what was searched: the `text` left, the `filters` applied, and the `extracted` phrases that became filters.",
      properties: {
        text: { type: "string" },
        filters: filtersJsonSchema(),
        like: { type: "string", description: "\"Movies like X\": the title named." },
        likeId: { type: "string", description: "The id of the movie `like` resolved to." },
        extracted: {
          type: "array",
          items: { type: "object", required: ["phrase", "as"], properties: { phrase: { type: "string" }, as: { type: "string" } } },
        },
      },
    },
    mode: { type: "string" },
    movie: { ...SUMMARY_SCHEMA, description: "Similar: the movie the list is about." },
    method: { type: "string" },
    strategy: { type: "string" },
    like: { type: "array", items: SUMMARY_SCHEMA, description: "Recommend: the liked movies used." },
    dislike: { type: "array", items: SUMMARY_SCHEMA, description: "Recommend: the disliked movies used." },
    unknown: { ...strings, description: "Recommend: examples that match no movie, as given." },
    results: { type: "array", items: HIT_SCHEMA },
  },
} as const;

/** A movie as stored (the CLI's movie JSON), without internal keys. */
export const MOVIE_SCHEMA = {
  type: "object",
  // Every field but the optional `plot`, which the API leaves out.
  required: ["id", "source", "sourceId", "title", "year", "overview", "tagline", "genres", "keywords", "cast", "directors", "companies", "runtime", "rating", "votes", "popularity", "budget", "revenue", "posterUrl", "language"],
  properties: {
    id: { type: "string" },
    source: { type: "string" },
    sourceId: { type: "string" },
    title: { type: "string" },
    year: nullable("integer"),
    overview: { type: "string" },
    tagline: nullable("string"),
    genres: strings,
    keywords: strings,
    cast: strings,
    directors: strings,
    companies: strings,
    runtime: nullable("number"),
    rating: nullable("number"),
    votes: nullable("integer"),
    popularity: nullable("number"),
    budget: nullable("number"),
    revenue: nullable("number"),
    posterUrl: nullable("string"),
    language: nullable("string"),
    trailers: {
      type: "array",
      description: "Trailers attached by `plotline trailers`, in file order: what each says and its language, with where the language came from.",
      items: {
        type: "object",
        required: ["file", "transcript", "transcriptSource", "language", "languageSource", "languages", "recognizer", "seconds"],
        properties: {
          file: { type: "string", description: "The video's path as it was given." },
          transcript: { type: "string" },
          transcriptSource: { type: "string", enum: ["speech", "subtitles", "none"], description: "Recognised speech, the subtitles beside the video, or nothing usable." },
          language: nullable("string"),
          languageSource: { type: ["string", "null"], enum: ["audio-tag", "subtitles", "transcript", null] },
          languages: {
            type: "array",
            description: "Every language finding, with its source and confidence.",
            items: {
              type: "object",
              properties: { language: { type: "string" }, source: { type: "string" }, raw: { type: "string" }, confidence: { type: "number" } },
            },
          },
          recognizer: { type: "string" },
          seconds: { type: "number", description: "Audio length." },
        },
      },
    },
  },
} as const;

export const HEALTH_SCHEMA = {
  type: "object",
  required: ["status", "movies"],
  properties: {
    status: { type: "string", enum: ["ok", "empty"] },
    movies: { type: "integer" },
    embedder: nullable("string"),
    dims: nullable("integer"),
    updatedAt: nullable("string"),
    version: { type: "string" },
  },
} as const;

/** Error responses every route can give, in Fastify's status-range form. */
export const ERROR_RESPONSES = { "4xx": ERROR_SCHEMA, "5xx": ERROR_SCHEMA } as const;
