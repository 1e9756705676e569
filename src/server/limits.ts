import { MAX_EXAMPLES } from "../recommend/types.js";

/**
 * What the HTTP API accepts. Every limit is enforced by the route schemas (so it also appears in
 * `/openapi.json`) or by Fastify's server options, and a request over it gets a 4xx naming the
 * parameter, never a truncated answer.
 */
export const LIMITS = {
  /**
   * Longest search query over HTTP, in characters (default 2,000): a pasted plot summary fits;
   * the library itself accepts up to 10,000 but such URLs exceed common proxy limits.
   */
  queryLength: 2_000,
  /** Longest title prefix for suggestions, in characters (default 200). */
  prefixLength: 200,
  /** Results per search page (default 10, at most 100). */
  searchK: { default: 10, max: 100 },
  /** Deepest offset a search page may start at (default limit 1,000). */
  maxOffset: 1_000,
  /** Title suggestions per keystroke (default 8, at most 50). */
  titlesK: { default: 8, max: 50 },
  /** Similar movies per page (default 40, as Karpathy's site shows, at most 200). */
  similarK: { default: 40, max: 200 },
  /** Recommendations per request (default 20, at most 200). */
  recommendK: { default: 20, max: 200 },
  /** Liked plus disliked examples in one recommend request (default limit 100, the engine's own). */
  examples: MAX_EXAMPLES,
  /** Longest movie id, in characters (default 200); ids are imdb ids or `<source>:<id>`. */
  idLength: 200,
  /** Longest value of a list filter entry (genre, cast member, director), in characters. */
  filterValueLength: 200,
  /** Entries in one list filter (default limit 20). */
  filterValues: 20,
  /** Largest request body, in bytes (default 16 KiB: a recommend body with 100 ids is ~2 KiB). */
  bodyBytes: 16 * 1024,
  /** Largest request head (request line plus headers), in bytes (default 16 KiB, Node's own). */
  headerBytes: 16 * 1024,
  /** Time to receive a whole request, in ms (default 10 s): slow clients cannot hold sockets. */
  requestTimeoutMs: 10_000,
  /** Time to answer once received, in ms (default 10 s); past it the client gets a 503. */
  handlerTimeoutMs: 10_000,
} as const;
