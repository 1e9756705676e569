import { test } from "node:test";
import { NO_SHARED_TOKENIZER, NO_TMDB, NO_WIKIPEDIA } from "./paths.js";

export { NO_TMDB, NO_WIKIPEDIA };

/**
 * `test` that is skipped, with `reason` shown, when `reason` is a string: the test files built on
 * the real datasets use it so that a checkout without `../shared` runs the rest of the suite.
 */
export function testNeeding(reason: string | false): typeof test {
  if (!reason) return test;
  const skipped = (name: unknown, a?: unknown, b?: unknown) => {
    const [options, fn] = typeof a === "function" ? [{}, a] : [a ?? {}, b];
    return (test as (n: unknown, o: unknown, f: unknown) => unknown)(name, { ...(options as object), skip: reason }, fn);
  };
  return skipped as unknown as typeof test;
}

/** `test` for tests on the real TMDB file (or the collection built from it). */
export const tmdbTest = testNeeding(NO_TMDB);
/** `test` for tests on the real TMDB file and Wikipedia dump. */
export const tmdbWikipediaTest = testNeeding(NO_TMDB || NO_WIKIPEDIA);
/** `test` for tests on all-MiniLM-L6-v2's tokenizer from the shared models folder. */
export const tokenizerTest = testNeeding(NO_SHARED_TOKENIZER);
