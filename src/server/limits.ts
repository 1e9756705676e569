import { MAX_LISTING_K, MAX_REF_LENGTH, MAX_SEARCH_K, MAX_SEARCH_OFFSET, MAX_TITLES_K } from "../options/commands.js";
import { FILTER_VALUE_LENGTH, FILTER_VALUES } from "../options/filters.js";
import { MAX_EXAMPLES } from "../recommend/types.js";

/**
 * What the HTTP API accepts. Every limit is enforced by the route schemas (so it also appears in
 * `/openapi.json`) or by Fastify's server options, and a request over it gets a 4xx naming the
 * parameter, never a truncated answer. Defaults are not here: every option has one default, the
 * library's, stated with the option (`options/commands.ts`).
 */
export const LIMITS = {
  /**
   * Longest search query over HTTP, in characters (default 2,000): a pasted plot summary fits;
   * the library itself accepts up to 10,000 but such URLs exceed common proxy limits.
   */
  queryLength: 2_000,
  /** Longest title prefix for suggestions, in characters (default 200). */
  prefixLength: 200,
  /** Results per search page, at most: the options' own limit, the CLI's too (options/commands.ts). */
  searchK: { max: MAX_SEARCH_K },
  /** Deepest offset a search page may start at (the options' limit). */
  maxOffset: MAX_SEARCH_OFFSET,
  /** Title suggestions per keystroke, at most (the options' limit). */
  titlesK: { max: MAX_TITLES_K },
  /** Similar movies per page, at most (the options' limit). */
  similarK: { max: MAX_LISTING_K },
  /** Recommendations per request, at most (the options' limit). */
  recommendK: { max: MAX_LISTING_K },
  /** Liked plus disliked examples in one recommend request (default limit 100, the engine's own). */
  examples: MAX_EXAMPLES,
  /** Longest movie id, in characters (200); ids are imdb ids or `<source>:<id>`. */
  idLength: MAX_REF_LENGTH,
  /** Longest value of a list filter entry (genre, cast member, director), in characters (200). */
  filterValueLength: FILTER_VALUE_LENGTH,
  /** Entries in one list filter (20). */
  filterValues: FILTER_VALUES,
  /** Largest request body, in bytes (default 16 KiB: a recommend body with 100 ids is ~2 KiB). */
  bodyBytes: 16 * 1024,
  /** Largest request head (request line plus headers), in bytes (default 16 KiB, Node's own). */
  headerBytes: 16 * 1024,
  /** Time to receive a whole request, in ms (default 10 s): slow clients cannot hold sockets. */
  requestTimeoutMs: 10_000,
  /** Time to answer once received, in ms (default 10 s); past it the client gets a 503. */
  handlerTimeoutMs: 10_000,
} as const;

/** Seconds a client refused for load or time is told to wait (`Retry-After`, default 1). */
export const RETRY_AFTER_SECONDS = 1;
